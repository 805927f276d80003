// dq.Contract's native side: a contract with a pool of validators, and the
// report, profile and run-option types its calls exchange with Python.
#pragma once

#include <pybind11/pybind11.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dq/dq.h"

namespace dq_python {

namespace py = pybind11;

struct Failure {
  std::uint64_t record, line;
  std::string path, rule, severity, message, value;
};

// A profile shared with Python (immutable once made).
struct NativeProfile {
  std::shared_ptr<const dq::Profile> profile;
};

// A finished report: its JSON and text forms and the failing rows kept.
struct NativeReport {
  std::string json, text;
  std::vector<Failure> failures;
  bool failures_truncated = false;
  std::optional<NativeProfile> profile;
  std::string state;  // ReportBuilder::save_state() when RunOptions::keep_state
};

// What every validate call takes besides its data.
struct RunOptions {
  std::size_t max_samples = 5;
  std::size_t max_failures = 100000;
  bool profile = false;
  unsigned threads = 1;  // NDJSON inputs (StreamOptions::threads)
  std::optional<NativeProfile> baseline;
  std::string rejects;  // files: each rejected record as reject_line() writes it ("" = none)
  py::object progress;  // files: called (records, bytes) every `progress_every` records
  std::uint64_t progress_every = 100000;
  std::string history;            // run the contract's monitors on this metric history ("" = none)
  std::int64_t as_of_micros = 0;  // the data's time in the history (0 = now)
  bool keep_state = false;        // NativeReport::state: the builder's state, to merge with other parts' (Spark)

  dq::ReportOptions report() const {
    dq::ReportOptions r;
    r.max_samples_per_rule = max_samples;
    r.profile = profile;
    if (baseline) r.baseline = baseline->profile;
    return r;
  }
};

// A Python callable called (records, bytes) from a run with the GIL released:
// it takes the GIL for the call, and an exception it raises stops nothing
// inside the engine but is raised again by rethrow() once the run is over.
class ProgressCallback {
 public:
  explicit ProgressCallback(py::object callable) : callable_(std::move(callable)) {}
  void operator()(std::uint64_t records, std::uint64_t bytes);
  void rethrow();

 private:
  py::object callable_;
  std::optional<py::error_already_set> error_;
};

// A grading run for Python: the run report (JSON and text) and the export,
// column by column.
struct NativeGrade {
  std::string json, text;
  bool reconciled = false;
  std::vector<std::string> columns;
  py::list values;  // one list per column
};

// Threads: a Contract is shared freely; each call borrows a Validator (the
// per-thread scratch) from the contract's pool, so calls from several Python
// threads run in parallel with the GIL released.
class PyContract {
 public:
  explicit PyContract(dq::Contract contract) : contract_(std::move(contract)) {}
  static std::unique_ptr<PyContract> load(const std::string& path, const dq::Params& params);
  static std::unique_ptr<PyContract> loads(const std::string& yaml, const std::string& name, const dq::Params& params);

  const dq::Contract& contract() const { return contract_; }

  // Verdicts as Python objects (dq.Verdict); a clean one (valid, nothing to
  // say) is one shared object, see verdict_object.
  py::object validate(py::handle record);
  py::list validate_many(const py::iterable& records);
  py::object validate_json(std::string_view json);
  // The records of a batch that are not clean (malformed, or with any
  // violation, warnings included) as (position, verdict), in batch order.
  std::vector<std::pair<std::size_t, dq::Verdict>> validate_batch(const py::list& elements);
  // The profile of a batch's records (elements that are not records are
  // left out, as malformed records are).
  NativeProfile profile_batch(const py::list& elements);
  // The contract's drift checks of `current` against `baseline`, as the
  // JSON array a report's "drift" holds.
  std::string check_drift(const NativeProfile& baseline, const NativeProfile& current);
  // `format`: "auto" (by extension: .csv is CSV, else NDJSON or a JSON array) or "csv".
  NativeReport validate_file(const std::string& path, const std::string& format, const RunOptions& run);
  NativeReport validate_ndjson_bytes(std::string_view data, const RunOptions& run);
  // `capsule`: an "arrow_array_stream" PyCapsule (the Arrow PyCapsule
  // interface). The stream is moved out of it and released here.
  NativeReport validate_arrow_stream(py::capsule capsule, const RunOptions& run);
  // Consecutive slices of one table, one thread each, reports appended in order.
  NativeReport validate_arrow_slices(const std::vector<py::capsule>& capsules, const RunOptions& run);
  // The report of parts built apart (each a `keep_state` run), in input order.
  NativeReport merge_states(const std::vector<std::string>& states, const RunOptions& run);
  // A batch grading run over files (defined in grading.cpp).
  NativeGrade grade(const std::vector<std::string>& paths, const std::string& format, const std::string& output,
                    const std::string& rejects, std::size_t max_state_mb, const py::object& progress,
                    std::uint64_t progress_every);

 private:
  // The report's monitors when `run.history` is set, then its forms.
  NativeReport finish(dq::Report report, const RunOptions& run, NativeReport out);

  // Borrows a Validator from the pool for one call (creating one when every
  // pooled validator is in use by another thread).
  struct Lease {
    explicit Lease(PyContract& owner);
    ~Lease();
    PyContract& owner;
    std::unique_ptr<dq::Validator> validator;
  };

  // A Verdict is read-only from Python and a clean one says nothing of its
  // record, so every clean verdict is one object, made once: a new object per
  // record was a third of validate(dict)'s fixed cost. Called with the GIL.
  py::object verdict_object(const dq::Verdict& v);

  dq::Contract contract_;
  py::object clean_verdict_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<dq::Validator>> pool_;
};

// The module's parts, each binding its own classes (module.cpp stitches them).
void bind_contract(py::module_& m);
void bind_grading(py::module_& m);
void bind_gate(py::module_& m);
void bind_monitor(py::module_& m);
void bind_governance(py::module_& m);

}  // namespace dq_python
