// A walk's outcome as text, for comparing two engines byte for byte: the
// verdict (validity, malformed reason and offset, coercions, each violation's
// path, rule, message and value), the `mostly` fields observed, and every
// capture slot (the values rules and profiles read). Shared by the screens'
// differential test and their fuzz target.
#pragma once

#include <cstdio>
#include <string>

#include "dq/validator.h"
#include "engine/verdict_access.h"
#include "engine/walk_state.h"

namespace dq_test {

inline std::string describe_slot(const dq::Value& v) {
  std::string out = std::to_string(static_cast<int>(v.kind)) + ":";
  switch (v.kind) {
    case dq::Value::Kind::kAbsent:
    case dq::Value::Kind::kNull: break;
    case dq::Value::Kind::kBool: out += v.b ? "true" : "false"; break;
    case dq::Value::Kind::kNumber: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", v.d);  // every bit of the double
      out += buf;
      break;
    }
    case dq::Value::Kind::kString: out += std::string(v.s); break;
    default: out += std::to_string(v.i);
  }
  return out;
}

// The verdict `validator` just returned, with the state its walk left.
inline std::string describe_walk(const dq::Verdict& v, dq::Validator& validator) {
  std::string out = std::string(v.ok ? "ok" : "not ok") + (v.malformed ? " malformed " + v.error : "") + " @" +
                    std::to_string(v.error_offset) + " coerced " + std::to_string(v.coerced) + "\n";
  for (const dq::Violation& x : v.violations) {
    out += x.path + " | " + x.rule + " | " + x.message + " | " + x.value + "\n";
  }
  for (std::uint32_t m : dq::VerdictAccess::observed(v)) out += "observed " + std::to_string(m) + ";";
  if (!v.malformed) {
    for (const dq::Value& slot : dq::last_walk(validator).slots) out += describe_slot(slot) + ";";
  }
  return out;
}

}  // namespace dq_test
