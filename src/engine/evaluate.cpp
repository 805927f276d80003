#include "engine/evaluate.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "base/formats.h"
#include "base/timestamps.h"

namespace dq {
namespace {

using Kind = Value::Kind;
using spec::ExprOp;
constexpr std::int64_t kMicrosPerDay = 86400LL * 1000000LL;

Value make_bool(bool b) {
  Value v;
  v.kind = Kind::kBool;
  v.b = b;
  return v;
}

// -1, 0, 1; or 2 when the two values do not compare (different kinds).
int compare(const Value& a, const Value& b) {
  if (a.numeric() && b.numeric()) {
    if (a.kind == Kind::kInt && b.kind == Kind::kInt) return (a.i > b.i) - (a.i < b.i);
    double x = a.as_double(), y = b.as_double();
    if (std::isnan(x) || std::isnan(y)) return 2;
    return (x > y) - (x < y);
  }
  if (a.kind != b.kind) return 2;
  switch (a.kind) {
    case Kind::kString: {
      int c = a.s.compare(b.s);
      return (c > 0) - (c < 0);
    }
    case Kind::kBool: return a.b == b.b ? 0 : 2;
    case Kind::kTimestamp:
    case Kind::kDate:
    case Kind::kDuration: return (a.i > b.i) - (a.i < b.i);
    default: return 2;
  }
}

Value arithmetic(ExprOp op, const Value& a, const Value& b) {
  Value out;  // absent: null propagates
  if (a.is_null() || b.is_null()) return out;
  if (a.numeric() && b.numeric()) {
    if (a.kind == Kind::kInt && b.kind == Kind::kInt && op != ExprOp::kDiv) {
      std::int64_t r = 0;
      bool overflow = op == ExprOp::kAdd   ? __builtin_add_overflow(a.i, b.i, &r)
                      : op == ExprOp::kSub ? __builtin_sub_overflow(a.i, b.i, &r)
                                           : __builtin_mul_overflow(a.i, b.i, &r);
      if (!overflow) {
        out.kind = Kind::kInt;
        out.i = r;
        return out;
      }
    }
    double x = a.as_double(), y = b.as_double();
    if (op == ExprOp::kDiv && y == 0) return out;  // division by zero is null
    out.kind = Kind::kNumber;
    out.d = op == ExprOp::kAdd ? x + y : op == ExprOp::kSub ? x - y : op == ExprOp::kMul ? x * y : x / y;
    return out;
  }
  auto as_micros = [](const Value& v) { return v.kind == Kind::kDate ? v.i * kMicrosPerDay : v.i; };
  if ((a.kind == Kind::kTimestamp || a.kind == Kind::kDate) && b.kind == Kind::kDuration) {
    out.kind = a.kind;
    std::int64_t delta = op == ExprOp::kAdd ? b.i : -b.i;
    out.i = a.kind == Kind::kDate
                ? static_cast<std::int64_t>(std::floor((as_micros(a) + delta) / double(kMicrosPerDay)))
                : a.i + delta;
    return out;
  }
  if (a.kind == Kind::kDuration && (b.kind == Kind::kTimestamp || b.kind == Kind::kDate) && op == ExprOp::kAdd) {
    return arithmetic(op, b, a);
  }
  if (a.kind == Kind::kDuration && b.kind == Kind::kDuration) {
    out.kind = Kind::kDuration;
    out.i = op == ExprOp::kAdd ? a.i + b.i : a.i - b.i;
    return out;
  }
  if (op == ExprOp::kSub && a.kind == b.kind && (a.kind == Kind::kTimestamp || a.kind == Kind::kDate)) {
    out.kind = Kind::kDuration;
    out.i = as_micros(a) - as_micros(b);
  }
  return out;
}

// A leaf's value where it already lies: a constant (literals and params,
// resolved at compile time) or a captured slot; null for any other node.
const Value* leaf(const ExprCode::Node& n, const Value* slots) {
  switch (n.op) {
    case ExprOp::kNumber:
    case ExprOp::kString:
    case ExprOp::kBool:
    case ExprOp::kNull:
    case ExprOp::kParam: return &n.constant;
    case ExprOp::kPath: return &slots[n.slot];
    default: return nullptr;
  }
}

// An operand as a comparison reads it: a leaf where it lies (not copied),
// anything else evaluated into `held`.
const Value& operand(const ExprCode& code, int index, const Value* slots, EvalScratch& scratch, Value& held) {
  const Value* v = leaf(code.nodes[index], slots);
  return v ? *v : held = evaluate(code, index, slots, scratch);
}

}  // namespace

// Conditions (`and`, `or`, `not`, comparisons, `in`) answer a bool here
// without building a Value; evaluate() wraps the same answer.
bool holds(const ExprCode& code, int index, const Value* slots, EvalScratch& scratch) {
  const ExprCode::Node& n = code.nodes[index];
  switch (n.op) {
    case ExprOp::kAnd: return holds(code, n.args[0], slots, scratch) && holds(code, n.args[1], slots, scratch);
    case ExprOp::kOr: return holds(code, n.args[0], slots, scratch) || holds(code, n.args[1], slots, scratch);
    case ExprOp::kNot: return !holds(code, n.args[0], slots, scratch);
    case ExprOp::kEq:
    case ExprOp::kNe: {
      const bool equal_wanted = n.op == ExprOp::kEq;
      const ExprCode::Node& left = code.nodes[n.args[0]];
      const ExprCode::Node& right = code.nodes[n.args[1]];
      Value held_a, held_b;
      if (left.op == ExprOp::kNull || right.op == ExprOp::kNull) {
        const int other = left.op == ExprOp::kNull ? n.args[1] : n.args[0];
        return operand(code, other, slots, scratch, held_a).is_null() == equal_wanted;
      }
      const Value& a = operand(code, n.args[0], slots, scratch, held_a);
      const Value& b = operand(code, n.args[1], slots, scratch, held_b);
      if (a.is_null() || b.is_null()) return false;
      if (a.kind == Kind::kString && b.kind == Kind::kString) return (a.s == b.s) == equal_wanted;
      const int c = compare(a, b);
      return equal_wanted ? c == 0 : c != 0;
    }
    case ExprOp::kLt:
    case ExprOp::kLe:
    case ExprOp::kGt:
    case ExprOp::kGe: {
      Value held_a, held_b;
      const Value& a = operand(code, n.args[0], slots, scratch, held_a);
      const Value& b = operand(code, n.args[1], slots, scratch, held_b);
      if (a.is_null() || b.is_null()) return false;
      const int c = compare(a, b);
      if (c == 2) return false;
      switch (n.op) {
        case ExprOp::kLt: return c < 0;
        case ExprOp::kLe: return c <= 0;
        case ExprOp::kGt: return c > 0;
        default: return c >= 0;
      }
    }
    case ExprOp::kIn:
    case ExprOp::kNotIn: {
      Value held_a;
      const Value& a = operand(code, n.args[0], slots, scratch, held_a);
      if (a.is_null()) return false;
      bool found = false;
      for (int item : code.nodes[n.args[1]].args) {
        Value held_b;
        const Value& b = operand(code, item, slots, scratch, held_b);
        if (!b.is_null() && compare(a, b) == 0) {
          found = true;
          break;
        }
      }
      return n.op == ExprOp::kIn ? found : !found;
    }
    default: {
      Value held;
      return truthy(operand(code, index, slots, scratch, held));
    }
  }
}

Value evaluate(const ExprCode& code, int index, const Value* slots, EvalScratch& scratch) {
  const ExprCode::Node& n = code.nodes[index];
  if (const Value* v = leaf(n, slots)) return *v;
  switch (n.op) {
    case ExprOp::kAnd:
    case ExprOp::kOr:
    case ExprOp::kNot:
    case ExprOp::kEq:
    case ExprOp::kNe:
    case ExprOp::kLt:
    case ExprOp::kLe:
    case ExprOp::kGt:
    case ExprOp::kGe:
    case ExprOp::kIn:
    case ExprOp::kNotIn: return make_bool(holds(code, index, slots, scratch));
    case ExprOp::kAdd:
    case ExprOp::kSub:
    case ExprOp::kMul:
    case ExprOp::kDiv:
      return arithmetic(n.op, evaluate(code, n.args[0], slots, scratch), evaluate(code, n.args[1], slots, scratch));
    case ExprOp::kNeg: {
      Value a = evaluate(code, n.args[0], slots, scratch);
      if (a.kind == Kind::kInt && a.i != INT64_MIN)
        a.i = -a.i;
      else if (a.kind == Kind::kInt)
        a.kind = Kind::kNumber, a.d = -static_cast<double>(a.i);
      else if (a.kind == Kind::kNumber)
        a.d = -a.d;
      else if (a.kind == Kind::kDuration)
        a.i = -a.i;
      else
        return Value{};
      return a;
    }
    case ExprOp::kCall: {
      if (n.name == "now") {
        Value v;
        v.kind = Kind::kTimestamp;
        v.i = scratch.now_micros;
        return v;
      }
      // Functions that read nulls: the rest are null when an argument is.
      if (n.name == "is_null") return make_bool(evaluate(code, n.args[0], slots, scratch).is_null());
      if (n.name == "coalesce") {
        for (int arg : n.args) {
          Value v = evaluate(code, arg, slots, scratch);
          if (!v.is_null()) return v;
        }
        return Value{};
      }
      Value a = evaluate(code, n.args[0], slots, scratch);
      if (a.is_null()) return Value{};
      Value out;
      if (n.name == "starts_with" || n.name == "ends_with" || n.name == "contains") {
        const Value b = evaluate(code, n.args[1], slots, scratch);
        if (a.kind != Kind::kString || b.kind != Kind::kString) return out;
        const std::string_view s = a.s, part = b.s;
        if (n.name == "contains") return make_bool(s.find(part) != std::string_view::npos);
        if (part.size() > s.size()) return make_bool(false);
        return make_bool(n.name == "starts_with" ? s.substr(0, part.size()) == part
                                                 : s.substr(s.size() - part.size()) == part);
      }
      if (n.name == "matches") {
        if (a.kind != Kind::kString) return out;
        return make_bool(RE2::PartialMatch(a.s, *n.pattern));
      }
      if (n.name == "abs") {
        if (a.kind == Kind::kInt && a.i != INT64_MIN) return a.i = a.i < 0 ? -a.i : a.i, a;
        if (!a.numeric()) return out;
        out.kind = Kind::kNumber;
        out.d = std::fabs(a.as_double());
        return out;
      }
      if (n.name == "round") {
        if (!a.numeric()) return out;
        if (n.args.size() == 1) {  // half away from zero, as SQL's ROUND
          const double r = std::round(a.as_double());
          if (!(std::fabs(r) < 9.2e18)) return out;
          out.kind = Kind::kInt;
          out.i = static_cast<std::int64_t>(r);
          return out;
        }
        const Value digits = evaluate(code, n.args[1], slots, scratch);
        if (digits.kind != Kind::kInt || digits.i < -15 || digits.i > 15) return out;
        const double scale = std::pow(10.0, static_cast<double>(digits.i));
        out.kind = Kind::kNumber;
        out.d = std::round(a.as_double() * scale) / scale;
        return out;
      }
      if (n.name == "len") {
        if (a.kind != Kind::kString && a.kind != Kind::kArray) return out;
        out.kind = Kind::kInt;
        out.i = a.kind == Kind::kString ? static_cast<std::int64_t>(count_code_points(a.s)) : a.i;
        return out;
      }
      if (n.name == "lower" || n.name == "upper") {
        if (a.kind != Kind::kString) return out;
        std::string& s = scratch.strings.emplace_back(a.s);
        for (char& c : s) {
          if (n.name == "lower" && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
          if (n.name == "upper" && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        }
        out.kind = Kind::kString;
        out.s = s;
        return out;
      }
      if (n.name == "year" || n.name == "month" || n.name == "day" || n.name == "day_of_week" || n.name == "hour") {
        std::int64_t seconds;
        if (a.kind == Kind::kTimestamp) {
          seconds = a.i >= 0 ? a.i / 1000000 : -((-(a.i + 1)) / 1000000) - 1;  // floor: 1969 stays 1969
        } else if (a.kind == Kind::kDate) {
          seconds = a.i * 86400;
        } else {
          return out;
        }
        // Dates have no zone: their calendar is their own.
        const TimeZone::Civil c = a.kind == Kind::kDate ? TimeZone().civil(seconds) : n.zone.civil(seconds);
        out.kind = Kind::kInt;
        out.i = n.name == "year"    ? c.year
                : n.name == "month" ? c.month
                : n.name == "day"   ? c.day
                : n.name == "hour"  ? c.hour
                                    : c.weekday;
        return out;
      }
      if (n.name == "date_diff") {
        const Value b = evaluate(code, n.args[1], slots, scratch);
        if (b.is_null() || a.kind != b.kind || (a.kind != Kind::kTimestamp && a.kind != Kind::kDate)) return out;
        // Whole units elapsed from b to a, truncated toward zero (BigQuery's
        // TIMESTAMP_DIFF): a day is 24 hours.
        out.kind = Kind::kInt;
        out.i = (a.i - b.i) / n.unit;
        return out;
      }
      if (n.name == "days") {
        if (!a.numeric()) return out;
        out.kind = Kind::kDuration;
        out.i = static_cast<std::int64_t>(std::llround(a.as_double() * kMicrosPerDay));
        return out;
      }
      return out;
    }
    default: return Value{};  // a list is not a value (leaves were answered above)
  }
}

std::string describe_value(const Value& v) {
  char buf[40];
  switch (v.kind) {
    case Kind::kAbsent: return "absent";
    case Kind::kNull: return "null";
    case Kind::kBool: return v.b ? "true" : "false";
    case Kind::kInt: return std::to_string(v.i);
    case Kind::kNumber: std::snprintf(buf, sizeof buf, "%.17g", v.d); return buf;
    case Kind::kString: {
      std::string out = "\"";
      out.append(v.s.substr(0, 60)).append(v.s.size() > 60 ? "…\"" : "\"");
      return out;
    }
    case Kind::kTimestamp: return format_timestamp(v.i);
    case Kind::kDate: return format_date(v.i);
    case Kind::kDuration: std::snprintf(buf, sizeof buf, "%.6gd", static_cast<double>(v.i) / kMicrosPerDay); return buf;
    case Kind::kArray: return std::string("[").append(std::to_string(v.i)).append(" items]");
    case Kind::kObject: return "{…}";
  }
  return "?";
}

std::string describe_inputs(const ExprCode& code, const Value* slots) {
  std::string out;
  std::vector<int> seen;
  for (const ExprCode::Node& n : code.nodes) {
    if (n.op != ExprOp::kPath || n.slot < 0) continue;
    if (std::find(seen.begin(), seen.end(), n.slot) != seen.end()) continue;
    seen.push_back(n.slot);
    out += (out.empty() ? "" : ", ") + n.name + "=" + describe_value(slots[n.slot]);
  }
  return out;
}

}  // namespace dq
