// Monitors: anomaly detection on a metric's own history.
//
// MetricHistory keeps every run's metrics in an embedded SQLite file (schema
// version in `PRAGMA user_version`; the tables `runs` and `metrics` are
// documented in docs/statistics.md). run_monitors reads each monitored
// metric's earlier values (as many as its method needs), judges this run's
// value, then appends this run.
//
// Methods (settings in the contract; every default in docs/statistics.md):
//   threshold       value < min or value > max
//   online_normal   outside mean ± sigma·σ of the last `window` values
//   rate_of_change  (value − previous) / |previous| above max_increase or
//                   below −max_decrease
//   holt_winters    additive Holt–Winters with season length `season`:
//                   outside the one-step forecast ± sigma·RMSE
//   robust          outside median ± sigma·MAD (scaled to σ) of the last
//                   `window` values or, with `seasons`, of their differences
//                   from one season earlier
//   change_point    two-sided CUSUM of robust z-scores: a level shift,
//                   flagged once
//   auto            the default for metric series: leaves the range of the
//                   last `window` values or, when a season explains the
//                   series (its `seasons`, else a day and a week of the
//                   values' spacing), breaks that pattern by `sigma` robust σ
//
// Every method also takes `direction` (up, down, both), `warmup` (values
// before a first verdict), `cooldown` (an anomaly within that many points of
// the last one continues its incident: one alert per incident) and
// `exclude_anomalies` (default 1: a value judged anomalous is not learned, so
// an outage does not become the new normal, until the incident has lasted
// `relearn` points and is taken as the new level).
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
  std::optional<double> expected;                     // the value the method expected
  std::optional<double> expected_low, expected_high;  // the range the method expected
  std::size_t history = 0;                            // earlier values the method read
  bool anomaly = false;                               // the value is outside the range
  // How far the value is from `expected`, in half-widths of the range: 1 is
  // its edge, 2 twice as far (0 without a range). Ranks anomalies.
  double score = 0;
  // The anomaly's incident: 1 on its first point (the one that alerts), more
  // on the points that continue it (within `cooldown` of the last anomaly).
  std::size_t incident_points = 0;
  std::string detail;
  Severity severity = Severity::kError;

  bool new_incident() const { return anomaly && incident_points == 1; }
};

enum class MonitorDirection { kBoth, kUp, kDown };

// A monitor's settings as a contract writes them (docs/statistics.md).
struct MonitorSettings {
  std::map<std::string, double> numbers;  // sigma, window, warmup, cooldown, season, ...
  std::vector<double> seasons;            // season lengths in points (robust, auto)
  MonitorDirection direction = MonitorDirection::kBoth;
  // Calendar seasons of daily values with times (robust, auto): "month_day"
  // (the same day of the month in earlier months) and "month_end" (the same
  // number of days before the month's end).
  std::vector<std::string> calendar_seasons;
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

  // A metric's values and the times of their runs (µs since the epoch),
  // oldest first: the latest `limit` of them (0 = all).
  struct Series {
    std::vector<double> values;
    std::vector<std::int64_t> at_micros;
  };
  Result<Series> series(const std::string& dataset, const std::string& metric, std::size_t limit = 0) const;
  // The names of a dataset's metrics, or the datasets when `dataset` is empty.
  Result<std::vector<std::string>> names(const std::string& dataset = "") const;
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

// Runs a monitor over a whole series, as if each value were a run: one
// verdict per value, each against the values before it. `at_micros` (the
// values' times, µs since the epoch; empty when unknown) lets `auto` try a
// day and a week as seasons. kInvalidArgument for an unknown method, a
// setting it does not take or one it lacks, or times that do not match the
// values.
DQ_EXPORT Result<std::vector<MonitorResult>> backtest_monitor(const std::string& method,
                                                              const MonitorSettings& settings,
                                                              const std::vector<double>& values,
                                                              const std::vector<std::int64_t>& at_micros = {});

// Runs the contract's monitors on report.metrics: fills report.monitors,
// clears report.ok on an error-severity anomaly, and appends this run's
// metrics to the history at `at_micros` (0 = now): the time of the data
// (`--as-of`) orders the history, so a back-filled run takes its place.
DQ_EXPORT Status run_monitors(const Contract& contract, MetricHistory& history, Report& report,
                              std::int64_t at_micros = 0);

}  // namespace dq
