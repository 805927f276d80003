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

// "contracts/shop.odcs.yaml#orders": a file and the object chosen in it (an
// ODCS schema object, a dbt or Data Contract Specification model). A path
// whose file exists as written has no selector.
struct ContractPath {
  std::string file, selector;
};
ContractPath split_contract_path(const std::string& path);

// The bytes of a contract file, its selector left out (kIoError when it
// cannot be read).
Result<std::string> read_contract_file(const std::string& path);

// The formats a contract can be read from. kAuto tells them apart by
// content: ODCS has `apiVersion` and `kind`, a JSON Schema a `$schema`.
// An Avro schema is a record with `fields` (or a file named *.avsc), a Data
// Contract Specification file has `dataContractSpecification`, a dbt
// schema.yml `version: 2` and `models` or `sources`.
// A .proto file is known by its extension.
enum class SourceFormat { kAuto, kDq, kOdcs, kJsonSchema, kAvro, kDcs, kDbt, kProtobuf };

// Parses contract text (YAML, or JSON, which YAML reads) in `format`. Returns
// the Spec when the text could be read at all (it may still carry errors in
// `diagnostics`); nullopt when it is not YAML or is larger than
// kMaxContractBytes.
// `selector` names the object of a file that holds several.
std::optional<Contract> parse_contract(std::string_view yaml, Diagnostics& diagnostics,
                                       SourceFormat format = SourceFormat::kAuto, const std::string& selector = "");

}  // namespace dq::spec
