// Timestamp parsing against hand-computed epoch values.
#include "base/timestamps.h"

#include <catch2/catch.hpp>

TEST_CASE("RFC 3339 timestamps to microseconds since the epoch") {
  CHECK(dq::parse_rfc3339("1970-01-01T00:00:00Z") == 0);
  CHECK(dq::parse_rfc3339("2026-01-01T00:00:00Z") == 1767225600LL * 1000000);
  CHECK(dq::parse_rfc3339("2026-01-01T01:00:00+01:00") == 1767225600LL * 1000000);
  CHECK(dq::parse_rfc3339("2026-01-01 00:00:00.5Z") == 1767225600LL * 1000000 + 500000);
  CHECK(dq::parse_rfc3339("1969-12-31T23:59:59Z") == -1000000);
  CHECK_FALSE(dq::parse_rfc3339("2026-02-29T00:00:00Z"));  // not a leap year
  CHECK(dq::parse_rfc3339("2024-02-29T00:00:00Z"));
  CHECK_FALSE(dq::parse_rfc3339("2026-01-01T24:00:00Z"));
  CHECK_FALSE(dq::parse_rfc3339("2026-01-01"));
  CHECK_FALSE(dq::parse_rfc3339("2026-01-01T00:00:00+2"));
}

TEST_CASE("layouts, dates and formatting") {
  CHECK(dq::parse_with_layout("Sun Aug 31 00:29:15 +0000 2014", "%a %b %d %H:%M:%S %z %Y") == 1409444955LL * 1000000);
  CHECK(dq::parse_with_layout("31/08/2014", "%d/%m/%Y") == 1409443200LL * 1000000);
  CHECK_FALSE(dq::parse_with_layout("31/13/2014", "%d/%m/%Y"));
  CHECK(dq::parse_date("2000-03-01") == 11017);
  CHECK(dq::format_timestamp(1767225600LL * 1000000 + 5) == "2026-01-01T00:00:00.000005Z");
  CHECK(dq::format_date(11017) == "2000-03-01");
  CHECK(dq::format_timestamp(-1000000) == "1969-12-31T23:59:59Z");
}

TEST_CASE("IANA time zones convert local times with their DST rules from the system tz database") {
  const auto ny = dq::parse_time_zone("America/New_York");
  REQUIRE(ny);
  const std::int64_t s = 1000000;
  // Winter (EST, -05:00) and summer (EDT, -04:00).
  CHECK(dq::parse_rfc3339("2024-01-15 12:00:00", *ny) == *dq::parse_rfc3339("2024-01-15T17:00:00Z"));
  CHECK(dq::parse_rfc3339("2024-07-15 12:00:00", *ny) == *dq::parse_rfc3339("2024-07-15T16:00:00Z"));
  // Clocks set back on 2024-11-03: 01:30 happens twice; the first (EDT) is taken.
  CHECK(dq::parse_rfc3339("2024-11-03 01:30:00", *ny) == *dq::parse_rfc3339("2024-11-03T05:30:00Z"));
  // Clocks set forward on 2024-03-10: 02:30 never happens; read with the
  // offset before the gap (EST), it is 03:30 EDT.
  CHECK(dq::parse_rfc3339("2024-03-10 02:30:00", *ny) == *dq::parse_rfc3339("2024-03-10T07:30:00Z"));
  CHECK(dq::parse_rfc3339("2024-03-10 03:30:00", *ny) == *dq::parse_rfc3339("2024-03-10T07:30:00Z"));
  // An offset in the text wins over the zone.
  CHECK(dq::parse_rfc3339("2024-07-15T12:00:00+02:00", *ny) == *dq::parse_rfc3339("2024-07-15T10:00:00Z"));
  // Layouts too, and historical rules (no DST in 1950s Phoenix, US DST then).
  CHECK(dq::parse_with_layout("07/15/2024 12:00", "%m/%d/%Y %H:%M", *ny) == 1721059200LL * s);
  const auto phoenix = dq::parse_time_zone("America/Phoenix");
  REQUIRE(phoenix);
  CHECK(dq::parse_rfc3339("2024-07-15 12:00:00", *phoenix) == *dq::parse_rfc3339("2024-07-15T19:00:00Z"));
  // Fixed offsets and UTC are zones too; unknown names are not.
  CHECK(dq::parse_rfc3339("2024-07-15 12:00:00", *dq::parse_time_zone("-05:00")) ==
        *dq::parse_rfc3339("2024-07-15T17:00:00Z"));
  CHECK(dq::parse_time_zone("UTC"));
  CHECK_FALSE(dq::parse_time_zone("America/Nowhere"));
  CHECK_FALSE(dq::parse_time_zone("EST5EDT,M3.2.0,M11.1.0x"));
  // A wall-clock instant (an Arrow timestamp without a zone) in a zone.
  CHECK(dq::local_to_utc_micros(*dq::parse_rfc3339("2024-07-15T12:00:00.25Z"), *ny) ==
        *dq::parse_rfc3339("2024-07-15T16:00:00.25Z"));
  CHECK(dq::local_to_utc_micros(*dq::parse_rfc3339("1969-12-31T23:59:59.5Z"), *ny) ==
        *dq::parse_rfc3339("1970-01-01T04:59:59.5Z"));
}
