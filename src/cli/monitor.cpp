#include "monitor.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include "dq/monitor.h"

namespace dq_cli {

namespace {

// A series read from a CSV file: a header naming `value` (and optionally
// `timestamp`), or two columns timestamp,value. Every row must have a
// number: a row that has none is an error with its line, never dropped.
bool read_csv_series(const std::string& path, std::vector<std::string>& labels, std::vector<double>& values,
                     std::vector<std::int64_t>& times) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "dq: cannot read '" << path << "'\n";
    return false;
  }
  auto split = [](const std::string& line) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) {
      if (!cell.empty() && cell.back() == '\r') cell.pop_back();
      cells.push_back(cell);
    }
    return cells;
  };
  std::string line;
  if (!std::getline(in, line)) {
    std::cerr << "dq: " << path << " is empty (a header timestamp,value and rows are expected)\n";
    return false;
  }
  const std::vector<std::string> header = split(line);
  std::size_t value_column = header.size(), label_column = header.size();
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == "value") value_column = i;
    if (header[i] == "timestamp") label_column = i;
  }
  if (value_column == header.size()) {
    std::cerr << "dq: " << path << ":1: no 'value' column in the header '" << line << "'\n";
    return false;
  }
  for (std::size_t number = 2; std::getline(in, line); ++number) {
    if (line.empty() || line == "\r") continue;
    const std::vector<std::string> cells = split(line);
    const std::string cell = value_column < cells.size() ? cells[value_column] : "";
    char* end = nullptr;
    const double v = std::strtod(cell.c_str(), &end);
    if (cell.empty() || end == nullptr || *end != '\0' || !std::isfinite(v)) {
      std::cerr << "dq: " << path << ":" << number << ": value '" << cell << "' is not a finite number\n";
      return false;
    }
    values.push_back(v);
    labels.push_back(label_column < cells.size() ? cells[label_column] : std::to_string(values.size()));
  }
  // Times when every timestamp reads as one: `auto` then tries a day and a week.
  for (const std::string& label : labels) {
    const std::int64_t at = label_column < header.size() ? parse_utc_time(label) : 0;
    if (at == 0) {
      times.clear();
      break;
    }
    times.push_back(at);
  }
  return true;
}

bool read_history_series(const MonitorArgs& args, std::vector<std::string>& labels, std::vector<double>& values,
                         std::vector<std::int64_t>& times) {
  auto history = dq::MetricHistory::open(args.history);
  if (!history.ok()) {
    std::cerr << "dq: " << history.status().message() << "\n";
    return false;
  }
  auto series = history->series(args.dataset, args.metric);
  if (!series.ok()) {
    std::cerr << "dq: " << series.status().message() << "\n";
    return false;
  }
  if (series->values.empty()) {
    std::cerr << "dq: no values of '" << args.metric << "' for dataset '" << args.dataset << "' in " << args.history
              << "\n";
    return false;
  }
  values = series->values;
  times = series->at_micros;
  for (std::int64_t at : series->at_micros) {
    const std::time_t seconds = at / 1000000;
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    labels.emplace_back(buf);
  }
  return true;
}

std::string figure(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

}  // namespace

// "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS][Z]" (UTC) as µs since the epoch; 0
// when it is neither.
std::int64_t parse_utc_time(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, used = 0;
  const int n = std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &used);
  if (n < 3) return 0;
  std::string rest = text.substr(static_cast<std::size_t>(used));
  if (!rest.empty()) {
    int more = 0;
    if (std::sscanf(rest.c_str(), "%*1[T ]%2d:%2d%n", &h, &mi, &more) < 2) return 0;
    rest = rest.substr(static_cast<std::size_t>(more));
    if (rest.size() >= 3 && rest[0] == ':') {
      if (std::sscanf(rest.c_str(), ":%2d%n", &sec, &more) < 1) return 0;
      rest = rest.substr(static_cast<std::size_t>(more));
    }
    if (rest == "Z") rest.clear();
    if (!rest.empty()) return 0;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return 0;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000000;
}

CLI::App* add_monitor_command(CLI::App& app, MonitorArgs& a) {
  CLI::App* monitor = app.add_subcommand("monitor", "Anomaly monitors on metric series");
  monitor->require_subcommand(1);
  CLI::App* backtest = monitor->add_subcommand(
      "backtest", "Run a monitor over a series (CSV timestamp,value or a metric of the history): each flagged point");
  backtest->add_option("csv", a.csv, "CSV file with a 'value' column (and 'timestamp')");
  backtest->add_option("--history", a.history, "Metric history file (with --dataset and --metric)");
  backtest->add_option("--dataset", a.dataset, "Dataset in the history");
  backtest->add_option("--metric", a.metric, "Metric in the history, e.g. row_count or null_rate(email)");
  backtest->add_option("-m,--method", a.method, "Monitor method (default auto)");
  backtest->add_option("--set", a.settings, "A setting: name=value (sigma=4, window=60, cooldown=10, ...)");
  backtest->add_option("--seasons", a.seasons, "Seasons (robust, auto): lengths in points, month_day, month_end")
      ->delimiter(',');
  backtest->add_option("--direction", a.direction, "Anomalies up, down or both")
      ->check(CLI::IsMember({"up", "down", "both"}));
  backtest->add_flag("--all", a.all, "Print every point, not only anomalies");
  return backtest;
}

int run_monitor_backtest(const MonitorArgs& args) {
  const bool from_history = !args.history.empty();
  if (from_history == !args.csv.empty() || (from_history && (args.dataset.empty() || args.metric.empty()))) {
    std::cerr << "dq: monitor backtest needs a CSV file, or --history with --dataset and --metric\n";
    return 2;
  }
  dq::MonitorSettings settings;
  for (const std::string& kv : args.settings) {
    const std::size_t eq = kv.find('=');
    char* end = nullptr;
    const double v = eq == std::string::npos ? 0 : std::strtod(kv.c_str() + eq + 1, &end);
    if (eq == std::string::npos || eq == 0 || end == nullptr || *end != '\0' || end == kv.c_str() + eq + 1) {
      std::cerr << "dq: --set needs name=number, not '" << kv << "'\n";
      return 2;
    }
    settings.numbers[kv.substr(0, eq)] = v;
  }
  for (const std::string& season : args.seasons) {
    char* end = nullptr;
    const double points = std::strtod(season.c_str(), &end);
    if (end != season.c_str() && *end == '\0') {
      settings.seasons.push_back(points);
    } else {
      settings.calendar_seasons.push_back(season);  // backtest_monitor refuses an unknown one
    }
  }
  settings.direction = args.direction == "up"     ? dq::MonitorDirection::kUp
                       : args.direction == "down" ? dq::MonitorDirection::kDown
                                                  : dq::MonitorDirection::kBoth;
  std::vector<std::string> labels;
  std::vector<double> values;
  std::vector<std::int64_t> times;
  if (!(from_history ? read_history_series(args, labels, values, times)
                     : read_csv_series(args.csv, labels, values, times))) {
    return 2;
  }
  auto results = dq::backtest_monitor(args.method, settings, values, times);
  if (!results.ok()) {
    std::cerr << "dq: " << results.status().message() << "\n";
    return 2;
  }
  std::size_t anomalies = 0, incidents = 0;
  std::cout << "point\ttime\tvalue\texpected\tlow\thigh\tscore\tverdict\n";
  for (std::size_t i = 0; i < results->size(); ++i) {
    const dq::MonitorResult& r = (*results)[i];
    anomalies += r.anomaly;
    incidents += r.new_incident();
    if (!r.anomaly && !args.all) continue;
    const std::string verdict = r.new_incident() ? "ALERT (new incident)"
                                : r.anomaly      ? "anomaly (incident point " + std::to_string(r.incident_points) + ")"
                                : r.expected     ? "ok"
                                                 : r.detail;
    std::cout << i << '\t' << labels[i] << '\t' << figure(r.value) << '\t' << (r.expected ? figure(*r.expected) : "-")
              << '\t' << (r.expected_low ? figure(*r.expected_low) : "-") << '\t'
              << (r.expected_high ? figure(*r.expected_high) : "-") << '\t' << figure(r.score) << '\t' << verdict
              << '\n';
  }
  std::cout << values.size() << " points, " << anomalies << " anomalous, " << incidents << " incidents (" << args.method
            << ")\n";
  return anomalies > 0 ? 1 : 0;
}

}  // namespace dq_cli
