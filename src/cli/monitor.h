// `dq monitor backtest`: a monitor run over a series, to tune it before a
// contract uses it.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace dq_cli {

struct MonitorArgs {
  std::string csv;                       // timestamp,value CSV
  std::string history, dataset, metric;  // or a metric of the history
  std::string method = "auto";
  std::vector<std::string> settings;  // key=value
  std::vector<std::string> seasons;   // points, month_day or month_end
  std::string direction = "both";
  bool all = false;  // every point, not only anomalies
};

// "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS][Z]" (UTC) as µs since the epoch
// (`dq validate --as-of`); 0 when it is neither.
std::int64_t parse_utc_time(const std::string& text);

// Adds `monitor backtest` to `app`; returns the `backtest` subcommand.
CLI::App* add_monitor_command(CLI::App& app, MonitorArgs& args);
// 0: no anomaly, 1: anomalies found, 2: could not run.
int run_monitor_backtest(const MonitorArgs& args);

}  // namespace dq_cli
