// The hashes and register update the sketches and field profiles share
// (inline: they run once per value on the columnar path).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "dq/profile.h"

namespace dq::profiling {

inline std::uint64_t fmix64(std::uint64_t k) {  // MurmurHash3's finalizer: a bijective avalanche
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

// hash_bytes: FNV-1a over 8-byte words, then an avalanche. Stable across
// platforms so serialized distinct registers merge with any other run's; the
// last 1-7 bytes are read in at most two loads instead of one by one.
[[gnu::always_inline]] inline std::uint64_t hash_text(std::string_view bytes) {
  static_assert(std::endian::native == std::endian::little, "the word loads below read bytes in little-endian order");
  const char* p = bytes.data();
  const std::size_t n = bytes.size();
  std::uint64_t h = 0xcbf29ce484222325ULL ^ n;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ w) * 0x100000001b3ULL;
  }
  // The tail as one little-endian word of its bytes, zero above them.
  const std::size_t rest = n - i;
  std::uint64_t tail = 0;
  if (rest >= 4) {
    std::uint32_t lo, hi;  // overlapping loads: the bytes they share are equal
    std::memcpy(&lo, p + i, 4);
    std::memcpy(&hi, p + i + rest - 4, 4);
    tail = lo | (static_cast<std::uint64_t>(hi) << (8 * (rest - 4)));
  } else if (rest > 0) {
    const auto byte = [&](std::size_t k) { return static_cast<std::uint64_t>(static_cast<unsigned char>(p[i + k])); };
    tail = byte(0) | byte(rest / 2) << (8 * (rest / 2)) | byte(rest - 1) << (8 * (rest - 1));
  }
  h = (h ^ tail) * 0x100000001b3ULL;
  return fmix64(h);
}

// Code points of UTF-8 text: its bytes less its continuation bytes
// (10xxxxxx), counted a word at a time.
[[gnu::always_inline]] inline std::uint64_t code_points(std::string_view text) {
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  const char* p = text.data();
  const std::size_t n = text.size();
  std::uint64_t continuation = 0;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    continuation += static_cast<std::uint64_t>(std::popcount(w & ~(w << 1) & kHigh));
  }
  for (; i < n; ++i) continuation += (static_cast<unsigned char>(p[i]) & 0xC0) == 0x80;
  return n - continuation;
}

[[gnu::always_inline]] inline std::uint64_t mix_number(double x) {
  if (x == 0) x = 0;  // -0 and 0 are one value
  return fmix64(std::bit_cast<std::uint64_t>(x) ^ 0x9e3779b97f4a7c15ULL);
}

[[gnu::always_inline]] inline void hll_update(std::uint8_t* registers, std::uint64_t hash) {
  constexpr int p = DistinctSketch::kPrecision;
  const std::size_t index = hash >> (64 - p);
  const std::uint64_t rest = hash << p;
  const auto rank = static_cast<std::uint8_t>(rest == 0 ? 64 - p + 1 : std::countl_zero(rest) + 1);
  if (rank > registers[index]) registers[index] = rank;
}

// hll_update of each number's mix_number: eight at a time where the CPU has
// AVX-512 (DQ for the 64-bit multiplies, CD for the leading-zero count),
// checked once at run time; else one at a time. The same registers either way.
void hll_update_numbers(std::uint8_t* registers, const double* xs, std::size_t n);

}  // namespace dq::profiling
