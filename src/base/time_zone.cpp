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

}  // namespace dq
