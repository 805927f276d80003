// Monitors: anomaly detection on a metric's own history.
//
// MetricHistory keeps every run's metrics in an embedded SQLite file (schema
// version in `PRAGMA user_version`; the tables `runs` and `metrics` are
// documented in docs/statistics.md). run_monitors reads each monitored
// metric's earlier values, judges this run's value with the monitor's method,
// then appends this run.
//
// Methods (settings in the contract):
//   threshold       value < min or value > max
//   online_normal   outside mean ± sigma·σ of the last `window` values
//                   (default 30; sigma 3); no verdict before `warmup` values (5)
//   rate_of_change  (value − previous) / |previous| above max_increase or
//                   below −max_decrease
//   holt_winters    additive Holt–Winters with season length `season`
//                   (alpha 0.3, beta 0.05, gamma 0.3): outside the one-step
//                   forecast ± sigma·RMSE of its past one-step errors; needs
//                   two seasons of history
//
// A MetricHistory is one SQLite connection: use it from one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dq/contract.h"
#include "dq/export.h"

namespace dq {

struct Report;

// A monitor's verdict on this run's value of its metric, against its history.
struct MonitorResult {
  std::string id, metric, method;
  bool has_value = false;
  double value = 0;
  std::optional<double> expected_low, expected_high;  // the range the method expected
  std::size_t history = 0;                            // earlier values the method read
  bool anomaly = false;
  std::string detail;
  Severity severity = Severity::kError;
};

class DQ_EXPORT MetricHistory {
 public:
  static constexpr int kSchemaVersion = 1;

  // Opens or creates the history file (and its directory). kIoError when it
  // cannot be opened or was written by a newer schema.
  static Result<MetricHistory> open(const std::string& path);
  // $DQ_HISTORY, else ".dq/history.sqlite" in the working directory.
  static std::string default_path();

  MetricHistory(MetricHistory&&) noexcept;
  MetricHistory& operator=(MetricHistory&&) noexcept;
  ~MetricHistory();

  // The latest `limit` values of a dataset's metric, oldest first.
  Result<std::vector<double>> series(const std::string& dataset, const std::string& metric,
                                     std::size_t limit = 1000) const;
  // Records one run: its time (µs since the epoch) and metric values.
  Status append(const std::string& dataset, const std::string& version, std::int64_t at_micros,
                const std::map<std::string, double>& metrics);

 private:
  struct Impl;
  explicit MetricHistory(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Judges `value` against the earlier values of its metric (oldest first).
DQ_EXPORT MonitorResult detect_anomaly(const std::string& method, const std::map<std::string, double>& settings,
                                       const std::vector<double>& history, double value);

// Runs the contract's monitors on report.metrics: fills report.monitors,
// clears report.ok on an error-severity anomaly, and appends this run's
// metrics to the history (at `at_micros`; 0 = now).
DQ_EXPORT Status run_monitors(const Contract& contract, MetricHistory& history, Report& report,
                              std::int64_t at_micros = 0);

}  // namespace dq
