// Loads a contract file into a Spec, collecting every diagnostic.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "dq/status.h"
#include "spec/diagnostics.h"
#include "spec/spec.h"

namespace dq::spec {

// Contracts are small: this bounds what a hostile file can make the loader do.
constexpr std::size_t kMaxContractBytes = 4u << 20;

// The bytes of a contract file (kIoError when it cannot be read).
Result<std::string> read_contract_file(const std::string& path);

// Parses YAML text (dq's format, or ODCS). Returns the Spec when the YAML
// could be read at all (it may still carry errors in `diagnostics`); nullopt
// when it is not YAML or is larger than kMaxContractBytes.
std::optional<Contract> parse_contract(std::string_view yaml, Diagnostics& diagnostics);

}  // namespace dq::spec
