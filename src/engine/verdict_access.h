// The part of a Verdict private to the library: which `mostly` fields a
// record held, written by the engines and counted by reports.
#pragma once

#include <cstdint>
#include <vector>

#include "dq/validator.h"

namespace dq {

struct VerdictAccess {
  static std::vector<std::uint32_t>& observed(Verdict& verdict) { return verdict.observed_; }
  static const std::vector<std::uint32_t>& observed(const Verdict& verdict) { return verdict.observed_; }
};

}  // namespace dq
