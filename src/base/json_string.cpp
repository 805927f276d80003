#include "base/json_string.h"

#include <cstdio>

namespace dq {

void append_json_string(std::string& out, std::string_view s, BackspaceFormFeed style) {
  const bool short_escapes = style == BackspaceFormFeed::kShortEscapes;
  out += '"';
  std::size_t from = 0;  // the start of the bytes not yet written
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s, from, i - from);
    from = i + 1;
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b':
        if (short_escapes) {
          out += "\\b";
          continue;
        }
        break;
      case '\f':
        if (short_escapes) {
          out += "\\f";
          continue;
        }
        break;
      default: break;
    }
    char code[8];
    std::snprintf(code, sizeof code, "\\u%04x", c);
    out += code;
  }
  out.append(s, from, s.size() - from);
  out += '"';
}

}  // namespace dq
