// The cost of a monitor per point: each method over a long 5-minute series
// with a daily pattern, noise and incidents, through dq::backtest_monitor.
//   monitor_bench [points=200000] [runs=5]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "dq/monitor.h"
#include "measure.h"

int main(int argc, char** argv) {
  const std::size_t points = argc > 1 ? std::stoul(argv[1]) : 200000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0, 3);
  std::vector<double> values;
  std::vector<std::int64_t> at;
  for (std::size_t i = 0; i < points; ++i) {
    const double day = std::sin(2 * M_PI * static_cast<double>(i % 288) / 288);
    values.push_back(100 + 40 * day + noise(rng) + (i % 5000 < 20 ? 60 : 0));  // an incident every 5,000 points
    at.push_back(1'700'000'000'000'000 + static_cast<std::int64_t>(i) * 300'000'000);
  }
  struct Case {
    const char* name;
    std::string method;
    dq::MonitorSettings settings;
  };
  auto with = [](std::map<std::string, double> numbers, std::vector<double> seasons = {}) {
    dq::MonitorSettings s;
    s.numbers = std::move(numbers);
    s.seasons = std::move(seasons);
    return s;
  };
  const std::vector<Case> cases = {
      {"threshold", "threshold", with({{"max", 200}})},
      {"online_normal (window 30)", "online_normal", {}},
      {"rate_of_change", "rate_of_change", with({{"max_increase", 0.5}})},
      {"holt_winters (season 288)", "holt_winters", with({{"season", 288}})},
      {"robust (window 60)", "robust", {}},
      {"robust (seasons 288, 2016)", "robust", with({}, {288, 2016})},
      {"change_point (window 60)", "change_point", {}},
      {"auto (a day and a week from the times)", "auto", {}},
  };
  std::printf("| monitor | µs per point (median of %d runs over %zu points) | alerts on this series |\n|---|---|---|\n",
              runs, points);
  for (const Case& c : cases) {
    std::vector<double> seconds;
    std::size_t alerts = 0;
    for (int r = 0; r < runs; ++r) {
      const auto start = std::chrono::steady_clock::now();
      auto results = dq::backtest_monitor(c.method, c.settings, values, at);
      seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      if (!results.ok()) {
        std::fprintf(stderr, "%s: %s\n", c.name, results.status().message().c_str());
        return 2;
      }
      alerts = 0;
      for (const auto& v : *results) alerts += v.new_incident();
    }
    std::printf("| %s | %.2f | %zu |\n", c.name, 1e6 * bench::median(seconds) / static_cast<double>(points), alerts);
  }
  return 0;
}
