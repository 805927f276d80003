// Status and Result<T>: dq's errors are values (the StatusOr shape).
//
// A failing *record* is never an error: it is data in a Verdict or a Report.
// Errors are reserved for what stops dq from running at all: a contract that
// does not load, a file that cannot be read, an argument out of range.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "dq/export.h"

namespace dq {

enum class StatusCode {
  kOk = 0,
  kInvalidContract,  // the contract has errors; see diagnostics()
  kInvalidArgument,  // a parameter or option is wrong
  kIoError,          // a file could not be read or written
  kInvalidData,      // a batch that cannot be read at all: an inconsistent Arrow layout, a column that does not fit
  kLimitExceeded,    // a documented budget ran out (the grader's per-entity state)
};

enum class Severity { kError, kWarn };
DQ_EXPORT const char* to_string(Severity severity);  // "error", "warn": the word contracts and reports use

// One finding about a contract, located as `file:line:column` (1-based).
struct DQ_EXPORT Diagnostic {
  std::string file;
  int line = 0;
  int column = 0;
  Severity severity = Severity::kError;
  std::string message;
  std::string rule;  // policy findings: the rule id that can be suppressed

  // "file:line:col: error: message", then " [rule]" for policy findings
  std::string to_string() const;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, std::vector<Diagnostic> diagnostics = {})
      : code_(code), message_(std::move(message)), diagnostics_(std::move(diagnostics)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // For kInvalidContract: every finding, errors and warnings, in file order.
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  // The message followed by one line per diagnostic. (Exported alone: an
  // export macro cannot stand beside [[nodiscard]] on the class.)
  DQ_EXPORT std::string to_string() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::vector<Diagnostic> diagnostics_;
};

// Either a T or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace dq
