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
    const char* escape = nullptr;  // a two-character escape, where the output has one
    switch (c) {
      case '"': escape = "\\\""; break;
      case '\\': escape = "\\\\"; break;
      case '\n': escape = "\\n"; break;
      case '\r': escape = "\\r"; break;
      case '\t': escape = "\\t"; break;
      case '\b': escape = short_escapes ? "\\b" : nullptr; break;
      case '\f': escape = short_escapes ? "\\f" : nullptr; break;
      default: break;
    }
    if (escape != nullptr) {
      out += escape;
    } else {
      char code[8];
      std::snprintf(code, sizeof code, "\\u%04x", c);
      out += code;
    }
  }
  out.append(s, from, s.size() - from);
  out += '"';
}

}  // namespace dq
