// Profiler: accumulates a Profile from records as the engines walk them, in
// the same pass as validation, plus the exact dataset statistics that
// expectations need (distinct values of named fields, values within a range).
// One per thread (a ReportBuilder owns one); profilers of parts merge.
#pragma once

#include <cstdint>
#include <unordered_set>
#include <vector>

#include "compile/program.h"
#include "dq/profile.h"

namespace dq {

struct WalkState;
struct Column;

class Profiler {
 public:
  Profiler(const Program& program, ProfileOptions options);

  // A record the walker read whole (not malformed). Records that are not
  // objects have no fields to profile and are skipped.
  void add(const WalkState& state);
  // The rows of a flat batch that screening passed (screened[r] == 1), column
  // at a time: the same profile as walking them, without the walk.
  void add_screened(const Column& batch, const std::vector<std::uint8_t>& screened);
  void merge(const Profiler& other);

  const Profile& profile() const { return profile_; }

  // Exact distinct values of one field (for unique, duplicate_count and
  // distinct_count): 64-bit hashes, so two values collide with probability
  // ~n²/2^65 (10^-7 at a million distinct values).
  struct Exact {
    int field = -1;  // index into Program::profiled / Profile::fields
    std::unordered_set<std::uint64_t> hashes;
    std::uint64_t values = 0;  // non-null values seen
  };
  // Values of a field within [min, max] (expectations with metric `value`).
  struct InRange {
    int field = -1;
    Value lo, hi;
    std::uint64_t checked = 0, passed = 0;
  };
  const std::vector<Exact>& exact() const { return exact_; }
  const std::vector<InRange>& in_range() const { return in_range_; }
  // The Exact set of a profiled field, or null when none is kept.
  const Exact* exact_for(int field) const;

 private:
  const Program& program_;
  ProfileOptions options_;
  Profile profile_;
  std::vector<int> field_of_type_check_;  // check index -> profiled field, -1
  std::vector<std::uint8_t> mistyped_;    // per record scratch
  std::vector<Exact> exact_;
  std::vector<InRange> in_range_;
};

// The index into Program::profiled of a dotted field path, or -1.
int profiled_index(const Program& program, std::string_view path);

}  // namespace dq
