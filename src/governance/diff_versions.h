// The major version of a contract's `version`, for dq diff and its renderings.
#pragma once

#include <cctype>
#include <string>

namespace dq::diffing {

// -1 when the version does not start with a number.
inline int major_of(const std::string& version) {
  std::size_t i = version.rfind('v', 0) == 0 ? 1 : 0;
  int major = 0;
  bool any = false;
  for (; i < version.size() && std::isdigit(static_cast<unsigned char>(version[i])); ++i) {
    major = major * 10 + (version[i] - '0');
    any = true;
  }
  return any ? major : -1;
}

}  // namespace dq::diffing
