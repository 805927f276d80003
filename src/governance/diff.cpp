// dq diff: every change between two contracts, classified by what it does to
// the data each side accepts (narrows / widens) under the compatibility mode.
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "dq/governance.h"
#include "governance/diff_versions.h"
#include "governance/read.h"
#include "spec/writer.h"

namespace dq {
namespace {

using diffing::major_of;
using spec::Field;
using spec::Scalar;
using spec::Span;

std::optional<double> as_number(const Scalar& s) {
  if (s.quoted || s.is_param() || s.text.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(s.text.c_str(), &end);
  if (end != s.text.c_str() + s.text.size()) return std::nullopt;
  return v;
}

// -1, 0, 1; nullopt when the two cannot be ordered ($params, mixed kinds).
std::optional<int> order(const Scalar& a, const Scalar& b) {
  auto x = as_number(a), y = as_number(b);
  if (x && y) return *x < *y ? -1 : *x > *y ? 1 : 0;
  if (a.is_param() || b.is_param() || x || y) return std::nullopt;
  // Dates and timestamps written alike (ISO 8601) order as text.
  if (a.text.size() != b.text.size()) return std::nullopt;
  return a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
}

std::optional<long long> seconds(const std::string& delay) {
  if (delay.size() < 2) return std::nullopt;
  static const std::string kUnits = "smhd";
  static const long long kScale[] = {1, 60, 3600, 86400};
  std::size_t unit = kUnits.find(delay.back());
  if (unit == std::string::npos) return std::nullopt;
  try {
    return std::stoll(delay.substr(0, delay.size() - 1)) * kScale[unit];
  } catch (...) {
    return std::nullopt;
  }
}

std::string show(const std::optional<Scalar>& s) { return s ? s->text : std::string("(none)"); }

std::string list_text(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

class Differ {
 public:
  explicit Differ(ContractDiff& out) : out_(out) {}

  void run(const spec::Contract& o, const spec::Contract& n) {
    mode_ = n.compatibility;
    if (o.dataset != n.dataset) {
      fixed(ChangeLevel::kBreaking, "dataset", "dataset_renamed",
            "dataset id changed from " + o.dataset + " to " + n.dataset + " (consumers find the data by it)",
            o.dataset_span, n.dataset_span);
    }
    if (o.compatibility != n.compatibility) {
      fixed(ChangeLevel::kWarning, "compatibility", "compatibility_changed",
            "compatibility mode changed from " + o.compatibility + " to " + n.compatibility, {}, {});
    }
    text("title", o.title, n.title, {}, {});
    text("description", o.description, n.description, {}, {});
    owner(o, n);
    lists("stewards", o.stewards, n.stewards, ChangeLevel::kInfo);
    lists("consumers", o.consumers, n.consumers, ChangeLevel::kWarning);
    lists("tags", o.tags, n.tags, ChangeLevel::kInfo);
    classification("classification", o.classification, n.classification, {}, {});
    additional("additional_fields", o.additional_fields, n.additional_fields, {}, {});
    params(o, n);
    fields("fields.", o.fields, n.fields, o.additional_fields, n.additional_fields);
    rules(o, n);
    expectations(o, n);
    drift(o, n);
    monitors(o, n);
    sla(o, n);
    grading(o, n);
    if (o.version == n.version && !out_.changes.empty()) {
      fixed(ChangeLevel::kWarning, "version", "version_not_bumped",
            "the contract changed but its version is still " + n.version, o.version_span, n.version_span);
    }
  }

 private:
  // A change to what data is accepted; its level follows the mode.
  void effect(const std::string& path, const std::string& kind, const std::string& message, bool narrows, bool widens,
              Span old_at, Span new_at, bool enforced = true) {
    // A warn-severity check reports but never rejects: its changes are warnings.
    const bool breaks =
        (narrows && (mode_ == "backward" || mode_ == "full")) || (widens && (mode_ == "forward" || mode_ == "full"));
    const ChangeLevel level = enforced && breaks ? ChangeLevel::kBreaking : ChangeLevel::kWarning;
    out_.changes.push_back(
        Change{level, path, kind, message, narrows && enforced, widens && enforced, old_at.line, new_at.line});
  }
  void fixed(ChangeLevel level, const std::string& path, const std::string& kind, const std::string& message,
             Span old_at, Span new_at) {
    out_.changes.push_back(Change{level, path, kind, message, false, false, old_at.line, new_at.line});
  }

  void text(const std::string& path, const std::string& o, const std::string& n, Span oa, Span na) {
    if (o == n) return;
    fixed(ChangeLevel::kInfo, path, path.substr(path.rfind('.') + 1) + "_changed",
          o.empty()   ? path.substr(path.rfind('.') + 1) + " added"
          : n.empty() ? path.substr(path.rfind('.') + 1) + " removed"
                      : path.substr(path.rfind('.') + 1) + " changed",
          oa, na);
  }

  void owner(const spec::Contract& o, const spec::Contract& n) {
    auto who = [](const spec::Contract& c) {
      return c.owner ? c.owner->team + (c.owner->contact.empty() ? "" : " <" + c.owner->contact + ">") : "(none)";
    };
    if (who(o) != who(n)) {
      fixed(ChangeLevel::kWarning, "owner", "owner_changed", "owner changed from " + who(o) + " to " + who(n),
            o.owner ? o.owner->span : Span{}, n.owner ? n.owner->span : Span{});
    }
  }

  void lists(const std::string& path, const std::vector<std::string>& o, const std::vector<std::string>& n,
             ChangeLevel removal_level) {
    std::vector<std::string> gone, added;
    for (const auto& x : o)
      if (std::find(n.begin(), n.end(), x) == n.end()) gone.push_back(x);
    for (const auto& x : n)
      if (std::find(o.begin(), o.end(), x) == o.end()) added.push_back(x);
    if (!gone.empty()) fixed(removal_level, path, path + "_removed", path + " removed: " + list_text(gone), {}, {});
    if (!added.empty()) fixed(ChangeLevel::kInfo, path, path + "_added", path + " added: " + list_text(added), {}, {});
  }

  void classification(const std::string& path, const std::optional<Scalar>& o, const std::optional<Scalar>& n, Span oa,
                      Span na) {
    if (show(o) == show(n)) return;
    fixed(ChangeLevel::kWarning, path, "classification_changed",
          "classification changed from " + show(o) + " to " + show(n) + " (access policies follow it)",
          o ? o->span : oa, n ? n->span : na);
  }

  void additional(const std::string& path, spec::AdditionalFields o, spec::AdditionalFields n, Span oa, Span na) {
    using spec::AdditionalFields;
    bool o_rejects = o == AdditionalFields::kReject, n_rejects = n == AdditionalFields::kReject;
    if (o == n) return;
    auto name = [](AdditionalFields a) {
      return a == AdditionalFields::kReject ? "reject" : a == AdditionalFields::kWarn ? "warn" : "allow";
    };
    std::string message = std::string("undeclared keys: ") + name(o) + " → " + name(n);
    if (o_rejects == n_rejects) {
      fixed(ChangeLevel::kInfo, path, "additional_fields_changed", message, oa, na);
    } else {
      effect(path, n_rejects ? "additional_fields_tightened" : "additional_fields_loosened", message, n_rejects,
             o_rejects, oa, na);
    }
  }

  void params(const spec::Contract& o, const spec::Contract& n) {
    for (const auto& p : o.params) {
      auto it = std::find_if(n.params.begin(), n.params.end(), [&](const spec::Param& q) { return q.name == p.name; });
      if (it == n.params.end()) {
        fixed(ChangeLevel::kInfo, "params." + p.name, "param_removed", "param removed", p.span, {});
      } else if (show(p.default_value) != show(it->default_value) || p.type != it->type) {
        fixed(ChangeLevel::kWarning, "params." + p.name, "param_default_changed",
              "default changed from " + show(p.default_value) + " to " + show(it->default_value) +
                  " (every check using $" + p.name + " moves with it)",
              p.span, it->span);
      }
      if (it == n.params.end()) continue;
      const std::string before = spec::param_limits_text(p), after = spec::param_limits_text(*it);
      if (before != after) {
        fixed(ChangeLevel::kInfo, "params." + p.name, "param_limits_changed",
              "values a run may set changed from " + (before.empty() ? "any" : before) + " to " +
                  (after.empty() ? "any" : after),
              p.span, it->span);
      }
    }
    for (const auto& p : n.params) {
      if (std::none_of(o.params.begin(), o.params.end(), [&](const spec::Param& q) { return q.name == p.name; })) {
        fixed(ChangeLevel::kInfo, "params." + p.name, "param_added", "param added, default " + show(p.default_value),
              {}, p.span);
      }
    }
  }

  void fields(const std::string& prefix, const std::vector<Field>& o, const std::vector<Field>& n,
              spec::AdditionalFields o_add, spec::AdditionalFields n_add) {
    using spec::AdditionalFields;
    for (const Field& f : o) {
      auto it = std::find_if(n.begin(), n.end(), [&](const Field& g) { return g.name == f.name; });
      if (it != n.end()) {
        field(prefix + f.name, f, *it, o_add, n_add);
        continue;
      }
      bool rejected_now = n_add == AdditionalFields::kReject;
      effect(prefix + f.name, "field_removed",
             std::string("field removed") + (f.required ? " (it was required: old readers expect it)" : "") +
                 (rejected_now ? "; undeclared keys are rejected, so data carrying it now fails" : ""),
             rejected_now, true, f.span, {});
    }
    for (const Field& f : n) {
      if (std::any_of(o.begin(), o.end(), [&](const Field& g) { return g.name == f.name; })) continue;
      bool was_rejected = o_add == AdditionalFields::kReject;
      if (f.required) {
        effect(prefix + f.name, "field_added_required", "field added as required (old data lacks it)", true,
               was_rejected, {}, f.span);
      } else if (was_rejected) {
        effect(prefix + f.name, "field_added", "optional field added (undeclared keys were rejected before)", false,
               true, {}, f.span);
      } else {
        fixed(ChangeLevel::kInfo, prefix + f.name, "field_added", "optional field added", {}, f.span);
      }
    }
  }

  void field(const std::string& path, const Field& o, const Field& n, spec::AdditionalFields o_add,
             spec::AdditionalFields n_add) {
    using spec::Type;
    const Span oa = o.span, na = n.span;
    const bool enforced = o.severity == Severity::kError || n.severity == Severity::kError;
    if (o.type != n.type || o.types != n.types) {
      // Which values each version admits: a union admits its types, number admits integers.
      auto admits = [](const Field& f, Type t) {
        if (f.type == Type::kAny && f.types.empty()) return true;
        const std::vector<Type> types = f.types.empty() ? std::vector<Type>{f.type} : f.types;
        return std::count(types.begin(), types.end(), t) > 0 ||
               (t == Type::kInteger && std::count(types.begin(), types.end(), Type::kNumber) > 0);
      };
      bool widens = false, narrows = false;
      for (Type t : {Type::kString, Type::kInteger, Type::kNumber, Type::kBoolean, Type::kTimestamp, Type::kDate,
                     Type::kObject, Type::kArray}) {
        widens = widens || (admits(n, t) && !admits(o, t));
        narrows = narrows || (admits(o, t) && !admits(n, t));
      }
      if (!widens && !narrows) widens = narrows = true;
      auto names = [](const Field& f) {
        if (f.types.empty()) return std::string(spec::type_name(f.type));
        std::string out;
        for (Type t : f.types) out += (out.empty() ? "" : " | ") + std::string(spec::type_name(t));
        return out;
      };
      effect(path, "type_changed", "type changed from " + names(o) + " to " + names(n), narrows, widens, oa, na);
    }
    const bool o_nullable = o.null_type || o.required_present, n_nullable = n.null_type || n.required_present;
    if (o.required && n.required && o_nullable != n_nullable) {
      effect(path, n_nullable ? "null_allowed" : "null_refused",
             n_nullable ? "required field may now be null" : "required field may no longer be null", !n_nullable,
             n_nullable, oa, na);
    }
    if (o.required != n.required) {
      effect(path, n.required ? "made_required" : "made_optional",
             n.required ? "optional → required" : "required → optional", n.required, o.required, oa, na);
    }
    flag(path, "unique", o.unique, n.unique, oa, na, enforced);
    flag(path, "unique_items", o.unique_items, n.unique_items, oa, na, enforced);
    bound(path, "min", o.min, n.min, true, oa, na, enforced);
    bound(path, "exclusive_min", o.exclusive_min, n.exclusive_min, true, oa, na, enforced);
    bound(path, "max", o.max, n.max, false, oa, na, enforced);
    bound(path, "exclusive_max", o.exclusive_max, n.exclusive_max, false, oa, na, enforced);
    bound(path, "min_length", o.min_length, n.min_length, true, oa, na, enforced);
    bound(path, "max_length", o.max_length, n.max_length, false, oa, na, enforced);
    bound(path, "min_items", o.min_items, n.min_items, true, oa, na, enforced);
    bound(path, "max_items", o.max_items, n.max_items, false, oa, na, enforced);
    opaque(path, "pattern", o.pattern, n.pattern, oa, na, enforced);
    opaque(path, "format", o.format, n.format, oa, na, enforced);
    opaque(path, "unit", o.unit, n.unit, oa, na, enforced);
    opaque(path, "timezone", o.timezone, n.timezone, oa, na, enforced);
    opaque(path, "const", o.const_value, n.const_value, oa, na, enforced);
    opaque(path, "multiple_of", o.multiple_of, n.multiple_of, oa, na, enforced);
    opaque(path, "pattern", joined(o.pattern_list, o.match), joined(n.pattern_list, n.match), oa, na, enforced);
    opaque(path, "not_pattern", joined(o.not_patterns, {}), joined(n.not_patterns, {}), oa, na, enforced);
    enums(path, o, n, enforced);
    if (o.severity != n.severity) {
      bool stricter = n.severity == Severity::kError;
      effect(path, stricter ? "severity_raised" : "severity_lowered",
             stricter ? "severity warn → error (failing values now reject the record)"
                      : "severity error → warn (failing values no longer reject the record)",
             stricter, !stricter, oa, na);
    }
    if (show(o.mostly) != show(n.mostly)) {
      Scalar one{"1", {}, false};
      auto cmp = order(o.mostly.value_or(one), n.mostly.value_or(one));
      bool narrows = !cmp || *cmp < 0, widens = !cmp || *cmp > 0;
      effect(path,
             narrows && !widens   ? "mostly_raised"
             : widens && !narrows ? "mostly_lowered"
                                  : "mostly_changed",
             "mostly changed from " + show(o.mostly) + " to " + show(n.mostly), narrows, widens, oa, na, enforced);
    }
    coercions(path, o, n, enforced);
    classification(path, o.classification, n.classification, oa, na);
    if (o.pii != n.pii) {
      fixed(ChangeLevel::kWarning, path, "pii_changed",
            n.pii ? "now marked pii (masking and access rules apply)" : "no longer marked pii", oa, na);
    }
    text(path + ".description", o.description, n.description, oa, na);
    text(path + ".title", o.title, n.title, oa, na);
    spec::AdditionalFields o_child = o.additional_fields.value_or(o_add);
    spec::AdditionalFields n_child = n.additional_fields.value_or(n_add);
    if (o.type == Type::kObject || n.type == Type::kObject) {
      additional(path + ".additional_fields", o_child, n_child, oa, na);
      fields(path + ".", o.fields, n.fields, o_child, n_child);
    }
    if (!o.items.empty() && !n.items.empty()) {
      field(path + "[]", o.items.front(), n.items.front(), o_child, n_child);
    } else if (o.items.size() != n.items.size()) {
      effect(path + "[]", "items_changed", n.items.empty() ? "item checks removed" : "item checks added",
             !n.items.empty(), !o.items.empty(), oa, na);
    }
  }

  // A list of patterns as one comparable value ("a | b (all)"), or none.
  static std::optional<Scalar> joined(const std::vector<Scalar>& list, const std::optional<Scalar>& match) {
    if (list.empty()) return std::nullopt;
    Scalar out{"", list.front().span, false};
    for (const Scalar& s : list) out.text += (out.text.empty() ? "" : " | ") + s.text;
    if (match && match->text == "all") out.text += " (all)";
    return out;
  }

  void flag(const std::string& path, const std::string& name, bool o, bool n, Span oa, Span na, bool enforced) {
    if (o == n) return;
    effect(path, name + (n ? "_added" : "_removed"), name + (n ? " added" : " removed"), n, o, oa, na, enforced);
  }

  void bound(const std::string& path, const std::string& name, const std::optional<Scalar>& o,
             const std::optional<Scalar>& n, bool lower, Span oa, Span na, bool enforced) {
    if (!o && !n) return;
    if (o && n && o->text == n->text) return;
    if (!o) return effect(path, name + "_added", name + " added: " + n->text, true, false, oa, n->span, enforced);
    if (!n)
      return effect(path, name + "_removed", name + " removed (was " + o->text + ")", false, true, o->span, na,
                    enforced);
    auto cmp = order(*o, *n);
    if (!cmp) {
      return effect(path, name + "_changed", name + " changed from " + o->text + " to " + n->text, true, true, o->span,
                    n->span, enforced);
    }
    bool raised = *cmp < 0;
    bool tighter = lower ? raised : !raised;
    effect(path, name + (tighter ? "_tightened" : "_loosened"),
           name + (raised ? " raised" : " lowered") + " from " + o->text + " to " + n->text, tighter, !tighter, o->span,
           n->span, enforced);
  }

  // A check whose two versions cannot be compared for containment.
  void opaque(const std::string& path, const std::string& name, const std::optional<Scalar>& o,
              const std::optional<Scalar>& n, Span oa, Span na, bool enforced) {
    if (show(o) == show(n)) return;
    if (!o) return effect(path, name + "_added", name + " added: " + n->text, true, false, oa, n->span, enforced);
    if (!n)
      return effect(path, name + "_removed", name + " removed (was " + o->text + ")", false, true, o->span, na,
                    enforced);
    effect(path, name + "_changed", name + " changed from " + o->text + " to " + n->text, true, true, o->span, n->span,
           enforced);
  }

  void enums(const std::string& path, const Field& o, const Field& n, bool enforced) {
    if (!o.enum_values && !n.enum_values) return;
    auto texts = [](const std::optional<std::vector<Scalar>>& values) {
      std::vector<std::string> out;
      if (values)
        for (const auto& v : *values) out.push_back(v.text);
      return out;
    };
    if (!o.enum_values) {
      return effect(path, "enum_added", "enum added: " + list_text(texts(n.enum_values)), true, false, o.span,
                    n.enum_span, enforced);
    }
    if (!n.enum_values) {
      return effect(path, "enum_removed", "enum removed (any value accepted)", false, true, o.enum_span, n.span,
                    enforced);
    }
    std::vector<std::string> ov = texts(o.enum_values), nv = texts(n.enum_values), gone, added;
    for (const auto& v : ov)
      if (std::find(nv.begin(), nv.end(), v) == nv.end()) gone.push_back(v);
    for (const auto& v : nv)
      if (std::find(ov.begin(), ov.end(), v) == ov.end()) added.push_back(v);
    if (!gone.empty()) {
      effect(path, "enum_values_removed", "enum values removed: " + list_text(gone), true, false, o.enum_span,
             n.enum_span, enforced);
    }
    if (!added.empty()) {
      effect(path, "enum_values_added", "enum values added: " + list_text(added), false, true, o.enum_span, n.enum_span,
             enforced);
    }
  }

  void coercions(const std::string& path, const Field& o, const Field& n, bool enforced) {
    std::set<std::string> os, ns;
    for (const auto& c : o.coerce) os.insert(c.text);
    for (const auto& c : n.coerce) ns.insert(c.text);
    if (os == ns) return;
    std::vector<std::string> gone, added;
    for (const auto& c : os)
      if (!ns.count(c)) gone.push_back(c);
    for (const auto& c : ns)
      if (!os.count(c)) added.push_back(c);
    if (!gone.empty())
      effect(path, "coerce_removed", "coercions removed: " + list_text(gone), true, false, o.span, n.span, enforced);
    if (!added.empty())
      effect(path, "coerce_added", "coercions added: " + list_text(added), false, true, o.span, n.span, enforced);
  }

  void rules(const spec::Contract& o, const spec::Contract& n) {
    for (const auto& r : o.rules) {
      auto it = std::find_if(n.rules.begin(), n.rules.end(), [&](const spec::Rule& q) { return q.name == r.name; });
      const std::string path = "rules." + r.name;
      if (it == n.rules.end()) {
        effect(path, "rule_removed", "rule removed: " + r.check.text, false, true, r.span, {},
               r.severity == Severity::kError);
        continue;
      }
      const bool enforced = r.severity == Severity::kError || it->severity == Severity::kError;
      if (r.check.text != it->check.text || show(r.when) != show(it->when)) {
        std::string message = "rule changed: ";
        if (show(r.when) != show(it->when)) message += "when " + show(r.when) + " → " + show(it->when) + "; ";
        message += "check " + r.check.text + " → " + it->check.text;
        effect(path, "rule_changed", message, true, true, r.span, it->span, enforced);
      }
      if (r.severity != it->severity) {
        bool stricter = it->severity == Severity::kError;
        effect(path, stricter ? "severity_raised" : "severity_lowered",
               stricter ? "severity warn → error" : "severity error → warn", stricter, !stricter, r.span, it->span);
      }
    }
    for (const auto& r : n.rules) {
      if (std::none_of(o.rules.begin(), o.rules.end(), [&](const spec::Rule& q) { return q.name == r.name; })) {
        effect("rules." + r.name, "rule_added", "rule added: " + r.check.text, true, false, {}, r.span,
               r.severity == Severity::kError);
      }
    }
  }

  static std::string expectation_key(const spec::Expectation& e) {
    std::string fields = e.field;
    for (const std::string& f : e.fields) fields += (fields.empty() ? "" : ",") + f;
    return !e.name.empty() ? e.name : e.metric + (fields.empty() ? "" : "(" + fields + ")");
  }

  // What an expectation compares against beyond its bounds, as one text:
  // a set, a partition, a distribution. A change is neither narrower nor wider.
  static std::string expectation_target(const spec::Expectation& e) {
    std::string out = e.set_mode;
    for (const Scalar& v : e.set) out += " " + v.text;
    if (e.partition) {
      for (const auto* list :
           {&e.partition->values, &e.partition->bins, &e.partition->weights, &e.partition->tail_weights}) {
        out += " |";
        for (const Scalar& v : *list) out += " " + v.text;
      }
      out += " | " + show(e.partition->tail_weight_holdout);
    }
    if (e.distribution) {
      out += " " + e.distribution->name;
      for (const auto& [key, value] : e.distribution->params) out += " " + key + "=" + value.text;
    }
    return out;
  }

  void expectations(const spec::Contract& o, const spec::Contract& n) {
    for (const auto& e : o.expectations) {
      const std::string key = expectation_key(e), path = "expectations." + key;
      auto it = std::find_if(n.expectations.begin(), n.expectations.end(),
                             [&](const spec::Expectation& q) { return expectation_key(q) == key; });
      if (it == n.expectations.end()) {
        effect(path, "expectation_removed", "expectation removed", false, true, e.span, {},
               e.severity == Severity::kError);
        continue;
      }
      const bool enforced = e.severity == Severity::kError || it->severity == Severity::kError;
      if (e.metric != it->metric || e.field != it->field) {
        effect(path, "expectation_changed",
               "now measures " + it->metric + (it->field.empty() ? "" : " of " + it->field), true, true, e.span,
               it->span, enforced);
      }
      auto low = [](const spec::Expectation& x) { return x.between ? std::optional<Scalar>(x.between->first) : x.min; };
      auto high = [](const spec::Expectation& x) {
        return x.between ? std::optional<Scalar>(x.between->second) : x.max;
      };
      bound(path, "min", low(e), low(*it), true, e.span, it->span, enforced);
      bound(path, "max", high(e), high(*it), false, e.span, it->span, enforced);
      // `mostly` unset is 1: every value must pass.
      auto share = [](const spec::Expectation& x) {
        return x.mostly ? x.mostly : std::optional<Scalar>(Scalar{"1", x.span});
      };
      if (e.mostly || it->mostly) bound(path, "mostly", share(e), share(*it), true, e.span, it->span, enforced);
      if (e.strict != it->strict) {
        effect(path, it->strict ? "strict_added" : "strict_removed",
               it->strict ? "now strict: equal neighbours fail" : "no longer strict: equal neighbours pass", it->strict,
               !it->strict, e.span, it->span, enforced);
      }
      opaque(path, "when", e.when, it->when, e.span, it->span, enforced);
      if (expectation_target(e) != expectation_target(*it)) {
        effect(path, "expectation_target_changed",
               "now compares against " +
                   (it->set_mode.empty() ? std::string("another distribution") : "'" + it->set_mode + "' another set"),
               true, true, e.span, it->span, enforced);
      }
    }
    for (const auto& e : n.expectations) {
      const std::string key = expectation_key(e);
      if (std::none_of(o.expectations.begin(), o.expectations.end(),
                       [&](const spec::Expectation& q) { return expectation_key(q) == key; })) {
        effect("expectations." + key, "expectation_added",
               "expectation added: " + e.metric + (e.field.empty() ? "" : " of " + e.field), true, false, {}, e.span,
               e.severity == Severity::kError);
      }
    }
  }

  void drift(const spec::Contract& o, const spec::Contract& n) {
    static const spec::Drift kNone;
    const spec::Drift& od = o.drift ? *o.drift : kNone;
    const spec::Drift& nd = n.drift ? *n.drift : kNone;
    if (od.baseline != nd.baseline) {
      fixed(ChangeLevel::kWarning, "drift.baseline", "drift_baseline_changed",
            "baseline changed from " + (od.baseline.empty() ? "(none)" : od.baseline) + " to " +
                (nd.baseline.empty() ? "(none)" : nd.baseline),
            od.span, nd.span);
    }
    for (const auto& f : od.fields) {
      auto it = std::find_if(nd.fields.begin(), nd.fields.end(),
                             [&](const spec::DriftField& g) { return g.field == f.field; });
      const std::string path = "drift.fields." + f.field;
      if (it == nd.fields.end()) {
        fixed(ChangeLevel::kWarning, path, "drift_check_removed", "drift check removed (" + f.method + ")", f.span, {});
        continue;
      }
      if (f.method != it->method) {
        fixed(ChangeLevel::kWarning, path, "drift_method_changed", "method " + f.method + " → " + it->method, f.span,
              it->span);
      }
      for (auto [name, a, b] : {std::tuple{"warn", f.warn, it->warn}, std::tuple{"fail", f.fail, it->fail}}) {
        if (show(a) == show(b)) continue;
        auto cmp = a && b ? order(*a, *b) : std::nullopt;
        std::string how = !cmp ? "changed" : *cmp > 0 ? "tightened" : "loosened";
        fixed(ChangeLevel::kWarning, path, std::string("drift_") + name + "_" + how,
              std::string(name) + " threshold " + how + " from " + show(a) + " to " + show(b), f.span, it->span);
      }
    }
    for (const auto& f : nd.fields) {
      if (std::none_of(od.fields.begin(), od.fields.end(),
                       [&](const spec::DriftField& g) { return g.field == f.field; })) {
        fixed(ChangeLevel::kWarning, "drift.fields." + f.field, "drift_check_added",
              "drift check added (" + f.method + ", fail " + show(f.fail) + ")", {}, f.span);
      }
    }
  }

  void monitors(const spec::Contract& o, const spec::Contract& n) {
    auto key = [](const spec::Monitor& m) { return m.name.empty() ? m.metric + " " + m.method : m.name; };
    auto settings = [](const spec::Monitor& m) {
      std::string out;
      for (const auto& setting : spec::monitor_settings_text(m)) out += (out.empty() ? "" : ", ") + setting;
      return out;
    };
    for (const auto& m : o.monitors) {
      auto it =
          std::find_if(n.monitors.begin(), n.monitors.end(), [&](const spec::Monitor& q) { return key(q) == key(m); });
      if (it == n.monitors.end()) {
        fixed(ChangeLevel::kWarning, "monitors." + key(m), "monitor_removed", "monitor removed", m.span, {});
      } else if (settings(m) != settings(*it) || m.severity != it->severity) {
        fixed(ChangeLevel::kWarning, "monitors." + key(m), "monitor_changed",
              "monitor changed: " + settings(m) + " → " + settings(*it), m.span, it->span);
      }
    }
    for (const auto& m : n.monitors) {
      if (std::none_of(o.monitors.begin(), o.monitors.end(),
                       [&](const spec::Monitor& q) { return key(q) == key(m); })) {
        fixed(ChangeLevel::kWarning, "monitors." + key(m), "monitor_added", "monitor added: " + settings(m), {},
              m.span);
      }
    }
  }

  void sla(const spec::Contract& o, const spec::Contract& n) {
    static const spec::Sla kNone;
    const spec::Sla& os = o.sla ? *o.sla : kNone;
    const spec::Sla& ns = n.sla ? *n.sla : kNone;
    std::string od = show(os.freshness_max_delay), nd = show(ns.freshness_max_delay);
    if (os.freshness_field != ns.freshness_field || od != nd) {
      auto a = seconds(od), b = seconds(nd);
      bool looser = !b || (a && *b > *a);
      fixed(looser ? ChangeLevel::kWarning : ChangeLevel::kInfo, "sla.freshness",
            looser ? "sla_loosened" : "sla_tightened",
            "freshness changed from " + (os.freshness_field.empty() ? "(none)" : os.freshness_field + " within " + od) +
                " to " + (ns.freshness_field.empty() ? "(none)" : ns.freshness_field + " within " + nd),
            os.span, ns.span);
    }
    auto term = [](const spec::SlaTerm& t) { return t.value.text + t.unit; };
    auto key = [](const spec::SlaTerm& t) {
      return t.property + (t.element.empty() ? "" : "(" + t.element + ")") + t.driver;
    };
    for (const auto& t : os.terms) {
      auto it =
          std::find_if(ns.terms.begin(), ns.terms.end(), [&](const spec::SlaTerm& u) { return key(u) == key(t); });
      if (it == ns.terms.end()) {
        fixed(ChangeLevel::kWarning, "sla." + t.property, "sla_term_removed",
              t.property + " removed (was " + term(t) + ")", t.span, {});
      } else if (term(t) != term(*it)) {
        fixed(ChangeLevel::kWarning, "sla." + t.property, "sla_term_changed",
              t.property + " changed from " + term(t) + " to " + term(*it), t.span, it->span);
      }
    }
    for (const auto& t : ns.terms) {
      if (std::none_of(os.terms.begin(), os.terms.end(), [&](const spec::SlaTerm& u) { return key(u) == key(t); })) {
        fixed(ChangeLevel::kInfo, "sla." + t.property, "sla_term_added", t.property + " added: " + term(t), {}, t.span);
      }
    }
  }

  void grading(const spec::Contract& o, const spec::Contract& n) {
    if (!o.grading && !n.grading) return;
    if (!o.grading || !n.grading) {
      fixed(ChangeLevel::kWarning, "grading", n.grading ? "grading_added" : "grading_removed",
            n.grading ? "grading added" : "grading removed", {}, {});
      return;
    }
    const spec::Grading &og = *o.grading, &ng = *n.grading;
    auto join = [](const std::vector<Scalar>& v) {
      std::string out;
      for (const auto& s : v) out += (out.empty() ? "" : ", ") + s.text;
      return out;
    };
    if (join(og.key) != join(ng.key)) {
      fixed(ChangeLevel::kWarning, "grading.key", "grading_key_changed", "key " + join(og.key) + " → " + join(ng.key),
            og.span, ng.span);
    }
    if (show(og.filter) != show(ng.filter)) {
      fixed(ChangeLevel::kWarning, "grading.filter", "grading_filter_changed",
            "filter " + show(og.filter) + " → " + show(ng.filter), og.span, ng.span);
    }
    std::map<std::string, std::string> om, nm;
    for (const auto& [k, v] : og.measures) om[k] = v.text;
    for (const auto& [k, v] : ng.measures) nm[k] = v.text;
    for (const auto& [k, v] : om) {
      if (!nm.count(k))
        fixed(ChangeLevel::kWarning, "grading.measures." + k, "measure_removed", "measure removed", og.span, ng.span);
      else if (nm[k] != v)
        fixed(ChangeLevel::kWarning, "grading.measures." + k, "measure_changed", v + " → " + nm[k], og.span, ng.span);
    }
    for (const auto& [k, v] : nm) {
      if (!om.count(k))
        fixed(ChangeLevel::kInfo, "grading.measures." + k, "measure_added", "measure added: " + v, og.span, ng.span);
    }
    for (const auto& t : og.tiers) {
      auto it = std::find_if(ng.tiers.begin(), ng.tiers.end(),
                             [&](const spec::Grading::Tier& u) { return u.name == t.name; });
      if (it == ng.tiers.end()) {
        fixed(ChangeLevel::kWarning, "grading.tiers." + t.name, "tier_removed", "tier removed", t.span, {});
      } else if (show(t.when) != show(it->when)) {
        fixed(ChangeLevel::kWarning, "grading.tiers." + t.name, "tier_changed",
              "when " + show(t.when) + " → " + show(it->when) + " (entities move between tiers)", t.span, it->span);
      }
    }
    for (const auto& t : ng.tiers) {
      if (std::none_of(og.tiers.begin(), og.tiers.end(),
                       [&](const spec::Grading::Tier& u) { return u.name == t.name; })) {
        fixed(ChangeLevel::kWarning, "grading.tiers." + t.name, "tier_added", "tier added: " + show(t.when), {},
              t.span);
      }
    }
    if (join(og.export_tiers) != join(ng.export_tiers)) {
      fixed(ChangeLevel::kWarning, "grading.export", "grading_export_changed",
            "exported tiers " + join(og.export_tiers) + " → " + join(ng.export_tiers), og.span, ng.span);
    }
    if (join(og.output) != join(ng.output)) {
      fixed(ChangeLevel::kInfo, "grading.output", "grading_output_changed",
            "output columns " + join(og.output) + " → " + join(ng.output), og.span, ng.span);
    }
  }

  ContractDiff& out_;
  std::string mode_;
};

}  // namespace

Result<ContractDiff> diff_contracts(const std::string& old_path, const std::string& new_path) {
  auto o = read_contract(old_path, true);
  if (!o.ok()) return o.status();
  auto n = read_contract(new_path, true);
  if (!n.ok()) return n.status();
  ContractDiff d;
  d.old_file = old_path;
  d.new_file = new_path;
  d.dataset = n->spec.dataset;
  d.old_version = o->spec.version;
  d.new_version = n->spec.version;
  d.compatibility = n->spec.compatibility;
  d.major_bumped = major_of(d.new_version) > major_of(d.old_version) && major_of(d.old_version) >= 0;
  Differ(d).run(o->spec, n->spec);
  return d;
}

}  // namespace dq
