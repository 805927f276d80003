// Timestamps and dates as integers: microseconds and days since 1970-01-01 UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/time_zone.h"

namespace dq {

// RFC 3339 ("2026-01-02T03:04:05.123Z", "...+02:00"), also with a space or
// lower-case 't' for 'T'. A time without an offset is a local time in `zone`.
std::optional<std::int64_t> parse_rfc3339(std::string_view text, const TimeZone& zone = {});

// A strftime-style layout: %Y %m %d %H %M %S %f (fraction) %z (+hh:mm, +hhmm, Z)
// %a %b (English abbreviations) %%; no other directive (the compiler refuses
// them); any other character must match literally.
std::optional<std::int64_t> parse_with_layout(std::string_view text, std::string_view layout,
                                              const TimeZone& zone = {});

// The first directive of `layout` that parse_with_layout does not implement
// ("%D", or "%" at the end), or "" when every one is supported.
std::string unsupported_layout_directive(std::string_view layout);

// "2026-01-02" -> days since epoch.
std::optional<std::int64_t> parse_date(std::string_view text);

// "+02:00", "-0530", "Z", "UTC" -> seconds east of UTC.
std::optional<int> parse_utc_offset(std::string_view text);
// A `timezone:` value: UTC, a fixed offset, or an IANA name.
std::optional<TimeZone> parse_time_zone(const std::string& text);
// A local time (µs since the epoch as if it were UTC, as Arrow's timestamps
// without a time zone hold it) as an instant in `zone`.
std::int64_t local_to_utc_micros(std::int64_t local_micros, const TimeZone& zone);

std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);
void civil_from_days(std::int64_t days, std::int64_t& year, unsigned& month, unsigned& day);
std::string format_timestamp(std::int64_t micros);  // RFC 3339, UTC, 'Z'
std::string format_date(std::int64_t days);

}  // namespace dq
