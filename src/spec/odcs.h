// The Open Data Contract Standard (ODCS v3.x), read into and written from the
// same Spec as dq's own format, so every engine and tool works on both.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "spec/diagnostics.h"
#include "spec/spec.h"

namespace dq::spec {

// An ODCS document: a mapping with `apiVersion` and `kind`.
bool is_odcs(const YAML::Node& root);

// Translates an ODCS document into dq's form. The result reuses the
// document's own nodes, so the loader's diagnostics point into the ODCS file.
// Every ODCS part dq does not use is a warning naming its path.
// `selector` names the schema object to read when the document holds several.
YAML::Node odcs_to_dq(const YAML::Node& root, const std::string& selector, Diagnostics& diagnostics);

// Writes a contract as ODCS v3.1: natively where ODCS has the concept, and
// the rest (params, rules, dq-only field checks...) under `customProperties`
// with the property name `dq`, which odcs_to_dq reads back.
std::string to_odcs(const Contract& contract);

}  // namespace dq::spec
