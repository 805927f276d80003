// JSON string literals, written byte for byte: `"`, `\` and control
// characters escaped, every other byte as it is (the caller decides what
// to do with text that is not UTF-8).
#pragma once

#include <string>
#include <string_view>

namespace dq {

// How backspace and form feed are written. Both forms are JSON; each output
// keeps the one it has always had: the record engine's quoted values
// `\u0008` and `\u000c`, the rejects file (nlohmann::json's dump) `\b`, `\f`.
enum class BackspaceFormFeed { kUnicodeEscapes, kShortEscapes };

// Appends `s` quoted: `\"`, `\\`, `\n`, `\r`, `\t`, other controls below
// 0x20 as `\u00xx`.
void append_json_string(std::string& out, std::string_view s, BackspaceFormFeed style);

}  // namespace dq
