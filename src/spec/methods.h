// The drift and monitor methods a contract can name, written once: the
// loader offers these names, the compiler turns them into the enums the
// program carries, and reports print the names back.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dq {

enum class DriftMethod { kPsi, kJs, kLinf, kKs, kWasserstein, kNullRateDelta, kMeanShift };
inline constexpr std::array<std::string_view, 7> kDriftMethodNames = {
    "psi", "js", "linf", "ks", "wasserstein", "null_rate_delta", "mean_shift"};

enum class MonitorMethod { kThreshold, kOnlineNormal, kRateOfChange, kHoltWinters };
inline constexpr std::array<std::string_view, 4> kMonitorMethodNames = {"threshold", "online_normal", "rate_of_change",
                                                                        "holt_winters"};

template <typename Method, std::size_t N>
std::optional<Method> method_named(std::string_view name, const std::array<std::string_view, N>& names) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Method>(i);
  }
  return std::nullopt;
}
inline std::optional<DriftMethod> drift_method(std::string_view name) {
  return method_named<DriftMethod>(name, kDriftMethodNames);
}
inline std::optional<MonitorMethod> monitor_method(std::string_view name) {
  return method_named<MonitorMethod>(name, kMonitorMethodNames);
}
inline std::string name_of(DriftMethod m) { return std::string(kDriftMethodNames[static_cast<std::size_t>(m)]); }
inline std::string name_of(MonitorMethod m) { return std::string(kMonitorMethodNames[static_cast<std::size_t>(m)]); }

template <std::size_t N>
std::vector<std::string> method_names(const std::array<std::string_view, N>& names) {
  return {names.begin(), names.end()};
}

}  // namespace dq
