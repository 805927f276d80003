// The stream gate: a thin adapter over the record engine. What it adds is
// bookkeeping: lanes (per-caller validators and window shards), the circuit
// breaker, windows, reasons as attributes and the Prometheus text.
#include "dq/stream_gate.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <mutex>

#include "dq/monitor.h"
#include "engine/walk_state.h"
#include "profile/profiler.h"
#include "report/report_access.h"

namespace dq {
namespace {

std::int64_t system_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// `text` cut to at most `max` bytes without splitting a UTF-8 sequence.
std::string cut_utf8(std::string text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  return text;
}

// Joins items with `separator` within `max` bytes; items that do not fit
// are summarized as " (+N more)".
std::string join_bounded(const std::vector<std::string>& items, std::string_view separator, std::size_t max) {
  constexpr std::size_t kMoreRoom = 16;  // " (+1234567 more)"
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string_view sep = out.empty() ? std::string_view() : separator;
    const bool last = i + 1 == items.size();
    const std::size_t room = last ? max : (max > kMoreRoom ? max - kMoreRoom : 0);
    if (out.size() + sep.size() + items[i].size() > room) {
      if (out.empty()) {
        out = cut_utf8(items[i], room);  // one item longer than the whole budget
        if (last) return out;
        ++i;
      }
      if (i < items.size()) out += " (+" + std::to_string(items.size() - i) + " more)";
      return cut_utf8(std::move(out), max);
    }
    out.append(sep).append(items[i]);
  }
  return out;
}

std::string prometheus_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  return std::string(buffer, end);
}

std::string label_value(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

// Writes Prometheus series under one metric name.
class Exposition {
 public:
  explicit Exposition(std::string dataset) : dataset_(label_value(dataset)) {}

  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  }
  // `labels`: extra labels as name, value, name, value, ...
  void sample(std::string_view name, std::initializer_list<std::string_view> labels, double value) {
    out_.append(name).append("{dataset=\"").append(dataset_).append("\"");
    for (auto it = labels.begin(); it != labels.end(); it += 2) {
      out_.append(",").append(*it).append("=\"").append(label_value(*(it + 1))).append("\"");
    }
    out_.append("} ").append(prometheus_number(value)).append("\n");
  }
  std::string take() { return std::move(out_); }

 private:
  std::string dataset_;
  std::string out_;
};

double drift_level(const std::string& status) {
  if (status == "ok") return 0;
  if (status == "warn") return 1;
  if (status == "fail") return 2;
  return -1;  // skipped
}

std::string window_exposition(const std::string& dataset, const WindowReport& w) {
  Exposition e(dataset);
  const Report& r = w.report;
  e.family("dq_window_records", "gauge", "Messages judged in the last closed window, by outcome.");
  e.sample("dq_window_records", {"outcome", "valid"}, static_cast<double>(r.records.valid));
  e.sample("dq_window_records", {"outcome", "invalid"}, static_cast<double>(r.records.invalid));
  e.sample("dq_window_records", {"outcome", "malformed"}, static_cast<double>(r.records.malformed));
  e.family("dq_window_paused", "gauge", "Messages paused (left unacked) in the last closed window.");
  e.sample("dq_window_paused", {}, static_cast<double>(w.counts.paused));
  e.family("dq_window_ok", "gauge", "1 when the last closed window passed the contract, else 0.");
  e.sample("dq_window_ok", {}, r.ok ? 1 : 0);
  e.family("dq_window_end_timestamp_seconds", "gauge", "When the last window closed.");
  e.sample("dq_window_end_timestamp_seconds", {}, static_cast<double>(w.closed_at) / 1e6);
  if (w.max_lag >= 0) {
    e.family("dq_window_max_lag_seconds", "gauge", "Largest publish-to-decision delay in the last window.");
    e.sample("dq_window_max_lag_seconds", {}, static_cast<double>(w.max_lag) / 1e6);
  }
  if (!r.rules.empty()) {
    e.family("dq_window_rule_failures", "gauge", "Messages failing each check in the last window.");
    for (const RuleSummary& s : r.rules)
      e.sample("dq_window_rule_failures", {"rule", s.id}, static_cast<double>(s.failed));
  }
  if (!r.expectations.empty()) {
    e.family("dq_window_expectation_value", "gauge", "Each expectation's metric over the last window.");
    for (const ExpectationResult& x : r.expectations) {
      if (x.has_value) e.sample("dq_window_expectation_value", {"expectation", x.id}, x.value);
    }
    e.family("dq_window_expectation_ok", "gauge", "1 when the expectation held over the last window.");
    for (const ExpectationResult& x : r.expectations)
      e.sample("dq_window_expectation_ok", {"expectation", x.id}, x.ok ? 1 : 0);
  }
  if (!r.drift.empty()) {
    e.family("dq_window_drift", "gauge", "Each drift check's statistic, last window against the baseline.");
    for (const DriftResult& d : r.drift) {
      if (d.status != "skipped") e.sample("dq_window_drift", {"field", d.field, "method", d.method}, d.value);
    }
    e.family("dq_window_drift_level", "gauge", "Drift verdict: 0 ok, 1 warn, 2 fail, -1 skipped.");
    for (const DriftResult& d : r.drift) {
      e.sample("dq_window_drift_level", {"field", d.field, "method", d.method}, drift_level(d.status));
    }
  }
  if (!r.monitors.empty()) {
    e.family("dq_window_monitor_anomaly", "gauge", "1 when the monitor found the last window anomalous.");
    for (const MonitorResult& m : r.monitors)
      e.sample("dq_window_monitor_anomaly", {"monitor", m.id}, m.anomaly ? 1 : 0);
  }
  return e.take();
}

}  // namespace

const char* to_string(Decision decision) {
  switch (decision) {
    case Decision::kAccept: return "accept";
    case Decision::kDeadLetter: return "dead_letter";
    case Decision::kPause: return "pause";
  }
  return "?";
}

const char* to_string(BreakerState state) {
  switch (state) {
    case BreakerState::kClosed: return "closed";
    case BreakerState::kOpen: return "open";
    case BreakerState::kHalfOpen: return "half_open";
  }
  return "?";
}

// The circuit breaker. The closed state is read without the lock on every
// message; every transition happens under it.
class Breaker {
 public:
  enum class Admit { kJudge, kProbe, kPause };

  explicit Breaker(const BreakerOptions& o)
      : o_(o), enabled_(o.max_consecutive_failures > 0 || o.rate_window > 0), ring_(o.rate_window, 0) {}

  // Whether a message may be judged now.
  template <class Clock>
  Admit admit(Clock&& now) {
    if (state_.load(std::memory_order_acquire) == BreakerState::kClosed) return Admit::kJudge;
    std::lock_guard lock(mutex_);
    const BreakerState state = state_.load(std::memory_order_relaxed);
    if (state == BreakerState::kClosed) return Admit::kJudge;
    if (state == BreakerState::kOpen && now() - opened_at_ >= o_.open_micros) {
      state_.store(BreakerState::kHalfOpen, std::memory_order_release);
      return Admit::kProbe;
    }
    return Admit::kPause;  // open, or half-open with its probe out
  }

  // The outcome of a judged message.
  template <class Clock>
  void record(bool failed, bool probe, Clock&& now) {
    if (!enabled_) return;
    std::lock_guard lock(mutex_);
    if (probe) {
      failed ? open(now()) : close();
      return;
    }
    if (state_.load(std::memory_order_relaxed) != BreakerState::kClosed) return;  // judged before it opened
    consecutive_ = failed ? consecutive_ + 1 : 0;
    if (!ring_.empty()) {
      if (filled_ == ring_.size())
        failures_ -= ring_[position_];
      else
        ++filled_;
      ring_[position_] = failed ? 1 : 0;
      failures_ += ring_[position_];
      position_ = (position_ + 1) % ring_.size();
    }
    const bool run = o_.max_consecutive_failures > 0 && consecutive_ >= o_.max_consecutive_failures;
    const bool rate = !ring_.empty() && filled_ == ring_.size() &&
                      static_cast<double>(failures_) > o_.max_failure_rate * static_cast<double>(ring_.size());
    if (run || rate) open(now());
  }

  BreakerState state() const { return state_.load(std::memory_order_acquire); }
  std::uint64_t opened() const { return opened_.load(std::memory_order_relaxed); }

 private:
  void open(std::int64_t at) {
    state_.store(BreakerState::kOpen, std::memory_order_release);
    opened_at_ = at;
    opened_.fetch_add(1, std::memory_order_relaxed);
  }
  void close() {
    state_.store(BreakerState::kClosed, std::memory_order_release);
    consecutive_ = 0;
    std::fill(ring_.begin(), ring_.end(), 0);
    position_ = filled_ = failures_ = 0;
  }

  const BreakerOptions o_;
  const bool enabled_;
  std::atomic<BreakerState> state_{BreakerState::kClosed};
  std::atomic<std::uint64_t> opened_{0};
  std::mutex mutex_;
  std::uint32_t consecutive_ = 0;
  std::vector<std::uint8_t> ring_;  // the last rate_window outcomes (1 = failed)
  std::size_t position_ = 0, filled_ = 0, failures_ = 0;
  std::int64_t opened_at_ = 0;
};

// What one caller at a time uses: a validator and its share of the window.
struct Lane {
  Lane(const Contract& contract, const ReportOptions& options)
      : validator(contract), window(std::make_unique<ReportBuilder>(contract, options)) {}
  std::mutex mutex;
  Validator validator;
  std::unique_ptr<ReportBuilder> window;
  std::uint64_t accepted = 0, dead_lettered = 0;                // over the gate's life
  std::uint64_t window_accepted = 0, window_dead_lettered = 0;  // in the current window
  std::int64_t window_max_lag = -1;
};

struct StreamGate::Impl {
  static constexpr std::size_t kMaxLanes = 64;

  Impl(Contract c, GateOptions o)
      : contract(std::move(c)), options(std::move(o)), breaker(options.breaker), lanes(kMaxLanes) {
    if (!options.clock) options.clock = system_micros;
    window_opened_at = options.clock();
    window_deadline.store(options.window.micros > 0 ? window_opened_at + options.window.micros : INT64_MAX);
    contract_label = contract.dataset() + " " + contract.version();
  }

  // A free lane, locked; a new one when every lane is busy.
  Lane& acquire_lane() {
    thread_local std::size_t hint = 0;
    std::size_t n = lane_count.load(std::memory_order_acquire);
    for (std::size_t k = 0; k < n; ++k) {
      std::size_t i = (hint + k) % n;
      if (lanes[i]->mutex.try_lock()) {
        hint = i;
        return *lanes[i];
      }
    }
    {
      std::lock_guard lock(lanes_mutex);
      n = lane_count.load(std::memory_order_relaxed);
      if (n < kMaxLanes) {
        lanes[n] = std::make_unique<Lane>(contract, options.report);
        lanes[n]->mutex.lock();
        lane_count.store(n + 1, std::memory_order_release);
        hint = n;
        return *lanes[n];
      }
    }
    Lane& lane = *lanes[hint % n];
    lane.mutex.lock();
    return lane;
  }

  std::vector<Attribute> reasons(const Verdict& v) const {
    const std::size_t max = options.max_reason_bytes;
    std::vector<Attribute> out;
    out.emplace_back("dq.error", v.malformed ? "malformed" : "invalid");
    out.emplace_back("dq.contract", cut_utf8(contract_label, max));
    if (v.malformed) {
      out.emplace_back("dq.reason", cut_utf8("byte " + std::to_string(v.error_offset) + ": " + v.error, max));
      return out;
    }
    std::vector<std::uint32_t> checks;
    std::vector<std::string> paths, reasons;
    for (const Violation& x : v.violations) {
      checks.push_back(x.check);
      if (!x.path.empty() && std::find(paths.begin(), paths.end(), x.path) == paths.end()) paths.push_back(x.path);
      std::string line = (x.path.empty() ? x.rule : x.path) + ": " + x.message;
      if (!x.value.empty()) line += " (" + x.value + ")";
      reasons.push_back(std::move(line));
    }
    std::sort(checks.begin(), checks.end());
    checks.erase(std::unique(checks.begin(), checks.end()), checks.end());
    std::vector<std::string> rules;
    for (std::uint32_t c : checks) rules.push_back(contract.checks()[c].id);
    out.emplace_back("dq.rules", join_bounded(rules, ",", max));
    out.emplace_back("dq.paths", join_bounded(paths, ",", max));
    out.emplace_back("dq.violations", std::to_string(v.violations.size()));
    out.emplace_back("dq.reason", join_bounded(reasons, "; ", max));
    return out;
  }

  // Closes the window (the caller holds window_mutex). `always`: report
  // even an empty window (time windows; a quiet stream is news).
  void close_locked(std::int64_t now, bool always) {
    const std::size_t n = lane_count.load(std::memory_order_acquire);
    std::vector<std::unique_ptr<ReportBuilder>> shards;
    WindowReport w;
    for (std::size_t i = 0; i < n; ++i) {
      auto fresh = std::make_unique<ReportBuilder>(contract, options.report);
      Lane& lane = *lanes[i];
      std::lock_guard lock(lane.mutex);
      std::swap(lane.window, fresh);
      w.counts.accepted += lane.window_accepted;
      w.counts.dead_lettered += lane.window_dead_lettered;
      w.max_lag = std::max(w.max_lag, lane.window_max_lag);
      lane.window_accepted = lane.window_dead_lettered = 0;
      lane.window_max_lag = -1;
      shards.push_back(std::move(fresh));
    }
    w.counts.paused = window_paused.exchange(0, std::memory_order_relaxed);
    w.counts.received = w.counts.accepted + w.counts.dead_lettered + w.counts.paused;
    const std::uint64_t judged = w.counts.accepted + w.counts.dead_lettered;
    window_judged.fetch_sub(judged, std::memory_order_relaxed);
    const std::uint64_t opened = breaker.opened();
    w.breaker_opened = opened - window_breaker_opened;
    window_breaker_opened = opened;
    w.opened_at = window_opened_at;
    w.closed_at = now;
    window_opened_at = now;
    if (options.window.micros > 0) {
      // The next deadline after now, on the original grid (no drift from late ticks).
      std::int64_t next = window_deadline.load();
      while (next <= now) next += options.window.micros;
      window_deadline.store(next);
    }
    if (w.counts.received == 0 && !always) return;

    ReportBuilder merged(contract, options.report);
    // The lanes judged at the same time: no order holds between their records.
    for (const auto& shard : shards) ReportAccess::merge(merged, *shard, 0, /*ordered=*/false);
    w.report = merged.finish();
    if (options.history != nullptr && contract.has_monitors()) {
      Status status = run_monitors(contract, *options.history, w.report, now);
      if (!status.ok()) {
        MonitorResult failure;
        failure.id = "history";
        failure.detail = "monitors could not run: " + status.message();
        failure.anomaly = true;
        w.report.monitors.push_back(std::move(failure));
        w.report.ok = false;
      }
    }
    w.index = ++window_index;
    std::string exposition = window_exposition(contract.dataset(), w);
    {
      std::lock_guard lock(metrics_mutex);
      last_window = std::move(exposition);
    }
    if (options.on_window) options.on_window(w);
  }

  // Closes the window when it is full or its time is up. `now` is a callable
  // giving the clock (read only when needed).
  template <class Clock>
  void maybe_close(Clock&& now) {
    auto full = [&] {
      return options.window.messages > 0 && window_judged.load(std::memory_order_relaxed) >= options.window.messages;
    };
    auto due = [&] { return options.window.micros > 0 && now() >= window_deadline.load(std::memory_order_relaxed); };
    if (!full() && !due()) return;
    std::unique_lock lock(window_mutex, std::try_to_lock);
    if (!lock.owns_lock()) return;  // another thread is closing it
    const bool by_count = full();
    if (by_count || due()) close_locked(now(), !by_count);
  }

  Contract contract;
  GateOptions options;
  std::string contract_label;
  Breaker breaker;

  std::vector<std::unique_ptr<Lane>> lanes;  // kMaxLanes slots; the first lane_count are made
  std::atomic<std::size_t> lane_count{0};
  std::mutex lanes_mutex;  // adding a lane

  std::atomic<std::uint64_t> received{0}, paused{0};
  std::atomic<std::uint64_t> window_judged{0}, window_paused{0};
  std::atomic<std::int64_t> window_deadline{INT64_MAX};

  std::mutex window_mutex;  // closing a window; guards the fields below
  std::int64_t window_opened_at = 0;
  std::uint64_t window_index = 0;
  std::uint64_t window_breaker_opened = 0;

  mutable std::mutex metrics_mutex;
  std::string last_window;  // the last window's exposition
};

StreamGate::StreamGate(Contract contract, GateOptions options)
    : impl_(std::make_unique<Impl>(std::move(contract), std::move(options))) {}
StreamGate::~StreamGate() = default;

const Contract& StreamGate::contract() const { return impl_->contract; }

GateResult StreamGate::judge(const Message& message) {
  Impl& g = *impl_;
  const std::uint64_t sequence = g.received.fetch_add(1, std::memory_order_relaxed) + 1;
  std::int64_t now = 0;  // read once, when first needed
  auto clock = [&] {
    if (now == 0) now = g.options.clock();
    return now;
  };
  // A message arriving after its window's time is up belongs to the next.
  if (g.options.window.micros > 0) g.maybe_close(clock);
  GateResult result;
  const Breaker::Admit admit = g.breaker.admit(clock);
  if (admit == Breaker::Admit::kPause) {
    g.paused.fetch_add(1, std::memory_order_relaxed);
    g.window_paused.fetch_add(1, std::memory_order_relaxed);
    result.decision = Decision::kPause;
    return result;
  }
  result.probe = admit == Breaker::Admit::kProbe;
  bool failed = false;
  {
    Lane& lane = g.acquire_lane();
    std::lock_guard lock(lane.mutex, std::adopt_lock);
    SinkScope profiling(lane.validator, ReportAccess::profiler(*lane.window));
    ReportAccess::next_record(*lane.window, sequence);
    const Verdict& verdict = lane.validator.validate_json(message.data);
    // Samples name the message by its place in the gate's stream.
    lane.window->add(verdict, RecordPosition{sequence, 0, 0});
    failed = !verdict.ok;
    if (failed) {
      ++lane.dead_lettered;
      ++lane.window_dead_lettered;
      result.decision = Decision::kDeadLetter;
      result.reasons = g.reasons(verdict);
    } else {
      ++lane.accepted;
      ++lane.window_accepted;
    }
    if (message.publish_time > 0) lane.window_max_lag = std::max(lane.window_max_lag, clock() - message.publish_time);
    // Under the lane's lock, so a closing window sees this message in both.
    g.window_judged.fetch_add(1, std::memory_order_relaxed);
  }
  g.breaker.record(failed, result.probe, clock);
  if (g.options.window.messages > 0) g.maybe_close(clock);
  return result;
}

void StreamGate::close_window() {
  std::lock_guard lock(impl_->window_mutex);
  impl_->close_locked(impl_->options.clock(), false);
}

void StreamGate::tick() {
  if (impl_->options.window.micros > 0) impl_->maybe_close(impl_->options.clock);
}

GateCounts StreamGate::counts() const {
  GateCounts c;
  const std::size_t n = impl_->lane_count.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < n; ++i) {
    Lane& lane = *impl_->lanes[i];
    std::lock_guard lock(lane.mutex);
    c.accepted += lane.accepted;
    c.dead_lettered += lane.dead_lettered;
  }
  c.paused = impl_->paused.load(std::memory_order_relaxed);
  c.received = c.accepted + c.dead_lettered + c.paused;
  return c;
}

BreakerState StreamGate::breaker() const { return impl_->breaker.state(); }
std::uint64_t StreamGate::breaker_opened() const { return impl_->breaker.opened(); }

std::string StreamGate::metrics() const {
  const GateCounts c = counts();
  Exposition e(impl_->contract.dataset());
  e.family("dq_gate_messages_total", "counter", "Messages the gate decided, by decision.");
  e.sample("dq_gate_messages_total", {"decision", "accept"}, static_cast<double>(c.accepted));
  e.sample("dq_gate_messages_total", {"decision", "dead_letter"}, static_cast<double>(c.dead_lettered));
  e.sample("dq_gate_messages_total", {"decision", "pause"}, static_cast<double>(c.paused));
  e.family("dq_gate_breaker_state", "gauge", "1 for the circuit breaker's current state, 0 for the others.");
  const BreakerState state = breaker();
  for (BreakerState s : {BreakerState::kClosed, BreakerState::kOpen, BreakerState::kHalfOpen}) {
    e.sample("dq_gate_breaker_state", {"state", to_string(s)}, s == state ? 1 : 0);
  }
  e.family("dq_gate_breaker_opened_total", "counter", "Times the circuit breaker opened.");
  e.sample("dq_gate_breaker_opened_total", {}, static_cast<double>(breaker_opened()));
  std::string out = e.take();
  std::lock_guard lock(impl_->metrics_mutex);
  out += impl_->last_window;
  return out;
}

}  // namespace dq
