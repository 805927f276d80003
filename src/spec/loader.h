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

// The formats a contract can be read from. kAuto tells them apart by
// content: ODCS has `apiVersion` and `kind`, a JSON Schema a `$schema`.
// An Avro schema is a record with `fields` (or a file named *.avsc).
enum class SourceFormat { kAuto, kDq, kOdcs, kJsonSchema, kAvro };

// Parses contract text (YAML, or JSON, which YAML reads) in `format`. Returns
// the Spec when the text could be read at all (it may still carry errors in
// `diagnostics`); nullopt when it is not YAML or is larger than
// kMaxContractBytes.
std::optional<Contract> parse_contract(std::string_view yaml, Diagnostics& diagnostics,
                                       SourceFormat format = SourceFormat::kAuto);

}  // namespace dq::spec
