// Markdown shared by dq diff and dq docs.
#pragma once

#include <string>

namespace dq {

// Text made safe inside a Markdown table cell: pipes escaped, line breaks kept as <br>.
inline std::string markdown_cell(const std::string& text) {
  std::string out;
  for (char ch : text) {
    if (ch == '|')
      out += "\\|";
    else if (ch == '\n')
      out += "<br>";
    else
      out += ch;
  }
  return out;
}

}  // namespace dq
