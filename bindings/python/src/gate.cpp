// dq.StreamGate's native side.
#include <pybind11/stl.h>

#include <memory>
#include <mutex>

#include "contract.h"
#include "convert.h"

namespace dq_python {
namespace {

// A closed window, converted for Python on the judging thread (no GIL).
struct GateWindow {
  std::uint64_t index = 0;
  std::int64_t opened_at = 0, closed_at = 0, max_lag = -1;
  dq::GateCounts counts;
  std::uint64_t breaker_opened = 0;
  NativeReport report;
};

// A StreamGate for Python. judge() releases the GIL; closed windows wait in
// a bounded queue for the Python side to take, so the gate never calls into
// Python from a native thread.
class NativeGate {
 public:
  static constexpr std::size_t kMaxQueuedWindows = 256;

  NativeGate(const PyContract& contract, const RunOptions& run, std::uint64_t window_messages, double window_seconds,
             std::uint32_t max_consecutive_failures, std::uint32_t rate_window, double max_failure_rate,
             double open_seconds, const std::string& history_path, std::size_t max_reason_bytes) {
    dq::GateOptions o;
    o.report = run.report();
    o.window.messages = window_messages;
    o.window.micros = static_cast<std::int64_t>(window_seconds * 1e6);
    o.breaker.max_consecutive_failures = max_consecutive_failures;
    o.breaker.rate_window = rate_window;
    o.breaker.max_failure_rate = max_failure_rate;
    o.breaker.open_micros = static_cast<std::int64_t>(open_seconds * 1e6);
    o.max_reason_bytes = max_reason_bytes;
    if (!history_path.empty()) {
      auto history = dq::MetricHistory::open(history_path);
      if (!history.ok()) raise_status(history.status());
      history_ = std::make_unique<dq::MetricHistory>(std::move(*history));
      o.history = history_.get();
    }
    o.on_window = [this](const dq::WindowReport& w) {
      GateWindow out{w.index, w.opened_at, w.closed_at, w.max_lag, w.counts, w.breaker_opened, {}};
      out.report.json = w.report.to_json(-1);
      out.report.text = w.report.to_text();
      if (w.report.profile) out.report.profile = NativeProfile{w.report.profile};
      std::lock_guard lock(windows_mutex_);
      if (windows_.size() >= kMaxQueuedWindows) {
        windows_.erase(windows_.begin());
        ++windows_dropped_;
      }
      windows_.push_back(std::move(out));
    };
    gate_ = std::make_unique<dq::StreamGate>(contract.contract(), std::move(o));
  }

  // (decision, reasons as a list of (key, value), probe)
  py::tuple judge(std::string_view data, std::int64_t publish_time) {
    dq::GateResult r;
    {
      py::gil_scoped_release release;
      r = gate_->judge({data, publish_time});
    }
    return py::make_tuple(dq::to_string(r.decision), r.reasons, r.probe);
  }

  std::vector<GateWindow> take_windows() {
    std::lock_guard lock(windows_mutex_);
    std::vector<GateWindow> out;
    out.swap(windows_);
    return out;
  }

  void close_window() {
    py::gil_scoped_release release;
    gate_->close_window();
  }
  void tick() {
    py::gil_scoped_release release;
    gate_->tick();
  }
  dq::GateCounts counts() const { return gate_->counts(); }
  std::string breaker() const { return dq::to_string(gate_->breaker()); }
  std::uint64_t breaker_opened() const { return gate_->breaker_opened(); }
  std::string metrics() const {
    py::gil_scoped_release release;
    return gate_->metrics();
  }
  std::uint64_t windows_dropped() {
    std::lock_guard lock(windows_mutex_);
    return windows_dropped_;
  }

 private:
  std::unique_ptr<dq::MetricHistory> history_;  // before gate_: the gate uses it until destroyed
  std::mutex windows_mutex_;
  std::vector<GateWindow> windows_;
  std::uint64_t windows_dropped_ = 0;
  std::unique_ptr<dq::StreamGate> gate_;
};

}  // namespace

void bind_gate(py::module_& m) {
  py::class_<dq::GateCounts>(m, "GateCounts")
      .def_readonly("received", &dq::GateCounts::received)
      .def_readonly("accepted", &dq::GateCounts::accepted)
      .def_readonly("dead_lettered", &dq::GateCounts::dead_lettered)
      .def_readonly("paused", &dq::GateCounts::paused);

  py::class_<GateWindow>(m, "GateWindow")
      .def_readonly("index", &GateWindow::index)
      .def_readonly("opened_at", &GateWindow::opened_at)
      .def_readonly("closed_at", &GateWindow::closed_at)
      .def_readonly("max_lag", &GateWindow::max_lag)
      .def_readonly("counts", &GateWindow::counts)
      .def_readonly("breaker_opened", &GateWindow::breaker_opened)
      .def_readonly("report", &GateWindow::report);

  py::class_<NativeGate>(m, "StreamGate")
      .def(py::init<const PyContract&, const RunOptions&, std::uint64_t, double, std::uint32_t, std::uint32_t, double,
                    double, const std::string&, std::size_t>(),
           py::arg("contract"), py::arg("run"), py::arg("window_messages"), py::arg("window_seconds"),
           py::arg("max_consecutive_failures"), py::arg("rate_window"), py::arg("max_failure_rate"),
           py::arg("open_seconds"), py::arg("history"), py::arg("max_reason_bytes"))
      .def("judge", [](NativeGate& g, py::bytes data,
                       std::int64_t publish_time) { return g.judge(std::string_view(data), publish_time); })
      .def("take_windows", &NativeGate::take_windows)
      .def("close_window", &NativeGate::close_window)
      .def("tick", &NativeGate::tick)
      .def_property_readonly("counts", &NativeGate::counts)
      .def_property_readonly("breaker", &NativeGate::breaker)
      .def_property_readonly("breaker_opened", &NativeGate::breaker_opened)
      .def_property_readonly("windows_dropped", &NativeGate::windows_dropped)
      .def("metrics", &NativeGate::metrics);
}

}  // namespace dq_python
