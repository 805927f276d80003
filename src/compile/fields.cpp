// The node tree of the declared fields and each field's checks: types, unions,
// bounds, lengths, values, coercions.
#include "compile/compiler.h"

namespace dq::compiling {

// ---- fields -------------------------------------------------------------
int Compiler::add_check(const std::string& path, const std::string& kind, Severity severity, double mostly,
                        std::string message) {
  Program& p = *program_;
  std::string id = path.empty() ? kind : path + "." + kind;
  p.checks.push_back(CheckInfo{id, path, kind, severity, mostly});
  p.check_messages.push_back(std::move(message));
  return static_cast<int>(p.checks.size()) - 1;
}

void Compiler::build_object(int node_index, const std::vector<spec::Field>& fields, const std::string& path) {
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
    program_->nodes[node_index].children.push_back(child);
  }
  Node& n = program_->nodes[node_index];
  if (n.additional != spec::AdditionalFields::kAllow) {
    Severity sev = n.additional == spec::AdditionalFields::kReject ? Severity::kError : Severity::kWarn;
    n.additional_check = add_check(path, "additional_fields", sev, 1.0, "is not declared in the contract");
  }
}

void Compiler::lay_out_objects() {
  Program& p = *program_;
  for (Node& n : p.nodes) {
    // Every member Walker::checked_string and checked_number test.
    n.value_checks = n.min_length_check >= 0 || n.max_length_check >= 0 || n.pattern || !n.all_patterns.empty() ||
                     n.not_pattern || n.json_object >= 0 || n.format || n.enum_check >= 0 || n.lo.set || n.hi.set ||
                     n.multiple_of_check >= 0;
    n.child_keys.clear();
    n.required_children.assign((n.children.size() + 63) / 64, 0);
    for (std::size_t k = 0; k < n.children.size(); ++k) {
      const Node& child = p.nodes[static_cast<std::size_t>(n.children[k])];
      ChildKey& key = n.child_keys.emplace_back();
      std::memcpy(key.words, child.key.data(), std::min<std::size_t>(child.key.size(), 16));
      key.length = static_cast<std::uint32_t>(child.key.size());
      key.node = n.children[k];
      if (child.required) n.required_children[k / 64] |= std::uint64_t{1} << (k % 64);
    }
  }
}

std::string Compiler::describe_number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

std::string Compiler::describe(const Value& v) {
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

void Compiler::set_bound(Bound& b, const std::optional<Scalar>& s, bool exclusive, const spec::Field& f,
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

std::optional<std::uint64_t> Compiler::count_value(const std::optional<Scalar>& s, const spec::Field& f,
                                                   const char* key) {
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
void Compiler::group_mostly(Node& n, int first_check, double mostly) {
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
int Compiler::build_union(const spec::Field& f, const std::string& path, spec::AdditionalFields inherited) {
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
  const std::vector<Keyword> keywords = {{"min", bool(f.min), numbers},
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
    return std::any_of(ts.begin(), ts.end(), [&](Type t) { return std::count(f.types.begin(), f.types.end(), t) > 0; });
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
  std::stable_sort(order.begin(), order.end(), [](Type a, Type b) { return a == Type::kNumber && b != Type::kNumber; });
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

int Compiler::build_field(const spec::Field& f, const std::string& path, spec::AdditionalFields inherited) {
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
        diags_.error(m.span,
                     "'multiple_of' must be a number above 0 with at most 19 significant digits, not '" + m.text + "'");
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

  // Whether a key is set on a field of the one type it applies to (an error otherwise).
  auto given_for = [&](Type type, const char* types, const std::optional<Scalar>& s, const char* key) {
    if (s && f.type != type) {
      diags_.error(s->span, std::string("'") + key + "' applies to " + types + "; field '" + f.name + "' is " +
                                spec::type_name(f.type));
      return false;
    }
    return s.has_value();
  };
  auto string_only = [&](const std::optional<Scalar>& s, const char* key) {
    return given_for(Type::kString, "strings", s, key);
  };
  auto array_only = [&](const std::optional<Scalar>& s, const char* key) {
    return given_for(Type::kArray, "arrays", s, key);
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
      n.min_items_check = add_check(path, "min_items", f.severity, mostly, "must have at least " + plural(*v, "item"));
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

void Compiler::compile_coerce(const spec::Field& f, const std::string& path, Node& n) {
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
void Compiler::compile_values(const spec::Field& f, const std::vector<Scalar>& values, const std::string& keyword,
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
    if (f.null_type && !s.quoted && (s.text == "null" || s.text == "~" || s.text.empty())) {
      continue;  // null is allowed by the type already (JSON Schema lists it in both)
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

}  // namespace dq::compiling
