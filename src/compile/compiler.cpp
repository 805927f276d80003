// Compiles a Spec into a Program: resolves $params, builds the node tree the
// engines walk, registers every check, type-checks expressions. The class is
// declared in compiler.h; each concern has its file beside this one.
#include "compile/compiler.h"

namespace dq::compiling {

std::shared_ptr<Program> Compiler::run(spec::Contract contract, const Limits& limits) {
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
  lay_out_objects();
  if (diags_.has_errors()) return nullptr;
  return program_;
}

// ---- params -------------------------------------------------------------
void Compiler::resolve_params() {
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
    const bool limits_ok = check_param_limits(p);
    auto it = overrides_.find(p.name);
    std::optional<Value> value;
    std::string refused;
    if (it != overrides_.end()) {
      value = parse_typed(it->second, p.type);
      if (!value) {
        diags_.error(p.span, "param '" + p.name + "' is " + spec::type_with_article(p.type) + ", and '" + it->second +
                                 "' given at run time is not");
      } else if (limits_ok && !(refused = param_outside(p, *value)).empty()) {
        diags_.error(p.span, "param '" + p.name + "' given at run time is " + it->second + ", " + refused);
        value.reset();
      }
    } else if (p.default_value) {
      value = parse_typed(p.default_value->text, p.type);
      if (!value) {
        diags_.error(p.default_value->span, "default of param '" + p.name + "' is not " +
                                                spec::type_with_article(p.type) + ": '" + p.default_value->text + "'");
      } else if (limits_ok && !(refused = param_outside(p, *value)).empty()) {
        diags_.error(p.default_value->span,
                     "default of param '" + p.name + "' is " + p.default_value->text + ", " + refused);
        value.reset();
      }
    } else {
      if (!params_may_be_missing_) {
        diags_.error(p.span, "param '" + p.name + "' has no default and no value was given");
      }
    }
    if (!value) {
      params_[p.name] = {zero_of(p.type), p.type};  // known, so its uses do not report it unknown too
      continue;
    }
    params_[p.name] = {*value, p.type};
    program_->param_values.emplace_back(p.name, it != overrides_.end() ? it->second : p.default_value->text);
  }
}

namespace {
// Ordered comparison of two values of one param type (-1, 0, 1).
int compare_param(const Value& a, const Value& b) {
  using Kind = Value::Kind;
  if (a.kind == Kind::kInt || a.kind == Kind::kNumber) {
    const double x = a.kind == Kind::kInt ? static_cast<double>(a.i) : a.d;
    const double y = b.kind == Kind::kInt ? static_cast<double>(b.i) : b.d;
    return (x > y) - (x < y);
  }
  if (a.kind == Kind::kTimestamp || a.kind == Kind::kDate) return (a.i > b.i) - (a.i < b.i);
  if (a.kind == Kind::kBool) return static_cast<int>(a.b) - static_cast<int>(b.b);
  const int c = a.s.compare(b.s);
  return (c > 0) - (c < 0);
}
}  // namespace

bool Compiler::check_param_limits(const spec::Param& p) {
  bool ok = true;
  const bool ordered =
      p.type == Type::kInteger || p.type == Type::kNumber || p.type == Type::kDate || p.type == Type::kTimestamp;
  for (const auto* bound : {&p.min, &p.max}) {
    if (!*bound) continue;
    const char* key = bound == &p.min ? "min" : "max";
    if (!ordered) {
      diags_.error((*bound)->span, std::string("'") + key + "' of param '" + p.name + "': a " +
                                       spec::type_name(p.type) + " param has no order (use 'enum')");
      ok = false;
    } else if (!parse_typed((*bound)->text, p.type)) {
      diags_.error((*bound)->span, std::string("'") + key + "' of param '" + p.name + "' is not " +
                                       spec::type_with_article(p.type) + ": '" + (*bound)->text + "'");
      ok = false;
    }
  }
  if (ok && p.min && p.max && compare_param(*parse_typed(p.min->text, p.type), *parse_typed(p.max->text, p.type)) > 0) {
    diags_.error(p.max->span, "param '" + p.name + "' has max " + p.max->text + " below its min " + p.min->text);
    ok = false;
  }
  if (!p.allowed.empty() && p.type == Type::kBoolean) {
    diags_.error(p.allowed.front().span, "'enum' of param '" + p.name + "': a boolean param is true or false already");
    ok = false;
  }
  for (const Scalar& v : p.allowed) {
    if (p.type != Type::kBoolean && !parse_typed(v.text, p.type)) {
      diags_.error(v.span, "'enum' of param '" + p.name + "' lists '" + v.text + "', which is not " +
                               spec::type_with_article(p.type));
      ok = false;
    }
  }
  return ok;
}

std::string Compiler::param_outside(const spec::Param& p, const Value& value) {
  if (p.min && compare_param(value, *parse_typed(p.min->text, p.type)) < 0) return "below its min " + p.min->text;
  if (p.max && compare_param(value, *parse_typed(p.max->text, p.type)) > 0) return "above its max " + p.max->text;
  if (p.allowed.empty()) return "";
  std::string list;
  for (const Scalar& v : p.allowed) {
    if (compare_param(value, *parse_typed(v.text, p.type)) == 0) return "";
    list += (list.empty() ? "" : ", ") + v.text;
  }
  return "not one of [" + list + "]";
}

Value Compiler::zero_of(Type t) {
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

std::optional<Value> Compiler::parse_typed(std::string_view text, Type type) {
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

std::string_view Compiler::intern(std::string_view text) {
  program_->strings.emplace_back(text);
  return program_->strings.back();
}

// A constraint value: a literal or a $param, as the field's type wants it.
std::optional<Value> Compiler::constant(const Scalar& s, Type type, const std::string& what) {
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

std::vector<std::string> Compiler::param_names() const {
  std::vector<std::string> out;
  for (const auto& [name, _] : params_) out.push_back(name);
  return out;
}

}  // namespace dq::compiling

namespace dq {

std::shared_ptr<Program> compile(spec::Contract contract, const Params& params, const Limits& limits,
                                 spec::Diagnostics& diagnostics, bool params_may_be_missing) {
  return compiling::Compiler(diagnostics, params, params_may_be_missing).run(std::move(contract), limits);
}

}  // namespace dq
