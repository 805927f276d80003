// The monitors' detectors: each judges a metric's values one at a time
// against what it learned from the values before, then learns the value.
// run_monitors replays a metric's history through one, backtest_monitor a
// whole series; their state is bounded by the method's own window or season
// (memory()), never by the length of the history.
#pragma once

#include <cstdint>
#include <memory>

#include "dq/monitor.h"
#include "spec/methods.h"

namespace dq {

class Detector {
 public:
  // A detector for `method` with `settings` (checked by the compiler and by
  // backtest_monitor: here an unknown setting is ignored).
  static std::unique_ptr<Detector> make(MonitorMethod method, const MonitorSettings& settings);
  virtual ~Detector() = default;

  // Judges `value` (taken at `at_micros`, µs since the epoch; 0 when
  // unknown) and learns it.
  MonitorResult observe(double value, std::int64_t at_micros = 0);
  // How many of the latest values the detector needs to be in the state a
  // replay of the whole series would leave (0 = all of them).
  virtual std::size_t memory() const = 0;
  // Whether anomalies stay out of the model unless `exclude_anomalies: 0`.
  virtual bool excludes_by_default() const { return true; }
  // Normal points an incident may pause for and still be one incident.
  virtual double default_cooldown() const { return 0; }

 protected:
  // The range a method expects the next value in; `ready` false while it
  // warms up (then `detail` says why).
  struct Band {
    bool ready = false;
    double expected = 0, low = 0, high = 0;
    std::string detail;
  };
  explicit Detector(const MonitorSettings& settings);
  double setting(const char* key, double fallback) const;
  // The time of the value about to be judged (0 when unknown).
  virtual void clock(std::int64_t /*at_micros*/) {}
  // `value` is the one about to be judged: only a detail may mention it.
  virtual Band band(double value) = 0;
  // Learns a value. `excluded`: it was judged anomalous and must not shape
  // the model (a method that needs a value in its place uses `band`'s).
  virtual void learn(double value, const Band& band, bool excluded) = 0;
  std::size_t seen() const { return seen_; }

  const MonitorSettings settings_;

 private:
  std::size_t seen_ = 0;             // values observed
  std::size_t last_anomaly_ = 0;     // 1 + the index of the latest anomaly (0: none yet)
  std::size_t incident_points_ = 0;  // points of the current incident so far
};

}  // namespace dq
