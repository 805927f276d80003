// Collects contract diagnostics, all of them, with file:line:col.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dq/status.h"
#include "spec/spec.h"

namespace dq::spec {

class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  void error(Span at, std::string message) { add(at, Severity::kError, std::move(message)); }
  void warn(Span at, std::string message) { add(at, Severity::kWarn, std::move(message)); }
  void add(Span at, Severity severity, std::string message);

  bool has_errors() const;
  const std::string& file() const { return file_; }
  // Sorted by position; stable for findings at one position.
  std::vector<Diagnostic> sorted() const;

 private:
  std::string file_;
  std::vector<Diagnostic> items_;
};

// " (did you mean 'x'?)" for the closest candidate within a small edit
// distance, or "" when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace dq::spec
