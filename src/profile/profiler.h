// Profiler: accumulates a Profile from records as the engines walk them, in
// the same pass as validation, plus the exact dataset statistics that
// expectations need (distinct values of named fields, values within a range).
// One per thread (a ReportBuilder owns one); profilers of parts merge.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "base/hash_table64.h"
#include "compile/program.h"
#include "dq/profile.h"
#include "dq/report.h"
#include "engine/evaluate.h"
#include "engine/walk_state.h"

namespace dq {

struct Column;

class Profiler final : public RecordSink {
 public:
  // `condition`: the index of a `when` of Program::conditions whose records
  // this profiler sees (the expectations it serves are those with that
  // condition); -1 for every record.
  Profiler(const Program& program, ProfileOptions options, int condition = -1);
  ~Profiler() override;

  // A record the walker read whole (not malformed). Records that are not
  // objects have no fields to profile and are skipped.
  void add(const WalkState& state) override;
  // The rows of a flat batch that screening passed (screened[r] == 1), column
  // at a time: the same profile as walking them, without the walk.
  void add_screened(const Column& batch, const std::vector<std::uint8_t>& screened);
  // `other` profiled the records that follow this one's; its record numbers
  // count from its own first record, `record_shift` places them. `ordered`
  // false: the parts were read at the same time (a gate's lanes), so no order
  // holds between them and order expectations that span both have no answer.
  void merge(const Profiler& other, std::uint64_t record_shift, bool ordered = true);
  // Record numbers of expectation samples follow the report's: the record
  // the report just counted was number `record` (malformed ones too), or
  // `records` more were counted without a walk (screened rows).
  void counted(std::uint64_t record) { records_ = record; }
  void advance(std::uint64_t records) { records_ += records; }

  const Profile& profile() const { return profile_; }

  // Everything this profiler holds (its Profile, exact sets, unique keys,
  // order runs, bins, the conditional profilers'), as JSON, so a part built
  // in another process can be rebuilt (load_state) and merged. load_state
  // throws std::runtime_error when the state is not of this program's shape.
  nlohmann::json save_state() const;
  void load_state(const nlohmann::json& state);

  // Exact distinct values of one field (for unique, duplicate_count and
  // distinct_count): 64-bit hashes, so two values collide with probability
  // ~n²/2^65 (10^-7 at a million distinct values).
  struct Exact {
    int field = -1;  // index into Program::profiled / Profile::fields
    HashSet64 hashes;
    std::uint64_t values = 0;  // non-null values seen
    // Index into unique() of a `unique` key on this field alone, whose keys
    // are these values: then `hashes` stays empty and distinct() counts them.
    int same_as_unique = -1;
  };
  // Values of a field within [min, max] (expectations with metric `value`).
  struct InRange {
    int field = -1;
    Value lo, hi;
    std::uint64_t checked = 0, passed = 0;
  };
  // `unique` (one field or several together): each key with the record it
  // first came in and how often it came, exact up to 64-bit hash collisions.
  struct Unique {
    int expectation = -1;  // index into Program::expectations
    struct Seen {
      std::uint64_t first_record = 0, count = 0;
    };
    HashMap64<Seen> keys;
    std::uint64_t values = 0;     // records with a key (not every field of it null)
    std::vector<Sample> samples;  // records whose key repeats an earlier record's
  };
  // increasing / decreasing: the field's non-null values in input order,
  // each compared with the one before it.
  struct Order {
    int expectation = -1;
    double first = 0, last = 0;
    std::uint64_t first_record = 0;
    std::uint64_t values = 0, breaks = 0;
    std::vector<Sample> samples;  // records out of order
    bool interleaved = false;     // merged from parts read at the same time: no input order
  };
  // kl_divergence over bins: counts below the first edge, in each bin, above the last.
  struct Bins {
    int expectation = -1;
    std::vector<std::uint64_t> counts;
  };
  const std::vector<Exact>& exact() const { return exact_; }
  const std::vector<InRange>& in_range() const { return in_range_; }
  const std::vector<Unique>& unique() const { return unique_; }
  const std::vector<Order>& order() const { return order_; }
  const std::vector<Bins>& bins() const { return bins_; }
  // The Exact set of a profiled field, or null when none is kept.
  const Exact* exact_for(int field) const;
  // How many distinct values an Exact set holds.
  std::size_t distinct(const Exact& e) const {
    return e.same_as_unique >= 0 ? unique_[static_cast<std::size_t>(e.same_as_unique)].keys.size() : e.hashes.size();
  }
  // The profiler of the records where Program::conditions[condition] holds
  // (this one for -1).
  const Profiler& for_condition(int condition) const {
    return condition < 0 ? *this : *conditional_[static_cast<std::size_t>(condition)];
  }

 private:
  void add_keys(const Value* slots);
  void add_order(Order& o, double x, const Value& v);
  void add_bins(Bins& b, double x);
  bool present(int field, const Value* slots) const;
  std::string key_path(const Unique& u) const;     // "a,b"
  const std::string& field_path(int field) const;  // the field's enclosing objects are there
  void add_screened_keys(const Column& col, int field, const std::vector<std::uint8_t>& screened);
  // `shown()` gives the key's text, asked only when the record is sampled.
  template <typename Shown>
  void count_key(Unique& u, std::uint64_t key, std::uint64_t record, Shown shown);

  const Program& program_;
  ProfileOptions options_;
  Profile profile_;
  std::uint64_t records_ = 0;             // records the report counted before the one being added
  std::vector<int> field_of_type_check_;  // check index -> profiled field, -1
  std::vector<std::uint8_t> mistyped_;    // per record scratch
  std::vector<std::uint8_t> profiled_;    // per field: 1 = its statistics are kept (ProfileOptions::needed_fields_only)
  std::vector<std::uint8_t> keyed_;       // per field: 1 = an exact set or a unique key reads it
  std::vector<Exact> exact_;
  std::vector<InRange> in_range_;
  std::vector<Unique> unique_;
  std::vector<Order> order_;
  std::vector<Bins> bins_;
  std::vector<std::unique_ptr<Profiler>> conditional_;  // one per Program::conditions entry
  EvalScratch scratch_;
  std::vector<double> screened_numbers_;  // add_screened's gather buffers, kept across batches
  std::vector<std::uint64_t> screened_hashes_;
};

// A Sample in a saved state (Profiler and ReportBuilder states), and back.
nlohmann::json sample_state(const Sample& sample);
Sample sample_from_state(const nlohmann::json& state);

// The index into Program::profiled of a dotted field path, or -1.
int profiled_index(const Program& program, std::string_view path);

}  // namespace dq
