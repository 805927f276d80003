// Apache Avro schemas (.avsc, the schemas Pub/Sub topics and Kafka registries
// hold) read into dq's form and written from a contract. Records are judged
// as decoded data (what a reader hands a pipeline: unions as plain values,
// timestamps as epoch numbers), as fastavro's validation judges them.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "spec/diagnostics.h"
#include "spec/spec.h"

namespace dq::spec {

// An Avro schema document: a record (`type: record` with `fields`).
bool is_avro(const YAML::Node& root);

// Translates an Avro record schema into dq's form: nested records, arrays,
// enums, nullable unions, fixed, logical types, defaults (a field with one may
// be missing) and docs. A construct dq cannot check (maps' values, decimals)
// is a warning naming its path; a recursive record is an error.
YAML::Node avro_to_dq(const YAML::Node& root, Diagnostics& diagnostics);

// Writes a contract as an Avro record schema. Avro has types, not checks:
// what it cannot say is listed in `not_carried`.
std::string to_avro(const Contract& contract, std::vector<std::string>& not_carried);

}  // namespace dq::spec
