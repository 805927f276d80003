#include "base/time_zone.h"

#include <absl/time/civil_time.h>
#include <absl/time/time.h>

namespace dq {

struct TimeZone::Named {
  absl::TimeZone zone;
};

TimeZone TimeZone::fixed(int offset_seconds) {
  TimeZone z;
  z.offset_ = offset_seconds;
  return z;
}

std::optional<TimeZone> TimeZone::named(const std::string& name) {
  absl::TimeZone zone;
  // abseil answers "UTC" for a name it cannot load; only a real zone counts.
  if (!absl::LoadTimeZone(name, &zone)) return std::nullopt;
  TimeZone z;
  z.named_ = std::make_shared<const Named>(Named{zone});
  return z;
}

std::int64_t TimeZone::to_utc(std::int64_t year, int month, int day, int hour, int minute, int second) const {
  const absl::CivilSecond civil(year, month, day, hour, minute, second);
  if (!named_) return absl::ToUnixSeconds(absl::FromCivil(civil, absl::UTCTimeZone())) - offset_;
  // `pre`: the instant under the offset in force before any transition at
  // this local time (the same as the only instant when there is none).
  return absl::ToUnixSeconds(named_->zone.At(civil).pre);
}

TimeZone::Civil TimeZone::civil(std::int64_t utc_seconds) const {
  const absl::Time instant = absl::FromUnixSeconds(utc_seconds);
  const absl::CivilSecond local = named_ ? absl::ToCivilSecond(instant, named_->zone)
                                         : absl::ToCivilSecond(instant + absl::Seconds(offset_), absl::UTCTimeZone());
  Civil c;
  c.year = local.year();
  c.month = local.month();
  c.day = local.day();
  c.hour = local.hour();
  c.minute = local.minute();
  c.second = local.second();
  switch (absl::GetWeekday(local)) {
    case absl::Weekday::monday: c.weekday = 1; break;
    case absl::Weekday::tuesday: c.weekday = 2; break;
    case absl::Weekday::wednesday: c.weekday = 3; break;
    case absl::Weekday::thursday: c.weekday = 4; break;
    case absl::Weekday::friday: c.weekday = 5; break;
    case absl::Weekday::saturday: c.weekday = 6; break;
    case absl::Weekday::sunday: c.weekday = 7; break;
  }
  return c;
}

}  // namespace dq
