// A number as reports, details and messages print it.
#pragma once

#include <cstdio>
#include <string>

namespace dq {

// Six significant digits ("%.6g"): 0.123457, 1.5e+06.
inline std::string figure(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

}  // namespace dq
