// A field's statistics: accumulation one value or a chunk at a time, and
// merging of parts.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "dq/profile.h"
#include "profile/hashing.h"

namespace dq {

using profiling::hll_update;
using profiling::mix_number;

// ---- FieldProfile --------------------------------------------------------

bool FieldProfile::numeric() const { return type == "integer" || type == "number" || type == "array"; }
bool FieldProfile::categorical() const { return type == "string" || type == "boolean"; }
bool FieldProfile::temporal() const { return type == "timestamp" || type == "date"; }

namespace {

// Welford's update: numerically stable in one pass.
void add_moment(FieldProfile& f, double x) {
  ++f.values;
  if (f.values == 1) {
    f.min = f.max = f.mean = x;
    f.m2 = 0;
    return;
  }
  if (x < f.min) f.min = x;
  if (x > f.max) f.max = x;
  const double delta = x - f.mean;
  f.mean += delta / static_cast<double>(f.values);
  f.m2 += delta * (x - f.mean);
}

}  // namespace

namespace {

// Keeps `n` more values exactly, or gives exactness up for good.
void keep_exact(FieldProfile& f, const double* xs, std::size_t n) {
  if (f.exact_overflow) return;
  if (f.exact_values.size() + n > FieldProfile::kExactValues) {
    f.exact_overflow = true;
    std::vector<double>().swap(f.exact_values);
    return;
  }
  f.exact_values.insert(f.exact_values.end(), xs, xs + n);
}

}  // namespace

double FieldProfile::quantile(double q) const {
  if (values == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  if (!exact_overflow && exact_values.size() == values) {
    // numpy's "linear": h = (n - 1)·q between the order statistics around it.
    std::vector<double> sorted = exact_values;
    const double h = static_cast<double>(sorted.size() - 1) * q;
    const std::size_t lo = static_cast<std::size_t>(std::floor(h));
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(lo), sorted.end());
    const double below = sorted[lo];
    if (lo + 1 >= sorted.size()) return below;
    const double above = *std::min_element(sorted.begin() + static_cast<std::ptrdiff_t>(lo) + 1, sorted.end());
    return below + (h - static_cast<double>(lo)) * (above - below);
  }
  return std::clamp(sketch.quantile(q), min, max);
}

void FieldProfile::add_number(double x) {
  add_moment(*this, x);
  keep_exact(*this, &x, 1);
  sketch.add(x);
  distinct.add_hash(hash_number(x));
}

void FieldProfile::add_numbers(const double* xs, std::size_t n) {
  if (n == 0) return;
  // Two passes over the chunk (no division per value), then Chan's merge.
  // Four running sums, minima and maxima each, as two 2-wide vectors: one
  // chain per lane keeps the adds from waiting on each other (a single
  // chain costs an add's latency per value), and all stay in registers.
  using D2 = double __attribute__((vector_size(16)));
  const D2 first = {xs[0], xs[0]};
  D2 sum01 = {}, sum23 = {}, lo01 = first, lo23 = first, hi01 = first, hi23 = first;
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    D2 a, b;
    std::memcpy(&a, xs + i, sizeof a);
    std::memcpy(&b, xs + i + 2, sizeof b);
    sum01 += a;
    sum23 += b;
    lo01 = a < lo01 ? a : lo01;  // std::min's choice, NaN included
    lo23 = b < lo23 ? b : lo23;
    hi01 = hi01 < a ? a : hi01;
    hi23 = hi23 < b ? b : hi23;
  }
  double sum[4] = {sum01[0], sum01[1], sum23[0], sum23[1]};
  double lo[4] = {lo01[0], lo01[1], lo23[0], lo23[1]}, hi[4] = {hi01[0], hi01[1], hi23[0], hi23[1]};
  for (std::size_t k = 0; i < n; ++i, ++k) {
    sum[k] += xs[i];
    lo[k] = xs[i] < lo[k] ? xs[i] : lo[k];
    hi[k] = hi[k] < xs[i] ? xs[i] : hi[k];
  }
  double total = 0, low = lo[0], high = hi[0];
  for (std::size_t k = 0; k < 4; ++k) {
    total += sum[k];
    low = std::min(low, lo[k]);
    high = std::max(high, hi[k]);
  }
  const double chunk_mean = total / static_cast<double>(n);
  const D2 mean2 = {chunk_mean, chunk_mean};
  D2 m2_01 = {}, m2_23 = {};
  for (i = 0; i + 4 <= n; i += 4) {
    D2 a, b;
    std::memcpy(&a, xs + i, sizeof a);
    std::memcpy(&b, xs + i + 2, sizeof b);
    m2_01 += (a - mean2) * (a - mean2);
    m2_23 += (b - mean2) * (b - mean2);
  }
  double squares[4] = {m2_01[0], m2_01[1], m2_23[0], m2_23[1]};
  for (std::size_t k = 0; i < n; ++i, ++k) squares[k] += (xs[i] - chunk_mean) * (xs[i] - chunk_mean);
  const double chunk_m2 = (squares[0] + squares[1]) + (squares[2] + squares[3]);
  const double lo_all = low, hi_all = high;
  FieldProfile chunk;
  chunk.values = n;
  chunk.min = lo_all;
  chunk.max = hi_all;
  chunk.mean = chunk_mean;
  chunk.m2 = chunk_m2;
  merge_moments(chunk);
  keep_exact(*this, xs, n);
  sketch.add_all(xs, n, lo_all, hi_all);
  distinct.add_hash(hash_number(xs[0]));  // allocates the registers once
  std::uint8_t* registers = distinct.registers_.data();
  profiling::hll_update_numbers(registers, xs + 1, n - 1);
}

void FieldProfile::add_hashes(const std::uint64_t* hashes, std::size_t n) {
  if (n == 0) return;
  distinct.add_hash(hashes[0]);  // allocates the registers once
  std::uint8_t* registers = distinct.registers_.data();
  for (std::size_t i = 1; i < n; ++i) hll_update(registers, hashes[i]);
}

void FieldProfile::add_time(std::int64_t t) { add_moment(*this, static_cast<double>(t)); }

void FieldProfile::add_text(std::string_view text, std::size_t max_values, std::uint64_t hash) {
  ++values;
  distinct.add_hash(hash);
  if (type == "string") add_lengths(profiling::code_points(text), 1, values == 1);
  count_value(text, 1, max_values);
}

void FieldProfile::add_lengths(std::uint64_t points, std::uint64_t n, bool first) {
  if (first || points < min_length) min_length = points;
  if (points > max_length) max_length = points;
  total_length += points * n;
}

void FieldProfile::count_value(std::string_view text, std::uint64_t n, std::size_t max_values) {
  if (values_overflow) return;
  std::size_t cut = std::min<std::size_t>(text.size(), 128);
  while (cut > 0 && cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  const std::string_view key = text.substr(0, cut);
  auto it = value_counts.find(key);
  if (it != value_counts.end()) {
    it->second += n;
  } else if (value_counts.size() < max_values) {
    value_counts.emplace(std::string(key), n);
  } else {
    // One value too many: the table could no longer be exact, so it goes.
    value_counts.clear();
    values_overflow = true;
  }
}

void FieldProfile::merge_moments(const FieldProfile& o) {
  if (o.values == 0) return;
  if (values == 0) {
    min = o.min, max = o.max, mean = o.mean, m2 = o.m2;
    min_length = o.min_length;
  } else {
    // Chan et al.'s pairwise update of mean and squared deviations.
    const double n = static_cast<double>(values), m = static_cast<double>(o.values);
    const double delta = o.mean - mean;
    mean += delta * m / (n + m);
    m2 += o.m2 + delta * delta * n * m / (n + m);
    min = std::min(min, o.min);
    max = std::max(max, o.max);
    min_length = std::min(min_length, o.min_length);
  }
  max_length = std::max(max_length, o.max_length);
  total_length += o.total_length;
  values += o.values;
}

void FieldProfile::merge(const FieldProfile& o, std::size_t max_values) {
  count += o.count;
  nulls += o.nulls;
  invalid += o.invalid;
  const bool both_exact =
      !exact_overflow && !o.exact_overflow && exact_values.size() == values && o.exact_values.size() == o.values;
  if (both_exact) {
    keep_exact(*this, o.exact_values.data(), o.exact_values.size());
  } else if (values + o.values > 0) {
    exact_overflow = true;
    std::vector<double>().swap(exact_values);
  }
  merge_moments(o);
  sketch.merge(o.sketch);
  distinct.merge(o.distinct);
  if (o.values_overflow) {
    values_overflow = true;
    value_counts.clear();
  } else if (!values_overflow) {
    // Both tables are sorted: one linear pass, inserting with a hint.
    auto at = value_counts.begin();
    for (const auto& [value, n] : o.value_counts) {
      int order = 1;
      while (at != value_counts.end() && (order = at->first.compare(value)) < 0) ++at;
      if (order == 0) {
        (at++)->second += n;
      } else {
        at = std::next(value_counts.emplace_hint(at, value, n));
      }
    }
    if (value_counts.size() > max_values) {
      values_overflow = true;
      value_counts.clear();
    }
  }
}

std::vector<std::pair<std::string, std::uint64_t>> FieldProfile::top_values(std::size_t k) const {
  std::vector<std::pair<std::string, std::uint64_t>> all(value_counts.begin(), value_counts.end());
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (all.size() > k) all.resize(k);
  return all;
}

}  // namespace dq
