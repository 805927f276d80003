// Time zones for timestamps written without an offset (`timezone:`): UTC, a
// fixed offset, or an IANA name read from the system tz database (through
// abseil's time zone library), so conversions follow every DST rule and its
// history.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace dq {

class TimeZone {
 public:
  TimeZone() = default;  // UTC
  static TimeZone fixed(int offset_seconds);
  // An IANA name ("America/New_York"); nullopt when the tz database has no such zone.
  static std::optional<TimeZone> named(const std::string& name);

  // The UTC seconds of a local civil time (fields may overflow, e.g. second
  // 60). Every local time maps to one instant:
  // - a time that occurs twice (clocks set back) is its first occurrence,
  //   the earlier instant (the offset in force before the transition);
  // - a time that never occurs (clocks set forward) is read with the offset
  //   in force before the transition, so it lands after the gap by as much as
  //   it was into it (02:30 on a spring-forward night in New York is 03:30
  //   EDT), as java.time and Python's zoneinfo (fold=0) do.
  std::int64_t to_utc(std::int64_t year, int month, int day, int hour, int minute, int second) const;

  // The local civil time of an instant (UTC seconds): what a wall clock in
  // this zone showed. weekday: ISO 8601, Monday = 1 ... Sunday = 7.
  struct Civil {
    std::int64_t year = 1970;
    int month = 1, day = 1, hour = 0, minute = 0, second = 0, weekday = 4;
  };
  Civil civil(std::int64_t utc_seconds) const;

  bool is_utc() const { return named_ == nullptr && offset_ == 0; }

 private:
  struct Named;
  int offset_ = 0;
  std::shared_ptr<const Named> named_;  // shared by copies; immutable
};

}  // namespace dq
