// The stream gate on 600-byte events: decisions per second on one core against
// the record engine alone (the floor the gate adds to), with windows, with two
// threads on one gate; the latency of each decision as a histogram; and the
// memory of a long stream.
//
//   gate_bench [messages=2000000] [runs=5] [contract=bench/contracts/flat_event.yaml]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "dq/dq.h"
#include "flat_event.h"
#include "measure.h"

namespace {

using bench::max_rss_kb;
using bench::median;

using Clock = std::chrono::steady_clock;

// The median seconds of `runs` calls of `pass`.
double timed(int runs, const std::function<void()>& pass) {
  std::vector<double> seconds;
  for (int r = 0; r < runs; ++r) {
    auto a = Clock::now();
    pass();
    seconds.push_back(std::chrono::duration<double>(Clock::now() - a).count());
  }
  return median(seconds);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t count = argc > 1 ? std::stoul(argv[1]) : 2000000;
  const int runs = argc > 2 ? std::stoi(argv[2]) : 5;
  const std::string contract_path = argc > 3 ? argv[3] : DQ_BENCH_DIR "/contracts/flat_event.yaml";
  auto contract = dq::Contract::load_file(contract_path);
  if (!contract.ok()) {
    std::fprintf(stderr, "%s\n", contract.status().to_string().c_str());
    return 2;
  }

  // 4096 distinct 600-byte events (1% invalid), sent round and round.
  std::mt19937_64 rng(42);
  std::vector<std::string> events;
  for (int i = 0; i < 4096; ++i) events.push_back(bench::make_event_of_size(rng, static_cast<std::uint64_t>(i), 600));
  auto message = [&](std::size_t i) { return dq::Message{events[i % events.size()]}; };
  std::size_t sink = 0;

  dq::Validator validator(*contract);
  const double engine = timed(runs, [&] {
    for (std::size_t i = 0; i < count; ++i) sink += validator.validate_json(events[i % events.size()]).ok;
  });

  auto gate_pass = [&](dq::GateOptions options, std::uint64_t* windows) {
    return timed(runs, [&] {
      options.on_window = [&](const dq::WindowReport&) { ++*windows; };
      dq::StreamGate gate(*contract, options);
      for (std::size_t i = 0; i < count; ++i) sink += gate.judge(message(i)).decision == dq::Decision::kAccept;
    });
  };
  std::uint64_t windows = 0;
  const double gate_plain = gate_pass({}, &windows);
  dq::GateOptions windowed;
  windowed.window.messages = 10000;
  const double gate_windowed = gate_pass(windowed, &windows);
  dq::GateOptions timed_windows;
  timed_windows.window.micros = 100000;  // 0.1 s: the clock is read on every message
  const double gate_time_windows = gate_pass(timed_windows, &windows);

  // Two threads sharing one gate (this machine has two cores).
  const double two_threads = timed(runs, [&] {
    dq::StreamGate gate(*contract, windowed);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        std::size_t local = 0;
        for (std::size_t i = t; i < count; i += 2) local += gate.judge(message(i)).decision == dq::Decision::kAccept;
        sink += local > 0;
      });
    }
    for (auto& thread : threads) thread.join();
  });

  // Latency of each decision (count windows on, as a consumer would run).
  std::vector<std::uint32_t> latency_ns;
  latency_ns.reserve(count);
  {
    dq::StreamGate gate(*contract, windowed);
    for (std::size_t i = 0; i < count; ++i) {
      auto a = Clock::now();
      sink += gate.judge(message(i)).decision == dq::Decision::kAccept;
      latency_ns.push_back(
          static_cast<std::uint32_t>(std::chrono::duration<double, std::nano>(Clock::now() - a).count()));
    }
  }
  std::vector<std::uint32_t> sorted = latency_ns;
  std::sort(sorted.begin(), sorted.end());
  auto pct = [&](double p) { return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(p * sorted.size()))]; };

  // Memory over a long stream: RSS before and after 10× the messages.
  const long rss_before = max_rss_kb();
  std::vector<std::uint32_t>().swap(latency_ns);
  {
    dq::StreamGate gate(*contract, windowed);
    for (std::size_t i = 0; i < 10 * count; ++i) sink += gate.judge(message(i)).decision == dq::Decision::kAccept;
  }
  const long rss_after = max_rss_kb();

  auto row = [&](const char* name, double seconds) {
    std::printf("| %-54s | %12.0f | %9.0f | %8.2f |\n", name, count / seconds, seconds / count * 1e9, engine / seconds);
  };
  std::printf("stream gate: %zu messages of %zu bytes (1%% invalid), %d runs (median)\n", count, events[0].size(),
              runs);
  std::printf("| %-54s | %12s | %9s | %8s |\n", "task", "messages/s", "ns/msg", "vs engine");
  std::printf("|%s|%s|%s|%s|\n", std::string(56, '-').c_str(), std::string(14, '-').c_str(),
              std::string(11, '-').c_str(), std::string(11, '-').c_str());
  row("record engine alone (Validator::validate_json)", engine);
  row("gate: breaker, no windows", gate_plain);
  row("gate: breaker, count windows of 10,000 with reports", gate_windowed);
  row("gate: breaker, 0.1 s time windows (clock per message)", gate_time_windows);
  row("gate: two threads on one gate, count windows", two_threads);
  std::printf("\ndecision latency (count windows), ns: p50 %u, p90 %u, p99 %u, p99.9 %u, max %u\n", pct(0.5), pct(0.9),
              pct(0.99), pct(0.999), sorted.back());
  std::printf("histogram:");
  const std::uint32_t bounds[] = {500, 750, 1000, 1500, 2000, 5000, 10000, 100000};
  std::size_t from = 0;
  for (std::uint32_t bound : bounds) {
    std::size_t to = static_cast<std::size_t>(std::upper_bound(sorted.begin(), sorted.end(), bound) - sorted.begin());
    std::printf(" <=%uns %.3f%%,", bound, 100.0 * static_cast<double>(to - from) / static_cast<double>(sorted.size()));
    from = to;
  }
  std::printf(" more %.3f%%\n", 100.0 * static_cast<double>(sorted.size() - from) / static_cast<double>(sorted.size()));
  std::printf("memory: max RSS %ld KB before, %ld KB after %zu more messages through one gate (+%ld KB)\n", rss_before,
              rss_after, 10 * count, rss_after - rss_before);
  return sink == 0 ? 1 : 0;
}
