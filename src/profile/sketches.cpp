// The sketches a field profile keeps: ValueSketch (fixed log buckets) and
// DistinctSketch (HyperLogLog), and the stable hashes behind distinct counts.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "dq/profile.h"
#include "profile/hashing.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define DQ_HLL_AVX512 1
#endif

namespace dq {

using profiling::fmix64;
using profiling::hll_update;
using profiling::mix_number;

namespace {

// Keys are bits 62..46 of a double: 11 exponent bits and 6 mantissa bits.
constexpr int kKeyShift = 46;
constexpr double kZeroBelow = 0x1p-30;
constexpr double kTopMagnitude = 0x1p63;

}  // namespace

std::uint64_t hash_bytes(std::string_view bytes) { return profiling::hash_text(bytes); }

std::uint64_t hash_number(double x) { return mix_number(x); }

namespace profiling {

namespace {

void hll_update_numbers_scalar(std::uint8_t* registers, const double* xs, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) hll_update(registers, mix_number(xs[i]));
}

#if defined(DQ_HLL_AVX512)
// GCC 12's shift intrinsics start from _mm512_undefined_epi32(), which it then
// reports as maybe uninitialized (GCC bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// mix_number and the register's index and rank in vectors of eight; the
// registers are then raised one by one (a scatter cannot take a maximum).
__attribute__((target("avx512f,avx512dq,avx512cd"))) void hll_update_numbers_avx512(std::uint8_t* registers,
                                                                                    const double* xs, std::size_t n) {
  constexpr int p = DistinctSketch::kPrecision;
  const __m512i seed = _mm512_set1_epi64(static_cast<long long>(0x9e3779b97f4a7c15ULL));
  const __m512i m1 = _mm512_set1_epi64(static_cast<long long>(0xff51afd7ed558ccdULL));
  const __m512i m2 = _mm512_set1_epi64(static_cast<long long>(0xc4ceb9fe1a85ec53ULL));
  const __m512i top_rank = _mm512_set1_epi64(64 - p + 1);
  const __m512d zero = _mm512_setzero_pd();
  alignas(64) std::uint64_t index[8], rank[8];
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m512d x = _mm512_loadu_pd(xs + i);
    x = _mm512_mask_mov_pd(x, _mm512_cmp_pd_mask(x, zero, _CMP_EQ_OQ), zero);  // -0 and 0 are one value
    __m512i k = _mm512_xor_si512(_mm512_castpd_si512(x), seed);
    k = _mm512_xor_si512(k, _mm512_srli_epi64(k, 33));
    k = _mm512_mullo_epi64(k, m1);
    k = _mm512_xor_si512(k, _mm512_srli_epi64(k, 33));
    k = _mm512_mullo_epi64(k, m2);
    k = _mm512_xor_si512(k, _mm512_srli_epi64(k, 33));
    const __m512i rest = _mm512_slli_epi64(k, p);
    // lzcnt of 0 is 64: the rank of an all-zero rest is capped as hll_update caps it.
    const __m512i r = _mm512_min_epu64(_mm512_add_epi64(_mm512_lzcnt_epi64(rest), _mm512_set1_epi64(1)), top_rank);
    _mm512_store_si512(index, _mm512_srli_epi64(k, 64 - p));
    _mm512_store_si512(rank, r);
    for (int j = 0; j < 8; ++j) {
      std::uint8_t& reg = registers[index[j]];
      const auto v = static_cast<std::uint8_t>(rank[j]);
      reg = v > reg ? v : reg;
    }
  }
  hll_update_numbers_scalar(registers, xs + i, n - i);
}
#pragma GCC diagnostic pop
#endif

}  // namespace

void hll_update_numbers(std::uint8_t* registers, const double* xs, std::size_t n) {
#if defined(DQ_HLL_AVX512)
  static const bool avx512 = __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd");
  if (avx512) return hll_update_numbers_avx512(registers, xs, n);
#endif
  hll_update_numbers_scalar(registers, xs, n);
}

}  // namespace profiling

// ---- ValueSketch ---------------------------------------------------------

std::int64_t ValueSketch::key_of(double magnitude) {
  if (magnitude >= kTopMagnitude) magnitude = std::nextafter(kTopMagnitude, 0.0);
  return static_cast<std::int64_t>(std::bit_cast<std::uint64_t>(magnitude) >> kKeyShift);
}

double ValueSketch::lower_bound(std::int64_t key) {
  return std::bit_cast<double>(static_cast<std::uint64_t>(key) << kKeyShift);
}

void ValueSketch::Store::add(std::int64_t key, std::uint64_t n) {
  if (counts.empty()) {
    first = key;
    counts.assign(1, n);
    return;
  }
  if (key < first) {
    counts.insert(counts.begin(), static_cast<std::size_t>(first - key), 0);
    first = key;
  } else if (key >= first + static_cast<std::int64_t>(counts.size())) {
    counts.resize(static_cast<std::size_t>(key - first + 1), 0);
  }
  counts[static_cast<std::size_t>(key - first)] += n;
}

void ValueSketch::Store::merge(const Store& other) {
  if (other.counts.empty()) return;
  // Grow once to cover both ranges, then add.
  add(other.first, 0);
  add(other.first + static_cast<std::int64_t>(other.counts.size()) - 1, 0);
  std::uint64_t* dst = counts.data() + (other.first - first);
  for (std::size_t i = 0; i < other.counts.size(); ++i) dst[i] += other.counts[i];
}

void ValueSketch::add(double x, std::uint64_t n) {
  count_ += n;
  const double magnitude = std::fabs(x);
  if (magnitude < kZeroBelow) {
    zero_ += n;
  } else {
    (x > 0 ? positive_ : negative_).add(key_of(magnitude), n);
  }
}

void ValueSketch::add_all(const double* xs, std::size_t n, double lo, double hi) {
  // Size both stores for the chunk's range once; then each value is one
  // increment (no range checks in the loop).
  if (hi >= kZeroBelow) {
    positive_.add(key_of(std::max(lo, kZeroBelow)), 0);
    positive_.add(key_of(hi), 0);
  }
  if (lo <= -kZeroBelow) {
    negative_.add(key_of(std::max(-hi, kZeroBelow)), 0);
    negative_.add(key_of(-lo), 0);
  }
  std::uint64_t* pos = positive_.counts.data() - positive_.first;
  std::uint64_t* neg = negative_.counts.data() - negative_.first;
  std::uint64_t zeros = 0;
  if (std::max(hi, -lo) < kTopMagnitude) {
    // No magnitude to cap: one predictable branch for zeros, the sign picked
    // without one (measured: masks for both, or the capping compare, cost more).
    for (std::size_t i = 0; i < n; ++i) {
      const double x = xs[i];
      const double magnitude = std::fabs(x);
      if (magnitude < kZeroBelow) {
        ++zeros;
        continue;
      }
      const auto key = static_cast<std::int64_t>(std::bit_cast<std::uint64_t>(magnitude) >> kKeyShift);
      ++(x > 0 ? pos : neg)[key];
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      const double x = xs[i];
      const double magnitude = std::fabs(x);
      if (magnitude < kZeroBelow) {
        ++zeros;
      } else {
        ++(x > 0 ? pos : neg)[key_of(magnitude)];
      }
    }
  }
  zero_ += zeros;
  count_ += n;
}

void ValueSketch::merge(const ValueSketch& other) {
  count_ += other.count_;
  zero_ += other.zero_;
  positive_.merge(other.positive_);
  negative_.merge(other.negative_);
}

ValueSketch ValueSketch::from_parts(std::uint64_t zero, Store positive, Store negative) {
  ValueSketch s;
  s.zero_ = zero;
  s.count_ = zero;
  for (std::uint64_t c : positive.counts) s.count_ += c;
  for (std::uint64_t c : negative.counts) s.count_ += c;
  s.positive_ = std::move(positive);
  s.negative_ = std::move(negative);
  return s;
}

std::vector<ValueSketch::Bucket> ValueSketch::buckets() const {
  std::vector<Bucket> out;
  // Negative values: larger keys are further from zero, so they come first.
  for (std::size_t i = negative_.counts.size(); i-- > 0;) {
    if (negative_.counts[i] == 0) continue;
    const std::int64_t key = negative_.first + static_cast<std::int64_t>(i);
    out.push_back({-lower_bound(key + 1), -lower_bound(key), negative_.counts[i], -1 - key});
  }
  if (zero_ > 0) out.push_back({0, 0, zero_, 0});
  for (std::size_t i = 0; i < positive_.counts.size(); ++i) {
    if (positive_.counts[i] == 0) continue;
    const std::int64_t key = positive_.first + static_cast<std::int64_t>(i);
    out.push_back({lower_bound(key), lower_bound(key + 1), positive_.counts[i], 1 + key});
  }
  return out;
}

double ValueSketch::quantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // The value of rank ceil(q·n) (1-based; rank 1 for q = 0).
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  const std::vector<Bucket> all = buckets();
  for (const Bucket& b : all) {
    seen += b.count;
    if (seen >= rank) return b.mid();
  }
  return all.back().mid();
}

// ---- DistinctSketch ------------------------------------------------------

void DistinctSketch::add_hash(std::uint64_t hash) {
  if (registers_.empty()) registers_.assign(std::size_t{1} << kPrecision, 0);
  hll_update(registers_.data(), hash);
}

void DistinctSketch::merge(const DistinctSketch& other) {
  if (other.registers_.empty()) return;
  if (registers_.empty()) {
    registers_ = other.registers_;
    return;
  }
  // Locals, so the compiler knows the loop bound does not change (it vectorizes).
  std::uint8_t* mine = registers_.data();
  const std::uint8_t* theirs = other.registers_.data();
  const std::size_t n = registers_.size();
  for (std::size_t i = 0; i < n; ++i) mine[i] = mine[i] > theirs[i] ? mine[i] : theirs[i];
}

double DistinctSketch::estimate() const {
  if (registers_.empty()) return 0;
  const double m = static_cast<double>(registers_.size());
  double sum = 0;
  std::size_t zeros = 0;
  for (std::uint8_t r : registers_) {
    sum += std::ldexp(1.0, -r);
    zeros += r == 0;
  }
  const double alpha = 0.7213 / (1 + 1.079 / m);
  const double raw = alpha * m * m / sum;
  // Small cardinalities: linear counting is exact-er (Flajolet et al., 2007).
  if (raw <= 2.5 * m && zeros > 0) return m * std::log(m / static_cast<double>(zeros));
  return raw;
}

Result<DistinctSketch> DistinctSketch::from_registers(std::vector<std::uint8_t> registers) {
  if (!registers.empty() && registers.size() != (std::size_t{1} << kPrecision)) {
    return Status(StatusCode::kInvalidData, "distinct registers: expected " + std::to_string(1 << kPrecision) +
                                                " bytes, got " + std::to_string(registers.size()));
  }
  DistinctSketch s;
  s.registers_ = std::move(registers);
  return s;
}

}  // namespace dq
