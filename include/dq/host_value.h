// Validation of a record held in another runtime's objects (a Python dict,
// ...), read in place: the same engine, checks and messages as JSON bytes,
// with no JSON text written and parsed in between.
//
// The host implements a HostReader over its own values; the engine asks it
// what each value is as it walks the contract's fields, and reads an object's
// keys and an array's elements through it, in the host's order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dq/export.h"
#include "dq/validator.h"

namespace dq {

class HostReader {
 public:
  using Handle = const void*;  // one of the host's values, as the host knows it

  // One value: its kind, and a scalar's content. A string's bytes must be
  // valid UTF-8 and stay readable until the walk of the record ends. A
  // kDouble may carry in `s` the number's exact text (an integer beyond 64
  // bits), which messages then show.
  struct Item {
    enum class Kind { kNull, kBool, kInt, kUnsigned, kDouble, kString, kObject, kArray };
    Kind kind = Kind::kNull;
    bool b = false;
    std::int64_t i = 0;
    std::uint64_t u = 0;
    double d = 0;
    std::string_view s;
  };

  class FieldSink {
   public:
    // false stops the walk (the engine has recorded why).
    virtual bool field(std::string_view key, Handle value) = 0;

   protected:
    ~FieldSink() = default;
  };
  class ElementSink {
   public:
    virtual bool element(Handle value) = 0;

   protected:
    ~ElementSink() = default;
  };

  virtual ~HostReader() = default;
  // Reads one value; false with `why` set when it is not a JSON value (the
  // record is then malformed with that message).
  virtual bool read(Handle value, Item& out, std::string& why) = 0;
  // Each key (valid UTF-8, readable until the walk ends) and value of an
  // object read as kObject, in order. False when the sink stopped (`why`
  // untouched) or the host failed (`why` set).
  virtual bool fields(Handle object, FieldSink& sink, std::string& why) = 0;
  // Each element of an array read as kArray, in order; false as for fields.
  virtual bool elements(Handle array, ElementSink& sink, std::string& why) = 0;
};

// Validates the record `record` read through `reader`; the reference stays
// valid until the validator's next call. Numbers keep the host's kinds: an
// integer-valued double such as 3.0 counts as an integer, as in JSON text.
DQ_EXPORT const Verdict& validate(Validator& validator, HostReader& reader, HostReader::Handle record);

}  // namespace dq
