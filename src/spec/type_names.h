// The type names schema languages use (SQL, dbt, the Data Contract
// Specification, warehouse types) as dq types.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>

namespace dq::spec {

// "VARCHAR(20)", "bigint", "timestamp_ntz", "struct<...>" -> "string",
// "integer", "timestamp", "object"; "" when the name says no dq type.
inline std::string dq_type_of(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  name = name.substr(0, name.find_first_of("(<[ "));
  static const std::pair<const char*, const char*> kTypes[] = {{"string", "string"},
                                                               {"text", "string"},
                                                               {"varchar", "string"},
                                                               {"char", "string"},
                                                               {"nvarchar", "string"},
                                                               {"uuid", "string"},
                                                               {"int", "integer"},
                                                               {"integer", "integer"},
                                                               {"long", "integer"},
                                                               {"bigint", "integer"},
                                                               {"smallint", "integer"},
                                                               {"tinyint", "integer"},
                                                               {"int64", "integer"},
                                                               {"int32", "integer"},
                                                               {"number", "number"},
                                                               {"numeric", "number"},
                                                               {"decimal", "number"},
                                                               {"float", "number"},
                                                               {"double", "number"},
                                                               {"real", "number"},
                                                               {"float64", "number"},
                                                               {"boolean", "boolean"},
                                                               {"bool", "boolean"},
                                                               {"timestamp", "timestamp"},
                                                               {"timestamp_tz", "timestamp"},
                                                               {"timestamp_ntz", "timestamp"},
                                                               {"timestamptz", "timestamp"},
                                                               {"timestamp_ltz", "timestamp"},
                                                               {"datetime", "timestamp"},
                                                               {"date", "date"},
                                                               {"object", "object"},
                                                               {"record", "object"},
                                                               {"struct", "object"},
                                                               {"json", "any"},
                                                               {"variant", "any"},
                                                               {"array", "array"}};
  for (const auto& [from, to] : kTypes) {
    if (name == from) return to;
  }
  return "";
}

}  // namespace dq::spec
