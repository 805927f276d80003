// Named string formats of the contract language (`format:` on strings).
#pragma once

#include <optional>
#include <string_view>

namespace dq {

enum class Format { kEmail, kUri, kUuid, kDate, kDateTime, kIpv4, kIpv6, kHostname };

std::optional<Format> format_from_name(std::string_view name);
bool matches_format(Format format, std::string_view value);

// Number of Unicode code points in valid UTF-8 text: the bytes that do not
// continue a character. Inline: the engines call it per value.
inline std::size_t count_code_points(std::string_view utf8) {
  std::size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace dq
