// The expression language: field paths to capture slots, typing, rules.
#include "compile/compiler.h"

namespace dq::compiling {

// Finds (or makes) the node a path names, and its capture slot.
int Compiler::resolve_path(const std::vector<spec::PathStep>& path, const ExprSource& src, int offset, EType& type) {
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

int Compiler::indexed_node(int array, std::uint64_t index) {
  for (const auto& [i, node] : program_->nodes[array].indexed) {
    if (i == index) return node;
  }
  int copy = clone(program_->nodes[array].items);
  program_->nodes[array].indexed.emplace_back(index, copy);
  return copy;
}

int Compiler::clone(int node) {
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

bool Compiler::compile_expr(const Scalar& scalar, ExprCode& code, const char* role) {
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

bool Compiler::comparable(EType a, EType b) {
  if (a == EType::kAny || b == EType::kAny) return true;
  if (is_numeric(a) && is_numeric(b)) return true;
  return a == b;
}

// Gives string constants the type of the other side when it is a
// timestamp or a date: created_at >= "2026-01-01T00:00:00Z".
bool Compiler::coerce_constant(ExprCode& code, int node, EType want, const ExprSource& src, int offset,
                               bool& reported) {
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

EType Compiler::type_node(const spec::Expr& expr, int index, const ExprSource& src, ExprCode& code, bool& ok) {
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
        if (!comparable(left, t) && !coerce_constant(code, item, left, src, expr.nodes[item].offset, coerce_reported)) {
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
      if (e.op == ExprOp::kAdd && a == EType::kDuration && (b == EType::kTimestamp || b == EType::kDate)) return set(b);
      if (a == EType::kDuration && b == EType::kDuration) return set(EType::kDuration);
      if (e.op == ExprOp::kSub && a == b && (a == EType::kTimestamp || a == EType::kDate)) return set(EType::kDuration);
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

void Compiler::compile_rule(const spec::Rule& rule) {
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
void Compiler::plan_profile(int object, int parent) {
  Program& p = *program_;
  for (int child : p.nodes[static_cast<std::size_t>(object)].children) {
    Node& n = p.nodes[static_cast<std::size_t>(child)];
    if (n.slot < 0) n.slot = p.slot_count++;
    p.profiled.push_back({child, parent});
    if (n.type == Type::kObject) plan_profile(child, static_cast<int>(p.profiled.size()) - 1);
  }
}

}  // namespace dq::compiling
