// The drift and monitor methods a contract can name, written once: the
// loader offers these names, the compiler turns them into the enums the
// program carries, and reports print the names back.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dq/monitor.h"

namespace dq {

enum class DriftMethod { kPsi, kJs, kLinf, kKs, kWasserstein, kNullRateDelta, kMeanShift };
inline constexpr std::array<std::string_view, 7> kDriftMethodNames = {
    "psi", "js", "linf", "ks", "wasserstein", "null_rate_delta", "mean_shift"};

enum class MonitorMethod { kThreshold, kOnlineNormal, kRateOfChange, kHoltWinters, kRobust, kChangePoint, kAuto };
inline constexpr std::array<std::string_view, 7> kMonitorMethodNames = {
    "threshold", "online_normal", "rate_of_change", "holt_winters", "robust", "change_point", "auto"};

// The numeric settings of a monitor: those every method takes, then each
// method's own (in the order of MonitorMethod). `seasons` (a list) belongs to
// robust and auto, `direction` (a word) to every method.
inline const std::vector<std::string> kMonitorCommonSettings = {"warmup", "cooldown", "exclude_anomalies", "relearn"};
inline const std::array<std::vector<std::string>, 7> kMonitorMethodSettings = {{
    {"min", "max"},
    {"sigma", "window", "min_spread"},
    {"max_increase", "max_decrease", "min_base"},
    {"season", "alpha", "beta", "gamma", "sigma"},
    {"sigma", "window", "min_spread"},
    {"window", "slack", "limit", "min_spread"},
    {"window", "margin", "sigma", "min_spread"},
}};
inline bool monitor_takes(MonitorMethod m, const std::string& setting) {
  for (const auto* list : {&kMonitorCommonSettings, &kMonitorMethodSettings[static_cast<std::size_t>(m)]}) {
    for (const auto& s : *list) {
      if (s == setting) return true;
    }
  }
  return false;
}
inline bool monitor_takes_seasons(MonitorMethod m) { return m == MonitorMethod::kRobust || m == MonitorMethod::kAuto; }

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

// What makes a monitor's settings meaningless for its method: a setting it
// does not take, or one it needs and lacks ("" when there is nothing).
inline std::string monitor_settings_problem(MonitorMethod m, const MonitorSettings& s) {
  const std::string method(kMonitorMethodNames[static_cast<std::size_t>(m)]);
  const auto season_length = [](double p) {
    return p >= 2 && p <= 100000 && p == static_cast<double>(static_cast<long>(p));
  };
  for (const auto& [key, value] : s.numbers) {
    if (!monitor_takes(m, key)) return method + " does not take '" + key + "'";
  }
  if ((!s.seasons.empty() || !s.calendar_seasons.empty()) && !monitor_takes_seasons(m)) {
    return method + " does not take 'seasons' (robust and auto do)";
  }
  for (const auto& c : s.calendar_seasons) {
    if (c != "month_day" && c != "month_end") {
      return "a season is a number of points, month_day or month_end, not '" + c + "'";
    }
  }
  for (double p : s.seasons) {
    if (!season_length(p)) return "a season is a whole number of points from 2 to 100000";
  }
  auto has = [&](const char* key) { return s.numbers.count(key) > 0; };
  if (m == MonitorMethod::kThreshold && !has("min") && !has("max")) return method + " needs 'max'";
  if (m == MonitorMethod::kRateOfChange && !has("max_increase") && !has("max_decrease")) {
    return method + " needs 'max_increase'";
  }
  if (m == MonitorMethod::kHoltWinters && !has("season")) return method + " needs 'season'";
  if (m == MonitorMethod::kHoltWinters && !season_length(s.numbers.at("season"))) {
    return method + "'s season is a whole number of points from 2 to 100000";
  }
  return "";
}

template <std::size_t N>
std::vector<std::string> method_names(const std::array<std::string_view, N>& names) {
  return {names.begin(), names.end()};
}

}  // namespace dq
