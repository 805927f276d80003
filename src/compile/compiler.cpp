// Compiles a Spec into a Program: resolves $params, builds the node tree the
// engines walk, registers every check, type-checks expressions.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "base/json_equal.h"
#include "base/timestamps.h"
#include "compile/program.h"
#include "spec/diagnostics.h"

namespace dq {
namespace {

using spec::ExprOp;
using spec::Scalar;
using spec::Span;
using spec::Type;
using Kind = Value::Kind;

constexpr const char* kLayoutDirectives = "%Y %m %d %H %M %S %f %z %a %b %%";

const char* etype_name(EType t) {
  switch (t) {
    case EType::kBool: return "boolean";
    case EType::kInt: return "integer";
    case EType::kNumber: return "number";
    case EType::kString: return "string";
    case EType::kTimestamp: return "timestamp";
    case EType::kDate: return "date";
    case EType::kDuration: return "duration";
    case EType::kNull: return "null";
    case EType::kArray: return "array";
    case EType::kObject: return "object";
    case EType::kAny: return "any";
    case EType::kList: return "list";
  }
  return "?";
}

EType etype_of(Type t) {
  switch (t) {
    case Type::kString: return EType::kString;
    case Type::kInteger: return EType::kInt;
    case Type::kNumber: return EType::kNumber;
    case Type::kBoolean: return EType::kBool;
    case Type::kTimestamp: return EType::kTimestamp;
    case Type::kDate: return EType::kDate;
    case Type::kObject: return EType::kObject;
    case Type::kArray: return EType::kArray;
    case Type::kAny: return EType::kAny;
  }
  return EType::kAny;
}

EType etype_of(Kind k) {
  switch (k) {
    case Kind::kBool: return EType::kBool;
    case Kind::kInt: return EType::kInt;
    case Kind::kNumber: return EType::kNumber;
    case Kind::kString: return EType::kString;
    case Kind::kTimestamp: return EType::kTimestamp;
    case Kind::kDate: return EType::kDate;
    case Kind::kDuration: return EType::kDuration;
    default: return EType::kNull;
  }
}

std::string plural(std::uint64_t n, const char* noun) { return std::to_string(n) + " " + noun + (n == 1 ? "" : "s"); }

bool is_numeric(EType t) { return t == EType::kInt || t == EType::kNumber; }

// Parses a JSON-style number literal: integers stay exact.
std::optional<Value> parse_number(std::string_view text) {
  Value v;
  std::int64_t i = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
  if (ec == std::errc() && end == text.data() + text.size()) {
    v.kind = Kind::kInt;
    v.i = i;
    return v;
  }
  double d = 0;
  auto [end2, ec2] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec2 != std::errc() || end2 != text.data() + text.size() || !std::isfinite(d)) return std::nullopt;
  v.kind = Kind::kNumber;
  v.d = d;
  return v;
}

class Compiler {
 public:
  Compiler(spec::Diagnostics& diags, const Params& params, bool params_may_be_missing)
      : diags_(diags), overrides_(params), params_may_be_missing_(params_may_be_missing) {}

  std::shared_ptr<Program> run(spec::Contract contract, const Limits& limits) {
    program_ = std::make_shared<Program>();
    Program& p = *program_;
    p.spec = std::move(contract);
    p.limits = limits;
    resolve_params();
    Node root;
    root.type = Type::kObject;
    root.additional = p.spec.additional_fields;
    p.nodes.push_back(root);
    p.nodes[0].type_check = add_check("record", "type", Severity::kError, 1.0, "a record must be a JSON object");
    p.checks[0].path = "";
    build_object(0, p.spec.fields, "");
    for (const spec::Rule& rule : p.spec.rules) compile_rule(rule);
    plan_profile(0, -1);
    check_sections();
    // A union's alternatives capture into the union's slot (rules and profiles read it).
    for (Node& n : p.nodes) {
      for (const auto& [type, alt] : n.alternatives) p.nodes[static_cast<std::size_t>(alt)].slot = n.slot;
    }
    if (diags_.has_errors()) return nullptr;
    return program_;
  }

 private:
  // ---- params -------------------------------------------------------------

  void resolve_params() {
    const auto& params = program_->spec.params;
    std::vector<std::string> names;
    for (const auto& p : params) names.push_back(p.name);
    for (const auto& [name, text] : overrides_) {
      if (std::find(names.begin(), names.end(), name) == names.end()) {
        diags_.error({1, 1}, "unknown param '" + name + "' was given a value" +
                                 (names.empty() ? std::string(" (the contract declares no params)")
                                                : spec::did_you_mean(name, names)));
      }
    }
    for (const auto& p : params) {
      auto it = overrides_.find(p.name);
      std::optional<Value> value;
      if (it != overrides_.end()) {
        value = parse_typed(it->second, p.type);
        if (!value) {
          diags_.error(p.span, "param '" + p.name + "' is " + spec::type_with_article(p.type) + ", and '" + it->second +
                                   "' given at run time is not");
          continue;
        }
      } else if (p.default_value) {
        value = parse_typed(p.default_value->text, p.type);
        if (!value) {
          diags_.error(p.default_value->span, "default of param '" + p.name + "' is not " +
                                                  spec::type_with_article(p.type) + ": '" + p.default_value->text +
                                                  "'");
          continue;
        }
      } else {
        if (!params_may_be_missing_) {
          diags_.error(p.span, "param '" + p.name + "' has no default and no value was given");
        }
        Value placeholder = zero_of(p.type);
        params_[p.name] = {placeholder, p.type};
        continue;
      }
      params_[p.name] = {*value, p.type};
      program_->param_values.emplace_back(p.name, it != overrides_.end() ? it->second : p.default_value->text);
    }
  }

  Value zero_of(Type t) {
    Value v;
    switch (t) {
      case Type::kInteger: v.kind = Kind::kInt; break;
      case Type::kNumber: v.kind = Kind::kNumber; break;
      case Type::kBoolean: v.kind = Kind::kBool; break;
      case Type::kTimestamp: v.kind = Kind::kTimestamp; break;
      case Type::kDate: v.kind = Kind::kDate; break;
      default: v.kind = Kind::kString; break;
    }
    return v;
  }

  std::optional<Value> parse_typed(std::string_view text, Type type) {
    Value v;
    switch (type) {
      case Type::kInteger: {
        auto n = parse_number(text);
        if (!n) return std::nullopt;
        if (n->kind == Kind::kNumber) {
          if (n->d != std::floor(n->d) || std::fabs(n->d) > 9.2e18) return std::nullopt;
          n->kind = Kind::kInt;
          n->i = static_cast<std::int64_t>(n->d);
        }
        return n;
      }
      case Type::kNumber: return parse_number(text);
      case Type::kBoolean:
        if (text != "true" && text != "false") return std::nullopt;
        v.kind = Kind::kBool;
        v.b = text == "true";
        return v;
      case Type::kTimestamp: {
        auto t = parse_rfc3339(text);
        if (!t) return std::nullopt;
        v.kind = Kind::kTimestamp;
        v.i = *t;
        return v;
      }
      case Type::kDate: {
        auto d = parse_date(text);
        if (!d) return std::nullopt;
        v.kind = Kind::kDate;
        v.i = *d;
        return v;
      }
      default:
        v.kind = Kind::kString;
        v.s = intern(text);
        return v;
    }
  }

  std::string_view intern(std::string_view text) {
    program_->strings.emplace_back(text);
    return program_->strings.back();
  }

  // A constraint value: a literal or a $param, as the field's type wants it.
  std::optional<Value> constant(const Scalar& s, Type type, const std::string& what) {
    if (s.is_param()) {
      auto it = params_.find(s.param_name());
      if (it == params_.end()) {
        diags_.error(s.span, "unknown param '$" + s.param_name() + "' in " + what +
                                 spec::did_you_mean(s.param_name(), param_names()));
        return std::nullopt;
      }
      Type have = it->second.second;
      bool fits = have == type || (type == Type::kNumber && have == Type::kInteger) ||
                  (type == Type::kInteger && have == Type::kNumber);
      if (!fits) {
        diags_.error(s.span, what + " needs " + spec::type_with_article(type) + ", but param '$" + s.param_name() +
                                 "' is " + spec::type_with_article(have));
        return std::nullopt;
      }
      return it->second.first;
    }
    auto v = parse_typed(s.text, type);
    if (!v) {
      diags_.error(s.span, what + " must be " + spec::type_with_article(type) + ", not '" + s.text + "'");
    }
    return v;
  }

  std::vector<std::string> param_names() const {
    std::vector<std::string> out;
    for (const auto& [name, _] : params_) out.push_back(name);
    return out;
  }

  // ---- fields -------------------------------------------------------------

  int add_check(const std::string& path, const std::string& kind, Severity severity, double mostly,
                std::string message) {
    Program& p = *program_;
    std::string id = path.empty() ? kind : path + "." + kind;
    p.checks.push_back(CheckInfo{id, path, kind, severity, mostly});
    p.check_messages.push_back(std::move(message));
    return static_cast<int>(p.checks.size()) - 1;
  }

  void build_object(int node_index, const std::vector<spec::Field>& fields, const std::string& path) {
    for (const spec::Field& f : fields) {
      // The engine compares keys as written in JSON; a name needing escapes can't be declared.
      if (f.name.find_first_of("\"\\") != std::string::npos ||
          std::any_of(f.name.begin(), f.name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
        diags_.error(f.span, "field name '" + f.name + "' holds a quote, a backslash or a control character");
        continue;
      }
      int child = build_field(f, path.empty() ? f.name : path + "." + f.name, program_->nodes[node_index].additional);
      Node& c = program_->nodes[child];
      if (c.required_mostly_field >= 0) program_->nodes[node_index].required_mostly.push_back(c.required_mostly_field);
      c.key = f.name;
      std::memcpy(c.key_words, f.name.data(), std::min<std::size_t>(f.name.size(), 16));
      program_->nodes[node_index].children.push_back(child);
    }
    Node& n = program_->nodes[node_index];
    if (n.additional != spec::AdditionalFields::kAllow) {
      Severity sev = n.additional == spec::AdditionalFields::kReject ? Severity::kError : Severity::kWarn;
      n.additional_check = add_check(path, "additional_fields", sev, 1.0, "is not declared in the contract");
    }
  }

  static std::string describe_number(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", x);
    return buf;
  }

  static std::string describe(const Value& v) {
    switch (v.kind) {
      case Kind::kInt: return std::to_string(v.i);
      case Kind::kNumber: {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", v.d);
        return buf;
      }
      case Kind::kString: return "\"" + std::string(v.s) + "\"";
      case Kind::kBool: return v.b ? "true" : "false";
      case Kind::kTimestamp: return format_timestamp(v.i);
      case Kind::kDate: return format_date(v.i);
      default: return "null";
    }
  }

  void set_bound(Bound& b, const std::optional<Scalar>& s, bool exclusive, const spec::Field& f,
                 const std::string& path, const char* key, const char* symbol, double mostly) {
    if (!s) return;
    Type t = f.type;
    if (t != Type::kInteger && t != Type::kNumber && t != Type::kTimestamp && t != Type::kDate) {
      diags_.error(s->span, std::string("'") + key + "' applies to numbers, timestamps and dates; field '" + f.name +
                                "' is " + spec::type_name(t));
      return;
    }
    if (b.set) {
      diags_.error(s->span, std::string("field '") + f.name + "' has both a " + key +
                                " and its inclusive/exclusive twin; keep one");
      return;
    }
    auto v =
        constant(*s, t == Type::kInteger ? Type::kNumber : t, "'" + std::string(key) + "' of field '" + f.name + "'");
    if (!v) return;
    b.set = true;
    b.exclusive = exclusive;
    b.value = *v;
    const char* kind = (std::string(key).find("min") != std::string::npos) ? "min" : "max";
    b.check = add_check(path, kind, f.severity, mostly, std::string("must be ") + symbol + " " + describe(*v));
  }

  std::optional<std::uint64_t> count_value(const std::optional<Scalar>& s, const spec::Field& f, const char* key) {
    if (!s) return std::nullopt;
    auto v = constant(*s, Type::kInteger, std::string("'") + key + "' of field '" + f.name + "'");
    if (!v) return std::nullopt;
    if (v->i < 0) {
      diags_.error(s->span, std::string("'") + key + "' must not be negative");
      return std::nullopt;
    }
    return static_cast<std::uint64_t>(v->i);
  }

  // `mostly` < 1: the field's checks from `first_check` on ('required' apart)
  // pass in a report by the share of non-null values; `required` by the
  // share of records with the field present (a group of its own).
  void group_mostly(Node& n, int first_check, double mostly) {
    if (mostly >= 1.0) return;
    std::vector<int> ids;
    for (int c = first_check; c < static_cast<int>(program_->checks.size()); ++c) {
      if (c != n.required_check) ids.push_back(c);
    }
    n.mostly_field = static_cast<int>(program_->mostly_fields.size());
    program_->mostly_fields.push_back(std::move(ids));
    if (n.required_check >= 0) {
      n.required_mostly_field = static_cast<int>(program_->mostly_fields.size());
      program_->mostly_fields.push_back({n.required_check});
    }
  }

  // `type: [a, b]`: one node for the union (presence, enum, const) whose
  // alternatives, one per type, hold the checks that apply to that type; a
  // value is checked by the alternative of its JSON type (JSON Schema's rule).
  int build_union(const spec::Field& f, const std::string& path, spec::AdditionalFields inherited) {
    std::string names;
    for (Type t : f.types) {
      names += (names.empty() ? "" : ", ") + std::string(spec::type_name(t));
      if (t == Type::kTimestamp || t == Type::kDate || t == Type::kAny) {
        diags_.error(f.span, "a union cannot hold " + std::string(spec::type_name(t)) + " (field '" + f.name +
                                 "'): a string or number could be read as either");
      }
    }
    // Each keyword must apply to one of the types, and goes to those it applies to.
    struct Keyword {
      const char* name;
      bool present;
      std::vector<Type> types;
    };
    const std::vector<Type> numbers = {Type::kInteger, Type::kNumber};
    const std::vector<Keyword> keywords = {
        {"min", bool(f.min), numbers},
        {"max", bool(f.max), numbers},
        {"exclusive_min", bool(f.exclusive_min), numbers},
        {"exclusive_max", bool(f.exclusive_max), numbers},
        {"multiple_of", bool(f.multiple_of), numbers},
        {"min_length", bool(f.min_length), {Type::kString}},
        {"max_length", bool(f.max_length), {Type::kString}},
        {"pattern", f.pattern || !f.pattern_list.empty(), {Type::kString}},
        {"not_pattern", !f.not_patterns.empty(), {Type::kString}},
        {"format", bool(f.format), {Type::kString}},
        {"min_items", bool(f.min_items), {Type::kArray}},
        {"max_items", bool(f.max_items), {Type::kArray}},
        {"unique_items", f.unique_items, {Type::kArray}},
        {"items", !f.items.empty(), {Type::kArray}},
        {"fields", !f.fields.empty(), {Type::kObject}},
        {"coerce", !f.coerce.empty(), {Type::kInteger, Type::kNumber, Type::kBoolean}},
        {"unit", bool(f.unit), {}},
        {"timezone", bool(f.timezone), {}}};
    auto listed = [&](const std::vector<Type>& ts) {
      return std::any_of(ts.begin(), ts.end(),
                         [&](Type t) { return std::count(f.types.begin(), f.types.end(), t) > 0; });
    };
    for (const Keyword& k : keywords) {
      if (k.present && !listed(k.types)) {
        diags_.error(f.span, std::string("'") + k.name + "' applies to none of the types of field '" + f.name + "' (" +
                                 names + ")");
      }
    }
    const int index = static_cast<int>(program_->nodes.size());
    program_->nodes.emplace_back();
    Node n;
    n.type = Type::kAny;
    n.schema_path = path;
    n.required = f.required;
    n.nullable = f.null_type || f.required_present;
    n.severity = f.severity;
    double mostly = 1.0;
    if (f.mostly) {
      if (auto v = constant(*f.mostly, Type::kNumber, "'mostly' of field '" + f.name + "'")) mostly = v->as_double();
    }
    if (f.unique) unique_fields_[path] = mostly;
    std::string article_names;
    for (std::size_t i = 0; i < f.types.size(); ++i) {
      article_names += (i == 0 ? "" : i + 1 == f.types.size() ? " or " : ", ") + spec::type_with_article(f.types[i]);
    }
    n.type_check = add_check(path, "type", f.severity, mostly, "must be " + article_names);
    if (f.required) n.required_check = add_check(path, "required", f.severity, mostly, "is required");
    if (f.enum_values) compile_values(f, *f.enum_values, "enum", path, mostly, n);
    if (f.const_value) compile_values(f, {*f.const_value}, "const", path, mostly, n);
    group_mostly(n, n.type_check, mostly);
    // Numbers go to `number` when listed (it holds every integer), else to `integer`.
    std::vector<Type> order = f.types;
    std::stable_sort(order.begin(), order.end(),
                     [](Type a, Type b) { return a == Type::kNumber && b != Type::kNumber; });
    for (Type t : order) {
      spec::Field g = f;
      g.type = t;
      g.types.clear();
      g.null_type = g.required = g.required_present = g.unique = false;
      g.enum_values.reset();
      g.const_value.reset();
      const bool number = t == Type::kInteger || t == Type::kNumber;
      if (!number) g.min = g.max = g.exclusive_min = g.exclusive_max = g.multiple_of = std::nullopt;
      if (t != Type::kString) {
        g.min_length = g.max_length = g.pattern = g.match = g.format = std::nullopt;
        g.pattern_list.clear();
        g.not_patterns.clear();
      }
      if (t != Type::kArray) {
        g.min_items = g.max_items = std::nullopt;
        g.unique_items = false;
        g.items.clear();
      }
      if (t != Type::kObject) {
        g.fields.clear();
        g.additional_fields.reset();
      }
      if (!number && t != Type::kBoolean) g.coerce.clear();
      const int alt = build_field(g, path, inherited);
      // Every type violation is the union's own check ("must be an integer or a string").
      program_->nodes[static_cast<std::size_t>(alt)].type_check = n.type_check;
      n.alternatives.push_back({t, alt});
    }
    program_->nodes[static_cast<std::size_t>(index)] = std::move(n);
    return index;
  }

  int build_field(const spec::Field& f, const std::string& path, spec::AdditionalFields inherited) {
    if (!f.types.empty()) return build_union(f, path, inherited);
    int index = static_cast<int>(program_->nodes.size());
    program_->nodes.emplace_back();
    Node n;
    n.type = f.type;
    n.schema_path = path;
    n.required = f.required;
    n.nullable = f.null_type || f.required_present;
    n.severity = f.severity;
    n.additional = f.additional_fields.value_or(inherited);

    double mostly = 1.0;
    if (f.mostly) {
      auto v = constant(*f.mostly, Type::kNumber, "'mostly' of field '" + f.name + "'");
      if (v) {
        mostly = v->as_double();
        if (mostly < 0 || mostly > 1) diags_.error(f.mostly->span, "'mostly' must be between 0 and 1");
      }
    }
    if (f.unique) unique_fields_[path] = mostly;
    const int first_check = static_cast<int>(program_->checks.size());
    if (f.type != Type::kAny) {
      n.type_check = add_check(path, "type", f.severity, mostly, "must be " + spec::type_with_article(f.type));
    }
    // `mostly` on `required`: the share of records (whose parent is present)
    // where the field is present and not null (GE's expect_column_values_to_not_be_null).
    if (f.required) n.required_check = add_check(path, "required", f.severity, mostly, "is required");

    set_bound(n.lo, f.min, false, f, path, "min", ">=", mostly);
    set_bound(n.lo, f.exclusive_min, true, f, path, "exclusive_min", ">", mostly);
    set_bound(n.hi, f.max, false, f, path, "max", "<=", mostly);
    set_bound(n.hi, f.exclusive_max, true, f, path, "exclusive_max", "<", mostly);
    if (n.lo.set && n.hi.set) {
      const double lo = n.lo.value.numeric() ? n.lo.value.as_double() : static_cast<double>(n.lo.value.i);
      const double hi = n.hi.value.numeric() ? n.hi.value.as_double() : static_cast<double>(n.hi.value.i);
      if (lo > hi || (lo == hi && (n.lo.exclusive || n.hi.exclusive))) {
        const Scalar& upper = f.max ? *f.max : *f.exclusive_max;
        diags_.error(upper.span, "field '" + f.name + "' can hold no value: its lower bound " + describe(n.lo.value) +
                                     " is not below its upper bound " + describe(n.hi.value));
      }
    }
    if (f.multiple_of) {
      const Scalar& m = *f.multiple_of;
      std::optional<Decimal> step;
      if (f.type != Type::kInteger && f.type != Type::kNumber) {
        diags_.error(m.span, "'multiple_of' applies to numbers; field '" + f.name + "' is " + spec::type_name(f.type));
      } else if (auto v = constant(m, Type::kNumber, "'multiple_of' of field '" + f.name + "'")) {
        // The step as written (decimal-exact), or a $param's value.
        step = m.is_param() ? std::optional<Decimal>(v->kind == Kind::kInt ? Decimal::of(v->i) : Decimal::of(v->d))
                            : Decimal::parse(m.text);
        if (!step || step->negative || step->digits == 0) {
          diags_.error(m.span, "'multiple_of' must be a number above 0 with at most 19 significant digits, not '" +
                                   m.text + "'");
          step.reset();
        }
      }
      if (step) {
        n.multiple_of = step;
        n.multiple_of_check = add_check(path, "multiple_of", f.severity, mostly, "must be a multiple of " + m.text);
      }
    }
    auto ordered_counts = [&](const std::optional<Scalar>& lo, const std::optional<Scalar>& hi, const char* what) {
      if (!lo || !hi) return;
      auto a = constant(*lo, Type::kNumber, what), b = constant(*hi, Type::kNumber, what);
      if (a && b && a->as_double() > b->as_double()) {
        diags_.error(hi->span, "field '" + f.name + "' can hold no value: min_" + what + " " + lo->text +
                                   " is above max_" + what + " " + hi->text);
      }
    };
    ordered_counts(f.min_length, f.max_length, "length");
    ordered_counts(f.min_items, f.max_items, "items");

    auto string_only = [&](const std::optional<Scalar>& s, const char* key) {
      if (s && f.type != Type::kString) {
        diags_.error(s->span, std::string("'") + key + "' applies to strings; field '" + f.name + "' is " +
                                  spec::type_name(f.type));
        return false;
      }
      return s.has_value();
    };
    auto array_only = [&](const std::optional<Scalar>& s, const char* key) {
      if (s && f.type != Type::kArray) {
        diags_.error(s->span, std::string("'") + key + "' applies to arrays; field '" + f.name + "' is " +
                                  spec::type_name(f.type));
        return false;
      }
      return s.has_value();
    };
    if (string_only(f.min_length, "min_length")) {
      if (auto v = count_value(f.min_length, f, "min_length")) {
        n.min_length = *v;
        n.min_length_check =
            add_check(path, "min_length", f.severity, mostly, "must be at least " + plural(*v, "character"));
      }
    }
    if (string_only(f.max_length, "max_length")) {
      if (auto v = count_value(f.max_length, f, "max_length")) {
        n.max_length = *v;
        n.max_length_check =
            add_check(path, "max_length", f.severity, mostly, "must be at most " + plural(*v, "character"));
      }
    }
    if (array_only(f.min_items, "min_items")) {
      if (auto v = count_value(f.min_items, f, "min_items")) {
        n.min_items = *v;
        n.min_items_check =
            add_check(path, "min_items", f.severity, mostly, "must have at least " + plural(*v, "item"));
      }
    }
    if (array_only(f.max_items, "max_items")) {
      if (auto v = count_value(f.max_items, f, "max_items")) {
        n.max_items = *v;
        n.max_items_check = add_check(path, "max_items", f.severity, mostly, "must have at most " + plural(*v, "item"));
      }
    }
    if (f.unique_items) {
      if (f.type != Type::kArray) {
        diags_.error(f.span, "'unique_items' applies to arrays; field '" + f.name + "' is " + spec::type_name(f.type));
      } else {
        n.unique_items = true;
        n.unique_items_check = add_check(path, "unique_items", f.severity, mostly, "must not repeat items");
      }
    }
    if (string_only(f.pattern, "pattern")) compile_pattern(*f.pattern, f, path, mostly, n);
    if (!f.pattern_list.empty() && string_only(f.pattern_list.front(), "pattern")) {
      compile_pattern_list(f, path, mostly, n);
    }
    if (!f.not_patterns.empty() && string_only(f.not_patterns.front(), "not_pattern")) {
      std::vector<std::shared_ptr<const RE2>> compiled;
      if (compile_regexes(f.not_patterns, f, "not_pattern", compiled)) {
        n.not_pattern = alternation(compiled);
        n.not_pattern_check =
            add_check(path, "not_pattern", f.severity, mostly, "must not match " + slashed(f.not_patterns, " or "));
      }
    }
    compile_format(f, path, mostly, n);
    if (f.enum_values) compile_values(f, *f.enum_values, "enum", path, mostly, n);
    if (f.const_value) compile_values(f, {*f.const_value}, "const", path, mostly, n);
    if (!f.json_fields.empty() && f.type == Type::kString) {
      n.json_check = add_check(path, "json", f.severity, mostly, "must hold a JSON object");
    }
    group_mostly(n, first_check, mostly);
    compile_coerce(f, path, n);
    if (n.json_check >= 0) {
      // The object inside the string: its fields have paths under this field's.
      const int object = static_cast<int>(program_->nodes.size());
      Node inner;
      inner.type = Type::kObject;
      inner.schema_path = path;
      inner.additional = n.additional;
      inner.type_check = n.json_check;
      program_->nodes.push_back(std::move(inner));
      build_object(object, f.json_fields, path);
      n.json_object = object;
    }

    if (f.type == Type::kObject) {
      program_->nodes[index] = std::move(n);
      build_object(index, f.fields, path);
      return index;
    }
    if (f.type == Type::kArray && !f.items.empty()) {
      program_->nodes[index] = std::move(n);
      int item = build_field(f.items[0], path + "[]", program_->nodes[index].additional);
      program_->nodes[index].items = item;
      return index;
    }
    program_->nodes[index] = std::move(n);
    return index;
  }

  // Every RE2 of a contract (patterns, not_pattern, matches()) under one documented budget.
  static std::shared_ptr<const RE2> compile_regex(const std::string& text) {
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(8 << 20);  // per pattern
    return std::make_shared<const RE2>(text, options);
  }

  void compile_pattern(const Scalar& s, const spec::Field& f, const std::string& path, double mostly, Node& n) {
    std::vector<std::shared_ptr<const RE2>> compiled;
    if (!compile_regexes({s}, f, "pattern", compiled)) return;
    const std::string& text = compiled.front()->pattern();  // a $param's value, resolved
    n.pattern = std::move(compiled.front());
    n.simple_pattern = SimplePattern::compile(text);
    n.pattern_check = add_check(path, "pattern", f.severity, mostly, "must match /" + text + "/");
  }

  // Compiles each pattern of a list; false when one does not compile.
  bool compile_regexes(const std::vector<Scalar>& list, const spec::Field& f, const std::string& key,
                       std::vector<std::shared_ptr<const RE2>>& out) {
    bool ok = true;
    for (const Scalar& s : list) {
      std::string text = s.text;
      if (s.is_param()) {
        auto v = constant(s, Type::kString, "'" + key + "' of field '" + f.name + "'");
        if (!v) {
          ok = false;
          continue;
        }
        text = std::string(v->s);
      }
      auto re = compile_regex(text);
      if (!re->ok()) {
        diags_.error(s.span, key + " of field '" + f.name + "' does not compile: " + re->error());
        ok = false;
        continue;
      }
      out.push_back(std::move(re));
    }
    return ok;
  }

  // One RE2 that matches where any of `compiled` does (unanchored, as each is).
  static std::shared_ptr<const RE2> alternation(const std::vector<std::shared_ptr<const RE2>>& compiled) {
    if (compiled.size() == 1) return compiled.front();
    std::string text;
    for (const auto& re : compiled) text += (text.empty() ? "(?:" : "|(?:") + re->pattern() + ")";
    return compile_regex(text);
  }

  static std::string slashed(const std::vector<Scalar>& list, const char* joiner) {
    std::string out;
    for (const Scalar& s : list) out += (out.empty() ? "/" : std::string(joiner) + "/") + s.text + "/";
    return out;
  }

  // `pattern: [a, b]`: `match: any` (default) folds into one alternation,
  // `match: all` keeps each, and both report as the field's `pattern` check.
  void compile_pattern_list(const spec::Field& f, const std::string& path, double mostly, Node& n) {
    std::vector<std::shared_ptr<const RE2>> compiled;
    if (!compile_regexes(f.pattern_list, f, "pattern", compiled)) return;
    const bool all = f.match && f.match->text == "all";
    if (all) {
      n.all_patterns = std::move(compiled);
    } else {
      n.pattern = alternation(compiled);
      if (!n.pattern->ok()) {
        diags_.error(f.pattern_list.front().span,
                     "the patterns of field '" + f.name + "' do not combine: " + n.pattern->error());
        n.pattern.reset();
        return;
      }
    }
    n.pattern_check =
        add_check(path, "pattern", f.severity, mostly,
                  std::string(all ? "must match every one of " : "must match one of ") + slashed(f.pattern_list, ", "));
  }

  void compile_format(const spec::Field& f, const std::string& path, double mostly, Node& n) {
    if (f.unit) {
      if (f.type != Type::kTimestamp) {
        diags_.error(f.unit->span, "'unit' applies to timestamps given as epoch numbers");
      } else if (f.unit->text == "s") {
        n.time.unit = 1000000;
      } else if (f.unit->text == "ms") {
        n.time.unit = 1000;
      } else if (f.unit->text == "us") {
        n.time.unit = 1;
      } else if (f.unit->text == "ns") {
        n.time.unit = 1, n.time.unit_ns = true;
      } else {
        diags_.error(f.unit->span, "'unit' must be one of s, ms, us, ns, not '" + f.unit->text + "'");
      }
    }
    if (f.timezone) {
      if (f.type != Type::kTimestamp) {
        diags_.error(f.timezone->span, "'timezone' applies to timestamps");
      } else if (auto zone = parse_time_zone(f.timezone->text)) {
        n.time.zone = *zone;
      } else {
        diags_.error(f.timezone->span,
                     "'timezone' must be UTC, an offset such as +02:00 or an IANA zone such as "
                     "America/New_York; '" +
                         f.timezone->text +
                         "' is none of these (the system "
                         "tz database has no such zone)");
      }
    }
    if (!f.format) return;
    const Scalar& s = *f.format;
    if (f.type == Type::kTimestamp || f.type == Type::kDate) {
      if (s.text == "date-time" || (s.text == "date" && f.type == Type::kDate)) return;
      if (s.text.find('%') == std::string::npos) {
        diags_.error(s.span, "'format' of " + spec::type_with_article(f.type) +
                                 " is a layout such as '%Y-%m-%d %H:%M:%S', not '" + s.text + "'");
        return;
      }
      if (std::string bad = unsupported_layout_directive(s.text); !bad.empty()) {
        diags_.error(s.span, "layout '" + s.text + "' uses '" + bad +
                                 "', which dq does not read (supported: " + kLayoutDirectives + ")");
        return;
      }
      n.time.layout = s.text;
      return;
    }
    if (f.type != Type::kString) {
      diags_.error(s.span, "'format' applies to strings, timestamps and dates");
      return;
    }
    auto format = format_from_name(s.text);
    if (!format) {
      diags_.error(s.span, "unknown format '" + s.text + "'" +
                               spec::did_you_mean(s.text, {"email", "uri", "uuid", "date", "date-time", "ipv4", "ipv6",
                                                           "hostname", "json"}));
      return;
    }
    n.format = format;
    n.format_check = add_check(path, "format", f.severity, mostly, std::string("must be a valid ") + s.text);
  }

  void compile_coerce(const spec::Field& f, const std::string& path, Node& n) {
    for (const Scalar& c : f.coerce) {
      const bool numeric = f.type == Type::kNumber || f.type == Type::kInteger;
      const bool time = f.type == Type::kTimestamp || f.type == Type::kDate;
      if (c.text == "numeric_string" && numeric) {
        n.coerce_numeric = true;
      } else if (c.text == "boolean_string" && f.type == Type::kBoolean) {
        n.coerce_boolean = true;
      } else if (c.text.find('%') != std::string::npos && time) {
        if (std::string bad = unsupported_layout_directive(c.text); !bad.empty()) {
          diags_.error(c.span, "layout '" + c.text + "' uses '" + bad +
                                   "', which dq does not read (supported: " + kLayoutDirectives + ")");
          continue;
        }
        n.coerce_layouts.push_back(c.text);
      } else {
        const char* fits = numeric                    ? "numeric_string"
                           : f.type == Type::kBoolean ? "boolean_string"
                           : time                     ? "a layout such as '%m/%d/%Y'"
                                                      : nullptr;
        diags_.error(c.span, "field '" + f.name + "' (" + spec::type_name(f.type) + ") cannot coerce '" + c.text + "'" +
                                 (fits ? std::string("; it can coerce ") + fits
                                       : std::string("; only numbers, booleans, timestamps and dates coerce")));
      }
    }
    if (!f.coerce.empty()) {
      n.coerce_check = add_check(path, "coerce", Severity::kWarn, 1.0, "was recovered by a coercion");
    }
  }

  // `enum` and `const` (a list of one). Scalar fields compare typed values
  // (numbers by value, times as instants); `any`, object and array fields
  // compare any JSON value structurally (JSON Schema's equality).
  void compile_values(const spec::Field& f, const std::vector<Scalar>& values, const std::string& keyword,
                      const std::string& path, double mostly, Node& n) {
    const Type t = f.type;
    const bool structural = t == Type::kAny || t == Type::kObject || t == Type::kArray;
    std::string listed;
    for (const Scalar& s : values) {
      if (structural) {
        nlohmann::json j;
        if (s.json) {
          j = nlohmann::json::parse(s.text);
        } else if (s.quoted) {
          j = s.text;
        } else if (s.is_param()) {
          std::optional<Value> v = constant(s, Type::kString, keyword + " value");
          if (!v) continue;
          j = std::string(v->s);
        } else {
          j = plain_scalar_json(s.text);
        }
        n.enum_json.push_back(canonical_json(j));
        listed += (listed.empty() ? "" : ", ") + n.enum_json.back();
        continue;
      }
      if (s.json) {
        diags_.error(s.span, keyword + " value of " + spec::type_name(t) + " field '" + f.name + "' must be " +
                                 spec::type_with_article(t) + ", not " + (s.text[0] == '[' ? "an array" : "an object"));
        continue;
      }
      std::optional<Value> v =
          constant(s, t == Type::kInteger ? Type::kNumber : t, keyword + " value of field '" + f.name + "'");
      if (v && t == Type::kInteger && v->kind == Kind::kNumber) {
        diags_.error(s.span,
                     keyword + " value of integer field '" + f.name + "' must be an integer, not '" + s.text + "'");
        continue;
      }
      if (!v) continue;
      n.enum_values.push_back(*v);
      listed += (listed.empty() ? "" : ", ") + describe(*v);
    }
    std::sort(n.enum_json.begin(), n.enum_json.end());
    n.enum_check = add_check(path, keyword, f.severity, mostly,
                             keyword == "const" ? "must equal " + listed : "must be one of [" + listed + "]");
  }

  // ---- expressions --------------------------------------------------------

  struct ExprSource {
    const Scalar* scalar;
    Span at(int offset) const {
      Span s = scalar->span;
      s.column += offset + (scalar->quoted ? 1 : 0);
      return s;
    }
  };

  // Finds (or makes) the node a path names, and its capture slot.
  int resolve_path(const std::vector<spec::PathStep>& path, const ExprSource& src, int offset, EType& type) {
    Program& p = *program_;
    int node = 0;
    std::string walked;
    for (const spec::PathStep& step : path) {
      const Node& current = p.nodes[node];
      if (!step.key.empty()) {
        if (current.type != Type::kObject) {
          diags_.error(src.at(offset),
                       "'" + walked + "' is " + spec::type_name(current.type) + ", it has no field '" + step.key + "'");
          return -1;
        }
        int found = -1;
        std::vector<std::string> keys;
        for (int c : current.children) {
          keys.push_back(p.nodes[c].key);
          if (p.nodes[c].key == step.key) found = c;
        }
        if (found < 0) {
          diags_.error(src.at(offset), "unknown field '" + (walked.empty() ? "" : walked + ".") + step.key +
                                           "' in expression" + spec::did_you_mean(step.key, keys));
          return -1;
        }
        walked += (walked.empty() ? "" : ".") + step.key;
        node = found;
      } else {
        if (current.type != Type::kArray || current.items < 0) {
          diags_.error(src.at(offset), "'" + walked + "' is not an array with declared items; it cannot be indexed");
          return -1;
        }
        walked += "[" + std::to_string(step.index) + "]";
        node = indexed_node(node, static_cast<std::uint64_t>(step.index));
      }
    }
    Node& target = p.nodes[node];
    type = etype_of(target.type);
    if (target.slot < 0) target.slot = p.slot_count++;
    return target.slot;
  }

  int indexed_node(int array, std::uint64_t index) {
    for (const auto& [i, node] : program_->nodes[array].indexed) {
      if (i == index) return node;
    }
    int copy = clone(program_->nodes[array].items);
    program_->nodes[array].indexed.emplace_back(index, copy);
    return copy;
  }

  int clone(int node) {
    Program& p = *program_;
    int copy = static_cast<int>(p.nodes.size());
    p.nodes.push_back(p.nodes[node]);
    p.nodes[copy].slot = -1;
    p.nodes[copy].indexed.clear();
    for (std::size_t k = 0; k < p.nodes[copy].children.size(); ++k) {
      int child = clone(p.nodes[copy].children[k]);
      p.nodes[copy].children[k] = child;
    }
    if (p.nodes[copy].items >= 0) {
      int items = clone(p.nodes[copy].items);
      p.nodes[copy].items = items;
    }
    return copy;
  }

  // In a tier, a path names a measure; its slot indexes the measure values.
  template <class Fail>
  EType measure_path(const spec::ExprNode& e, int index, ExprCode& code, Fail&& fail) {
    std::vector<std::string> names;
    for (std::size_t m = 0; m < measures_in_scope_->size(); ++m) {
      const Program::Measure& measure = (*measures_in_scope_)[m];
      names.push_back(measure.name);
      if (measure.name == e.text) {
        code.nodes[static_cast<std::size_t>(index)].slot = static_cast<int>(m);
        code.nodes[static_cast<std::size_t>(index)].name = e.text;
        return measure.type;
      }
    }
    return fail("unknown measure '" + e.text + "' (a tier compares measures and $params)" +
                spec::did_you_mean(e.text, names));
  }

  bool compile_expr(const Scalar& scalar, ExprCode& code, const char* role) {
    spec::Expr expr;
    spec::ExprError error;
    ExprSource src{&scalar};
    if (!spec::parse_expression(scalar.text, expr, error)) {
      diags_.error(src.at(error.offset), std::string("in ") + role + " expression: " + error.message);
      return false;
    }
    code.nodes.resize(expr.nodes.size());
    bool ok = true;
    EType t = type_node(expr, expr.root, src, code, ok);
    code.root = expr.root;
    if (ok && t != EType::kBool && t != EType::kAny) {
      diags_.error(src.at(expr.nodes[expr.root].offset), std::string("a ") + role +
                                                             " must be true or false, but this expression is " +
                                                             (t == EType::kInt ? "an " : "a ") + etype_name(t));
      ok = false;
    }
    return ok;
  }

  static bool comparable(EType a, EType b) {
    if (a == EType::kAny || b == EType::kAny) return true;
    if (is_numeric(a) && is_numeric(b)) return true;
    return a == b;
  }

  // Gives string constants the type of the other side when it is a
  // timestamp or a date: created_at >= "2026-01-01T00:00:00Z".
  bool coerce_constant(ExprCode& code, int node, EType want, const ExprSource& src, int offset, bool& reported) {
    ExprCode::Node& n = code.nodes[node];
    if (n.type != EType::kString || n.constant.kind != Kind::kString) return false;
    if (want == EType::kTimestamp) {
      if (auto t = parse_rfc3339(n.constant.s)) {
        n.constant.kind = Kind::kTimestamp, n.constant.i = *t, n.type = EType::kTimestamp;
        return true;
      }
      diags_.error(src.at(offset), "'" + std::string(n.constant.s) + "' is not an RFC 3339 timestamp");
      reported = true;
    } else if (want == EType::kDate) {
      if (auto d = parse_date(n.constant.s)) {
        n.constant.kind = Kind::kDate, n.constant.i = *d, n.type = EType::kDate;
        return true;
      }
      diags_.error(src.at(offset), "'" + std::string(n.constant.s) + "' is not a date (YYYY-MM-DD)");
      reported = true;
    }
    return false;
  }

  EType type_node(const spec::Expr& expr, int index, const ExprSource& src, ExprCode& code, bool& ok) {
    const spec::ExprNode& e = expr.nodes[index];
    ExprCode::Node& out = code.nodes[index];
    out.op = e.op;
    out.args = e.args;
    auto fail = [&](const std::string& message) {
      if (ok) diags_.error(src.at(e.offset), message);
      ok = false;
      out.type = EType::kAny;
      return EType::kAny;
    };
    auto set = [&](EType t) {
      code.nodes[index].type = t;
      return t;
    };
    switch (e.op) {
      case ExprOp::kNumber: {
        auto v = parse_number(e.text);
        if (!v) return fail("'" + e.text + "' is not a number");
        out.constant = *v;
        return set(v->kind == Kind::kInt ? EType::kInt : EType::kNumber);
      }
      case ExprOp::kString:
        out.constant.kind = Kind::kString;
        out.constant.s = intern(e.text);
        return set(EType::kString);
      case ExprOp::kBool:
        out.constant.kind = Kind::kBool;
        out.constant.b = e.text == "true";
        return set(EType::kBool);
      case ExprOp::kNull: out.constant.kind = Kind::kNull; return set(EType::kNull);
      case ExprOp::kParam: {
        auto it = params_.find(e.text);
        if (it == params_.end()) {
          return fail("unknown param '$" + e.text + "'" + spec::did_you_mean(e.text, param_names()));
        }
        out.constant = it->second.first;
        return set(etype_of(it->second.first.kind));
      }
      case ExprOp::kPath: {
        if (measures_in_scope_) return set(measure_path(e, index, code, fail));
        EType t = EType::kAny;
        int slot = resolve_path(e.path, src, e.offset, t);
        if (slot < 0) {
          ok = false;
          return set(EType::kAny);
        }
        code.nodes[index].slot = slot;
        code.nodes[index].name = e.text;
        return set(t);
      }
      case ExprOp::kList: return fail("a list [...] is only allowed after 'in'");
      case ExprOp::kCall: {
        std::vector<EType> args;
        for (int a : e.args) args.push_back(type_node(expr, a, src, code, ok));
        ExprCode::Node& call = code.nodes[index];
        call.name = e.text;
        auto arity = [&](std::size_t n) {
          if (args.size() == n) return true;
          fail(e.text + "() takes " + std::to_string(n) + " argument" + (n == 1 ? "" : "s") + ", not " +
               std::to_string(args.size()));
          return false;
        };
        if (e.text == "len") {
          if (!arity(1)) return EType::kAny;
          if (args[0] != EType::kString && args[0] != EType::kArray && args[0] != EType::kAny)
            return fail(std::string("len() takes a string or an array, not ") + etype_name(args[0]));
          return set(EType::kInt);
        }
        if (e.text == "lower" || e.text == "upper") {
          if (!arity(1)) return EType::kAny;
          if (args[0] != EType::kString && args[0] != EType::kAny)
            return fail(e.text + "() takes a string, not " + etype_name(args[0]));
          return set(EType::kString);
        }
        if (e.text == "now") {
          if (!arity(0)) return EType::kAny;
          code.uses_now = true;
          return set(EType::kTimestamp);
        }
        if (e.text == "days") {
          if (!arity(1)) return EType::kAny;
          if (!is_numeric(args[0]) && args[0] != EType::kAny)
            return fail(std::string("days() takes a number, not ") + etype_name(args[0]));
          return set(EType::kDuration);
        }
        auto is_text = [](EType t) { return t == EType::kString || t == EType::kAny; };
        if (e.text == "starts_with" || e.text == "ends_with" || e.text == "contains") {
          if (!arity(2)) return EType::kAny;
          if (!is_text(args[0]) || !is_text(args[1]))
            return fail(e.text + "() takes two strings, not " + etype_name(args[0]) + " and " + etype_name(args[1]));
          return set(EType::kBool);
        }
        if (e.text == "matches") {
          if (!arity(2)) return EType::kAny;
          if (!is_text(args[0])) return fail(std::string("matches() takes a string, not ") + etype_name(args[0]));
          const ExprCode::Node& re = code.nodes[static_cast<std::size_t>(e.args[1])];
          if (re.constant.kind != Kind::kString) {
            return fail(
                "matches() takes its pattern as a string literal or a $param, such as matches(code, \"^[A-Z]+$\")");
          }
          auto compiled = compile_regex(std::string(re.constant.s));
          if (!compiled->ok()) return fail("the pattern of matches() does not compile: " + compiled->error());
          code.nodes[index].pattern = std::move(compiled);
          return set(EType::kBool);
        }
        if (e.text == "abs") {
          if (!arity(1)) return EType::kAny;
          if (!is_numeric(args[0]) && args[0] != EType::kAny)
            return fail(std::string("abs() takes a number, not ") + etype_name(args[0]));
          return set(args[0] == EType::kInt ? EType::kInt : EType::kNumber);
        }
        if (e.text == "round") {
          if (args.size() != 1 && args.size() != 2) return fail("round() takes a number and optional digits");
          if (!is_numeric(args[0]) && args[0] != EType::kAny)
            return fail(std::string("round() takes a number, not ") + etype_name(args[0]));
          if (args.size() == 2 && args[1] != EType::kInt) return fail("round()'s digits must be an integer");
          return set(args.size() == 1 ? EType::kInt : EType::kNumber);
        }
        if (e.text == "is_null") {
          if (!arity(1)) return EType::kAny;
          return set(EType::kBool);
        }
        if (e.text == "coalesce") {
          if (args.empty()) return fail("coalesce() takes one or more values");
          EType t = EType::kAny;
          for (EType a : args) {
            if (a == EType::kAny || a == EType::kNull) continue;
            if (t == EType::kAny)
              t = a;
            else if (!(is_numeric(t) && is_numeric(a)) && t != a)
              return fail(std::string("coalesce() takes values of one type, not ") + etype_name(t) + " and " +
                          etype_name(a));
            else if (is_numeric(t) && a != t)
              t = EType::kNumber;
          }
          return set(t);
        }
        auto is_time = [](EType t) { return t == EType::kTimestamp || t == EType::kDate || t == EType::kAny; };
        if (e.text == "year" || e.text == "month" || e.text == "day" || e.text == "day_of_week" || e.text == "hour") {
          if (!arity(1)) return EType::kAny;
          if (!is_time(args[0]) || (e.text == "hour" && args[0] == EType::kDate))
            return fail(e.text + "() takes a " + (e.text == "hour" ? "timestamp" : "timestamp or a date") + ", not " +
                        etype_name(args[0]));
          // A timestamp's calendar is its field's time zone (UTC for other times).
          const ExprCode::Node& arg = code.nodes[static_cast<std::size_t>(e.args[0])];
          if (arg.slot >= 0) {
            for (const Node& n : program_->nodes) {
              if (n.slot == arg.slot && n.type == Type::kTimestamp) code.nodes[index].zone = n.time.zone;
            }
          }
          return set(EType::kInt);
        }
        if (e.text == "date_diff") {
          if (!arity(3)) return EType::kAny;
          // A string literal beside a time is read as one: date_diff(at, "2026-01-01T00:00:00Z", "days").
          for (int side = 0; side < 2; ++side) {
            const EType other = args[static_cast<std::size_t>(1 - side)];
            if (args[static_cast<std::size_t>(side)] != EType::kString ||
                (other != EType::kTimestamp && other != EType::kDate)) {
              continue;
            }
            bool reported = false;
            const int arg = e.args[static_cast<std::size_t>(side)];
            if (coerce_constant(code, arg, other, src, expr.nodes[static_cast<std::size_t>(arg)].offset, reported)) {
              args[static_cast<std::size_t>(side)] = other;
            } else if (reported) {
              ok = false;
              return EType::kAny;
            }
          }
          if (!is_time(args[0]) || !is_time(args[1]) ||
              (args[0] != args[1] && args[0] != EType::kAny && args[1] != EType::kAny))
            return fail(std::string("date_diff() takes two timestamps or two dates, not ") + etype_name(args[0]) +
                        " and " + etype_name(args[1]));
          const ExprCode::Node& unit = code.nodes[static_cast<std::size_t>(e.args[2])];
          const bool dates = args[0] == EType::kDate || args[1] == EType::kDate;
          static const std::map<std::string, std::int64_t> kMicros = {{"weeks", 7 * 86400000000LL},
                                                                      {"days", 86400000000LL},
                                                                      {"hours", 3600000000LL},
                                                                      {"minutes", 60000000LL},
                                                                      {"seconds", 1000000LL}};
          auto it = unit.constant.kind == Kind::kString ? kMicros.find(std::string(unit.constant.s)) : kMicros.end();
          if (it == kMicros.end() || (dates && it->second < 86400000000LL)) {
            return fail(std::string("date_diff()'s unit is a literal: ") +
                        (dates ? "\"days\" or \"weeks\" for dates"
                               : "\"weeks\", \"days\", \"hours\", \"minutes\" or \"seconds\""));
          }
          code.nodes[index].unit = dates ? it->second / 86400000000LL : it->second;
          return set(EType::kInt);
        }
        return fail("unknown function '" + e.text + "()'" +
                    spec::did_you_mean(e.text, {"len", "lower", "upper", "now", "days", "starts_with", "ends_with",
                                                "contains", "matches", "abs", "round", "is_null", "coalesce", "year",
                                                "month", "day", "day_of_week", "hour", "date_diff"}));
      }
      case ExprOp::kNot: {
        EType a = type_node(expr, e.args[0], src, code, ok);
        if (a != EType::kBool && a != EType::kAny)
          return fail(std::string("'not' needs true or false, not ") + etype_name(a));
        return set(EType::kBool);
      }
      case ExprOp::kAnd:
      case ExprOp::kOr: {
        for (int a : e.args) {
          EType t = type_node(expr, a, src, code, ok);
          if (t != EType::kBool && t != EType::kAny)
            return fail(std::string("'") + spec::op_symbol(e.op) + "' needs true or false on both sides, not " +
                        etype_name(t));
        }
        return set(EType::kBool);
      }
      case ExprOp::kNeg: {
        EType a = type_node(expr, e.args[0], src, code, ok);
        if (!is_numeric(a) && a != EType::kDuration && a != EType::kAny)
          return fail(std::string("cannot negate ") + etype_name(a));
        return set(a);
      }
      case ExprOp::kIn:
      case ExprOp::kNotIn: {
        EType left = type_node(expr, e.args[0], src, code, ok);
        const spec::ExprNode& list = expr.nodes[e.args[1]];
        code.nodes[e.args[1]].op = ExprOp::kList;
        code.nodes[e.args[1]].args = list.args;
        code.nodes[e.args[1]].type = EType::kList;
        bool coerce_reported = false;
        for (int item : list.args) {
          EType t = type_node(expr, item, src, code, ok);
          if (!comparable(left, t) &&
              !coerce_constant(code, item, left, src, expr.nodes[item].offset, coerce_reported)) {
            if (coerce_reported) {
              ok = false;
              return set(EType::kAny);
            }
            return fail(std::string("cannot compare ") + etype_name(left) + " with " + etype_name(t) + " in 'in'");
          }
        }
        return set(EType::kBool);
      }
      default: break;
    }
    // Binary comparisons and arithmetic.
    EType a = type_node(expr, e.args[0], src, code, ok);
    EType b = type_node(expr, e.args[1], src, code, ok);
    if (!ok) return set(EType::kAny);
    switch (e.op) {
      case ExprOp::kEq:
      case ExprOp::kNe:
      case ExprOp::kLt:
      case ExprOp::kLe:
      case ExprOp::kGt:
      case ExprOp::kGe: {
        bool equality = e.op == ExprOp::kEq || e.op == ExprOp::kNe;
        if (equality && (a == EType::kNull || b == EType::kNull)) return set(EType::kBool);
        if (!comparable(a, b)) {
          bool reported = false;
          if (coerce_constant(code, e.args[1], a, src, expr.nodes[e.args[1]].offset, reported) ||
              coerce_constant(code, e.args[0], b, src, expr.nodes[e.args[0]].offset, reported)) {
            return set(EType::kBool);
          }
          if (reported) {
            ok = false;
            return set(EType::kAny);
          }
          return fail(std::string("cannot compare ") + etype_name(a) + " with " + etype_name(b) + " using '" +
                      spec::op_symbol(e.op) + "'");
        }
        if (!equality && (a == EType::kBool || a == EType::kNull || a == EType::kArray || a == EType::kObject)) {
          return fail(std::string("'") + spec::op_symbol(e.op) + "' does not order " + etype_name(a) + " values");
        }
        if (equality && (a == EType::kArray || a == EType::kObject)) {
          return fail(std::string("only '== null' and '!= null' apply to ") + etype_name(a) + " values");
        }
        return set(EType::kBool);
      }
      case ExprOp::kAdd:
      case ExprOp::kSub: {
        if (a == EType::kAny || b == EType::kAny) return set(EType::kAny);
        if (is_numeric(a) && is_numeric(b))
          return set(a == EType::kInt && b == EType::kInt ? EType::kInt : EType::kNumber);
        if ((a == EType::kTimestamp || a == EType::kDate) && b == EType::kDuration) return set(a);
        if (e.op == ExprOp::kAdd && a == EType::kDuration && (b == EType::kTimestamp || b == EType::kDate))
          return set(b);
        if (a == EType::kDuration && b == EType::kDuration) return set(EType::kDuration);
        if (e.op == ExprOp::kSub && a == b && (a == EType::kTimestamp || a == EType::kDate))
          return set(EType::kDuration);
        return fail(std::string("cannot apply '") + spec::op_symbol(e.op) + "' to " + etype_name(a) + " and " +
                    etype_name(b));
      }
      case ExprOp::kMul:
      case ExprOp::kDiv: {
        if (a == EType::kAny || b == EType::kAny) return set(EType::kAny);
        if (is_numeric(a) && is_numeric(b)) {
          return set(e.op == ExprOp::kMul && a == EType::kInt && b == EType::kInt ? EType::kInt : EType::kNumber);
        }
        return fail(std::string("cannot apply '") + spec::op_symbol(e.op) + "' to " + etype_name(a) + " and " +
                    etype_name(b));
      }
      default: return fail("unsupported expression");
    }
  }

  void compile_rule(const spec::Rule& rule) {
    CompiledRule r;
    bool ok = true;
    if (rule.when) ok &= compile_expr(*rule.when, r.when, "'when'");
    if (!rule.check.text.empty()) ok &= compile_expr(rule.check, r.check, "'check'");
    if (!ok || rule.check.text.empty()) return;
    double mostly = 1.0;
    if (rule.mostly) {
      if (auto v = constant(*rule.mostly, Type::kNumber, "'mostly' of rule '" + rule.name + "'")) {
        mostly = v->as_double();
        if (mostly < 0 || mostly > 1) diags_.error(rule.mostly->span, "'mostly' must be between 0 and 1");
      }
    }
    r.check_id = add_check("", "rules." + rule.name, rule.severity, mostly,
                           rule.description.empty() ? "fails: " + rule.check.text : rule.description);
    program_->checks.back().kind = "rule";
    if (mostly < 1.0) {
      r.mostly_field = static_cast<int>(program_->mostly_fields.size());
      program_->mostly_fields.push_back({r.check_id});
    }
    program_->rules.push_back(std::move(r));
  }

  // Gives every field outside arrays a capture slot, parents before children.
  void plan_profile(int object, int parent) {
    Program& p = *program_;
    for (int child : p.nodes[static_cast<std::size_t>(object)].children) {
      Node& n = p.nodes[static_cast<std::size_t>(child)];
      if (n.slot < 0) n.slot = p.slot_count++;
      p.profiled.push_back({child, parent});
      if (n.type == Type::kObject) plan_profile(child, static_cast<int>(p.profiled.size()) - 1);
    }
  }

  // ---- later sections: structure and references ---------------------------

  bool field_exists(const std::string& dotted) const {
    const Program& p = *program_;
    int node = 0;
    std::size_t start = 0;
    while (start <= dotted.size()) {
      std::size_t dot = dotted.find('.', start);
      std::string key = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      int found = -1;
      for (int c : p.nodes[node].children) {
        if (p.nodes[c].key == key) found = c;
      }
      if (found < 0) return false;
      node = found;
      if (dot == std::string::npos) return true;
      start = dot + 1;
    }
    return false;
  }

  void check_field_ref(const std::string& field, Span at, const char* where) {
    if (!field.empty() && !field_exists(field)) {
      diags_.error(at, std::string(where) + " names unknown field '" + field + "'");
    }
  }

  void check_sections() {
    const spec::Contract& c = program_->spec;
    compile_expectations(c);
    if (c.drift) compile_drift(*c.drift);
    for (const spec::Monitor& m : c.monitors) compile_monitor(m);
    if (c.sla) compile_sla(*c.sla);
    if (c.grading) compile_grading(*c.grading);
  }

  // ---- grading --------------------------------------------------------------

  void compile_grading(const spec::Grading& spec) {
    Program::Grading g;
    for (const Scalar& key : spec.key) {
      if (auto column = grading_column(key, "key", true)) g.key.push_back(*column);
    }
    for (const Scalar& out : spec.output) {
      if (auto column = grading_column(out, "output", false)) g.output.push_back(*column);
    }
    if (spec.filter) compile_expr(*spec.filter, g.filter, "grading 'filter'");
    std::vector<std::string> names;
    for (const auto& [name, text] : spec.measures) {
      if (std::find(names.begin(), names.end(), name) != names.end() || !is_identifier(name)) {
        diags_.error(text.span, "measure name '" + name + "' must be a unique identifier (letters, digits, _)");
        continue;
      }
      names.push_back(name);
      compile_measure(name, text, g);
    }
    if (spec.tiers.empty()) diags_.error(spec.span, "grading needs 'tiers': an ordered list of {name, when}");
    measures_in_scope_ = &g.measures;
    std::vector<std::string> tier_names;
    for (std::size_t i = 0; i < spec.tiers.size(); ++i) {
      const auto& tier = spec.tiers[i];
      if (std::find(tier_names.begin(), tier_names.end(), tier.name) != tier_names.end()) {
        diags_.error(tier.span, "tier '" + tier.name + "' is listed twice");
      }
      tier_names.push_back(tier.name);
      Program::Grading::Tier t{tier.name, {}, true};
      if (tier.when) {
        compile_expr(*tier.when, t.when, "tier 'when'");
      } else if (i + 1 < spec.tiers.size()) {
        diags_.error(tier.span, "tier '" + tier.name +
                                    "' has no 'when', so it takes every entity and the tiers "
                                    "after it are never reached; the default tier goes last");
      }
      g.tiers.push_back(std::move(t));
    }
    measures_in_scope_ = nullptr;
    if (!spec.tiers.empty() && spec.tiers.back().when) {
      diags_.error(spec.tiers.back().span,
                   "grading needs a default tier: a last tier without 'when' "
                   "(every entity gets a tier, so the tiers add up to the entities)");
    }
    compile_export(spec.export_tiers, g);
    program_->grading = std::move(g);
  }

  static bool is_identifier(const std::string& name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
  }

  // A key or output column: a declared scalar field outside arrays. Keys
  // must be required all the way down: a record without its key can't be
  // graded, so it is invalid (and goes to the rejects) rather than lost.
  std::optional<Program::Grading::Column> grading_column(const Scalar& s, const char* role, bool key) {
    const int field = profiled_field(s.text, s.span, std::string("grading ") + role);
    if (field < 0) return std::nullopt;
    const Program& p = *program_;
    const Node& n = p.nodes[static_cast<std::size_t>(p.profiled[static_cast<std::size_t>(field)].node)];
    if (n.type == Type::kObject || n.type == Type::kArray) {
      diags_.error(s.span, std::string("grading ") + role + " '" + s.text + "' is " + spec::type_name(n.type) +
                               "; name a scalar field");
      return std::nullopt;
    }
    for (int f = field; key && f >= 0; f = p.profiled[static_cast<std::size_t>(f)].parent) {
      const Node& step = p.nodes[static_cast<std::size_t>(p.profiled[static_cast<std::size_t>(f)].node)];
      if (!step.required) {
        diags_.error(s.span, "grading key '" + s.text + "' must be required (set required: true on '" +
                                 step.schema_path + "'): a record without its key cannot be graded");
        return std::nullopt;
      }
    }
    return Program::Grading::Column{s.text, n.slot};
  }

  // Where the top-level keyword `where` starts in a measure, or npos.
  static std::size_t find_where(std::string_view text) {
    char quote = 0;
    int depth = 0;
    auto name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (quote) {
        if (c == '\\')
          ++i;
        else if (c == quote)
          quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '(' || c == '[') {
        ++depth;
      } else if (c == ')' || c == ']') {
        --depth;
      } else if (depth == 0 && text.substr(i, 5) == "where" && (i == 0 || !name_char(text[i - 1])) &&
                 (i + 5 == text.size() || !name_char(text[i + 5]))) {
        return i;
      }
    }
    return std::string_view::npos;
  }

  void compile_measure(const std::string& name, const Scalar& text, Program::Grading& g) {
    using MK = Program::Measure::Kind;
    static const std::map<std::string, MK> kKinds = {{"count", MK::kCount}, {"sum", MK::kSum},
                                                     {"mean", MK::kMean},   {"min", MK::kMin},
                                                     {"max", MK::kMax},     {"distinct", MK::kDistinct}};
    Program::Measure m;
    m.name = name;
    const std::size_t where = find_where(text.text);
    const std::string head = text.text.substr(0, where);
    ExprSource src{&text};
    spec::Expr expr;
    spec::ExprError error;
    if (!spec::parse_expression(head, expr, error)) {
      diags_.error(src.at(error.offset), "in measure '" + name + "': " + error.message);
      return;
    }
    const spec::ExprNode& call = expr.nodes[static_cast<std::size_t>(expr.root)];
    auto kind = kKinds.find(call.text);
    if (call.op != ExprOp::kCall || kind == kKinds.end()) {
      diags_.error(src.at(call.offset), "measure '" + name +
                                            "' must be count(), sum(x), mean(x), min(x), max(x) or "
                                            "distinct(x), optionally followed by 'where <condition>'");
      return;
    }
    m.kind = kind->second;
    const bool takes_none = m.kind == MK::kCount;
    if (call.args.size() > 1 || (call.args.empty() && !takes_none)) {
      diags_.error(src.at(call.offset), call.text + "() in measure '" + name + "' takes " +
                                            (takes_none ? "zero or one argument" : "one argument"));
      return;
    }
    m.type = EType::kInt;
    if (!call.args.empty()) {
      bool ok = true;
      m.arg.nodes.resize(expr.nodes.size());
      m.arg.root = call.args[0];
      const EType t = type_node(expr, call.args[0], src, m.arg, ok);
      if (!ok) return;
      const bool orderable = is_numeric(t) || t == EType::kTimestamp || t == EType::kDate;
      const bool scalar = orderable || t == EType::kString || t == EType::kBool;
      std::string wanted;
      switch (m.kind) {
        case MK::kSum:
        case MK::kMean:
          if (!is_numeric(t)) wanted = "a number";
          m.type = m.kind == MK::kSum && t == EType::kInt ? EType::kInt : EType::kNumber;
          break;
        case MK::kMin:
        case MK::kMax:
          if (!orderable) wanted = "a number, a timestamp or a date";
          m.type = t;
          break;
        case MK::kDistinct:
          if (!scalar) wanted = "a scalar (string, number, boolean, timestamp or date)";
          break;
        case MK::kCount:
          if (!scalar && t != EType::kAny) wanted = "a scalar";
          break;
      }
      if (!wanted.empty()) {
        diags_.error(src.at(expr.nodes[static_cast<std::size_t>(call.args[0])].offset),
                     call.text + "() in measure '" + name + "' needs " + wanted + ", but its argument is " +
                         (t == EType::kAny ? std::string("untyped (declare the field's type)") : etype_name(t)));
        return;
      }
    }
    if (where != std::string::npos) {
      Scalar condition = text;
      condition.text = text.text.substr(where + 5);
      condition.span.column += static_cast<int>(where + 5);
      if (!compile_expr(condition, m.where, "measure 'where'")) return;
    }
    g.measures.push_back(std::move(m));
  }

  // `export`: tier names, or one $param holding them comma-separated ("" = every tier).
  void compile_export(const std::vector<Scalar>& listed, Program::Grading& g) {
    if (listed.empty()) return;
    std::vector<std::pair<std::string, Span>> names;
    for (const Scalar& s : listed) {
      if (!s.is_param()) {
        names.emplace_back(s.text, s.span);
        continue;
      }
      auto v = constant(s, Type::kString, "grading 'export'");
      if (!v) return;
      std::string_view text = v->s;
      while (!text.empty()) {
        std::size_t comma = text.find(',');
        std::string name(text.substr(0, comma));
        name.erase(0, name.find_first_not_of(' '));
        name.erase(name.find_last_not_of(' ') + 1);
        if (!name.empty()) names.emplace_back(name, s.span);
        text.remove_prefix(comma == std::string_view::npos ? text.size() : comma + 1);
      }
    }
    if (names.empty()) return;
    std::vector<std::string> tiers;
    for (auto& t : g.tiers) {
      tiers.push_back(t.name);
      t.exported = false;
    }
    for (const auto& [name, span] : names) {
      auto it = std::find_if(g.tiers.begin(), g.tiers.end(), [&name = name](const auto& t) { return t.name == name; });
      if (it == g.tiers.end()) {
        diags_.error(span, "grading 'export' names unknown tier '" + name + "'" + spec::did_you_mean(name, tiers));
      } else {
        it->exported = true;
      }
    }
  }

  // The profiled field a dotted path names (an error, and -1, when none).
  int profiled_field(const std::string& path, Span at, const std::string& where) {
    const Program& p = *program_;
    for (std::size_t i = 0; i < p.profiled.size(); ++i) {
      if (p.nodes[static_cast<std::size_t>(p.profiled[i].node)].schema_path == path) return static_cast<int>(i);
    }
    const bool in_array = std::any_of(p.nodes.begin(), p.nodes.end(), [&](const Node& n) {
      std::string plain = n.schema_path;
      for (std::size_t k; (k = plain.find("[]")) != std::string::npos;) plain.erase(k, 2);
      return plain == path && n.schema_path != path;
    });
    if (in_array) {
      diags_.error(at, where + " names field '" + path + "', which is inside an array (not profiled)");
    } else {
      std::vector<std::string> names;
      for (const auto& f : p.profiled) names.push_back(p.nodes[static_cast<std::size_t>(f.node)].schema_path);
      diags_.error(at, where + " names unknown field '" + path + "'" + spec::did_you_mean(path, names));
    }
    return -1;
  }

  Type field_type(int field) const {
    return program_->nodes[static_cast<std::size_t>(program_->profiled[static_cast<std::size_t>(field)].node)].type;
  }

  std::optional<double> number_setting(const Scalar& s, Type type, const std::string& what) {
    auto v = constant(s, type, what);
    if (!v) return std::nullopt;
    return v->kind == Kind::kInt || v->kind == Kind::kTimestamp || v->kind == Kind::kDate ? static_cast<double>(v->i)
                                                                                          : v->d;
  }

  void compile_expectations(const spec::Contract& c) {
    static const std::set<std::string> kNeedField = {"null_rate",
                                                     "null_count",
                                                     "duplicate_count",
                                                     "distinct_count",
                                                     "mean",
                                                     "stddev",
                                                     "min",
                                                     "max",
                                                     "median",
                                                     "quantile",
                                                     "sum",
                                                     "value",
                                                     "distinct_values",
                                                     "most_common_value",
                                                     "distinct_ratio",
                                                     "outlier_share",
                                                     "increasing",
                                                     "decreasing",
                                                     "chi_square",
                                                     "kl_divergence",
                                                     "ks"};
    static const std::set<std::string> kNumeric = {"mean",     "stddev",        "sum", "median",
                                                   "quantile", "outlier_share", "ks"};
    static const std::set<std::string> kOrdered = {"min", "max", "value", "increasing", "decreasing"};
    static const std::set<std::string> kSets = {"distinct_values", "most_common_value", "columns"};
    static const std::set<std::string> kStatistics = {
        "mean",           "stddev",        "min",        "max",           "median", "quantile", "most_common_value",
        "distinct_ratio", "outlier_share", "chi_square", "kl_divergence", "ks"};
    // Counts of the whole input, not of records: a `when` cannot narrow them.
    static const std::set<std::string> kWholeInput = {
        "valid_count", "invalid_count", "malformed_count", "invalid_rate", "malformed_rate", "column_count", "columns"};
    static const std::set<std::string> kMostly = {"value", "unique", "increasing", "decreasing"};
    std::map<std::string, int> conditions;  // `when` text -> index into Program::conditions
    for (const auto& e : c.expectations) {
      Program::Expectation x;
      x.metric = e.metric;
      x.severity = e.severity;
      x.allow_empty = e.allow_empty;
      x.strict = e.strict;
      const std::string what = "expectation '" + (e.name.empty() ? e.metric : e.name) + "'";
      if (e.allow_empty && !kStatistics.count(e.metric)) {
        diags_.error(e.span, what +
                                 ": 'allow_empty' applies to statistics of values (mean, stddev, min, max, "
                                 "median, quantile, distribution tests), not to '" +
                                 e.metric + "'");
      }
      if (!e.fields.empty() && e.metric != "unique") {
        diags_.error(e.span, what + ": 'fields' goes with metric unique (several fields that are unique together)");
        continue;
      }
      if (kNeedField.count(e.metric) && e.field.empty()) {
        diags_.error(e.span, what + " (" + e.metric + ") needs a 'field'");
        continue;
      }
      if (e.metric == "unique" && e.field.empty() == e.fields.empty()) {
        diags_.error(e.span, what + " (unique) needs 'field: f' or 'fields: [a, b]', one of them");
        continue;
      }
      if (!e.field.empty()) {
        x.field = profiled_field(e.field, e.span, what);
        if (x.field < 0) continue;
      }
      bool fields_ok = true;
      for (const std::string& f : e.fields) {
        const int index = profiled_field(f, e.span, what);
        if (index < 0)
          fields_ok = false;
        else
          x.fields.push_back(index);
      }
      if (!fields_ok) continue;
      if (e.metric == "unique" && x.fields.empty()) x.fields.push_back(x.field);
      if (e.strict && e.metric != "increasing" && e.metric != "decreasing") {
        diags_.error(e.span, what + ": 'strict' goes with increasing and decreasing");
      }
      const std::string key_text = e.fields.empty() ? e.field : join(e.fields, ",");
      x.id = !e.name.empty() ? e.name : key_text.empty() ? e.metric : e.metric + "(" + key_text + ")";
      if (e.when) {
        if (kWholeInput.count(e.metric)) {
          diags_.error(e.when->span,
                       what + ": 'when' narrows statistics of records; '" + e.metric + "' counts the whole input");
        } else if (auto it = conditions.find(e.when->text); it != conditions.end()) {
          x.condition = it->second;
        } else {
          ExprCode code;
          if (compile_expr(*e.when, code, "expectation 'when'")) {
            x.condition = static_cast<int>(program_->conditions.size());
            conditions[e.when->text] = x.condition;
            program_->conditions.push_back(std::move(code));
          }
        }
      }
      // Thresholds of min, max and value on times are times; the rest are numbers.
      Type threshold_type = Type::kNumber;
      if (x.field >= 0) {
        const Type t = field_type(x.field);
        const bool numeric = t == Type::kInteger || t == Type::kNumber;
        const bool temporal = t == Type::kTimestamp || t == Type::kDate;
        if ((kNumeric.count(e.metric) && !numeric) || (kOrdered.count(e.metric) && !numeric && !temporal)) {
          diags_.error(e.span, what + ": metric '" + e.metric + "' needs a " +
                                   (kOrdered.count(e.metric) ? "numeric or time" : "numeric") + " field, and '" +
                                   e.field + "' is " + spec::type_name(t));
          continue;
        }
        if (temporal && (e.metric == "min" || e.metric == "max" || e.metric == "value")) threshold_type = t;
      }
      if (e.min) x.min = number_setting(*e.min, threshold_type, what + " 'min'");
      if (e.max) x.max = number_setting(*e.max, threshold_type, what + " 'max'");
      if (e.between) {
        x.min = number_setting(e.between->first, threshold_type, what + " 'between'");
        x.max = number_setting(e.between->second, threshold_type, what + " 'between'");
      }
      if ((e.metric == "unique" || e.metric == "increasing" || e.metric == "decreasing" || e.metric == "columns") &&
          (e.min || e.max || e.between)) {
        diags_.error(e.span, what + ": metric '" + e.metric + "' takes no bounds" +
                                 (e.metric == "columns" ? " (it takes 'in', 'contains', 'equals' or 'ordered')"
                                                        : " (a share of values goes in 'mostly')"));
      }
      compile_set(e, x, what, kSets);
      if (x.min && x.max && *x.min > *x.max) {
        const Scalar& upper = e.between ? e.between->second : *e.max;
        diags_.error(upper.span, what + " can never pass: its minimum " + describe_number(*x.min) +
                                     " is above its maximum " + describe_number(*x.max));
      }
      if (e.mostly) {
        if (!kMostly.count(e.metric)) {
          diags_.error(e.mostly->span, what +
                                           ": 'mostly' applies to metrics value, unique, increasing and "
                                           "decreasing (the share of values that pass)");
        } else if (auto m = number_setting(*e.mostly, Type::kNumber, what + " 'mostly'")) {
          if (*m < 0 || *m > 1) diags_.error(e.mostly->span, "'mostly' must be between 0 and 1");
          x.mostly = *m;
        }
      }
      if (e.sigma && e.metric != "outlier_share")
        diags_.error(e.sigma->span, what + ": 'sigma' goes with outlier_share");
      if (e.metric == "outlier_share" && e.sigma) {
        x.sigma = number_setting(*e.sigma, Type::kNumber, what + " 'sigma'").value_or(3);
        if (!(x.sigma > 0)) diags_.error(e.sigma->span, "'sigma' must be above 0");
      }
      if (e.metric == "quantile") {
        // `quantile: 0.95` is read by the loader as an unknown-key-free scalar.
        x.quantile = e.quantile ? number_setting(*e.quantile, Type::kNumber, what + " 'quantile'").value_or(0.5) : 0.5;
        if (!e.quantile) diags_.error(e.span, what + " (quantile) needs 'quantile: q' with q in 0..1");
        if (x.quantile < 0 || x.quantile > 1) diags_.error(e.quantile->span, "'quantile' must be between 0 and 1");
      }
      compile_partition(e, x, what);
      compile_distribution(e, x, what);
      if (x.condition >= 0 || e.metric == "increasing" || e.metric == "decreasing" || x.fields.size() > 1) {
        program_->walk_for_expectations = true;
      }
      program_->expectations.push_back(std::move(x));
    }
    // `unique: true` is an expectation too: no value repeats within the
    // batch (or within the field's `mostly`).
    for (std::size_t i = 0; i < program_->profiled.size(); ++i) {
      const Node& n = program_->nodes[static_cast<std::size_t>(program_->profiled[i].node)];
      auto unique = unique_fields_.find(n.schema_path);
      if (unique == unique_fields_.end()) continue;
      Program::Expectation x;
      x.id = n.schema_path + ".unique";
      x.metric = "unique";
      x.field = static_cast<int>(i);
      x.fields = {x.field};
      x.severity = n.severity;
      x.mostly = unique->second;
      program_->expectations.push_back(std::move(x));
    }
  }

  static std::string join(const std::vector<std::string>& parts, const char* separator) {
    std::string out;
    for (const std::string& part : parts) out += (out.empty() ? "" : separator) + part;
    return out;
  }

  // in / contains / equals / ordered: distinct_values and most_common_value
  // (a field's values), columns (the input's columns).
  void compile_set(const spec::Expectation& e, Program::Expectation& x, const std::string& what,
                   const std::set<std::string>& sets) {
    if (!sets.count(e.metric) && e.set_mode.empty()) return;
    if (!sets.count(e.metric)) {
      diags_.error(e.span, what +
                               ": 'in', 'contains', 'equals' and 'ordered' go with distinct_values, "
                               "most_common_value and columns");
      return;
    }
    if (e.set_mode.empty() || (e.metric == "most_common_value" && e.set_mode != "in") ||
        (e.set_mode == "ordered" && e.metric != "columns")) {
      diags_.error(e.span,
                   what + (e.metric == "most_common_value" ? " needs 'in: [...]'"
                           : e.metric == "columns" ? " needs 'in', 'contains', 'equals' or 'ordered' with a list"
                                                   : " needs 'in', 'contains' or 'equals' with a list"));
      return;
    }
    x.set_mode = e.set_mode;
    if (e.metric == "columns") {
      for (const Scalar& v : e.set) x.set_texts.push_back(v.text);
      return;
    }
    if (x.field < 0) return;
    const Type t = field_type(x.field);
    if (t != Type::kString && t != Type::kBoolean && t != Type::kInteger && t != Type::kNumber) {
      diags_.error(e.span, what + ": metric '" + e.metric + "' needs a string, boolean or numeric field, and '" +
                               e.field + "' is " + spec::type_name(t));
    }
    for (const Scalar& v : e.set) {
      x.set_texts.push_back(v.text);
      if (t == Type::kInteger || t == Type::kNumber) {
        if (auto number = number_setting(v, Type::kNumber, what + " set value")) x.set_numbers.push_back(*number);
      }
    }
  }

  // chi_square (categories) and kl_divergence (categories or bins): the
  // declared distribution, checked as Great Expectations checks a partition
  // object: one weight per category or bin, none negative, summing to 1.
  void compile_partition(const spec::Expectation& e, Program::Expectation& x, const std::string& what) {
    const bool wants = e.metric == "chi_square" || e.metric == "kl_divergence";
    if (!e.partition) {
      if (wants)
        diags_.error(e.span, what + " (" + e.metric + ") needs a 'partition' with 'values' (or 'bins') and 'weights'");
      return;
    }
    const spec::Expectation::Partition& part = *e.partition;
    if (!wants) {
      diags_.error(part.span, what + ": 'partition' goes with chi_square and kl_divergence");
      return;
    }
    if (part.values.empty() == part.bins.empty()) {
      diags_.error(part.span, what + ": a partition has 'values' (categories) or 'bins' (edges), one of them");
      return;
    }
    if (e.metric == "chi_square" && !part.bins.empty()) {
      diags_.error(part.span, what + ": chi_square compares category counts; its partition takes 'values'");
      return;
    }
    if (e.metric == "chi_square" && part.values.size() < 2) {
      diags_.error(part.span, what + ": chi_square needs two categories or more (one leaves no degree of freedom)");
      return;
    }
    const Type t = x.field >= 0 ? field_type(x.field) : Type::kAny;
    const bool numeric = t == Type::kInteger || t == Type::kNumber;
    if (!part.bins.empty() && !numeric) {
      diags_.error(part.span, what + ": 'bins' need a numeric field, and '" + e.field + "' is " + spec::type_name(t));
      return;
    }
    if (!part.values.empty() && !numeric && t != Type::kString && t != Type::kBoolean) {
      diags_.error(part.span, what + ": categories need a string, boolean or numeric field, and '" + e.field + "' is " +
                                  spec::type_name(t));
      return;
    }
    for (const Scalar& v : part.values) {
      x.partition_texts.push_back(v.text);
      if (numeric) {
        if (auto n = number_setting(v, Type::kNumber, what + " partition value")) x.partition_numbers.push_back(*n);
      }
    }
    for (const Scalar& b : part.bins) {
      auto edge = number_setting(b, Type::kNumber, what + " bin edge");
      if (!edge) continue;
      if (!x.bins.empty() && !(*edge > x.bins.back())) {
        diags_.error(b.span, what + ": bin edges must increase, and " + b.text + " does not");
      }
      x.bins.push_back(*edge);
    }
    double total = 0;
    for (const Scalar& w : part.weights) {
      auto weight = number_setting(w, Type::kNumber, what + " weight");
      if (!weight) continue;
      if (*weight < 0) diags_.error(w.span, "a weight must not be negative");
      x.weights.push_back(*weight);
      total += *weight;
    }
    const std::size_t wanted =
        part.values.empty() ? (part.bins.size() < 2 ? 1 : part.bins.size() - 1) : part.values.size();
    if (!part.bins.empty() && part.bins.size() < 2) diags_.error(part.span, what + ": 'bins' needs two edges or more");
    if (x.weights.size() != wanted) {
      diags_.error(part.span, what + ": the partition has " + std::to_string(wanted) +
                                  (part.values.empty() ? " bins" : " values") + " and " +
                                  std::to_string(part.weights.size()) + " weights");
    }
    if (!part.tail_weights.empty()) {
      if (part.bins.empty() || part.tail_weights.size() != 2) {
        diags_.error(part.span, what + ": 'tail_weights' go with bins, two of them [below, above]");
      } else {
        x.tail_below = number_setting(part.tail_weights[0], Type::kNumber, what + " tail weight").value_or(0);
        x.tail_above = number_setting(part.tail_weights[1], Type::kNumber, what + " tail weight").value_or(0);
        if (x.tail_below < 0 || x.tail_above < 0) diags_.error(part.span, "a tail weight must not be negative");
        total += x.tail_below + x.tail_above;
      }
    }
    if (part.tail_weight_holdout) {
      x.tail_weight_holdout =
          number_setting(*part.tail_weight_holdout, Type::kNumber, what + " 'tail_weight_holdout'").value_or(0);
      if (x.tail_weight_holdout < 0 || x.tail_weight_holdout > 1) {
        diags_.error(part.tail_weight_holdout->span, "'tail_weight_holdout' must be between 0 and 1");
      }
      if (!part.tail_weights.empty()) {
        diags_.error(part.tail_weight_holdout->span,
                     what + ": 'tail_weight_holdout' and 'tail_weights' exclude each other");
      }
    }
    if (std::fabs(total - 1) > 1e-6) {
      char sum[32];
      std::snprintf(sum, sizeof sum, "%.6g", total);
      diags_.error(part.span, what + ": the partition's weights add up to " + sum + ", not 1");
    }
  }

  // ks: a named parametric distribution with its parameters.
  void compile_distribution(const spec::Expectation& e, Program::Expectation& x, const std::string& what) {
    if (!e.distribution) {
      if (e.metric == "ks")
        diags_.error(e.span, what + " (ks) needs 'distribution: {name: normal, mean: m, stddev: s}'");
      return;
    }
    const spec::Expectation::Distribution& d = *e.distribution;
    if (e.metric != "ks") {
      diags_.error(d.span, what + ": 'distribution' goes with ks");
      return;
    }
    static const std::map<std::string, std::vector<std::string>> kParams = {
        {"normal", {"mean", "stddev"}}, {"uniform", {"min", "max"}}, {"exponential", {"rate"}}};
    auto known = kParams.find(d.name);
    if (known == kParams.end()) {
      diags_.error(d.span, what + ": unknown distribution '" + d.name + "' (normal, uniform, exponential)" +
                               spec::did_you_mean(d.name, {"normal", "uniform", "exponential"}));
      return;
    }
    x.distribution = d.name;
    for (const std::string& name : known->second) {
      auto it = d.params.find(name);
      if (it == d.params.end()) {
        diags_.error(d.span, what + ": the " + d.name + " distribution needs '" + name + "'");
        return;
      }
      auto v = number_setting(it->second, Type::kNumber, what + " '" + name + "'");
      if (!v) return;
      x.distribution_params.push_back(*v);
    }
    for (const auto& [name, value] : d.params) {
      if (std::find(known->second.begin(), known->second.end(), name) == known->second.end()) {
        diags_.error(value.span, what + ": the " + d.name + " distribution has no parameter '" + name + "'" +
                                     spec::did_you_mean(name, known->second));
      }
    }
    const std::vector<double>& p = x.distribution_params;
    if ((d.name == "normal" && !(p[1] > 0)) || (d.name == "exponential" && !(p[0] > 0))) {
      diags_.error(d.span, what + ": the " + d.name + " distribution's " + (d.name == "normal" ? "stddev" : "rate") +
                               " must be above 0");
    }
    if (d.name == "uniform" && !(p[1] > p[0])) diags_.error(d.span, what + ": a uniform distribution needs min < max");
  }

  void compile_drift(const spec::Drift& d) {
    if (d.min_rows) {
      if (auto v = number_setting(*d.min_rows, Type::kInteger, "drift 'min_rows'")) {
        if (*v < 0) diags_.error(d.min_rows->span, "'min_rows' must not be negative");
        program_->drift_min_rows = static_cast<std::uint64_t>(std::max(0.0, *v));
      }
    }
    for (const spec::DriftField& f : d.fields) {
      Program::DriftCheck x;
      x.method = f.method;
      x.field = profiled_field(f.field, f.span, "drift");
      if (x.field < 0 || f.method.empty()) continue;
      const Type t = field_type(x.field);
      const bool numeric = t == Type::kInteger || t == Type::kNumber || t == Type::kArray;
      const bool categorical = t == Type::kString || t == Type::kBoolean;
      const bool distribution = f.method == "psi" || f.method == "js" || f.method == "linf";
      const bool needs_numbers = f.method == "ks" || f.method == "wasserstein" || f.method == "mean_shift";
      if ((distribution && !numeric && !categorical) || (needs_numbers && !numeric)) {
        diags_.error(
            f.span, "drift method '" + f.method + "' does not apply to '" + f.field + "' (" + spec::type_name(t) + ")");
        continue;
      }
      const std::string what = "drift of '" + f.field + "'";
      if (f.warn) x.warn = number_setting(*f.warn, Type::kNumber, what + " 'warn'");
      if (f.fail) x.fail = number_setting(*f.fail, Type::kNumber, what + " 'fail'");
      if (!f.warn && !f.fail) diags_.error(f.span, what + " needs 'warn' or 'fail' (or both)");
      if (f.bins) {
        auto b = number_setting(*f.bins, Type::kInteger, what + " 'bins'");
        if (b && (*b < 2 || *b > 1000)) diags_.error(f.bins->span, "'bins' must be between 2 and 1000");
        if (b) x.bins = static_cast<int>(*b);
      }
      program_->drift.push_back(std::move(x));
    }
  }

  void compile_monitor(const spec::Monitor& m) {
    static const std::set<std::string> kDataset = {"row_count",       "valid_count",  "invalid_count",
                                                   "malformed_count", "invalid_rate", "malformed_rate"};
    static const std::set<std::string> kField = {
        "null_rate", "null_count", "distinct_count", "duplicate_count", "mean", "stddev", "min", "max", "sum", "drift"};
    Program::MonitorCheck x;
    x.metric = m.metric;
    x.method = m.method;
    x.severity = m.severity;
    x.id = !m.name.empty() ? m.name : m.metric + ":" + m.method;
    const std::size_t open = m.metric.find('(');
    x.name = m.metric.substr(0, open);
    if (open == std::string::npos) {
      if (!kDataset.count(m.metric) && !m.metric.empty()) {
        std::vector<std::string> names(kDataset.begin(), kDataset.end());
        for (const auto& f : kField) names.push_back(f + "(field)");
        diags_.error(m.span, "unknown monitor metric '" + m.metric + "'" + spec::did_you_mean(m.metric, names));
      }
    } else {
      const std::string name = m.metric.substr(0, open);
      if (!kField.count(name) || m.metric.back() != ')') {
        diags_.error(m.span,
                     "unknown monitor metric '" + m.metric + "' (field metrics: " +
                         "null_rate, null_count, distinct_count, duplicate_count, mean, stddev, min, max, sum, drift)");
      } else {
        const std::string path = m.metric.substr(open + 1, m.metric.size() - open - 2);
        x.field = profiled_field(path, m.span, "monitor");
        if (x.field >= 0 && name == "drift") {
          bool declared = false;
          for (const auto& d : program_->spec.drift ? program_->spec.drift->fields : std::vector<spec::DriftField>{}) {
            declared |= d.field == path;
          }
          if (!declared)
            diags_.error(m.span, "monitor metric '" + m.metric + "' needs a drift check of '" + path + "'");
        }
      }
    }
    for (const auto& [key, scalar] : m.settings) {
      if (auto v = number_setting(scalar, Type::kNumber, "monitor '" + x.id + "' '" + key + "'")) x.settings[key] = *v;
    }
    auto need = [&](const char* key) {
      if (!m.settings.count(key)) diags_.error(m.span, "monitor '" + x.id + "' (" + m.method + ") needs '" + key + "'");
    };
    if (m.method == "threshold" && !m.settings.count("min") && !m.settings.count("max")) need("max");
    if (m.method == "rate_of_change" && !m.settings.count("max_increase") && !m.settings.count("max_decrease")) {
      need("max_increase");
    }
    if (m.method == "holt_winters") need("season");
    program_->monitors.push_back(std::move(x));
  }

  void compile_sla(const spec::Sla& sla) {
    if (sla.freshness_field.empty()) return;
    program_->freshness_field = profiled_field(sla.freshness_field, sla.span, "sla.freshness");
    if (program_->freshness_field >= 0 && field_type(program_->freshness_field) != Type::kTimestamp) {
      diags_.error(sla.span, "sla.freshness needs a timestamp field, and '" + sla.freshness_field + "' is " +
                                 spec::type_name(field_type(program_->freshness_field)));
    }
    if (!sla.freshness_max_delay) {
      diags_.error(sla.span, "sla.freshness needs 'max_delay' (e.g. 15m, 2h, 1d)");
      return;
    }
    auto delay = parse_duration(sla.freshness_max_delay->text);
    if (!delay) {
      diags_.error(sla.freshness_max_delay->span, "'max_delay' must be a duration such as 90s, 15m, 2h or 1d, not '" +
                                                      sla.freshness_max_delay->text + "'");
      return;
    }
    program_->freshness_max_delay = *delay;
  }

  // "90s", "15m", "2h", "1d" -> µs.
  static std::optional<std::int64_t> parse_duration(std::string_view text) {
    if (text.size() < 2) return std::nullopt;
    std::int64_t unit = 0;
    switch (text.back()) {
      case 's': unit = 1000000; break;
      case 'm': unit = 60000000; break;
      case 'h': unit = 3600000000LL; break;
      case 'd': unit = 86400000000LL; break;
      default: return std::nullopt;
    }
    std::int64_t n = 0;
    for (char c : text.substr(0, text.size() - 1)) {
      if (c < '0' || c > '9' || n > 1000000000) return std::nullopt;
      n = n * 10 + (c - '0');
    }
    return n * unit;
  }

  spec::Diagnostics& diags_;
  const std::vector<Program::Measure>* measures_in_scope_ = nullptr;  // set while compiling tiers
  const Params& overrides_;
  bool params_may_be_missing_;
  std::shared_ptr<Program> program_;
  std::map<std::string, std::pair<Value, Type>> params_;
  std::map<std::string, double> unique_fields_;  // schema paths with `unique: true`, and their `mostly`
};

}  // namespace

std::shared_ptr<Program> compile(spec::Contract contract, const Params& params, const Limits& limits,
                                 spec::Diagnostics& diagnostics, bool params_may_be_missing) {
  return Compiler(diagnostics, params, params_may_be_missing).run(std::move(contract), limits);
}

}  // namespace dq
