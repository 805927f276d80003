// dq._core: the native module under the `dq` package. It translates between
// Python and the C++ API and nothing more; the package's Python layer shapes
// the results (dq/_api.py).
//
// Threads: a Contract is shared freely; each call borrows a Validator (the
// per-thread scratch) from the contract's pool, so calls from several Python
// threads run in parallel with the GIL released.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dq/arrow.h"
#include "dq/dq.h"
#include "dq/json.h"

namespace py = pybind11;

namespace {

// Raises dq.ContractError / dq.DataError (defined in Python, dq/_errors.py).
[[noreturn]] void raise(const char* name, py::object error) {
  py::object cls = py::module_::import("dq._errors").attr(name);
  PyErr_SetObject(cls.ptr(), error.ptr());
  throw py::error_already_set();
}

[[noreturn]] void raise_status(const dq::Status& status) {
  py::object errors = py::module_::import("dq._errors");
  if (status.code() == dq::StatusCode::kInvalidContract) {
    py::list diagnostics;
    for (const dq::Diagnostic& d : status.diagnostics()) {
      diagnostics.append(errors.attr("Diagnostic")(d.file, d.line, d.column, dq::to_string(d.severity), d.message));
    }
    raise("ContractError", errors.attr("ContractError")(status.to_string(), diagnostics));
  }
  if (status.code() == dq::StatusCode::kIoError) {
    PyErr_SetString(PyExc_OSError, status.message().c_str());
    throw py::error_already_set();
  }
  raise("DataError", errors.attr("DataError")(status.message()));
}

// Python values to nlohmann::json, for Contract.validate(dict).
nlohmann::json to_json(py::handle value, std::size_t depth) {
  if (depth > 1000) throw py::value_error("the value is nested too deeply to validate");
  if (value.is_none()) return nullptr;
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>();
  if (py::isinstance<py::int_>(value)) {
    try {
      return value.cast<std::int64_t>();
    } catch (const py::cast_error&) {
      try {
        return value.cast<std::uint64_t>();
      } catch (const py::cast_error&) {
        return value.cast<double>();  // beyond 64 bits: a number all the same
      }
    }
  }
  if (py::isinstance<py::float_>(value)) return value.cast<double>();
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (py::isinstance<py::dict>(value)) {
    nlohmann::json out = nlohmann::json::object();
    for (auto item : value.cast<py::dict>()) {
      out[py::str(item.first).cast<std::string>()] = to_json(item.second, depth + 1);
    }
    return out;
  }
  if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
    nlohmann::json out = nlohmann::json::array();
    for (auto item : value) out.push_back(to_json(item, depth + 1));
    return out;
  }
  // datetime, date, Decimal, ...: their ISO text, as a JSON encoder would write.
  if (py::hasattr(value, "isoformat")) return value.attr("isoformat")().cast<std::string>();
  return py::str(value).cast<std::string>();
}

// The elements of a batch (a Beam bundle) as JSON texts: bytes and str as
// they are, dicts encoded. Anything else cannot be a record: it is listed
// with the reason, so the caller can reject it rather than fail the batch.
struct RecordTexts {
  std::vector<std::string_view> texts;
  std::vector<std::size_t> position;  // of each text in the batch
  std::vector<std::pair<std::size_t, std::string>> not_records;
  std::deque<std::string> owned;  // encoded dicts and copied buffers (stable addresses)

  explicit RecordTexts(const py::list& elements) {  // with the GIL held; `elements` outlives this
    for (std::size_t i = 0; i < elements.size(); ++i) {
      py::handle e = elements[i];
      if (PyBytes_Check(e.ptr())) {
        char* data = nullptr;
        Py_ssize_t size = 0;
        PyBytes_AsStringAndSize(e.ptr(), &data, &size);
        add(i, std::string_view(data, static_cast<std::size_t>(size)));
      } else if (PyUnicode_Check(e.ptr())) {
        Py_ssize_t size = 0;
        const char* data = PyUnicode_AsUTF8AndSize(e.ptr(), &size);
        if (data == nullptr) {  // lone surrogates: not UTF-8
          PyErr_Clear();
          not_records.emplace_back(i, "a str that is not valid Unicode (it holds lone surrogates)");
          continue;
        }
        add(i, std::string_view(data, static_cast<std::size_t>(size)));
      } else if (PyByteArray_Check(e.ptr()) || PyMemoryView_Check(e.ptr())) {
        add(i, owned.emplace_back(py::bytes(py::reinterpret_borrow<py::object>(e)).cast<std::string>()));
      } else if (PyDict_Check(e.ptr())) {
        try {
          add(i, owned.emplace_back(to_json(e, 0).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
        } catch (const py::error_already_set& error) {
          not_records.emplace_back(i, std::string("a dict that cannot be read: ") + error.what());
        } catch (const py::value_error& error) {
          not_records.emplace_back(i, error.what());
        }
      } else {
        not_records.emplace_back(i, "not a record: " + std::string(Py_TYPE(e.ptr())->tp_name) +
                                        " (records are JSON bytes or str, or dicts)");
      }
    }
  }
  void add(std::size_t i, std::string_view text) {
    texts.push_back(text);
    position.push_back(i);
  }

  // The elements that are not records, as malformed verdicts by position.
  std::vector<std::pair<std::size_t, dq::Verdict>> not_record_verdicts() const {
    std::vector<std::pair<std::size_t, dq::Verdict>> out;
    for (const auto& [i, why] : not_records) {
      dq::Verdict v;
      v.ok = false;
      v.malformed = true;
      v.error = why;
      out.emplace_back(i, std::move(v));
    }
    return out;
  }
};

struct Failure {
  std::uint64_t record, line;
  std::string path, rule, severity, message, value;
};

// A finished report: its JSON and text forms and the failing rows kept.
// A profile shared with Python (immutable once made).
struct NativeProfile {
  std::shared_ptr<const dq::Profile> profile;
};

struct NativeReport {
  std::string json, text;
  std::vector<Failure> failures;
  bool failures_truncated = false;
  std::optional<NativeProfile> profile;
};

// What every validate call takes besides its data.
struct RunOptions {
  std::size_t max_samples = 5;
  std::size_t max_failures = 100000;
  bool profile = false;
  unsigned threads = 1;  // NDJSON inputs (StreamOptions::threads)
  std::optional<NativeProfile> baseline;

  dq::ReportOptions report() const {
    dq::ReportOptions r;
    r.max_samples_per_rule = max_samples;
    r.profile = profile;
    if (baseline) r.baseline = baseline->profile;
    return r;
  }
};

// Collects every violation of rejected records, up to a bound.
struct FailureSink {
  std::size_t max;
  NativeReport* out;
  void operator()(const dq::RecordEvent& event) {
    const dq::Verdict& v = event.verdict;
    if (v.malformed) {
      add({event.where.record, event.where.line, "", "malformed", "error", v.error, ""});
      return;
    }
    for (const dq::Violation& violation : v.violations) {
      add({event.where.record, event.where.line, violation.path, violation.rule, dq::to_string(violation.severity),
           violation.message, violation.value});
    }
  }
  void add(Failure f) {
    if (out->failures.size() < max) {
      out->failures.push_back(std::move(f));
    } else {
      out->failures_truncated = true;
    }
  }
};

// A grading run for Python: the run report (JSON and text) and the export,
// column by column.
struct NativeGrade {
  std::string json, text;
  bool reconciled = false;
  std::vector<std::string> columns;
  py::list values;  // one list per column
};

py::object cell_object(const dq::GradeCell& c) {
  switch (c.kind) {
    case dq::GradeCell::Kind::kBool: return py::bool_(c.b);
    case dq::GradeCell::Kind::kInt: return py::int_(c.i);
    case dq::GradeCell::Kind::kNumber: return py::float_(c.d);
    case dq::GradeCell::Kind::kString: return py::str(c.s);
    default: return py::none();
  }
}

class PyContract {
 public:
  explicit PyContract(dq::Contract contract) : contract_(std::move(contract)) {}

  static std::unique_ptr<PyContract> load(const std::string& path, const dq::Params& params) {
    dq::LoadOptions options;
    options.params = params;
    dq::Result<dq::Contract> loaded = [&] {
      py::gil_scoped_release release;
      return dq::Contract::load_file(path, options);
    }();
    if (!loaded.ok()) raise_status(loaded.status());
    return std::make_unique<PyContract>(std::move(loaded).value());
  }

  static std::unique_ptr<PyContract> loads(const std::string& yaml, const std::string& name, const dq::Params& params) {
    dq::LoadOptions options;
    options.params = params;
    dq::Result<dq::Contract> loaded = dq::Contract::load_string(yaml, name, options);
    if (!loaded.ok()) raise_status(loaded.status());
    return std::make_unique<PyContract>(std::move(loaded).value());
  }

  const dq::Contract& contract() const { return contract_; }

  dq::Verdict validate(py::handle record) {
    nlohmann::json value = to_json(record, 0);
    Lease lease(*this);
    py::gil_scoped_release release;
    return dq::validate(*lease.validator, value);
  }

  dq::Verdict validate_json(std::string_view json) {
    Lease lease(*this);
    py::gil_scoped_release release;
    return lease.validator->validate_json(json);
  }

  // The records of a batch that are not clean (malformed, or with any
  // violation, warnings included) as (position, verdict), in batch order.
  std::vector<std::pair<std::size_t, dq::Verdict>> validate_batch(const py::list& elements) {
    RecordTexts batch(elements);
    std::vector<std::pair<std::size_t, dq::Verdict>> out = batch.not_record_verdicts();
    Lease lease(*this);
    {
      py::gil_scoped_release release;
      for (std::size_t k = 0; k < batch.texts.size(); ++k) {
        const dq::Verdict& v = lease.validator->validate_json(batch.texts[k]);
        if (!v.ok || !v.violations.empty()) out.emplace_back(batch.position[k], v);
      }
    }
    if (!batch.not_records.empty()) {
      std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    return out;
  }

  // The profile of a batch's records (elements that are not records are
  // left out, as malformed records are).
  NativeProfile profile_batch(const py::list& elements) {
    RecordTexts batch(elements);
    dq::ReportOptions options;
    options.profile = true;
    options.max_samples_per_rule = 0;
    Lease lease(*this);
    py::gil_scoped_release release;
    dq::ReportBuilder builder(contract_, options);
    dq::validate_records(*lease.validator, batch.texts, builder);
    return NativeProfile{builder.finish().profile};
  }

  // The contract's drift checks of `current` against `baseline`, as the
  // JSON array a report's "drift" holds.
  std::string check_drift(const NativeProfile& baseline, const NativeProfile& current) {
    dq::Report report;  // rendered for its "drift" section only: one JSON form for drift results
    {
      py::gil_scoped_release release;
      report.drift = dq::check_drift(contract_, *baseline.profile, *current.profile);
    }
    return nlohmann::ordered_json::parse(report.to_json(-1))["drift"].dump();
  }

  // `format`: "auto" (by extension: .csv is CSV, else NDJSON or a JSON array) or "csv".
  NativeReport validate_file(const std::string& path, const std::string& format, const RunOptions& run) {
    NativeReport out;
    dq::StreamOptions options;
    options.format = format == "csv" ? dq::InputFormat::kCsv : dq::InputFormat::kAuto;
    options.report = run.report();
    options.threads = run.threads;
    options.on_reject = FailureSink{run.max_failures, &out};
    dq::Result<dq::Report> report = [&] {
      py::gil_scoped_release release;
      return dq::validate_file(contract_, path, options);
    }();
    if (!report.ok()) raise_status(report.status());
    return finish(*report, std::move(out));
  }

  NativeGrade grade(const std::vector<std::string>& paths, const std::string& format, const std::string& output,
                    const std::string& rejects, std::size_t max_state_mb) {
    dq::GradeOptions options;
    options.format = format == "csv"       ? dq::InputFormat::kCsv
                     : format == "ndjson"  ? dq::InputFormat::kNdjson
                     : format == "rejects" ? dq::InputFormat::kRejects
                                           : dq::InputFormat::kAuto;
    options.output = output;
    options.rejects = rejects;
    options.max_state_bytes = max_state_mb << 20;
    dq::Result<dq::GradeRun> run = [&]() -> dq::Result<dq::GradeRun> {
      py::gil_scoped_release release;
      auto grader = dq::BatchGrader::create(contract_, options);
      if (!grader.ok()) return grader.status();
      for (const std::string& path : paths) {
        if (dq::Status st = grader->add_file(path); !st.ok()) return st;
      }
      return grader->finish();
    }();
    if (!run.ok()) raise_status(run.status());
    NativeGrade out;
    out.json = run->to_json();
    out.text = run->to_text();
    out.reconciled = run->reconciled();
    out.columns = run->columns;
    for (std::size_t c = 0; c < run->columns.size(); ++c) {
      py::list column;
      for (const auto& row : run->table) column.append(cell_object(row[c]));
      out.values.append(column);
    }
    return out;
  }

  NativeReport validate_ndjson_bytes(std::string_view data, const RunOptions& run) {
    NativeReport out;
    dq::StreamOptions options;
    options.format = dq::InputFormat::kNdjson;
    options.source_name = "<bytes>";
    options.report = run.report();
    options.threads = run.threads;
    options.on_reject = FailureSink{run.max_failures, &out};
    Lease lease(*this);
    dq::ReportBuilder builder(contract_, options.report);
    dq::Status status;
    {
      py::gil_scoped_release release;
      std::FILE* file = fmemopen(const_cast<char*>(data.data()), data.size(), "rb");
      if (file == nullptr) {
        status = dq::Status(dq::StatusCode::kIoError, "cannot read the bytes given");
      } else {
        status = dq::validate_stream(*lease.validator, file, options, builder);
        std::fclose(file);
      }
    }
    if (!status.ok()) raise_status(status);
    return finish(builder.finish(), std::move(out));
  }

  // `capsule`: an "arrow_array_stream" PyCapsule (the Arrow PyCapsule
  // interface). The stream is moved out of it and released here.
  NativeReport validate_arrow_stream(py::capsule capsule, const RunOptions& run) {
    if (std::string_view(capsule.name() ? capsule.name() : "") != "arrow_array_stream") {
      throw py::type_error("expected an 'arrow_array_stream' capsule");
    }
    auto* source = capsule.get_pointer<ArrowArrayStream>();
    if (source == nullptr || source->release == nullptr) throw py::value_error("the Arrow stream was already consumed");
    ArrowArrayStream stream = *source;
    source->release = nullptr;  // ours now: the capsule's destructor must not release it
    NativeReport out;
    dq::ArrowOptions options;
    options.on_reject = FailureSink{run.max_failures, &out};
    Lease lease(*this);
    dq::ReportBuilder builder(contract_, run.report());
    dq::Status status;
    {
      py::gil_scoped_release release;
      status = dq::validate_arrow_stream(*lease.validator, stream, builder, options);
      stream.release(&stream);
    }
    if (!status.ok()) raise_status(status);
    return finish(builder.finish(), std::move(out));
  }

 private:
  static NativeReport finish(const dq::Report& report, NativeReport out) {
    out.json = report.to_json(-1);
    out.text = report.to_text();
    if (report.profile) out.profile = NativeProfile{report.profile};
    return out;
  }

  // Borrows a Validator from the pool for one call (creating one when every
  // pooled validator is in use by another thread).
  struct Lease {
    explicit Lease(PyContract& owner) : owner(owner) {
      std::lock_guard<std::mutex> lock(owner.pool_mutex_);
      if (!owner.pool_.empty()) {
        validator = std::move(owner.pool_.back());
        owner.pool_.pop_back();
      }
      if (!validator) validator = std::make_unique<dq::Validator>(owner.contract_);
    }
    ~Lease() {
      std::lock_guard<std::mutex> lock(owner.pool_mutex_);
      owner.pool_.push_back(std::move(validator));
    }
    PyContract& owner;
    std::unique_ptr<dq::Validator> validator;
  };

  dq::Contract contract_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<dq::Validator>> pool_;
};

// dq::GradeParts for Python (dq.beam.Grade): shares of a batch of records,
// merges of an entity's states, and the entity's row.
class NativeGradeParts {
 public:
  explicit NativeGradeParts(const PyContract& contract) {
    auto parts = dq::GradeParts::create(contract.contract());
    if (!parts.ok()) raise_status(parts.status());
    parts_ = std::make_unique<dq::GradeParts>(std::move(*parts));
  }

  // (graded [(position, key, state)], rejected [(position, verdict)], filtered count).
  // `orders`: each element's order (event time, µs).
  py::tuple shares(const py::list& elements, const std::vector<std::int64_t>& orders) {
    if (orders.size() != elements.size()) throw py::value_error("one order per element");
    RecordTexts batch(elements);
    struct Graded {
      std::size_t position;
      std::string key, state;
    };
    std::vector<Graded> graded;
    std::vector<std::pair<std::size_t, dq::Verdict>> rejected = batch.not_record_verdicts();
    std::size_t filtered = 0;
    {
      py::gil_scoped_release release;
      std::lock_guard lock(mutex_);
      std::string key, state;
      for (std::size_t k = 0; k < batch.texts.size(); ++k) {
        const std::size_t position = batch.position[k];
        switch (parts_->share(batch.texts[k], orders[position], key, state)) {
          case dq::GradeParts::Outcome::kRejected: rejected.emplace_back(position, parts_->verdict()); break;
          case dq::GradeParts::Outcome::kFiltered: ++filtered; break;
          case dq::GradeParts::Outcome::kGraded: graded.push_back({position, key, state}); break;
        }
      }
    }
    py::list graded_list;
    for (const Graded& g : graded) graded_list.append(py::make_tuple(g.position, py::bytes(g.key), py::bytes(g.state)));
    return py::make_tuple(graded_list, rejected, filtered);
  }

  py::bytes merge(const std::vector<std::string>& states) {
    dq::Result<std::string> merged = [&] {
      py::gil_scoped_release release;
      return parts_->merge(std::vector<std::string_view>(states.begin(), states.end()));
    }();
    if (!merged.ok()) raise_status(merged.status());
    return py::bytes(*merged);
  }

  // (tier index, exported, row values as columns() names them)
  py::tuple finish(const std::string& key, const std::string& state) {
    dq::Result<dq::GradeParts::Entity> entity = [&] {
      std::lock_guard lock(mutex_);
      return parts_->finish(key, state);
    }();
    if (!entity.ok()) raise_status(entity.status());
    py::list row;
    for (const dq::GradeCell& c : entity->row) row.append(cell_object(c));
    return py::make_tuple(entity->tier, entity->exported, row);
  }

  const std::vector<std::string>& columns() const { return parts_->columns(); }
  const std::vector<std::string>& tier_names() const { return parts_->tier_names(); }

 private:
  std::mutex mutex_;  // share() and finish() use the parts' validator and scratch
  std::unique_ptr<dq::GradeParts> parts_;
};

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

PYBIND11_MODULE(_core, m) {
  m.doc() = "dq's native engine (use the `dq` package)";
  m.attr("__version__") = DQ_VERSION_STRING;

  py::class_<dq::Violation>(m, "Violation")
      .def_readonly("path", &dq::Violation::path)
      .def_readonly("rule", &dq::Violation::rule)
      .def_property_readonly("severity", [](const dq::Violation& v) { return dq::to_string(v.severity); })
      .def_readonly("message", &dq::Violation::message)
      .def_readonly("value", &dq::Violation::value)
      .def("__repr__", [](const dq::Violation& v) {
        return "Violation(" + (v.path.empty() ? std::string("<record>") : v.path) + ": " + v.rule + ": " + v.message +
               (v.value.empty() ? "" : " (" + v.value + ")") + ")";
      });

  py::class_<dq::Verdict>(m, "Verdict")
      .def_readonly("ok", &dq::Verdict::ok)
      .def_readonly("malformed", &dq::Verdict::malformed)
      .def_readonly("error", &dq::Verdict::error)
      .def_readonly("error_offset", &dq::Verdict::error_offset)
      .def_readonly("violations", &dq::Verdict::violations)
      .def("__bool__", [](const dq::Verdict& v) { return v.ok; })
      .def("__repr__", [](const dq::Verdict& v) {
        if (v.malformed) return "Verdict(malformed: " + v.error + " at byte " + std::to_string(v.error_offset) + ")";
        return "Verdict(ok=" + std::string(v.ok ? "True" : "False") + ", " + std::to_string(v.violations.size()) +
               " violations)";
      });

  py::class_<Failure>(m, "Failure")
      .def_readonly("record", &Failure::record)
      .def_readonly("line", &Failure::line)
      .def_readonly("path", &Failure::path)
      .def_readonly("rule", &Failure::rule)
      .def_readonly("severity", &Failure::severity)
      .def_readonly("message", &Failure::message)
      .def_readonly("value", &Failure::value);

  py::class_<NativeProfile>(m, "Profile")
      .def_static("from_json",
                  [](const std::string& text) {
                    auto p = dq::Profile::from_json(text);
                    if (!p.ok()) raise_status(p.status());
                    return NativeProfile{std::make_shared<const dq::Profile>(std::move(*p))};
                  })
      .def(
          "to_json", [](const NativeProfile& p, int indent) { return p.profile->to_json(indent); },
          py::arg("indent") = -1)
      .def_property_readonly("rows", [](const NativeProfile& p) { return p.profile->rows; })
      .def_property_readonly("dataset", [](const NativeProfile& p) { return p.profile->dataset; })
      .def_property_readonly("version", [](const NativeProfile& p) { return p.profile->version; })
      .def("merge",
           [](const NativeProfile& p, const std::vector<NativeProfile>& others) {
             auto merged = std::make_shared<dq::Profile>(*p.profile);
             dq::Status status;
             {
               py::gil_scoped_release release;
               for (const NativeProfile& o : others) {
                 status = merged->merge(*o.profile);
                 if (!status.ok()) break;
               }
             }
             if (!status.ok()) raise_status(status);
             return NativeProfile{std::move(merged)};
           })
      .def("bins", [](const NativeProfile& baseline, const NativeProfile& current, const std::string& field, int bins) {
        const dq::FieldProfile* b = baseline.profile->field(field);
        const dq::FieldProfile* c = current.profile->field(field);
        if (b == nullptr || c == nullptr) throw py::key_error("no field '" + field + "' in the profile");
        auto out = dq::drift_bins(*b, *c, bins);
        if (!out.ok()) raise_status(out.status());
        return py::make_tuple(out->labels, out->baseline, out->current);
      });

  py::class_<RunOptions>(m, "RunOptions")
      .def(py::init<>())
      .def_readwrite("max_samples", &RunOptions::max_samples)
      .def_readwrite("max_failures", &RunOptions::max_failures)
      .def_readwrite("profile", &RunOptions::profile)
      .def_readwrite("threads", &RunOptions::threads)
      .def_readwrite("baseline", &RunOptions::baseline);

  py::class_<NativeReport>(m, "NativeReport")
      .def_readonly("json", &NativeReport::json)
      .def_readonly("text", &NativeReport::text)
      .def_readonly("failures", &NativeReport::failures)
      .def_readonly("failures_truncated", &NativeReport::failures_truncated)
      .def_readonly("profile", &NativeReport::profile);

  py::class_<PyContract>(m, "Contract")
      .def_static("load", &PyContract::load, py::arg("path"), py::arg("params"))
      .def_static("loads", &PyContract::loads, py::arg("yaml"), py::arg("name"), py::arg("params"))
      .def_property_readonly("dataset", [](const PyContract& c) { return c.contract().dataset(); })
      .def_property_readonly("version", [](const PyContract& c) { return c.contract().version(); })
      .def_property_readonly("title", [](const PyContract& c) { return c.contract().title(); })
      .def_property_readonly("drift_baseline", [](const PyContract& c) { return c.contract().drift_baseline(); })
      .def_property_readonly("warnings",
                             [](const PyContract& c) {
                               std::vector<std::string> out;
                               for (const dq::Diagnostic& d : c.contract().warnings()) out.push_back(d.to_string());
                               return out;
                             })
      .def_property_readonly("checks",
                             [](const PyContract& c) {
                               std::vector<std::string> out;
                               for (const dq::CheckInfo& info : c.contract().checks()) out.push_back(info.id);
                               return out;
                             })
      .def("validate", &PyContract::validate)
      .def("validate_json", [](PyContract& c, py::bytes data) { return c.validate_json(std::string_view(data)); })
      .def("validate_json", [](PyContract& c, const std::string& text) { return c.validate_json(text); })
      .def("validate_file", &PyContract::validate_file)
      .def("validate_ndjson_bytes",
           [](PyContract& c, py::bytes data, const RunOptions& run) {
             return c.validate_ndjson_bytes(std::string_view(data), run);
           })
      .def("validate_arrow_stream", &PyContract::validate_arrow_stream)
      .def("validate_batch", &PyContract::validate_batch, py::arg("elements"))
      .def("profile_batch", &PyContract::profile_batch, py::arg("elements"))
      .def("check_drift", &PyContract::check_drift, py::arg("baseline"), py::arg("current"))
      .def("grade", &PyContract::grade, py::arg("paths"), py::arg("format"), py::arg("output"), py::arg("rejects"),
           py::arg("max_state_mb"));

  py::class_<NativeGrade>(m, "NativeGrade")
      .def_readonly("json", &NativeGrade::json)
      .def_readonly("text", &NativeGrade::text)
      .def_readonly("reconciled", &NativeGrade::reconciled)
      .def_readonly("columns", &NativeGrade::columns)
      .def_readonly("values", &NativeGrade::values);

  py::class_<NativeGradeParts>(m, "GradeParts")
      .def(py::init<const PyContract&>(), py::arg("contract"))
      .def("shares", &NativeGradeParts::shares, py::arg("elements"), py::arg("orders"))
      .def("merge", &NativeGradeParts::merge, py::arg("states"))
      .def("finish", &NativeGradeParts::finish, py::arg("key"), py::arg("state"))
      .def_property_readonly("columns", &NativeGradeParts::columns)
      .def_property_readonly("tier_names", &NativeGradeParts::tier_names);

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
