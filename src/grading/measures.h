// Grading: the engine for measures and tiers that the batch grader and
// GradeParts run. The encoding of keys and output values, per-measure
// accumulators, distinct() sets, and the folding, merging and tiering of an
// entity's measures. What runs once per record is inline here; what runs
// once per entity is in measures.cpp.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "base/hash_table64.h"
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

// One record's part in a measure, taken while the walk's captured values are
// at hand so that it outlives the record: whether the record counts (the
// measure's `where` held and its value is not null) and the value, with a
// distinct() value kept as its hash (in `i`). Only numbers and times are kept
// whole (sum, mean, min and max take nothing else), so no input points into
// the record.
struct MeasureInput {
  bool counts = false;
  Value v;
};

// Evaluates one graded record's inputs to every measure (`out`: one per measure).
inline void measure_inputs(const Program::Grading& grading, const Value* slots, EvalScratch& eval, MeasureInput* out) {
  std::uint64_t held = 0;  // bit k: measure k's `where` held (the first 64, for measures sharing one)
  for (std::size_t k = 0; k < grading.measures.size(); ++k) {
    const Program::Measure& m = grading.measures[k];
    MeasureInput& in = out[k];
    in.counts = false;
    if (m.same_where_as >= 0) {
      if (!((held >> m.same_where_as) & 1)) continue;
    } else if (m.where.root >= 0 && !holds(m.where, m.where.root, slots, eval)) {
      continue;
    }
    if (k < 64) held |= std::uint64_t{1} << k;
    if (m.arg.root >= 0) {  // count() has no value
      in.v = evaluate(m.arg, m.arg.root, slots, eval);
      if (in.v.is_null()) continue;  // as in SQL: aggregates skip nulls
      if (m.kind == MK::kDistinct) in.v.i = static_cast<std::int64_t>(hash_value(in.v));
      in.v.s = {};
    }
    in.counts = true;
  }
}

// Folds one record's measure inputs into an entity's measures: one
// Accumulator per measure, and the HashSet64 of each distinct() measure
// (`distinct_slot`: a measure's index among those).
inline Folded fold_inputs(const Program::Grading& grading, const std::vector<int>& distinct_slot,
                          const MeasureInput* inputs, Accumulator* accumulators, HashSet64* sets) {
  Folded out;
  for (std::size_t k = 0; k < grading.measures.size(); ++k) {
    if (!inputs[k].counts) continue;
    const Program::Measure& m = grading.measures[k];
    const Value& v = inputs[k].v;
    Accumulator& a = accumulators[k];
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
      case MK::kDistinct: out.grown += sets[distinct_slot[k]].insert(static_cast<std::uint64_t>(v.i)); break;
    }
    ++a.n;
  }
  return out;
}

// Reads one encoded value from the front of `in`; strings point into it.
Value decode(std::string_view& in);

// A value as an exported cell (times as their ISO text).
GradeCell to_cell(const Value& v);

// Merges another part's accumulator of the same measure into `a`; false
// when an integer sum overflows.
bool merge_measure(const Program::Measure& m, Accumulator& a, const Accumulator& other);

// A measure's value for an entity (`set`: its distinct() set, if it has one).
Value measure_value(const Program::Measure& m, const Accumulator& a, const HashSet64* set);

// The entity's tier: the first whose `when` holds over its measure values
// (the last tier has no `when`, so there always is one).
std::uint32_t assign_tier(const Program::Grading& grading, const Value* measure_values, EvalScratch& eval);

}  // namespace dq::grading
