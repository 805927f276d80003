// Policy lint: house rules over a contract as written, on top of the schema
// and compile checks, each finding with its rule id and position.
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "dq/governance.h"
#include "governance/read.h"
#include "spec/diagnostics.h"

namespace dq {
namespace {

using spec::Field;
using spec::Span;

struct RuleInfo {
  const char* id;
  std::optional<Severity> level;  // nullopt: off by default
  const char* what;
};

const std::vector<RuleInfo>& rule_table() {
  static const std::vector<RuleInfo> kRules = {
      {"owner-contact", Severity::kError, "the owner names a team and a contact"},
      {"pii-classified", Severity::kError, "every pii field is classified confidential or restricted"},
      {"semver", Severity::kError, "version is semantic: MAJOR.MINOR.PATCH"},
      {"required-description", Severity::kWarn, "required fields have a description"},
      {"anchored-id-pattern", Severity::kWarn, "patterns on id-like fields are anchored (^...$)"},
      {"dataset-description", Severity::kWarn, "the contract has a description"},
      {"dataset-classification", Severity::kWarn, "the contract has a classification"},
      {"consumers-listed", std::nullopt, "the contract names its consumers"},
      {"field-description", std::nullopt, "every field has a description"},
      {"rule-description", std::nullopt, "every rule has a description"},
      {"dataset-pattern", Severity::kError, "the dataset id matches the policy's dataset_pattern (when set)"},
  };
  return kRules;
}

std::vector<std::string> rule_ids() {
  std::vector<std::string> ids;
  for (const auto& r : rule_table()) ids.push_back(r.id);
  return ids;
}

class PolicyCheck {
 public:
  PolicyCheck(const Policy& policy, const std::string& file, std::vector<Diagnostic>& out)
      : policy_(policy), file_(file), out_(out), id_fields_(policy.id_fields) {}

  void run(const spec::Contract& c) {
    const Span top = c.dataset_span.line > 0 ? c.dataset_span : Span{1, 1};
    if (!c.owner || c.owner->team.empty()) {
      find("owner-contact", top, "the contract has no owner: add owner: {team: ..., contact: ...}");
    } else if (c.owner->contact.empty()) {
      find("owner-contact", c.owner->span, "owner '" + c.owner->team + "' has no contact (an email or channel)");
    }
    if (!is_semver(c.version)) {
      find("semver", c.version_span, "version '" + c.version + "' is not MAJOR.MINOR.PATCH (dq diff reads the major)");
    }
    if (c.description.empty()) find("dataset-description", top, "the contract has no description");
    if (!c.classification) {
      find("dataset-classification", top,
           "the contract has no classification (public, internal, confidential, restricted)");
    }
    if (c.consumers.empty()) find("consumers-listed", top, "the contract names no consumers");
    if (!policy_.dataset_pattern.empty()) {
      RE2 pattern(policy_.dataset_pattern, RE2::Quiet);
      if (pattern.ok() && !RE2::PartialMatch(c.dataset, pattern)) {
        find("dataset-pattern", c.dataset_span,
             "dataset '" + c.dataset + "' does not match the house pattern " + policy_.dataset_pattern);
      }
    }
    for (const Field& f : c.fields) field(f, f.name);
    for (const auto& r : c.rules) {
      if (r.description.empty()) find("rule-description", r.span, "rule '" + r.name + "' has no description");
    }
  }

 private:
  void field(const Field& f, const std::string& path) {
    if (f.pii) {
      std::string level = f.classification ? f.classification->text : "";
      if (level != "confidential" && level != "restricted") {
        find("pii-classified", f.classification ? f.classification->span : f.span,
             "pii field '" + path + "' must be classified confidential or restricted" +
                 (level.empty() ? std::string(", and has no classification") : ", not " + level));
      }
    }
    if (f.description.empty()) {
      if (f.required) {
        find("required-description", f.span, "required field '" + path + "' has no description");
      } else {
        find("field-description", f.span, "field '" + path + "' has no description");
      }
    }
    if (f.pattern && !f.pattern->is_param() && id_fields_.ok()) {
      const std::string leaf =
          path.substr(path.find_last_of(".]") == std::string::npos ? 0 : path.find_last_of(".]") + 1);
      const std::string& p = f.pattern->text;
      bool anchored = !p.empty() && (p.front() == '^' || p.rfind("\\A", 0) == 0) &&
                      (p.back() == '$' || (p.size() > 1 && p.substr(p.size() - 2) == "\\z"));
      if (!anchored && (f.unique || RE2::PartialMatch(leaf, id_fields_))) {
        find("anchored-id-pattern", f.pattern->span,
             "pattern on id field '" + path + "' is not anchored: '" + p + "' also matches longer values; write ^...$");
      }
    }
    for (const Field& child : f.fields) field(child, path + "." + child.name);
    for (const Field& item : f.items) field(item, path + "[]");
  }

  static bool is_semver(const std::string& v) {
    static const RE2 kSemver(R"(^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$)");
    return RE2::FullMatch(v, kSemver);
  }

  void find(const std::string& rule, Span at, const std::string& message) {
    auto it = policy_.rules.find(rule);
    if (it == policy_.rules.end()) return;
    out_.push_back(Diagnostic{file_, at.line, at.column, it->second, message, rule});
  }

  const Policy& policy_;
  const std::string& file_;
  std::vector<Diagnostic>& out_;
  RE2 id_fields_;
};

// `# dq-lint: disable=a,b` on the finding's line or the line above, or
// `# dq-lint: disable-file=a` anywhere.
bool suppressed(const std::vector<std::string>& lines, const Diagnostic& d) {
  auto names = [&](const std::string& line, const std::string& directive) {
    std::size_t at = line.find("dq-lint: " + directive + "=");
    if (at == std::string::npos) return false;
    std::string list = line.substr(at + directive.size() + 10);
    std::stringstream in(list);
    std::string id;
    while (std::getline(in, id, ',')) {
      id.erase(std::remove_if(id.begin(), id.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }),
               id.end());
      if (id == d.rule || id == "all") return true;
    }
    return false;
  };
  for (const std::string& line : lines) {
    if (names(line, "disable-file")) return true;
  }
  auto at = [&](int l) { return l >= 1 && l <= static_cast<int>(lines.size()) ? lines[l - 1] : std::string(); };
  if (names(at(d.line), "disable")) return true;
  // The line above counts only when it is a comment of its own.
  const std::string above = at(d.line - 1);
  const std::size_t first = above.find_first_not_of(" \t");
  return first != std::string::npos && above[first] == '#' && names(above, "disable");
}

}  // namespace

Policy Policy::defaults() {
  Policy p;
  for (const auto& r : rule_table()) {
    if (r.level) p.rules[r.id] = *r.level;
  }
  return p;
}

const std::vector<std::pair<std::string, std::string>>& Policy::catalog() {
  static const std::vector<std::pair<std::string, std::string>> kCatalog = [] {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& r : rule_table()) {
      out.emplace_back(r.id, std::string(r.level ? to_string(*r.level) : "off") + ": " + r.what);
    }
    return out;
  }();
  return kCatalog;
}

Result<Policy> Policy::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::kIoError, "cannot read policy '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  spec::Diagnostics diags(path);
  Policy policy = defaults();
  auto span = [](const YAML::Node& n) { return Span{n.Mark().line + 1, n.Mark().column + 1}; };
  try {
    YAML::Node root = YAML::Load(text.str());
    if (!root.IsMap()) {
      diags.error({1, 1}, "a policy is a mapping: {policy: 1, rules: {rule-id: error|warn|off}}");
    } else {
      for (auto it = root.begin(); it != root.end(); ++it) {
        const std::string key = it->first.Scalar();
        const YAML::Node v = it->second;
        if (key == "policy") {
          if (!v.IsScalar() || v.Scalar() != "1")
            diags.error(span(v), "unsupported policy format (this dq reads policy: 1)");
        } else if (key == "dataset_pattern" || key == "id_fields") {
          std::string value = v.IsScalar() ? v.Scalar() : "";
          RE2 check(value, RE2::Quiet);
          if (!check.ok()) {
            diags.error(span(v), "'" + key + "' is not a valid RE2 pattern: " + check.error());
          } else {
            (key == "dataset_pattern" ? policy.dataset_pattern : policy.id_fields) = value;
          }
        } else if (key == "rules" && v.IsMap()) {
          for (auto r = v.begin(); r != v.end(); ++r) {
            const std::string id = r->first.Scalar();
            const std::string level = r->second.IsScalar() ? r->second.Scalar() : "";
            const auto ids = rule_ids();
            if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
              diags.error(span(r->first), "unknown policy rule '" + id + "'" + spec::did_you_mean(id, ids));
            } else if (level == "off") {
              policy.rules.erase(id);
            } else if (level == "error" || level == "warn") {
              policy.rules[id] = level == "error" ? Severity::kError : Severity::kWarn;
            } else {
              diags.error(span(r->second), "rule '" + id + "' must be error, warn or off, not '" + level + "'");
            }
          }
        } else {
          diags.error(span(it->first),
                      "unknown key '" + key + "' in the policy" +
                          spec::did_you_mean(key, {"policy", "rules", "dataset_pattern", "id_fields"}));
        }
      }
    }
  } catch (const YAML::Exception& e) {
    diags.error({e.mark.line + 1, e.mark.column + 1}, "invalid YAML: " + e.msg);
  }
  if (diags.has_errors()) return Status(StatusCode::kInvalidArgument, "invalid policy " + path, diags.sorted());
  return policy;
}

Result<std::vector<Diagnostic>> lint_file(const std::string& path, const Params& params, const Policy& policy) {
  auto findings = lint_file(path, params);
  if (!findings.ok()) return findings;
  auto read = read_contract(path, false);
  if (!read.ok()) return read.status();
  std::vector<Diagnostic> out = std::move(*findings);
  bool broken = std::any_of(out.begin(), out.end(), [](const Diagnostic& d) {
    // No contract to hold to the policy: not YAML, or not a mapping.
    return d.severity == Severity::kError &&
           (d.message.rfind("invalid YAML", 0) == 0 || d.message.rfind("the contract ", 0) == 0 ||
            d.message.rfind("contract is larger", 0) == 0);
  });
  if (!broken) {
    std::vector<Diagnostic> policy_findings;
    PolicyCheck(policy, path, policy_findings).run(read->spec);
    std::vector<std::string> lines;
    std::stringstream text(read->text);
    for (std::string line; std::getline(text, line);) lines.push_back(line);
    for (Diagnostic& d : policy_findings) {
      if (!suppressed(lines, d)) out.push_back(std::move(d));
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  return out;
}

}  // namespace dq
