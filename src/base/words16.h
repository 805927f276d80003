// Strings of up to 16 bytes as two words, zero past their end: compared in
// two word compares (the screen's enums, the screened profile's values).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace dq {

// Per size up to 16, the bits of a string's first `size` bytes in two words.
inline constexpr auto kKeepBytes = [] {
  std::array<std::array<std::uint64_t, 2>, 17> keep{};
  for (std::size_t size = 0; size <= 16; ++size) {
    for (std::size_t byte = 0; byte < size; ++byte) keep[size][byte / 8] |= std::uint64_t{0xFF} << (8 * (byte % 8));
  }
  return keep;
}();

// Up to 16 bytes of a string as two words, zero past its end.
struct Words16 {
  std::uint64_t w0 = 0, w1 = 0;

  // `size` <= 16 bytes at p, with 16 readable bytes there: no branch.
  static Words16 load(const char* p, std::size_t size) {
    Words16 out;
    std::memcpy(&out.w0, p, 8);
    std::memcpy(&out.w1, p + 8, 8);
    out.w0 &= kKeepBytes[size][0];
    out.w1 &= kKeepBytes[size][1];
    return out;
  }
  // The same where fewer bytes may be readable: only [p, end).
  static Words16 of(const char* p, std::size_t size, const char* end) {
    if (end - p >= 16) return load(p, size);
    char buf[16] = {};
    if (end > p) std::memcpy(buf, p, static_cast<std::size_t>(end - p));
    return load(buf, size);
  }
};

}  // namespace dq
