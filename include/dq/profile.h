// Profile: per-field statistics of a dataset, mergeable and serializable.
//
// A Profile is what `dq profile` writes as a baseline and what every report
// computes in the same pass as validation (ReportOptions::profile). Profiles
// of parts (threads, files, Beam workers, stream windows) merge into the
// profile of the whole: counts, sketches, value tables and distinct-count
// registers merge exactly, in any order and grouping; mean and variance merge
// by Chan's formula, exact up to floating-point rounding.
//
// Memory is bounded per field whatever the data size (see FieldProfile).
// The JSON form is documented by schemas/profile.schema.json.
//
// Plain values: not synchronized; merge partial profiles instead of sharing one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dq/export.h"
#include "dq/status.h"

namespace dq {

// A histogram over fixed, data-independent buckets: bucket `k` of a positive
// value holds the doubles whose bits 62..46 equal `k` (exponent and the top 6
// bits of the mantissa), so a bucket's bounds differ by at most 1/64 (1.6%)
// of its values, two sketches of any data share the same boundaries, and
// merging is adding counts. Negative values mirror positive ones; magnitudes
// below 2^-30 count as zero; magnitudes above 2^63 count in the top bucket.
// At most 6,016 buckets per sign (48 KiB), whatever the data.
class DQ_EXPORT ValueSketch {
 public:
  void add(double x, std::uint64_t n = 1);
  // Adds n values whose minimum and maximum are lo and hi.
  void add_all(const double* xs, std::size_t n, double lo, double hi);
  void merge(const ValueSketch& other);
  std::uint64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }

  // One bucket in value order: values in [low, high] (low == high == 0 for
  // the zero bucket), and how many.
  struct Bucket {
    double low = 0, high = 0;
    std::uint64_t count = 0;
    std::int64_t ordinal = 0;  // position in value order, shared by every sketch
    double mid() const { return (low + high) / 2; }
  };
  // Non-empty buckets in increasing value order.
  std::vector<Bucket> buckets() const;
  // The value at quantile q (0..1): the midpoint of the bucket holding it.
  double quantile(double q) const;

  // Serialized form: {"zero": n, "positive": [first_key, [counts...]], "negative": [...]}.
  struct Store {
    std::int64_t first = 0;  // key of counts[0]
    std::vector<std::uint64_t> counts;
    void add(std::int64_t key, std::uint64_t n);
    void merge(const Store& other);
  };
  std::uint64_t zero_count() const { return zero_; }
  const Store& positive() const { return positive_; }
  const Store& negative() const { return negative_; }
  static ValueSketch from_parts(std::uint64_t zero, Store positive, Store negative);

  static std::int64_t key_of(double magnitude);  // for a magnitude >= 2^-30
  static double lower_bound(std::int64_t key);

 private:
  std::uint64_t count_ = 0, zero_ = 0;
  Store positive_, negative_;
};

// HyperLogLog distinct-count estimate with 2^12 registers (4 KiB): merging
// takes the maximum of each register, so it is exact and order-free. Typical
// error 1.6%.
class DQ_EXPORT DistinctSketch {
 public:
  static constexpr int kPrecision = 12;
  void add_hash(std::uint64_t hash);
  void merge(const DistinctSketch& other);
  double estimate() const;
  bool empty() const { return registers_.empty(); }
  const std::vector<std::uint8_t>& registers() const { return registers_; }
  // Fails on a register vector of the wrong size.
  static Result<DistinctSketch> from_registers(std::vector<std::uint8_t> registers);

 private:
  friend struct FieldProfile;            // bulk updates of the registers (FieldProfile's columnar path)
  std::vector<std::uint8_t> registers_;  // empty until the first value
};

// Statistics of one field (a schema path such as "customer.country").
//
// count: records in which the field could appear (its parent object was
// present); nulls: of those, absent or null; invalid: a value of the wrong
// type (counted in neither the statistics nor nulls). The statistics cover
// the `values` present values of the declared type:
// - integer, number: min, max, mean, variance, a ValueSketch (quantiles,
//   CDF, histograms), the values themselves up to kExactValues (exact
//   quantiles), a distinct estimate;
// - string, boolean: a table of values with counts (strings are compared by
//   their first 128 bytes) while there are at most `max_values` distinct
//   values; past that the table is dropped (values_overflow) and only the
//   distinct estimate remains; strings also get lengths in code points;
// - timestamp (µs since the epoch) and date (days): min and max;
// - array: its item counts as numbers (min, max, mean, sketch); object, any:
//   presence only.
// Fields inside arrays are not profiled (their array's item count is).
struct DQ_EXPORT FieldProfile {
  std::string path;
  std::string type;  // the contract's type name
  std::uint64_t count = 0, nulls = 0, invalid = 0;
  std::uint64_t values = 0;

  // Moments and extremes of numbers, times and item counts (when values > 0).
  double min = 0, max = 0, mean = 0, m2 = 0;  // m2: sum of squared deviations
  double variance() const { return values > 1 ? m2 / static_cast<double>(values - 1) : 0.0; }
  double null_rate() const { return count == 0 ? 0.0 : static_cast<double>(nulls) / static_cast<double>(count); }

  ValueSketch sketch;  // numbers and item counts
  // Numbers and item counts, every value while there are at most
  // kExactValues of them (merges included), so small data gets exact
  // quantiles; cleared for good (exact_overflow) past that.
  static constexpr std::size_t kExactValues = 100000;
  std::vector<double> exact_values;
  bool exact_overflow = false;
  // The value at quantile q (0..1) of the numbers: exact while exact_values
  // holds every value (linear interpolation between order statistics, as
  // numpy and pandas by default); else from the sketch (the midpoint of a
  // bucket, within 0.8% of the true value's magnitude) clamped to [min, max].
  // 0 when there are no values.
  double quantile(double q) const;
  std::map<std::string, std::uint64_t, std::less<>> value_counts;  // strings and booleans
  bool values_overflow = false;
  std::uint64_t min_length = 0, max_length = 0, total_length = 0;  // strings, in code points
  DistinctSketch distinct;                                         // numbers and strings

  bool numeric() const;      // integer, number, array (item counts)
  bool categorical() const;  // string, boolean
  bool temporal() const;     // timestamp, date

  // Adds one present value of the field's type (`hash`: hash_bytes of the text).
  void add_number(double x);
  void add_text(std::string_view text, std::size_t max_values, std::uint64_t hash);
  void add_time(std::int64_t t);
  void merge(const FieldProfile& other, std::size_t max_values);
  // The `k` most frequent values, most frequent first (ties by value).
  std::vector<std::pair<std::string, std::uint64_t>> top_values(std::size_t k) const;

 private:
  friend class Profiler;  // the columnar path counts in bulk
  // Adds `n` present numbers at once: the same result as add_number on each,
  // up to floating-point rounding of mean and m2.
  void add_numbers(const double* xs, std::size_t n);
  // Parts of add_text: `n` more values of `points` code points (`first`:
  // the field's first length, and `n` may be 0 to widen min and max alone),
  // and `n` more of a value.
  void add_lengths(std::uint64_t points, std::uint64_t n, bool first);
  // The distinct registers of `n` more values, by their hashes.
  void add_hashes(const std::uint64_t* hashes, std::size_t n);
  void count_value(std::string_view text, std::uint64_t n, std::size_t max_values);
  // Adds another part's values, min, max, mean, m2 and lengths.
  void merge_moments(const FieldProfile& other);
};

struct ProfileOptions {
  std::size_t max_values = 1000;  // distinct values kept per categorical field
  // Profile only the fields the contract's expectations, drift checks,
  // monitors and freshness read (the others keep empty statistics): for runs
  // that report those checks, not the profile (dq grade).
  bool needed_fields_only = false;
};

struct DQ_EXPORT Profile {
  static constexpr int kFormatVersion = 1;
  std::string dataset, version;  // the contract's
  std::uint64_t rows = 0;        // well-formed records profiled
  std::size_t max_values = ProfileOptions{}.max_values;
  std::vector<FieldProfile> fields;  // in contract order

  const FieldProfile* field(std::string_view path) const;
  // Adds another profile of the same contract's fields. kInvalidArgument when
  // the field lists differ (profiles of different contracts).
  Status merge(const Profile& other);

  std::string to_json(int indent = -1) const;
  // kInvalidData with the reason (and byte offset) when the text is not a profile.
  static Result<Profile> from_json(std::string_view json);
  static Result<Profile> load_file(const std::string& path);
  Status save_file(const std::string& path) const;
};

// A stable 64-bit hash of a value's bytes (for distinct estimates).
DQ_EXPORT std::uint64_t hash_bytes(std::string_view bytes);
DQ_EXPORT std::uint64_t hash_number(double x);

}  // namespace dq
