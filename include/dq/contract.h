// Contract: a data contract loaded from YAML, checked and compiled.
//
// A Contract is immutable and thread-safe: copies are cheap and share one
// compiled program, so one Contract can serve every thread of a service.
// Mutable per-record scratch lives in a Validator (one per thread).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dq/export.h"
#include "dq/status.h"

namespace dq {

// Run-time values for the contract's `params`, as text ("5000",
// "2026-01-01T00:00:00Z", "true"); each is parsed by its declared type.
using Params = std::map<std::string, std::string>;

// Budgets for one record; a record past one is malformed, with the limit named.
// Sizes are checked on the values the contract declares (undeclared ones are
// only checked for well-formedness, within max_record_bytes and max_depth).
struct Limits {
  std::size_t max_record_bytes = 64u << 20;  // one JSON record (an NDJSON line)
  std::size_t max_depth = 256;               // nesting of arrays and objects
  std::size_t max_string_bytes = 16u << 20;  // one declared string value
  std::size_t max_array_items = 1000000;     // elements of one declared array
  std::size_t max_object_fields = 100000;    // keys of one declared object
  std::size_t max_value_chars = 120;         // a violation's value is cut to this
};

struct LoadOptions {
  Params params;
  Limits limits;
};

// One check the contract makes, as reports name it.
struct CheckInfo {
  std::string id;    // "order_id.pattern", "items[].qty.min", "rules.shipped_has_date"
  std::string path;  // schema path: "items[].qty"; "" for record rules
  std::string kind;  // "type", "required", "pattern", "min", ... or "rule"
  Severity severity = Severity::kError;
  double mostly = 1.0;  // fraction of non-null values that must pass, in batch reports
};

struct Program;  // the compiled form; private to the library

class DQ_EXPORT Contract {
 public:
  // Loads, checks and compiles a contract. On failure the Status has code
  // kInvalidContract and carries every diagnostic (not only the first), or
  // kIoError when the file cannot be read.
  static Result<Contract> load_file(const std::string& path, const LoadOptions& options = {});
  static Result<Contract> load_string(std::string_view yaml, const std::string& file_name,
                                      const LoadOptions& options = {});

  const std::string& dataset() const;
  const std::string& version() const;
  const std::string& title() const;
  // Warnings found while loading (the contract is usable).
  const std::vector<Diagnostic>& warnings() const;
  // Every check, indexed by Violation::check.
  const std::vector<CheckInfo>& checks() const;
  const Limits& limits() const;
  // The contract's drift.baseline as written ("" when none), and whether it
  // declares drift checks and monitors.
  const std::string& drift_baseline() const;
  bool has_drift() const;
  bool has_monitors() const;

 private:
  friend struct ContractAccess;  // the library's stages read the compiled program (src/compile/program.h)
  explicit Contract(std::shared_ptr<const Program> program) : program_(std::move(program)) {}
  std::shared_ptr<const Program> program_;
};

// Lints contract files: every error and warning, without compiling for data.
// The Status is kIoError when the file cannot be read; otherwise ok, with the
// findings in the returned vector (sorted by line).
DQ_EXPORT Result<std::vector<Diagnostic>> lint_file(const std::string& path, const Params& params = {});

// The C++ source of a screen for this contract (`dq codegen`): its keys,
// types and checks laid out as straight-line code that passes clean records
// without the general walk. Linked into a program built with the library's
// own build (dq_add_screen in CMake), it is taken by every Validator of a
// contract that generates the same text; every other record, and every
// message, is still the record engine's. See docs/screens.md.
DQ_EXPORT std::string screen_source(const Contract& contract);

}  // namespace dq
