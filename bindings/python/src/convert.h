// Conversions between Python and dq's C++ types, shared by the module's files.
#pragma once

#include <pybind11/pybind11.h>

#include <deque>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dq/dq.h"

namespace dq_python {

namespace py = pybind11;

// Raises dq.ContractError / dq.DataError (defined in Python, dq/_errors.py),
// or OSError for an I/O error.
[[noreturn]] void raise_status(const dq::Status& status);

// Python values to nlohmann::json, for Contract.validate(dict).
nlohmann::json to_json(py::handle value, std::size_t depth);

// The elements of a batch (a Beam bundle) as JSON texts: bytes and str as
// they are, dicts encoded. Anything else cannot be a record: it is listed
// with the reason, so the caller can reject it rather than fail the batch.
struct RecordTexts {
  std::vector<std::string_view> texts;
  std::vector<std::size_t> position;  // of each text in the batch
  std::vector<std::pair<std::size_t, std::string>> not_records;
  std::deque<std::string> owned;  // encoded dicts and copied buffers (stable addresses)

  explicit RecordTexts(const py::list& elements);  // with the GIL held; `elements` outlives this
  void add(std::size_t i, std::string_view text) {
    texts.push_back(text);
    position.push_back(i);
  }

  // The elements that are not records, as malformed verdicts by position.
  std::vector<std::pair<std::size_t, dq::Verdict>> not_record_verdicts() const;
};

// A graded export's cell as a Python value.
py::object cell_object(const dq::GradeCell& c);

}  // namespace dq_python
