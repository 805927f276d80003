// Grading state shared by the batch grader and GradeParts: the encoding of
// keys and output values, per-measure accumulators, distinct() sets, and
// the folding, merging and tiering of an entity's measures.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "base/timestamps.h"
#include "compile/program.h"
#include "dq/grade.h"
#include "engine/evaluate.h"

namespace dq::grading {

using Kind = Value::Kind;
using MK = Program::Measure::Kind;

// Values in keys and output columns, encoded so they can be stored and
// compared without the record they came from: a kind byte, then the payload.
inline void encode(std::string& out, const Value& v) {
  out += static_cast<char>(v.kind);
  switch (v.kind) {
    case Kind::kString: {
      const auto size = static_cast<std::uint32_t>(v.s.size());
      out.append(reinterpret_cast<const char*>(&size), sizeof size);
      out.append(v.s);
      break;
    }
    case Kind::kBool: out += static_cast<char>(v.b); break;
    case Kind::kNumber: out.append(reinterpret_cast<const char*>(&v.d), sizeof v.d); break;
    case Kind::kInt:
    case Kind::kTimestamp:
    case Kind::kDate: out.append(reinterpret_cast<const char*>(&v.i), sizeof v.i); break;
    default: break;
  }
}

// Reads one encoded value from the front of `in`; strings point into it.
inline Value decode(std::string_view& in) {
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

inline GradeCell to_cell(const Value& v) {
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

inline std::uint64_t mix(std::uint64_t x) {  // splitmix64's finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

inline std::uint64_t hash_value(const Value& v) {
  std::uint64_t h = 0;
  switch (v.kind) {
    case Kind::kString: h = std::hash<std::string_view>{}(v.s); break;
    case Kind::kNumber: std::memcpy(&h, &v.d, sizeof h); break;
    case Kind::kBool: h = v.b; break;
    default: h = static_cast<std::uint64_t>(v.i); break;
  }
  return mix(h ^ (static_cast<std::uint64_t>(v.kind) << 56));
}

// The distinct values of one distinct() measure of one entity, as 64-bit
// hashes in an open-addressed table (exact up to hash collisions, which at
// 64 bits are ~1 in 10^19 per pair).
class HashSet64 {
 public:
  // Returns the bytes the table grew by.
  std::size_t insert(std::uint64_t h) {
    if (h == 0) h = 1;  // 0 marks an empty slot
    std::size_t grown = 0;
    if ((size_ + 1) * 2 > slots_.size()) grown = grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      if (slots_[i] == h) return grown;
      if (slots_[i] == 0) {
        slots_[i] = h;
        ++size_;
        return grown;
      }
    }
  }
  std::size_t size() const { return size_; }
  template <class F>
  void for_each(F&& f) const {
    for (std::uint64_t h : slots_) {
      if (h != 0) f(h);
    }
  }

 private:
  std::size_t grow() {
    std::vector<std::uint64_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 8 : old.size() * 2, 0);
    size_ = 0;
    for (std::uint64_t h : old) {
      if (h != 0) insert(h);
    }
    return (slots_.size() - old.size()) * sizeof(std::uint64_t);
  }
  std::vector<std::uint64_t> slots_;
  std::size_t size_ = 0;
};

// One measure's running state for one entity.
struct Accumulator {
  std::int64_t i = 0;  // sum of integers; min/max of integers, timestamps, dates
  double d = 0;        // sum and mean of numbers; min/max of numbers
  double carry = 0;    // what `d` lost to rounding (Neumaier): sums of cents stay exact in cents
  std::int64_t n = 0;  // values seen

  void add(double x) {
    const double t = d + x;
    carry += std::fabs(d) >= std::fabs(x) ? (d - t) + x : (x - t) + d;
    d = t;
  }
  double sum() const { return d + carry; }
};

// What folding one record into an entity did: the bytes its distinct()
// sets grew by, and the integer sum that overflowed (null when none).
struct Folded {
  std::size_t grown = 0;
  const Program::Measure* overflow = nullptr;
};

// Folds one graded record (the values the walk captured) into an entity's
// measures: one Accumulator per measure, and the HashSet64 of each
// distinct() measure (`distinct_slot`: a measure's index among those).
inline Folded fold_measures(const Program::Grading& grading, const std::vector<int>& distinct_slot, const Value* slots,
                            EvalScratch& eval, Accumulator* accumulators, HashSet64* sets) {
  Folded out;
  for (std::size_t k = 0; k < grading.measures.size(); ++k) {
    const Program::Measure& m = grading.measures[k];
    if (m.where.root >= 0 && !truthy(evaluate(m.where, m.where.root, slots, eval))) continue;
    Accumulator& a = accumulators[k];
    if (m.arg.root < 0) {  // count()
      ++a.n;
      continue;
    }
    const Value v = evaluate(m.arg, m.arg.root, slots, eval);
    if (v.is_null()) continue;  // as in SQL: aggregates skip nulls
    switch (m.kind) {
      case MK::kCount: break;
      case MK::kSum:
        if (m.type == EType::kInt) {
          if (__builtin_add_overflow(a.i, v.i, &a.i)) {
            out.overflow = &m;
            return out;
          }
        } else {
          a.add(v.as_double());
        }
        break;
      case MK::kMean: a.add(v.as_double()); break;
      case MK::kMin:
      case MK::kMax: {
        const bool lower = m.kind == MK::kMin;
        if (m.type == EType::kNumber) {
          const double x = v.as_double();
          if (a.n == 0 || (lower ? x < a.d : x > a.d)) a.d = x;
        } else if (a.n == 0 || (lower ? v.i < a.i : v.i > a.i)) {
          a.i = v.i;
        }
        break;
      }
      case MK::kDistinct: out.grown += sets[distinct_slot[k]].insert(hash_value(v)); break;
    }
    ++a.n;
  }
  return out;
}

// Merges another part's accumulator of the same measure into `a`; false
// when an integer sum overflows.
inline bool merge_measure(const Program::Measure& m, Accumulator& a, const Accumulator& other) {
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

// A measure's value for an entity (`set`: its distinct() set, if it has one).
inline Value measure_value(const Program::Measure& m, const Accumulator& a, const HashSet64* set) {
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

// The entity's tier: the first whose `when` holds over its measure values
// (the last tier has no `when`, so there always is one).
inline std::uint32_t assign_tier(const Program::Grading& grading, const Value* measure_values, EvalScratch& eval) {
  std::uint32_t t = 0;
  for (; t + 1 < grading.tiers.size(); ++t) {
    const ExprCode& when = grading.tiers[t].when;
    eval.strings.clear();
    if (when.root < 0 || truthy(evaluate(when, when.root, measure_values, eval))) break;
  }
  return t;
}

}  // namespace dq::grading
