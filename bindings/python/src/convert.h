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
#include "dq/host_value.h"

namespace dq_python {

namespace py = pybind11;

// Raises dq.ContractError / dq.DataError (defined in Python, dq/_errors.py),
// or OSError for an I/O error.
[[noreturn]] void raise_status(const dq::Status& status);

// Python values to nlohmann::json (dicts in a batch to profile).
nlohmann::json to_json(py::handle value, std::size_t depth);

// Python values read in place by the record engine (Contract.validate(dict)),
// with the GIL held: None, bool, int, float, str, dicts (keys as str()),
// lists and tuples as JSON; anything else as its isoformat() (datetime, date,
// time) or str() (Decimal, UUID, ...), as a JSON encoder would write it.
class PyReader final : public dq::HostReader {
 public:
  bool read(Handle value, Item& out, std::string& why) override;
  bool fields(Handle object, FieldSink& sink, std::string& why) override;
  bool elements(Handle array, ElementSink& sink, std::string& why) override;

 private:
  bool text_of(PyObject* text, std::string_view& out, std::string& why);
  std::vector<py::object> kept_;  // texts made for this record (str() of keys, isoformat()), alive to the end
};

// The elements of a batch (a Beam bundle) as JSON texts: bytes and str as
// they are, dicts encoded (or listed in `dicts`, for a caller that reads them
// in place). Anything else cannot be a record: it is listed with the reason,
// so the caller can reject it rather than fail the batch.
struct RecordTexts {
  std::vector<std::string_view> texts;
  std::vector<std::size_t> position;  // of each text in the batch
  std::vector<std::pair<std::size_t, py::handle>> dicts;
  std::vector<std::pair<std::size_t, std::string>> not_records;
  std::deque<std::string> owned;  // encoded dicts and copied buffers (stable addresses)

  enum class Dicts { kEncode, kInPlace };
  // With the GIL held; `elements` outlives this.
  explicit RecordTexts(const py::list& elements, Dicts dicts = Dicts::kEncode);
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
