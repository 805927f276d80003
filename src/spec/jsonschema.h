// JSON Schema (draft 2020-12, 2019-09, draft-07 and earlier) read into dq's
// form and written from a contract, so every engine and tool takes a schema
// teams already publish. docs/interop.md has the keyword table.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "spec/diagnostics.h"
#include "spec/spec.h"

namespace dq::spec {

// A JSON Schema document: a mapping with a `$schema` naming json-schema.org.
bool is_json_schema(const YAML::Node& root);

// Translates a JSON Schema (parsed as YAML, which JSON is, so positions point
// into the file) into dq's form. The root must describe objects (records
// are objects). What dq can say is carried exactly; every keyword it cannot
// is a warning naming its JSON pointer; a recursive `$ref` is an error.
// `dataset` names the dataset when the schema has no `title` or `$id`.
YAML::Node json_schema_to_dq(const YAML::Node& root, const std::string& dataset, Diagnostics& diagnostics);

// Writes a contract as a JSON Schema (draft 2020-12) that standard validators
// judge as dq does record by record; what a record schema cannot say (rules,
// dataset expectations, `warn` modes) is listed in `not_carried`.
std::string to_json_schema(const Contract& contract, std::vector<std::string>& not_carried);

}  // namespace dq::spec
