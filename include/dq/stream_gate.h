// StreamGate: the contract at the door of a message consumer (Pub/Sub, Kafka,
// any queue). Each message's bytes get a decision:
//
//   accept       valid (warnings allowed): hand it on, then ack it;
//   dead_letter  invalid or malformed: publish the untouched bytes to a
//                dead-letter topic with `reasons` as attributes, then ack;
//   pause        the circuit breaker is open: do not judge, do not ack (nack),
//                so the message stays in the subscription for later.
//
// Circuit breaker: a broken producer should stop the line, not flood the
// dead-letter topic. The breaker opens after `max_consecutive_failures`
// failures in a row, or when more than `max_failure_rate` of the last
// `rate_window` messages failed. While open, every message is paused. After
// `open_micros` it lets one message through as a probe (half-open): a valid
// probe closes the breaker, an invalid one is dead-lettered and reopens it.
// Only judged messages are ever accepted or dead-lettered.
//
// Windows: judged messages are accumulated into a window report (counts,
// rules, expectations, drift against ReportOptions::baseline, monitors when a
// MetricHistory is given). A window closes every `WindowOptions::messages`
// judged messages and/or every `WindowOptions::micros` of the gate's clock
// (checked on each message and by tick()); its WindowReport goes to
// `on_window`. metrics() renders the counters and the last window in the
// Prometheus text format.
//
// Counts reconcile: received == accepted + dead_lettered + paused, over the
// gate's life and within each window (a window report's records.total ==
// accepted + dead_lettered). A message redelivered after a pause is received
// again.
//
// Threads: a StreamGate is thread-safe. Call judge() from every consumer
// thread of a process on one gate: validation runs in parallel, each caller
// borrowing one of the gate's lanes (a Validator and a window shard); windows
// merge the lanes' shards. With one thread a count window holds exactly N
// messages; with several, a message being judged while a window closes may
// fall into the next one (never into both, never into neither). `on_window`
// runs on the judging thread that closed the window, one window at a time.
//
// Memory is bounded whatever the stream length: a lane per concurrent caller,
// a window's samples and profile sketches, and the breaker's ring of
// `rate_window` outcomes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dq/contract.h"
#include "dq/export.h"
#include "dq/report.h"

namespace dq {

class MetricHistory;

enum class Decision : std::uint8_t { kAccept, kDeadLetter, kPause };
DQ_EXPORT const char* to_string(Decision decision);  // "accept", "dead_letter", "pause"

enum class BreakerState : std::uint8_t { kClosed, kOpen, kHalfOpen };
DQ_EXPORT const char* to_string(BreakerState state);  // "closed", "open", "half_open"

struct Message {
  std::string_view data;          // the payload, one JSON document
  std::int64_t publish_time = 0;  // µs since the epoch, when the transport knows it (0: unknown)
};

// A message attribute: key and value.
using Attribute = std::pair<std::string, std::string>;

struct GateResult {
  Decision decision = Decision::kAccept;
  // For dead_letter, why, as message attributes (each value at most
  // GateOptions::max_reason_bytes, cut at a UTF-8 boundary):
  //   dq.error       "invalid" or "malformed"
  //   dq.contract    "<dataset> <version>"
  //   dq.rules       the failing check ids, comma-separated, in contract order
  //   dq.paths       the failing paths, comma-separated ("" for record rules)
  //   dq.violations  how many violations
  //   dq.reason      "path: message (value); ..." or, when malformed,
  //                  "byte N: what is wrong"
  // Empty for accept and pause.
  std::vector<Attribute> reasons;
  bool probe = false;  // this message was the half-open breaker's probe
};

struct BreakerOptions {
  std::uint32_t max_consecutive_failures = 100;  // 0: never open on a run of failures
  std::uint32_t rate_window = 1000;              // 0: never open on the failure rate
  double max_failure_rate = 0.5;                 // judged once rate_window messages were seen
  std::int64_t open_micros = 10'000'000;         // how long the breaker stays open before a probe
};

struct WindowOptions {
  std::uint64_t messages = 0;  // close after this many judged messages (0: not by count)
  std::int64_t micros = 0;     // close after this long of the gate's clock (0: not by time)
};

struct GateCounts {
  std::uint64_t received = 0, accepted = 0, dead_lettered = 0, paused = 0;
};

struct WindowReport {
  std::uint64_t index = 0;     // 1, 2, ... in closing order
  std::int64_t opened_at = 0;  // µs since the epoch (the gate's clock)
  std::int64_t closed_at = 0;
  GateCounts counts;                 // this window's decisions (paused messages included)
  std::uint64_t breaker_opened = 0;  // times the breaker opened during the window
  std::int64_t max_lag = -1;         // µs from publish to decision, the largest; -1 when unknown
  Report report;                     // the judged messages: records.total == accepted + dead_lettered
};

struct GateOptions {
  BreakerOptions breaker;
  WindowOptions window;
  ReportOptions report;              // samples kept, profiling, the drift baseline
  MetricHistory* history = nullptr;  // not owned; when set, each window runs the contract's monitors
  std::function<void(const WindowReport&)> on_window;
  std::size_t max_reason_bytes = 1024;  // Pub/Sub allows 1024 bytes per attribute value
  std::function<std::int64_t()> clock;  // µs since the epoch; default: the system clock
};

class DQ_EXPORT StreamGate {
 public:
  explicit StreamGate(Contract contract, GateOptions options = {});
  ~StreamGate();
  StreamGate(const StreamGate&) = delete;
  StreamGate& operator=(const StreamGate&) = delete;

  // Decides one message. Thread-safe; never throws for bad data.
  GateResult judge(const Message& message);

  // Closes the current window now (when it holds any message) and reports it.
  void close_window();
  // Closes the current window when its time is up: call it from a timer when
  // messages may stop arriving, so a quiet stream still reports.
  void tick();

  GateCounts counts() const;
  BreakerState breaker() const;
  std::uint64_t breaker_opened() const;  // times the breaker opened
  const Contract& contract() const;

  // Prometheus text exposition (version 0.0.4): decision and breaker
  // counters, the breaker state, and the last closed window's records, rule
  // failures, expectations, drift, monitors and lag. Every series carries
  // dataset="<contract dataset>".
  std::string metrics() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dq
