#include "spec/diagnostics.h"

#include <algorithm>

namespace dq::spec {

const char* type_name(Type type) {
  switch (type) {
    case Type::kString: return "string";
    case Type::kInteger: return "integer";
    case Type::kNumber: return "number";
    case Type::kBoolean: return "boolean";
    case Type::kTimestamp: return "timestamp";
    case Type::kDate: return "date";
    case Type::kObject: return "object";
    case Type::kArray: return "array";
    case Type::kAny: return "any";
  }
  return "?";
}

std::string type_with_article(Type type) {
  switch (type) {
    case Type::kInteger:
    case Type::kObject:
    case Type::kArray: return std::string("an ") + type_name(type);
    case Type::kAny: return "any value";
    default: return std::string("a ") + type_name(type);
  }
}

std::string param_limits_text(const Param& p) {
  std::string out;
  if (p.min && p.max) {
    out = p.min->text + " to " + p.max->text;
  } else if (p.min) {
    out = "at least " + p.min->text;
  } else if (p.max) {
    out = "at most " + p.max->text;
  }
  if (!p.allowed.empty()) {
    std::string list;
    for (const Scalar& v : p.allowed) list += (list.empty() ? "" : ", ") + v.text;
    out += (out.empty() ? "one of " : "; one of ") + list;
  }
  return out;
}

void Diagnostics::add(Span at, Severity severity, std::string message) {
  items_.push_back(Diagnostic{file_, at.line, at.column, severity, std::move(message), ""});
}

bool Diagnostics::has_errors() const {
  return std::any_of(items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

std::vector<Diagnostic> Diagnostics::sorted() const {
  std::vector<Diagnostic> out = items_;
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  return out;
}

// Optimal string alignment distance: insertions, deletions, substitutions and
// transpositions of neighbours each cost 1 ("emial" is 1 from "email").
static std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string* best = nullptr;
  std::size_t best_distance = 0;
  for (const std::string& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (!best || d < best_distance) best = &c, best_distance = d;
  }
  // Close enough to be a typo: at most a third of the word, and at least 1 edit.
  if (best && best_distance <= std::max<std::size_t>(1, word.size() / 3)) {
    return " (did you mean '" + *best + "'?)";
  }
  return "";
}

}  // namespace dq::spec
