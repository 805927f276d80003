// Profile data structures: the bucket sketch, HyperLogLog, per-field
// accumulation and merging, and the JSON form (schemas/profile.schema.json).
#include "dq/profile.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <type_traits>

namespace dq {
namespace {

// Keys are bits 62..46 of a double: 11 exponent bits and 6 mantissa bits.
constexpr int kKeyShift = 46;
constexpr double kZeroBelow = 0x1p-30;
constexpr double kTopMagnitude = 0x1p63;

std::uint64_t fmix64(std::uint64_t k) {  // MurmurHash3's finalizer: a bijective avalanche
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

}  // namespace

std::uint64_t hash_bytes(std::string_view bytes) {
  // FNV-1a over 8-byte words, then an avalanche: stable across platforms so
  // serialized distinct registers merge with any other run's.
  std::uint64_t h = 0xcbf29ce484222325ULL ^ bytes.size();
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, bytes.data() + i, 8);
    h = (h ^ w) * 0x100000001b3ULL;
  }
  std::uint64_t tail = 0;
  for (std::size_t k = 0; i + k < bytes.size(); ++k) {
    tail |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[i + k])) << (8 * k);
  }
  h = (h ^ tail) * 0x100000001b3ULL;
  return fmix64(h);
}

[[gnu::always_inline]] inline std::uint64_t mix_number(double x) {
  if (x == 0) x = 0;  // -0 and 0 are one value
  return fmix64(std::bit_cast<std::uint64_t>(x) ^ 0x9e3779b97f4a7c15ULL);
}

std::uint64_t hash_number(double x) { return mix_number(x); }

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
  for (std::size_t i = 0; i < n; ++i) {
    const double x = xs[i];
    const double magnitude = std::fabs(x);
    if (magnitude < kZeroBelow) {
      ++zeros;
    } else {
      ++(x > 0 ? pos : neg)[key_of(magnitude)];
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

namespace {

[[gnu::always_inline]] inline void hll_update(std::uint8_t* registers, std::uint64_t hash) {
  constexpr int p = DistinctSketch::kPrecision;
  const std::size_t index = hash >> (64 - p);
  const std::uint64_t rest = hash << p;
  const auto rank = static_cast<std::uint8_t>(rest == 0 ? 64 - p + 1 : std::countl_zero(rest) + 1);
  if (rank > registers[index]) registers[index] = rank;
}

}  // namespace

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
  double sum = 0, lo = xs[0], hi = xs[0];
  for (std::size_t i = 0; i < n; ++i) {
    sum += xs[i];
    lo = std::min(lo, xs[i]);
    hi = std::max(hi, xs[i]);
  }
  const double chunk_mean = sum / static_cast<double>(n);
  double chunk_m2 = 0;
  for (std::size_t i = 0; i < n; ++i) chunk_m2 += (xs[i] - chunk_mean) * (xs[i] - chunk_mean);
  FieldProfile chunk;
  chunk.values = n;
  chunk.min = lo;
  chunk.max = hi;
  chunk.mean = chunk_mean;
  chunk.m2 = chunk_m2;
  merge_moments(chunk);
  keep_exact(*this, xs, n);
  sketch.add_all(xs, n, lo, hi);
  distinct.add_hash(hash_number(xs[0]));  // allocates the registers once
  std::uint8_t* registers = distinct.registers_.data();
  for (std::size_t i = 1; i < n; ++i) hll_update(registers, mix_number(xs[i]));
}

void FieldProfile::add_time(std::int64_t t) { add_moment(*this, static_cast<double>(t)); }

void FieldProfile::add_text(std::string_view text, std::size_t max_values, std::uint64_t hash) {
  ++values;
  distinct.add_hash(hash);
  if (type == "string") add_length(text, values == 1);
  count_value(text, 1, max_values);
}

void FieldProfile::add_length(std::string_view text, bool first) {
  std::uint64_t length = 0;
  for (char c : text) length += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  if (first || length < min_length) min_length = length;
  if (length > max_length) max_length = length;
  total_length += length;
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

// ---- Profile -------------------------------------------------------------

const FieldProfile* Profile::field(std::string_view path) const {
  for (const FieldProfile& f : fields) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

Status Profile::merge(const Profile& other) {
  if (other.fields.size() != fields.size()) {
    return Status(StatusCode::kInvalidArgument, "profiles of different fields cannot merge (" +
                                                    std::to_string(fields.size()) + " vs " +
                                                    std::to_string(other.fields.size()) + " fields)");
  }
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].path != other.fields[i].path || fields[i].type != other.fields[i].type) {
      return Status(StatusCode::kInvalidArgument, "profiles of different fields cannot merge ('" + fields[i].path +
                                                      "' vs '" + other.fields[i].path + "')");
    }
  }
  if (dataset.empty()) dataset = other.dataset, version = other.version;
  rows += other.rows;
  max_values = std::min(max_values, other.max_values);
  for (std::size_t i = 0; i < fields.size(); ++i) fields[i].merge(other.fields[i], max_values);
  return {};
}

namespace {

using nlohmann::json;

const char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(const std::vector<std::uint8_t>& bytes) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t n = static_cast<std::uint32_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<std::uint32_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= bytes[i + 2];
    out += kBase64[(n >> 18) & 63];
    out += kBase64[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kBase64[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kBase64[n & 63] : '=';
  }
  return out;
}

bool unbase64(std::string_view text, std::vector<std::uint8_t>& out) {
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    const char* p = std::strchr(kBase64, c);
    if (p == nullptr || c == '\0') return false;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(p - kBase64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((buffer >> bits) & 0xFF));
    }
  }
  return true;
}

// Canonical: without the empty buckets a store may hold at either end.
json store_json(const ValueSketch::Store& s) {
  std::size_t begin = 0, end = s.counts.size();
  while (begin < end && s.counts[begin] == 0) ++begin;
  while (end > begin && s.counts[end - 1] == 0) --end;
  if (begin == end) return json::array();
  return json::array({s.first + static_cast<std::int64_t>(begin),
                      std::vector<std::uint64_t>(s.counts.begin() + static_cast<std::ptrdiff_t>(begin),
                                                 s.counts.begin() + static_cast<std::ptrdiff_t>(end))});
}

// A reading failure names the field and what is wrong.
struct BadProfile {
  std::string why;
};

template <class T>
T get(const json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end()) throw BadProfile{where + ": missing '" + key + "'"};
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    // nlohmann converts a float to an integer with a plain cast, undefined past
    // the integer's range: a count must be written as an integer.
    const bool negative = it->is_number_integer() && !it->is_number_unsigned() && it->template get<std::int64_t>() < 0;
    if (!it->is_number_integer() || (std::is_unsigned_v<T> && negative)) {
      throw BadProfile{where + ": '" + key + "' must be a whole number"};
    }
  }
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    throw BadProfile{where + ": '" + key + "' has the wrong type"};
  }
}

ValueSketch::Store read_store(const json& j, const std::string& where) {
  ValueSketch::Store s;
  if (!j.is_array() || (j.size() != 0 && j.size() != 2)) throw BadProfile{where + ": a store is [first_key, [counts]]"};
  if (j.empty()) return s;
  if (!j[0].is_number_integer() || !j[1].is_array()) throw BadProfile{where + ": a store is [first_key, [counts]]"};
  s.first = j[0].get<std::int64_t>();
  if (s.first < 0 || s.first > (std::int64_t{1} << 17)) throw BadProfile{where + ": bucket key out of range"};
  if (j[1].size() > 6016 * 2) throw BadProfile{where + ": too many buckets"};
  for (const json& c : j[1]) {
    if (!c.is_number_unsigned() && !(c.is_number_integer() && c.get<std::int64_t>() >= 0)) {
      throw BadProfile{where + ": bucket counts must be non-negative integers"};
    }
    s.counts.push_back(c.get<std::uint64_t>());
  }
  return s;
}

json number_or_null(double x, bool present) { return present ? json(x) : json(nullptr); }

}  // namespace

std::string Profile::to_json(int indent) const {
  json out;
  out["dq_profile"] = kFormatVersion;
  out["dataset"] = dataset;
  out["version"] = version;
  out["rows"] = rows;
  out["max_values"] = max_values;
  json list = json::array();
  for (const FieldProfile& f : fields) {
    json j = {{"path", f.path},   {"type", f.type},       {"count", f.count},
              {"nulls", f.nulls}, {"invalid", f.invalid}, {"values", f.values}};
    const bool has = f.values > 0;
    if (f.numeric() || f.temporal()) {
      j["min"] = number_or_null(f.min, has);
      j["max"] = number_or_null(f.max, has);
      j["mean"] = number_or_null(f.mean, has);
      j["m2"] = f.m2;
    }
    if (f.numeric()) {
      j["sketch"] = {{"zero", f.sketch.zero_count()},
                     {"positive", store_json(f.sketch.positive())},
                     {"negative", store_json(f.sketch.negative())}};
      // Readable summaries, recomputed from the sketch when read back.
      j["quantiles"] = json::object();
      if (has) {
        for (double q : {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99}) {
          char key[16];
          std::snprintf(key, sizeof key, "p%g", q * 100);
          j["quantiles"][key] = f.quantile(q);
        }
      }
      // The values themselves while there are few enough: exact quantiles
      // survive a round trip (Beam workers, windows, saved baselines).
      // Sorted (the profile of a whole equals the merge of its parts, whatever
      // their order), as base64 of little-endian binary64: exact and compact.
      if (!f.exact_overflow && f.exact_values.size() == f.values) {
        std::vector<double> sorted = f.exact_values;
        std::sort(sorted.begin(), sorted.end());
        std::vector<std::uint8_t> bytes(sorted.size() * sizeof(double));
        if (!sorted.empty()) std::memcpy(bytes.data(), sorted.data(), bytes.size());
        j["exact_values"] = base64(bytes);
      }
    }
    if (f.categorical()) {
      j["values_overflow"] = f.values_overflow;
      j["value_counts"] = json(std::map<std::string, std::uint64_t>(f.value_counts.begin(), f.value_counts.end()));
    }
    if (f.type == "string") {
      j["lengths"] = {{"min", f.min_length}, {"max", f.max_length}, {"total", f.total_length}};
    }
    if (f.numeric() || f.categorical()) {
      j["distinct"] = {{"estimate", std::round(f.distinct.estimate())}, {"registers", base64(f.distinct.registers())}};
    }
    list.push_back(std::move(j));
  }
  out["fields"] = std::move(list);
  return out.dump(indent);
}

Result<Profile> Profile::from_json(std::string_view text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number past binary64
    return Status(StatusCode::kInvalidData, std::string("profile is not JSON: ") + e.what());
  }
  try {
    if (!j.is_object() || !j.contains("dq_profile")) throw BadProfile{"not a dq profile (no 'dq_profile' key)"};
    if (get<int>(j, "dq_profile", "profile") != kFormatVersion) {
      throw BadProfile{"profile format version " + j["dq_profile"].dump() + " is not supported (expected " +
                       std::to_string(kFormatVersion) + ")"};
    }
    Profile p;
    p.dataset = get<std::string>(j, "dataset", "profile");
    p.version = get<std::string>(j, "version", "profile");
    p.rows = get<std::uint64_t>(j, "rows", "profile");
    p.max_values = get<std::size_t>(j, "max_values", "profile");
    const json& list = j.at("fields");
    if (!list.is_array()) throw BadProfile{"profile: 'fields' must be a list"};
    for (const json& fj : list) {
      FieldProfile f;
      f.path = get<std::string>(fj, "path", "field");
      const std::string where = "field '" + f.path + "'";
      f.type = get<std::string>(fj, "type", where);
      f.count = get<std::uint64_t>(fj, "count", where);
      f.nulls = get<std::uint64_t>(fj, "nulls", where);
      f.invalid = get<std::uint64_t>(fj, "invalid", where);
      f.values = get<std::uint64_t>(fj, "values", where);
      if (f.nulls > f.count) throw BadProfile{where + ": nulls exceed count"};
      if (f.numeric() || f.temporal()) {
        if (f.values > 0) {
          f.min = get<double>(fj, "min", where);
          f.max = get<double>(fj, "max", where);
          f.mean = get<double>(fj, "mean", where);
        }
        f.m2 = get<double>(fj, "m2", where);
      }
      if (f.numeric()) {
        const json& s = fj.at("sketch");
        f.sketch = ValueSketch::from_parts(get<std::uint64_t>(s, "zero", where),
                                           read_store(s.at("positive"), where + " sketch"),
                                           read_store(s.at("negative"), where + " sketch"));
        if (f.sketch.count() != f.values) throw BadProfile{where + ": sketch counts do not add up to 'values'"};
        const auto exact = fj.find("exact_values");
        if (exact != fj.end()) {
          std::vector<std::uint8_t> bytes;
          if (!exact->is_string() || !unbase64(exact->get<std::string>(), bytes) ||
              bytes.size() != f.values * sizeof(double) || f.values > FieldProfile::kExactValues) {
            throw BadProfile{where + ": 'exact_values' must hold every one of the 'values' numbers (base64 binary64)"};
          }
          f.exact_values.resize(f.values);
          if (!bytes.empty()) std::memcpy(f.exact_values.data(), bytes.data(), bytes.size());
          for (double x : f.exact_values) {
            if (!std::isfinite(x)) throw BadProfile{where + ": 'exact_values' holds a number that is not finite"};
          }
        } else {
          f.exact_overflow = f.values > 0;  // a profile without them: quantiles from the sketch
        }
      }
      if (f.categorical()) {
        f.values_overflow = get<bool>(fj, "values_overflow", where);
        const auto counts = fj.find("value_counts");
        if (counts == fj.end() || !counts->is_object()) throw BadProfile{where + ": 'value_counts' must be an object"};
        for (auto it = counts->begin(); it != counts->end(); ++it) {
          const json& n = it.value();
          if (!n.is_number_unsigned() && !(n.is_number_integer() && n.get<std::int64_t>() >= 0)) {
            throw BadProfile{where + ": 'value_counts' must map values to whole numbers"};
          }
          f.value_counts.emplace(it.key(), n.get<std::uint64_t>());
        }
      }
      if (f.type == "string") {
        const json& l = fj.at("lengths");
        f.min_length = get<std::uint64_t>(l, "min", where);
        f.max_length = get<std::uint64_t>(l, "max", where);
        f.total_length = get<std::uint64_t>(l, "total", where);
      }
      if (f.numeric() || f.categorical()) {
        std::vector<std::uint8_t> registers;
        if (!unbase64(get<std::string>(fj.at("distinct"), "registers", where), registers)) {
          throw BadProfile{where + ": distinct registers are not base64"};
        }
        auto d = DistinctSketch::from_registers(std::move(registers));
        if (!d.ok()) throw BadProfile{where + ": " + d.status().message()};
        f.distinct = std::move(*d);
      }
      p.fields.push_back(std::move(f));
    }
    return p;
  } catch (const BadProfile& e) {
    return Status(StatusCode::kInvalidData, "invalid profile: " + e.why);
  } catch (const json::exception& e) {
    return Status(StatusCode::kInvalidData, std::string("invalid profile: ") + e.what());
  }
}

Result<Profile> Profile::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::kIoError, "cannot read profile '" + path + "': " + std::strerror(errno));
  std::stringstream buffer;
  buffer << in.rdbuf();
  Result<Profile> p = from_json(buffer.str());
  if (!p.ok()) return Status(p.status().code(), path + ": " + p.status().message());
  return p;
}

Status Profile::save_file(const std::string& path) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status(StatusCode::kIoError, "cannot write profile '" + path + "': " + std::strerror(errno));
  out << to_json(1) << '\n';
  if (!out.flush()) return Status(StatusCode::kIoError, "cannot write profile '" + path + "'");
  return {};
}

}  // namespace dq
