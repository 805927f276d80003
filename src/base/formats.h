// Named string formats of the contract language (`format:` on strings).
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace dq {

enum class Format { kEmail, kUri, kUuid, kDate, kDateTime, kIpv4, kIpv6, kHostname, kJson };

std::optional<Format> format_from_name(std::string_view name);

// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? — how
// number tokens and CSV cells typed as numbers are read ("007", "+1" are not).
bool json_number_grammar(std::string_view text);
bool matches_format(Format format, std::string_view value);

// Whether n bytes at a and b are equal: a few word loads, no call (the
// engines compare enum values per value).
inline bool equal_bytes(const char* a, const char* b, std::size_t n) {
  auto load8 = [](const char* p) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
  };
  auto load4 = [](const char* p) {
    std::uint32_t w;
    std::memcpy(&w, p, 4);
    return w;
  };
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      if (load8(a + i) != load8(b + i)) return false;
    }
    return load8(a + n - 8) == load8(b + n - 8);
  }
  if (n >= 4) return load4(a) == load4(b) && load4(a + n - 4) == load4(b + n - 4);
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// Number of Unicode code points in valid UTF-8 text: the bytes that do not
// continue a character. Inline: the engines call it per value.
inline std::size_t count_code_points(std::string_view utf8) {
  std::size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace dq
