#include "convert.h"

namespace dq_python {
namespace {

[[noreturn]] void raise(const char* name, py::object error) {
  py::object cls = py::module_::import("dq._errors").attr(name);
  PyErr_SetObject(cls.ptr(), error.ptr());
  throw py::error_already_set();
}

}  // namespace

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

bool PyReader::text_of(PyObject* text, std::string_view& out, std::string& why) {
  // An ASCII str (most keys and values) holds its UTF-8 already, after its header.
  if (PyUnicode_IS_COMPACT_ASCII(text)) {
    out = std::string_view(static_cast<const char*>(PyUnicode_DATA(text)),
                           static_cast<std::size_t>(PyUnicode_GET_LENGTH(text)));
    return true;
  }
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(text, &size);
  if (data == nullptr) {  // lone surrogates: not UTF-8
    PyErr_Clear();
    why = "a str that is not valid Unicode (it holds lone surrogates)";
    return false;
  }
  out = std::string_view(data, static_cast<std::size_t>(size));
  return true;
}

bool PyReader::read(Handle value, Item& out, std::string& why) {
  auto* v = static_cast<PyObject*>(const_cast<void*>(value));
  // The exact built-in types first, by their type object: PyFloat_Check on a
  // str is a call (it walks the str's bases); subclasses take the tests below.
  PyTypeObject* type = Py_TYPE(v);
  if (type == &PyUnicode_Type) {
    out.kind = Item::Kind::kString;
    return text_of(v, out.s, why);
  }
  if (type == &PyFloat_Type) {
    out.kind = Item::Kind::kDouble;
    out.d = PyFloat_AS_DOUBLE(v);
    return true;
  }
  if (type == &PyDict_Type) {
    out.kind = Item::Kind::kObject;
    return true;
  }
  if (type == &PyList_Type) {
    out.kind = Item::Kind::kArray;
    return true;
  }
  if (v == Py_None) {
    out.kind = Item::Kind::kNull;
  } else if (PyBool_Check(v)) {
    out.kind = Item::Kind::kBool;
    out.b = v == Py_True;
  } else if (PyLong_Check(v)) {
    int overflow = 0;
    long long i = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow == 0) {
      out.kind = Item::Kind::kInt;
      out.i = i;
    } else if (overflow > 0 && (out.u = PyLong_AsUnsignedLongLong(v), !PyErr_Occurred())) {
      out.kind = Item::Kind::kUnsigned;
    } else {  // beyond 64 bits: a number all the same
      PyErr_Clear();
      out.kind = Item::Kind::kDouble;
      out.d = PyLong_AsDouble(v);
      if (PyErr_Occurred()) {
        PyErr_Clear();
        why = "an int too large for any number";
        return false;
      }
      kept_.push_back(py::str(v));  // its exact digits, for messages
      return text_of(kept_.back().ptr(), out.s, why);
    }
  } else if (PyFloat_Check(v)) {
    out.kind = Item::Kind::kDouble;
    out.d = PyFloat_AS_DOUBLE(v);
  } else if (PyUnicode_Check(v)) {
    out.kind = Item::Kind::kString;
    return text_of(v, out.s, why);
  } else if (PyDict_Check(v)) {
    out.kind = Item::Kind::kObject;
  } else if (PyList_Check(v) || PyTuple_Check(v)) {
    out.kind = Item::Kind::kArray;
  } else {
    // datetime, date, Decimal, ...: their ISO text, as a JSON encoder would write.
    py::handle h(v);
    try {
      py::object text = py::hasattr(h, "isoformat") ? h.attr("isoformat")() : py::str(h);
      if (!PyUnicode_Check(text.ptr())) text = py::str(text);
      out.kind = Item::Kind::kString;
      kept_.push_back(std::move(text));
      return text_of(kept_.back().ptr(), out.s, why);
    } catch (const py::error_already_set& error) {
      why = std::string("a ") + Py_TYPE(v)->tp_name + " that cannot be read: " + error.what();
      return false;
    }
  }
  return true;
}

bool PyReader::fields(Handle object, FieldSink& sink, std::string& why) {
  auto* dict = static_cast<PyObject*>(const_cast<void*>(object));
  Py_ssize_t pos = 0;
  PyObject* key = nullptr;
  PyObject* value = nullptr;
  while (PyDict_Next(dict, &pos, &key, &value)) {
    std::string_view text;
    if (PyUnicode_Check(key)) {
      if (!text_of(key, text, why)) return false;
    } else {
      try {
        kept_.push_back(py::str(key));
      } catch (const py::error_already_set& error) {
        why = std::string("a dict key that cannot be read: ") + error.what();
        return false;
      }
      if (!text_of(kept_.back().ptr(), text, why)) return false;
    }
    if (!sink.field(text, value)) return false;
  }
  return true;
}

bool PyReader::elements(Handle array, ElementSink& sink, std::string&) {
  auto* sequence = static_cast<PyObject*>(const_cast<void*>(array));
  // A list or a tuple (read() says so); its size is read again each time, as
  // an element's isoformat() or str() could change the list.
  for (Py_ssize_t k = 0; k < PySequence_Fast_GET_SIZE(sequence); ++k) {
    if (!sink.element(PySequence_Fast_GET_ITEM(sequence, k))) return false;
  }
  return true;
}

RecordTexts::RecordTexts(const py::list& elements, Dicts dict_handling) {
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
    } else if (PyDict_Check(e.ptr()) && dict_handling == Dicts::kInPlace) {
      dicts.emplace_back(i, e);
    } else if (PyDict_Check(e.ptr())) {
      try {
        add(i, owned.emplace_back(to_json(e, 0).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
      } catch (const py::error_already_set& error) {
        not_records.emplace_back(i, std::string("a dict that cannot be read: ") + error.what());
      } catch (const py::value_error& error) {
        not_records.emplace_back(i, error.what());
      }
    } else {
      not_records.emplace_back(
          i, "not a record: " + std::string(Py_TYPE(e.ptr())->tp_name) + " (records are JSON bytes or str, or dicts)");
    }
  }
}

std::vector<std::pair<std::size_t, dq::Verdict>> RecordTexts::not_record_verdicts() const {
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

py::object cell_object(const dq::GradeCell& c) {
  switch (c.kind) {
    case dq::GradeCell::Kind::kBool: return py::bool_(c.b);
    case dq::GradeCell::Kind::kInt: return py::int_(c.i);
    case dq::GradeCell::Kind::kNumber: return py::float_(c.d);
    case dq::GradeCell::Kind::kString: return py::str(c.s);
    default: return py::none();
  }
}

}  // namespace dq_python
