// The Data Contract Specification (datacontract-cli's format,
// `dataContractSpecification:` files) read into dq's form: one model of the
// file is one dq contract (`file.yaml#model` chooses among several).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "spec/diagnostics.h"

namespace dq::spec {

bool is_dcs(const YAML::Node& root);

// Fields with their types, required, unique, formats, lengths, patterns,
// enums, bounds, pii, classification, nested fields and items, `$ref`s to
// `definitions`; owner and contact from `info`. Quality checks, servers,
// terms and service levels are warnings naming their path.
YAML::Node dcs_to_dq(const YAML::Node& root, const std::string& model, Diagnostics& diagnostics);

}  // namespace dq::spec
