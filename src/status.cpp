#include "dq/status.h"

namespace dq {

const char* to_string(Severity severity) { return severity == Severity::kError ? "error" : "warn"; }

std::string Diagnostic::to_string() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += severity == Severity::kError ? ": error: " : ": warning: ";
  out += message;
  if (!rule.empty()) out += " [" + rule + "]";
  return out;
}

std::string Status::to_string() const {
  std::string out = message_;
  for (const Diagnostic& d : diagnostics_) out += "\n" + d.to_string();
  return out;
}

}  // namespace dq
