// Validator: validates records against a Contract.
//
// Not thread-safe: a Validator owns the scratch (JSON parser, buffers, the
// current verdict) that makes validation allocation-free in the steady state.
// Use one Validator per thread; they may all share one Contract.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dq/contract.h"
#include "dq/export.h"

namespace dq {

struct Violation {
  std::string path;  // concrete path in the record: "items[3].qty"; "" for record rules
  std::string rule;  // check id, as CheckInfo::id
  Severity severity = Severity::kError;
  std::string message;      // "must be >= 1"
  std::string value;        // the offending value as JSON, cut to Limits::max_value_chars
  std::uint32_t check = 0;  // index into Contract::checks()
};

// The result for one record. `ok` is false when any error-severity check
// failed or the record is malformed; warnings alone keep it ok.
struct Verdict {
  bool ok = true;
  bool malformed = false;
  std::string error;             // why the record is malformed
  std::size_t error_offset = 0;  // byte offset of the error within the record
  std::vector<Violation> violations;
  // Values recovered by the contract's `coerce:` (each also a warning).
  std::uint32_t coerced = 0;

 private:
  friend struct VerdictAccess;  // the engines write it, reports count it (src/engine/verdict_access.h)
  // Fields with a `mostly` tolerance that held a non-null value in this
  // record (indices private to the contract).
  std::vector<std::uint32_t> observed_;
};

class DQ_EXPORT Validator {
 public:
  explicit Validator(Contract contract);
  ~Validator();
  Validator(Validator&&) noexcept;
  Validator& operator=(Validator&&) noexcept;

  // Validates one JSON document. The returned reference stays valid until the
  // next call on this Validator.
  const Verdict& validate_json(std::string_view json);

  // As validate_json, when the caller guarantees `capacity - json.size()` >= 64
  // readable bytes after the record (avoids a copy on the hot path).
  const Verdict& validate_json_padded(std::string_view json, std::size_t capacity);

  const Contract& contract() const;

 private:
  struct Impl;
  friend struct ValidatorAccess;  // the library's other entry points (dq/json.h)
  std::unique_ptr<Impl> impl_;
};

}  // namespace dq
