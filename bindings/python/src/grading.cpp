// Grading from Python: a whole run over files (dq.Contract.grade) and
// dq::GradeParts for engines that group records themselves (dq.beam.Grade).
#include <pybind11/stl.h>

#include <memory>
#include <mutex>

#include "contract.h"
#include "convert.h"

namespace dq_python {
namespace {

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

}  // namespace

NativeGrade PyContract::grade(const std::vector<std::string>& paths, const std::string& format,
                              const std::string& output, const std::string& rejects, std::size_t max_state_mb,
                              const py::object& progress, std::uint64_t progress_every) {
  dq::GradeOptions options;
  options.format = format == "csv"       ? dq::InputFormat::kCsv
                   : format == "ndjson"  ? dq::InputFormat::kNdjson
                   : format == "rejects" ? dq::InputFormat::kRejects
                                         : dq::InputFormat::kAuto;
  options.output = output;
  options.rejects = rejects;
  options.max_state_bytes = max_state_mb << 20;
  std::shared_ptr<ProgressCallback> callback;
  if (!progress.is_none()) {
    callback = std::make_shared<ProgressCallback>(progress);
    options.on_progress = [callback](std::uint64_t records, std::uint64_t bytes) { (*callback)(records, bytes); };
    options.progress_every = progress_every;
  }
  dq::Result<dq::GradeRun> run = [&]() -> dq::Result<dq::GradeRun> {
    py::gil_scoped_release release;
    auto grader = dq::BatchGrader::create(contract_, options);
    if (!grader.ok()) return grader.status();
    for (const std::string& path : paths) {
      if (dq::Status st = grader->add_file(path); !st.ok()) return st;
    }
    return grader->finish();
  }();
  if (callback) callback->rethrow();
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

void bind_grading(py::module_& m) {
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
}

}  // namespace dq_python
