// Writes a Spec back as YAML: the dq contract format (`dq export --to dq`,
// and the canonical text that round-trip checks compare).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "spec/spec.h"

namespace dq::spec {

// A scalar node; quoted scalars stay quoted when emitted.
YAML::Node scalar_node(const Scalar& scalar);
YAML::Node text_node(const std::string& text);  // read back as the same text

// The dq form of a whole contract, of one field (keys in the order the
// contract reference lists them), and of the dataset-level sections.
YAML::Node to_yaml(const Contract& contract);
YAML::Node field_yaml(const Field& field);
YAML::Node rule_yaml(const Rule& rule);
YAML::Node expectation_yaml(const Expectation& expectation);
YAML::Node drift_yaml(const Drift& drift);
YAML::Node monitor_yaml(const Monitor& monitor);
// A monitor's settings as "key value" texts, in key order (diff, docs).
std::vector<std::string> monitor_settings_text(const Monitor& monitor);
YAML::Node grading_yaml(const Grading& grading);
YAML::Node params_yaml(const std::vector<Param>& params);

// What a record schema (JSON Schema, Avro) cannot say of a contract: its
// governance keys, rules and dataset-level sections, one line each.
void not_carried_by_record_schemas(const Contract& contract, std::vector<std::string>& not_carried);

// Block-style YAML; short mappings and lists of scalars on one line.
std::string emit_yaml(const YAML::Node& node);

}  // namespace dq::spec
