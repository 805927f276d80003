#include "contract.h"

#include <pybind11/stl.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <thread>

#include "convert.h"
#include "dq/json.h"

namespace dq_python {
namespace {

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

dq::ContractFormat contract_format(const std::string& name) {
  std::optional<dq::ContractFormat> format = dq::contract_format_named(name);
  if (!format) throw py::value_error("format is dq, odcs, jsonschema, avro, protobuf, dbt or dcs, not '" + name + "'");
  return *format;
}

py::tuple converted(const dq::Result<dq::ExportedContract>& result) {
  if (!result.ok()) raise_status(result.status());
  std::vector<std::string> warnings;
  for (const dq::Diagnostic& d : result->warnings) warnings.push_back(d.to_string());
  return py::make_tuple(result->text, warnings, result->not_carried);
}

dq::InferOptions infer_options(std::uint64_t sample, const std::string& strictness, const std::string& format) {
  dq::InferOptions options;
  options.sample = sample;
  options.strictness = strictness == "loose"    ? dq::Strictness::kLoose
                       : strictness == "strict" ? dq::Strictness::kStrict
                                                : dq::Strictness::kNormal;
  options.format = format == "csv" ? dq::InputFormat::kCsv : dq::InputFormat::kAuto;
  return options;
}

// Valid with nothing to say, not even a warning. (A malformed verdict is
// never valid, and only a malformed one has an error.)
bool clean(const dq::Verdict& v) { return v.ok && v.violations.empty(); }

}  // namespace

PyContract::Lease::Lease(PyContract& owner) : owner(owner) {
  std::lock_guard<std::mutex> lock(owner.pool_mutex_);
  if (!owner.pool_.empty()) {
    validator = std::move(owner.pool_.back());
    owner.pool_.pop_back();
  }
  if (!validator) validator = std::make_unique<dq::Validator>(owner.contract_);
}

PyContract::Lease::~Lease() {
  std::lock_guard<std::mutex> lock(owner.pool_mutex_);
  owner.pool_.push_back(std::move(validator));
}

std::unique_ptr<PyContract> PyContract::load(const std::string& path, const dq::Params& params) {
  dq::LoadOptions options;
  options.params = params;
  dq::Result<dq::Contract> loaded = [&] {
    py::gil_scoped_release release;
    return dq::Contract::load_file(path, options);
  }();
  if (!loaded.ok()) raise_status(loaded.status());
  return std::make_unique<PyContract>(std::move(loaded).value());
}

std::unique_ptr<PyContract> PyContract::loads(const std::string& yaml, const std::string& name,
                                              const dq::Params& params) {
  dq::LoadOptions options;
  options.params = params;
  dq::Result<dq::Contract> loaded = dq::Contract::load_string(yaml, name, options);
  if (!loaded.ok()) raise_status(loaded.status());
  return std::make_unique<PyContract>(std::move(loaded).value());
}

py::object PyContract::verdict_object(const dq::Verdict& v) {
  if (!clean(v)) return py::cast(v);
  if (!clean_verdict_) clean_verdict_ = py::cast(dq::Verdict{});
  return clean_verdict_;
}

py::object PyContract::validate(py::handle record) {
  Lease lease(*this);
  PyReader reader;  // the dict is read in place, so the GIL stays held
  return verdict_object(dq::validate(*lease.validator, reader, record.ptr()));
}

py::list PyContract::validate_many(const py::iterable& records) {
  py::list out;
  Lease lease(*this);
  for (py::handle record : records) {
    PyReader reader;
    out.append(verdict_object(dq::validate(*lease.validator, reader, record.ptr())));
  }
  return out;
}

py::object PyContract::validate_json(std::string_view json) {
  Lease lease(*this);
  const dq::Verdict* verdict = nullptr;
  {
    py::gil_scoped_release release;
    verdict = &lease.validator->validate_json(json);
  }
  return verdict_object(*verdict);
}

std::vector<std::pair<std::size_t, dq::Verdict>> PyContract::validate_batch(const py::list& elements) {
  RecordTexts batch(elements, RecordTexts::Dicts::kInPlace);
  std::vector<std::pair<std::size_t, dq::Verdict>> out = batch.not_record_verdicts();
  Lease lease(*this);
  for (const auto& [position, dict] : batch.dicts) {
    PyReader reader;
    const dq::Verdict& v = dq::validate(*lease.validator, reader, dict.ptr());
    if (!clean(v)) out.emplace_back(position, v);
  }
  {
    py::gil_scoped_release release;
    for (std::size_t k = 0; k < batch.texts.size(); ++k) {
      const dq::Verdict& v = lease.validator->validate_json(batch.texts[k]);
      if (!clean(v)) out.emplace_back(batch.position[k], v);
    }
  }
  if (!batch.not_records.empty() || !batch.dicts.empty()) {
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  return out;
}

NativeProfile PyContract::profile_batch(const py::list& elements) {
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

std::string PyContract::check_drift(const NativeProfile& baseline, const NativeProfile& current) {
  py::gil_scoped_release release;
  return dq::drift_to_json(dq::check_drift(contract_, *baseline.profile, *current.profile));
}

NativeReport PyContract::validate_file(const std::string& path, const std::string& format, const RunOptions& run) {
  NativeReport out;
  dq::StreamOptions options;
  options.format = format == "csv" ? dq::InputFormat::kCsv : dq::InputFormat::kAuto;
  options.report = run.report();
  options.threads = run.threads;
  std::ofstream rejects;
  if (!run.rejects.empty()) {
    rejects.open(run.rejects, std::ios::binary | std::ios::trunc);
    if (!rejects) raise_status(dq::Status(dq::StatusCode::kIoError, "cannot write rejects file '" + run.rejects + "'"));
  }
  options.on_reject = [sink = FailureSink{run.max_failures, &out}, &rejects,
                       &path](const dq::RecordEvent& event) mutable {
    sink(event);
    if (rejects.is_open()) rejects << dq::reject_line(event, path) << '\n';
  };
  std::shared_ptr<ProgressCallback> progress;
  if (!run.progress.is_none()) {
    progress = std::make_shared<ProgressCallback>(run.progress);
    options.on_progress = [progress](std::uint64_t records, std::uint64_t bytes) { (*progress)(records, bytes); };
    options.progress_every = run.progress_every;
  }
  dq::Result<dq::Report> report = [&] {
    py::gil_scoped_release release;
    return dq::validate_file(contract_, path, options);
  }();
  if (progress) progress->rethrow();
  if (!report.ok()) raise_status(report.status());
  if (rejects.is_open() && !rejects.flush()) {
    raise_status(dq::Status(dq::StatusCode::kIoError, "writing rejects file '" + run.rejects + "' failed"));
  }
  return finish(std::move(*report), run, std::move(out));
}

NativeReport PyContract::validate_ndjson_bytes(std::string_view data, const RunOptions& run) {
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
  if (run.keep_state) out.state = builder.save_state();
  return finish(builder.finish(), run, std::move(out));
}

NativeReport PyContract::validate_arrow_stream(py::capsule capsule, const RunOptions& run) {
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
  if (run.keep_state) out.state = builder.save_state();
  return finish(builder.finish(), run, std::move(out));
}

NativeReport PyContract::validate_arrow_slices(const std::vector<py::capsule>& capsules, const RunOptions& run) {
  std::vector<ArrowArrayStream> streams;
  for (const py::capsule& capsule : capsules) {
    if (std::string_view(capsule.name() ? capsule.name() : "") != "arrow_array_stream") {
      throw py::type_error("expected an 'arrow_array_stream' capsule");
    }
    auto* source = capsule.get_pointer<ArrowArrayStream>();
    if (source == nullptr || source->release == nullptr) throw py::value_error("the Arrow stream was already consumed");
  }
  for (const py::capsule& capsule : capsules) {
    auto* source = capsule.get_pointer<ArrowArrayStream>();
    streams.push_back(*source);
    source->release = nullptr;  // ours now: the capsule's destructor must not release it
  }
  // Each slice numbers its rows from 1 in its own builder; appending in order
  // renumbers them as one builder that read the whole table would have.
  struct Slice {
    NativeReport failures;
    std::optional<dq::ReportBuilder> builder;
    dq::Status status;
  };
  std::vector<Slice> slices(streams.size());
  {
    py::gil_scoped_release release;
    std::vector<std::thread> threads;
    for (std::size_t k = 0; k < streams.size(); ++k) {
      threads.emplace_back([&, k] {
        Slice& slice = slices[k];
        dq::ArrowOptions options;
        options.on_reject = FailureSink{run.max_failures, &slice.failures};
        Lease lease(*this);
        slice.builder.emplace(contract_, run.report());
        slice.status = dq::validate_arrow_stream(*lease.validator, streams[k], *slice.builder, options);
        streams[k].release(&streams[k]);
      });
    }
    for (std::thread& t : threads) t.join();
  }
  for (const Slice& slice : slices) {
    if (!slice.status.ok()) raise_status(slice.status);
  }
  // The first slice's failures are numbered as the whole table's already:
  // they are taken as they are, the others appended after them.
  NativeReport out = std::move(slices.front().failures);
  dq::ReportBuilder& whole = *slices.front().builder;
  for (std::size_t k = 1; k < slices.size(); ++k) {
    const std::uint64_t before = whole.counts().total;
    std::vector<Failure>& more = slices[k].failures.failures;
    const std::size_t taken = std::min(more.size(), run.max_failures - out.failures.size());
    out.failures.reserve(out.failures.size() + taken);
    for (std::size_t i = 0; i < taken; ++i) {
      more[i].record += before;
      out.failures.push_back(std::move(more[i]));
    }
    out.failures_truncated |= taken < more.size() || slices[k].failures.failures_truncated;
    whole.append(*slices[k].builder);
  }
  if (run.keep_state) out.state = whole.save_state();
  return finish(whole.finish(), run, std::move(out));
}

void ProgressCallback::operator()(std::uint64_t records, std::uint64_t bytes) {
  py::gil_scoped_acquire acquire;
  if (error_) return;  // it failed once: the run goes on, the error waits for rethrow()
  try {
    callable_(records, bytes);
  } catch (py::error_already_set& e) {
    error_ = std::move(e);
  }
}

void ProgressCallback::rethrow() {
  if (error_) {
    py::error_already_set e = std::move(*error_);
    error_.reset();
    throw e;
  }
}

NativeReport PyContract::merge_states(const std::vector<std::string>& states, const RunOptions& run) {
  if (states.empty()) throw py::value_error("no report parts to merge");
  dq::Result<dq::ReportBuilder> merged = [&]() -> dq::Result<dq::ReportBuilder> {
    py::gil_scoped_release release;
    auto first = dq::ReportBuilder::from_state(contract_, run.report(), states.front());
    if (!first.ok()) return first.status();
    for (std::size_t i = 1; i < states.size(); ++i) {
      auto part = dq::ReportBuilder::from_state(contract_, run.report(), states[i]);
      if (!part.ok()) return part.status();
      first->append(*part);
    }
    return first;
  }();
  if (!merged.ok()) raise_status(merged.status());
  NativeReport out;
  if (run.keep_state) out.state = merged->save_state();
  return finish(merged->finish(), run, std::move(out));
}

NativeReport PyContract::finish(dq::Report report, const RunOptions& run, NativeReport out) {
  if (!run.history.empty() && contract_.has_monitors()) {
    dq::Status status = [&] {
      py::gil_scoped_release release;
      auto history = dq::MetricHistory::open(run.history);
      return history.ok() ? dq::run_monitors(contract_, *history, report, run.as_of_micros) : history.status();
    }();
    if (!status.ok()) raise_status(status);
  }
  out.json = report.to_json(-1);
  out.text = report.to_text();
  if (report.profile) out.profile = NativeProfile{report.profile};
  return out;
}

void bind_contract(py::module_& m) {
  m.def(
      "infer",
      [](const std::vector<std::string>& paths, const std::string& dataset, std::uint64_t sample,
         const std::string& strictness, const std::string& format, const std::string& baseline) {
        dq::InferOptions options = infer_options(sample, strictness, format);
        options.dataset = dataset;
        options.baseline = baseline;
        dq::Result<dq::InferredContract> inferred = [&] {
          py::gil_scoped_release release;
          return dq::infer_contract(paths, options);
        }();
        if (!inferred.ok()) raise_status(inferred.status());
        return py::make_tuple(inferred->yaml, inferred->records, inferred->malformed, inferred->malformed_samples);
      },
      py::arg("paths"), py::arg("dataset"), py::arg("sample"), py::arg("strictness"), py::arg("format"),
      py::arg("baseline"));

  m.def(
      "convert_contract",
      [](const std::string& path, const std::string& format, bool import) {
        const dq::ContractFormat f = contract_format(format);
        dq::Result<dq::ExportedContract> result = [&] {
          py::gil_scoped_release release;
          return import ? dq::import_contract(path, f) : dq::export_contract(path, f);
        }();
        return converted(result);
      },
      py::arg("path"), py::arg("format"), py::arg("import_"));

  m.def(
      "update_contract",
      [](const std::string& contract_path, const std::vector<std::string>& paths, std::uint64_t sample,
         const std::string& strictness, const std::string& format) {
        const dq::InferOptions options = infer_options(sample, strictness, format);
        dq::Result<dq::ContractUpdate> update = [&] {
          py::gil_scoped_release release;
          return dq::update_contract(contract_path, paths, options);
        }();
        if (!update.ok()) raise_status(update.status());
        return py::make_tuple(update->yaml, update->changes, update->records, update->malformed);
      },
      py::arg("contract_path"), py::arg("paths"), py::arg("sample"), py::arg("strictness"), py::arg("format"));

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
      .def_readwrite("baseline", &RunOptions::baseline)
      .def_readwrite("rejects", &RunOptions::rejects)
      .def_readwrite("progress", &RunOptions::progress)
      .def_readwrite("progress_every", &RunOptions::progress_every)
      .def_readwrite("history", &RunOptions::history)
      .def_readwrite("as_of_micros", &RunOptions::as_of_micros)
      .def_readwrite("keep_state", &RunOptions::keep_state);

  py::class_<NativeReport>(m, "NativeReport")
      .def_readonly("json", &NativeReport::json)
      .def_readonly("text", &NativeReport::text)
      .def_readonly("failures", &NativeReport::failures)
      .def_readonly("failures_truncated", &NativeReport::failures_truncated)
      .def_property_readonly("state", [](const NativeReport& r) { return py::bytes(r.state); })
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
      .def("validate_many", &PyContract::validate_many, py::arg("records"))
      .def("validate_json", [](PyContract& c, py::bytes data) { return c.validate_json(std::string_view(data)); })
      .def("validate_json", [](PyContract& c, const std::string& text) { return c.validate_json(text); })
      .def("validate_file", &PyContract::validate_file)
      .def("validate_ndjson_bytes",
           [](PyContract& c, py::bytes data, const RunOptions& run) {
             return c.validate_ndjson_bytes(std::string_view(data), run);
           })
      .def("validate_arrow_stream", &PyContract::validate_arrow_stream)
      .def("merge_states", &PyContract::merge_states, py::arg("states"), py::arg("options"))
      .def("validate_arrow_slices", &PyContract::validate_arrow_slices, py::arg("streams"), py::arg("options"))
      .def("validate_batch", &PyContract::validate_batch, py::arg("elements"))
      .def("profile_batch", &PyContract::profile_batch, py::arg("elements"))
      .def("check_drift", &PyContract::check_drift, py::arg("baseline"), py::arg("current"))
      .def("grade", &PyContract::grade, py::arg("paths"), py::arg("format"), py::arg("output"), py::arg("rejects"),
           py::arg("max_state_mb"), py::arg("progress") = py::none(), py::arg("progress_every") = 100000);
}

}  // namespace dq_python
