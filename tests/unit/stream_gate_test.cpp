// The stream gate: decisions and their reasons, the circuit breaker, windows,
// threads and the Prometheus text.
#include "dq/stream_gate.h"

#include <atomic>
#include <filesystem>
#include <map>
#include <thread>

#include "helpers.h"

namespace {

const char* kEvents =
    "fields:\n"
    "  id: {type: integer, required: true, min: 1}\n"
    "  kind: {type: string, required: true, enum: [click, view]}\n"
    "  page: {type: string, max_length: 40}\n"
    "  amount: {type: number, min: 0}\n";

const std::string kValid = R"({"id": 7, "kind": "click", "page": "/home", "amount": 2.5})";
const std::string kInvalid = R"({"id": 0, "kind": "buy", "page": "/home", "amount": 1})";
const std::string kMalformed = R"({"id": 7, "kind": "click",)";

std::map<std::string, std::string> attributes(const dq::GateResult& r) { return {r.reasons.begin(), r.reasons.end()}; }

// A clock the test moves by hand (µs since the epoch).
struct ManualClock {
  std::shared_ptr<std::atomic<std::int64_t>> now = std::make_shared<std::atomic<std::int64_t>>(1'700'000'000'000'000);
  std::function<std::int64_t()> function() const {
    auto n = now;
    return [n] { return n->load(); };
  }
  void advance(std::int64_t micros) const { *now += micros; }
};

dq::GateOptions no_breaker() {
  dq::GateOptions o;
  o.breaker.max_consecutive_failures = 0;
  o.breaker.rate_window = 0;
  return o;
}

}  // namespace

TEST_CASE("the gate accepts valid messages and dead-letters the rest with reasons as attributes") {
  dq::StreamGate gate(dqtest::load(kEvents), no_breaker());
  dq::GateResult ok = gate.judge({kValid});
  CHECK(ok.decision == dq::Decision::kAccept);
  CHECK(ok.reasons.empty());

  dq::GateResult bad = gate.judge({kInvalid});
  REQUIRE(bad.decision == dq::Decision::kDeadLetter);
  auto a = attributes(bad);
  CHECK(a["dq.error"] == "invalid");
  CHECK(a["dq.contract"] == "test.events 1.0.0");
  CHECK(a["dq.rules"] == "id.min,kind.enum");
  CHECK(a["dq.paths"] == "id,kind");
  CHECK(a["dq.violations"] == "2");
  CHECK(a["dq.reason"] == "id: must be >= 1 (0); kind: must be one of [\"click\", \"view\"] (\"buy\")");

  dq::GateResult broken = gate.judge({kMalformed});
  REQUIRE(broken.decision == dq::Decision::kDeadLetter);
  a = attributes(broken);
  CHECK(a["dq.error"] == "malformed");
  CHECK(a["dq.reason"].rfind("byte ", 0) == 0);
  CHECK(a.count("dq.rules") == 0);

  dq::GateCounts c = gate.counts();
  CHECK(c.received == 3);
  CHECK(c.accepted == 1);
  CHECK(c.dead_lettered == 2);
  CHECK(c.paused == 0);
}

TEST_CASE("reasons stay within the attribute size limit and say how many were left out") {
  std::string body = "fields:\n";
  std::string record = "{";
  for (int i = 0; i < 60; ++i) {
    body += "  field_with_a_long_name_" + std::to_string(i) + ": {type: integer, min: 10}\n";
    record += std::string(i ? "," : "") + "\"field_with_a_long_name_" + std::to_string(i) + "\": 1";
  }
  record += "}";
  dq::GateOptions options = no_breaker();
  options.max_reason_bytes = 200;
  dq::StreamGate gate(dqtest::load(body), options);
  auto a = attributes(gate.judge({record}));
  CHECK(a["dq.violations"] == "60");
  for (const char* key : {"dq.rules", "dq.paths", "dq.reason"}) {
    INFO(key << ": " << a[key]);
    CHECK(a[key].size() <= 200);
    CHECK(a[key].find(" more)") != std::string::npos);
  }
  CHECK(a["dq.rules"].rfind("field_with_a_long_name_0.min,field_with_a_long_name_1.min,", 0) == 0);
}

TEST_CASE("a run of failures opens the breaker, which pauses until a valid probe closes it") {
  ManualClock clock;
  dq::GateOptions options;
  options.breaker.max_consecutive_failures = 3;
  options.breaker.rate_window = 0;
  options.breaker.open_micros = 1'000'000;
  options.clock = clock.function();
  dq::StreamGate gate(dqtest::load(kEvents), options);

  CHECK(gate.judge({kInvalid}).decision == dq::Decision::kDeadLetter);
  CHECK(gate.judge({kValid}).decision == dq::Decision::kAccept);  // a success resets the run
  for (int i = 0; i < 3; ++i) CHECK(gate.judge({kInvalid}).decision == dq::Decision::kDeadLetter);
  CHECK(gate.breaker() == dq::BreakerState::kOpen);
  CHECK(gate.breaker_opened() == 1);
  // Open: nothing is judged, valid or not.
  CHECK(gate.judge({kValid}).decision == dq::Decision::kPause);
  CHECK(gate.judge({kInvalid}).decision == dq::Decision::kPause);
  clock.advance(999'999);
  CHECK(gate.judge({kValid}).decision == dq::Decision::kPause);

  // Half-open: one probe; an invalid probe is dead-lettered and reopens.
  clock.advance(1);
  dq::GateResult probe = gate.judge({kInvalid});
  CHECK(probe.probe);
  CHECK(probe.decision == dq::Decision::kDeadLetter);
  CHECK(gate.breaker() == dq::BreakerState::kOpen);
  CHECK(gate.breaker_opened() == 2);
  CHECK(gate.judge({kValid}).decision == dq::Decision::kPause);

  // A valid probe closes it, and the run counts from zero again.
  clock.advance(1'000'000);
  probe = gate.judge({kValid});
  CHECK(probe.probe);
  CHECK(probe.decision == dq::Decision::kAccept);
  CHECK(gate.breaker() == dq::BreakerState::kClosed);
  for (int i = 0; i < 2; ++i) CHECK(gate.judge({kInvalid}).decision == dq::Decision::kDeadLetter);
  CHECK(gate.breaker() == dq::BreakerState::kClosed);

  dq::GateCounts c = gate.counts();
  CHECK(c.paused == 4);
  CHECK(c.accepted == 2);
  CHECK(c.dead_lettered == 7);
  CHECK(c.received == 13);
}

TEST_CASE("the breaker opens when the failure rate over the last N messages exceeds the limit") {
  dq::GateOptions options;
  options.breaker.max_consecutive_failures = 0;
  options.breaker.rate_window = 10;
  options.breaker.max_failure_rate = 0.3;
  dq::StreamGate gate(dqtest::load(kEvents), options);
  // Alternating valid/invalid never makes a run, but is 50% failures.
  for (int i = 0; i < 9; ++i) gate.judge({i % 2 ? kInvalid : kValid});
  CHECK(gate.breaker() == dq::BreakerState::kClosed);  // not judged before the ring is full
  gate.judge({kInvalid});                              // 5 of the last 10
  CHECK(gate.breaker() == dq::BreakerState::kOpen);
}

TEST_CASE("the breaker does not open at exactly the failure-rate limit") {
  dq::GateOptions options;
  options.breaker.max_consecutive_failures = 0;
  options.breaker.rate_window = 10;
  options.breaker.max_failure_rate = 0.3;
  dq::StreamGate gate(dqtest::load(kEvents), options);
  for (int i = 0; i < 30; ++i) gate.judge({i % 10 < 3 ? kInvalid : kValid});  // 3 of every 10
  CHECK(gate.breaker() == dq::BreakerState::kClosed);
  CHECK(gate.counts().dead_lettered == 9);
}

TEST_CASE("count windows hold exactly N messages and their reports reconcile with the decisions") {
  std::vector<dq::WindowReport> windows;
  dq::GateOptions options = no_breaker();
  options.window.messages = 4;
  options.on_window = [&](const dq::WindowReport& w) { windows.push_back(w); };
  dq::StreamGate gate(dqtest::load(kEvents), options);
  for (int i = 0; i < 10; ++i) gate.judge({i % 3 == 0 ? kInvalid : kValid});
  REQUIRE(windows.size() == 2);
  gate.close_window();  // the last two
  REQUIRE(windows.size() == 3);
  gate.close_window();  // nothing left: no empty report
  REQUIRE(windows.size() == 3);

  std::uint64_t total = 0;
  for (std::size_t i = 0; i < windows.size(); ++i) {
    const dq::WindowReport& w = windows[i];
    CHECK(w.index == i + 1);
    CHECK(w.counts.received == (i < 2 ? 4u : 2u));
    CHECK(w.report.records.total == w.counts.accepted + w.counts.dead_lettered);
    CHECK(w.report.records.valid == w.counts.accepted);
    CHECK(w.report.records.invalid + w.report.records.malformed == w.counts.dead_lettered);
    total += w.report.records.total;
  }
  CHECK(total == 10);
  // Messages 1, 4, 7, 10 are invalid: two in the first window, one in each other.
  CHECK(windows[0].counts.dead_lettered == 2);
  CHECK(windows[1].counts.dead_lettered == 1);
  REQUIRE(windows[0].report.rules.size() == 2);
  CHECK(windows[0].report.rules[0].id == "id.min");
  CHECK(windows[0].report.rules[0].samples[0].record == 1);  // the message's place in the stream
  CHECK(windows[0].report.rules[0].samples[1].record == 4);
}

TEST_CASE("time windows close on the clock, and tick reports a quiet window") {
  ManualClock clock;
  std::vector<dq::WindowReport> windows;
  dq::GateOptions options = no_breaker();
  options.window.micros = 60'000'000;
  options.clock = clock.function();
  options.on_window = [&](const dq::WindowReport& w) { windows.push_back(w); };
  dq::StreamGate gate(dqtest::load(kEvents), options);
  const std::int64_t start = clock.now->load();

  gate.judge({kValid, start - 2'000'000});  // published two seconds ago
  clock.advance(30'000'000);
  gate.judge({kInvalid});
  CHECK(windows.empty());
  clock.advance(30'000'000);
  gate.judge({kValid});  // the window closed before this message
  REQUIRE(windows.size() == 1);
  CHECK(windows[0].opened_at == start);
  CHECK(windows[0].closed_at == start + 60'000'000);
  CHECK(windows[0].report.records.total == 2);
  CHECK(windows[0].max_lag == 2'000'000);

  clock.advance(60'000'000);
  gate.tick();
  REQUIRE(windows.size() == 2);
  CHECK(windows[1].report.records.total == 1);
  CHECK(windows[1].max_lag == -1);
  clock.advance(60'000'000);
  gate.tick();  // nothing arrived: still a report, with zero records
  REQUIRE(windows.size() == 3);
  CHECK(windows[2].report.records.total == 0);
  gate.tick();
  CHECK(windows.size() == 3);
}

TEST_CASE("windows evaluate expectations and drift over the window's messages") {
  auto contract = dqtest::load(std::string(kEvents) +
                               "expectations:\n  - {name: few_invalid, metric: invalid_rate, max: 0.2}\n"
                               "drift:\n  fields:\n    kind: {method: psi, warn: 0.1, fail: 0.25}\n");
  // The baseline: a window of clicks.
  std::vector<dq::WindowReport> windows;
  auto capture = [&](const dq::WindowReport& w) { windows.push_back(w); };
  {
    dq::GateOptions o = no_breaker();
    o.report.profile = true;
    o.on_window = capture;
    dq::StreamGate gate(contract, o);
    for (int i = 0; i < 100; ++i) gate.judge({kValid});
    gate.close_window();
  }
  REQUIRE(windows.size() == 1);
  REQUIRE(windows[0].report.profile);
  auto baseline = windows[0].report.profile;

  windows.clear();
  dq::GateOptions o = no_breaker();
  o.window.messages = 100;
  o.report.baseline = baseline;
  o.on_window = capture;
  dq::StreamGate gate(contract, o);
  const std::string view = R"({"id": 8, "kind": "view"})";
  for (int i = 0; i < 100; ++i) gate.judge({kValid});                   // like the baseline
  for (int i = 0; i < 100; ++i) gate.judge({i % 2 ? view : kInvalid});  // half views, half invalid
  REQUIRE(windows.size() == 2);
  REQUIRE(windows[0].report.expectations.size() == 1);
  CHECK(windows[0].report.expectations[0].ok);
  CHECK(windows[0].report.drift[0].status == "ok");
  CHECK(windows[0].report.ok);
  CHECK_FALSE(windows[1].report.expectations[0].ok);
  CHECK(windows[1].report.expectations[0].value == Approx(0.5));
  CHECK(windows[1].report.drift[0].status == "fail");
  CHECK_FALSE(windows[1].report.ok);
  // And the metrics show the last window.
  const std::string text = gate.metrics();
  CHECK(text.find("dq_window_expectation_ok{dataset=\"test.events\",expectation=\"few_invalid\"} 0\n") !=
        std::string::npos);
  CHECK(text.find("dq_window_drift_level{dataset=\"test.events\",field=\"kind\",method=\"psi\"} 2\n") !=
        std::string::npos);
}

TEST_CASE("windows run the contract's monitors against the metric history") {
  const auto dir = std::filesystem::temp_directory_path() / "dq-gate-history-test";
  std::filesystem::remove_all(dir);
  auto history = dq::MetricHistory::open((dir / "h.sqlite").string());
  REQUIRE(history.ok());
  auto contract = dqtest::load(std::string(kEvents) +
                               "monitors:\n  - {name: invalid, metric: invalid_rate, method: threshold, max: 0.1}\n");
  std::vector<dq::WindowReport> windows;
  dq::GateOptions o = no_breaker();
  o.window.messages = 10;
  o.history = &*history;
  o.on_window = [&](const dq::WindowReport& w) { windows.push_back(w); };
  dq::StreamGate gate(contract, o);
  for (int i = 0; i < 10; ++i) gate.judge({kValid});
  for (int i = 0; i < 10; ++i) gate.judge({i < 5 ? kInvalid : kValid});
  REQUIRE(windows.size() == 2);
  REQUIRE(windows[1].report.monitors.size() == 1);
  CHECK_FALSE(windows[0].report.monitors[0].anomaly);
  CHECK(windows[1].report.monitors[0].anomaly);
  CHECK(windows[1].report.monitors[0].value == Approx(0.5));
  auto series = history->series("test.events", "invalid_rate");
  REQUIRE(series.ok());
  CHECK(series->values == std::vector<double>{0.0, 0.5});
  CHECK(gate.metrics().find("dq_window_monitor_anomaly{dataset=\"test.events\",monitor=\"invalid\"} 1\n") !=
        std::string::npos);
}

TEST_CASE("threads share one gate and every message lands in exactly one window", "[threads]") {
  std::mutex mutex;
  std::vector<dq::WindowReport> windows;
  dq::GateOptions o = no_breaker();
  o.window.messages = 1000;
  o.on_window = [&](const dq::WindowReport& w) {
    std::lock_guard lock(mutex);
    windows.push_back(w);
  };
  dq::StreamGate gate(dqtest::load(kEvents), o);
  constexpr int kThreads = 4, kPerThread = 20000;
  std::vector<std::thread> threads;
  std::atomic<std::uint64_t> accepted{0}, dead{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        bool invalid = (i + t) % 7 == 0;
        auto r = gate.judge({invalid ? kInvalid : kValid});
        ++(r.decision == dq::Decision::kAccept ? accepted : dead);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  gate.close_window();
  std::uint64_t total = 0, valid = 0;
  for (std::size_t i = 0; i < windows.size(); ++i) {
    const dq::WindowReport& w = windows[i];
    // A window closes once it holds N; messages judged while it closes go
    // to the next, so with threads a window may hold more (never fewer).
    if (i + 1 < windows.size()) CHECK(w.report.records.total >= 1000);
    total += w.report.records.total;
    valid += w.report.records.valid;
    CHECK(w.report.records.total == w.counts.received);
  }
  CHECK(total == kThreads * kPerThread);
  CHECK(valid == accepted.load());
  dq::GateCounts c = gate.counts();
  CHECK(c.received == kThreads * kPerThread);
  CHECK(c.accepted == accepted.load());
  CHECK(c.dead_lettered == dead.load());
}

TEST_CASE("metrics are Prometheus text with escaped label values") {
  auto contract = dq::Contract::load_string(
      "dq: 1\ndataset: 'odd \"name\\'\nversion: 1.0.0\nowner: {team: qa}\nfields:\n  id: {type: integer, min: 1}\n",
      "t.yaml");
  REQUIRE(contract.ok());
  dq::GateOptions o = no_breaker();
  o.window.messages = 2;
  dq::StreamGate gate(*contract, o);
  gate.judge({R"({"id": 1})"});
  gate.judge({R"({"id": 0})"});
  gate.judge({R"({"id": 2})"});
  const std::string text = gate.metrics();
  INFO(text);
  const std::string label = R"(dataset="odd \"name\\")";
  CHECK(text.find("# TYPE dq_gate_messages_total counter\n") != std::string::npos);
  CHECK(text.find("dq_gate_messages_total{" + label + ",decision=\"accept\"} 2\n") != std::string::npos);
  CHECK(text.find("dq_gate_messages_total{" + label + ",decision=\"dead_letter\"} 1\n") != std::string::npos);
  CHECK(text.find("dq_gate_breaker_state{" + label + ",state=\"closed\"} 1\n") != std::string::npos);
  CHECK(text.find("dq_window_records{" + label + ",outcome=\"invalid\"} 1\n") != std::string::npos);
  CHECK(text.find("dq_window_rule_failures{" + label + ",rule=\"id.min\"} 1\n") != std::string::npos);
  // Every line is a comment or `name{labels} value`.
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    REQUIRE(end != std::string::npos);
    std::string line = text.substr(start, end - start);
    CHECK((line.rfind("# ", 0) == 0 || line.find("} ") != std::string::npos));
    start = end + 1;
  }
}

TEST_CASE("order expectations answer in one judging thread and say why not across several") {
  const char* contract =
      "fields:\n  seq: {type: integer}\n"
      "expectations:\n  - {name: up, metric: increasing, field: seq}\n"
      "  - {name: keys, metric: unique, field: seq}\n";
  std::vector<dq::WindowReport> windows;
  dq::GateOptions options = no_breaker();
  options.on_window = [&](const dq::WindowReport& w) { windows.push_back(w); };
  dq::StreamGate gate(dqtest::load(contract), options);
  for (const char* m : {R"({"seq": 1})", R"({"seq": 3})", R"({"seq": 2})", R"({"seq": 3})"}) gate.judge({m});
  gate.close_window();
  REQUIRE(windows.size() == 1);
  const auto& one = windows[0].report.expectations;
  CHECK(one[0].value == 1);
  REQUIRE(one[0].samples.size() == 1);
  CHECK(one[0].samples[0].record == 3);  // numbered as the gate numbers messages
  CHECK(one[1].samples[0].message == "repeats record 2");

  // A second thread judges while the first holds its lane: two lanes, no one order.
  dq::GateOptions two_lanes = no_breaker();
  two_lanes.on_window = options.on_window;
  std::atomic<bool> started{false};
  dq::StreamGate* shared = nullptr;
  two_lanes.clock = [&]() -> std::int64_t {
    if (shared != nullptr && !started.exchange(true)) {
      std::thread other([&] { shared->judge({R"({"seq": 5})"}); });
      other.join();
    }
    return 1'700'000'000'000'000;
  };
  dq::StreamGate concurrent(dqtest::load(contract), two_lanes);
  shared = &concurrent;
  concurrent.judge({R"({"seq": 4})", 1'699'999'999'000'000});  // its lag reads the clock under the lane's lock
  concurrent.close_window();
  REQUIRE(windows.size() == 2);
  const auto& two = windows[1].report.expectations;
  CHECK(windows[1].counts.accepted == 2);
  CHECK_FALSE(two[0].has_value);
  CHECK_FALSE(two[0].ok);
  CHECK(two[0].detail ==
        "no input order: the records were judged on several threads at once (judge from one thread to check order)");
  CHECK(two[1].ok);  // keys need no order
}
