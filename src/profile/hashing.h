// The hashes and register update the sketches and field profiles share
// (inline: they run once per value on the columnar path).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

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

}  // namespace dq::profiling
