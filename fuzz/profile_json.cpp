// Profile loading (the baseline files drift reads): a profile or a
// kInvalidData with the reason; a profile that loads writes itself back as
// text that loads to the same text, and merges with itself.
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  auto profile = dq::Profile::from_json(json);
  if (!profile.ok()) {
    dqfuzz::require(profile.status().code() == dq::StatusCode::kInvalidData, "a bad profile is kInvalidData");
    dqfuzz::require(!profile.status().message().empty(), "a bad profile says why");
    return 0;
  }
  const std::string text = profile->to_json();
  auto again = dq::Profile::from_json(text);
  dqfuzz::require(again.ok(), "a profile's own JSON loads");
  dqfuzz::require(again->to_json() == text, "a profile round-trips");
  dq::Profile doubled = *profile;
  dqfuzz::require(doubled.merge(*again).ok(), "a profile merges with itself");
  dqfuzz::require(doubled.rows == profile->rows * 2, "rows add up");
  return 0;
}
