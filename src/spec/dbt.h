// dbt's `schema.yml` (version 2) read into dq's form: one model (or source
// table) is one dq contract (`schema.yml#orders` chooses among several).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "spec/diagnostics.h"

namespace dq::spec {

bool is_dbt(const YAML::Node& root);

// Columns with their data types, `not_null`, `unique` and `accepted_values`
// tests and constraints; an enforced contract (`contract: {enforced: true}`)
// refuses undeclared columns. `relationships` and other tests are warnings
// naming them.
YAML::Node dbt_to_dq(const YAML::Node& root, const std::string& model, Diagnostics& diagnostics);

}  // namespace dq::spec
