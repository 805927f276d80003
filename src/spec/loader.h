// Loads a contract file into a Spec, collecting every diagnostic.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "spec/diagnostics.h"
#include "spec/spec.h"

namespace dq::spec {

// Parses YAML text. Returns the Spec when the YAML could be read at all (it
// may still carry errors in `diagnostics`); nullopt when it is not YAML.
std::optional<Contract> parse_contract(std::string_view yaml, Diagnostics& diagnostics);

}  // namespace dq::spec
