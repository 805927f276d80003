#include "grading/measures.h"

#include "base/timestamps.h"

namespace dq::grading {

Value decode(std::string_view& in) {
  Value v;
  v.kind = static_cast<Kind>(in[0]);
  in.remove_prefix(1);
  switch (v.kind) {
    case Kind::kString: {
      std::uint32_t size;
      std::memcpy(&size, in.data(), sizeof size);
      v.s = in.substr(sizeof size, size);
      in.remove_prefix(sizeof size + size);
      break;
    }
    case Kind::kBool:
      v.b = in[0] != 0;
      in.remove_prefix(1);
      break;
    case Kind::kNumber:
      std::memcpy(&v.d, in.data(), sizeof v.d);
      in.remove_prefix(sizeof v.d);
      break;
    case Kind::kInt:
    case Kind::kTimestamp:
    case Kind::kDate:
      std::memcpy(&v.i, in.data(), sizeof v.i);
      in.remove_prefix(sizeof v.i);
      break;
    default: break;
  }
  return v;
}

GradeCell to_cell(const Value& v) {
  GradeCell c;
  switch (v.kind) {
    case Kind::kBool: c.kind = GradeCell::Kind::kBool, c.b = v.b; break;
    case Kind::kInt: c.kind = GradeCell::Kind::kInt, c.i = v.i; break;
    case Kind::kNumber: c.kind = GradeCell::Kind::kNumber, c.d = v.d; break;
    case Kind::kString: c.kind = GradeCell::Kind::kString, c.s = std::string(v.s); break;
    case Kind::kTimestamp: c.kind = GradeCell::Kind::kString, c.s = format_timestamp(v.i); break;
    case Kind::kDate: c.kind = GradeCell::Kind::kString, c.s = format_date(v.i); break;
    default: break;
  }
  return c;
}

bool merge_measure(const Program::Measure& m, Accumulator& a, const Accumulator& other) {
  switch (m.kind) {
    case MK::kCount:
    case MK::kDistinct: break;
    case MK::kSum:
      if (m.type == EType::kInt) {
        if (__builtin_add_overflow(a.i, other.i, &a.i)) return false;
        break;
      }
      [[fallthrough]];
    case MK::kMean:
      a.add(other.d);
      a.carry += other.carry;
      break;
    case MK::kMin:
    case MK::kMax: {
      if (other.n == 0) break;
      const bool lower = m.kind == MK::kMin;
      if (m.type == EType::kNumber) {
        if (a.n == 0 || (lower ? other.d < a.d : other.d > a.d)) a.d = other.d;
      } else if (a.n == 0 || (lower ? other.i < a.i : other.i > a.i)) {
        a.i = other.i;
      }
      break;
    }
  }
  a.n += other.n;
  return true;
}

Value measure_value(const Program::Measure& m, const Accumulator& a, const HashSet64* set) {
  Value v;
  switch (m.kind) {
    case MK::kCount: v.kind = Kind::kInt, v.i = a.n; break;
    case MK::kDistinct: v.kind = Kind::kInt, v.i = static_cast<std::int64_t>(set->size()); break;
    case MK::kSum:  // the sum of nothing is 0
      if (m.type == EType::kInt)
        v.kind = Kind::kInt, v.i = a.i;
      else
        v.kind = Kind::kNumber, v.d = a.sum();
      break;
    case MK::kMean:
      if (a.n > 0) v.kind = Kind::kNumber, v.d = a.sum() / static_cast<double>(a.n);
      break;
    case MK::kMin:
    case MK::kMax:
      if (a.n == 0) break;  // null: no value to compare
      if (m.type == EType::kNumber)
        v.kind = Kind::kNumber, v.d = a.d;
      else if (m.type == EType::kTimestamp)
        v.kind = Kind::kTimestamp, v.i = a.i;
      else if (m.type == EType::kDate)
        v.kind = Kind::kDate, v.i = a.i;
      else
        v.kind = Kind::kInt, v.i = a.i;
      break;
  }
  return v;
}

std::uint32_t assign_tier(const Program::Grading& grading, const Value* measure_values, EvalScratch& eval) {
  std::uint32_t t = 0;
  for (; t + 1 < grading.tiers.size(); ++t) {
    const ExprCode& when = grading.tiers[t].when;
    eval.strings.clear();
    if (when.root < 0 || holds(when, when.root, measure_values, eval)) break;
  }
  return t;
}

}  // namespace dq::grading
