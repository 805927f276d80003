// Schemas of other formats read by the one loader (docs/interop.md); here so
// that the sanitizer builds run every importer. The differentials against each
// format's own validator are in tests/python and tests/cli.
#include "helpers.h"

using namespace dqtest;

namespace {

dq::Contract imported(const std::string& text, const std::string& name) {
  auto result = dq::Contract::load_string(text, name);
  INFO(result.status().to_string());
  REQUIRE(result.ok());
  return *result;
}

}  // namespace

TEST_CASE("a JSON Schema is a contract: refs, allOf, unions of types, formats") {
  const dq::Contract c = imported(R"({
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
      "id": {"$ref": "#/$defs/id"},
      "n": {"allOf": [{"type": "integer", "minimum": 1}, {"maximum": 9}]},
      "v": {"anyOf": [{"type": "string", "maxLength": 2}, {"type": "number", "exclusiveMinimum": 0}, {"type": "null"}]},
      "at": {"type": "string", "format": "date-time"}
    },
    "required": ["id", "n"],
    "additionalProperties": false,
    "$defs": {"id": {"type": "string", "pattern": "^[a-z]+$"}}
  })",
                                  "s.json");
  dq::Validator v(c);
  CHECK(v.validate_json(R"({"id": "ab", "n": 3, "v": "xy", "at": "2026-01-01T00:00:00Z"})").ok);
  CHECK(v.validate_json(R"({"id": "ab", "n": 3, "v": 0.5})").ok);
  CHECK(rules_of(v.validate_json(R"({"id": "AB", "n": 3})")) == Ids{"id.pattern"});
  CHECK(rules_of(v.validate_json(R"({"id": "ab", "n": 10})")) == Ids{"n.max"});
  CHECK(rules_of(v.validate_json(R"({"id": "ab", "n": 1, "v": "xyz"})")) == Ids{"v.max_length"});
  // a strict bound is the field's min check
  CHECK(rules_of(v.validate_json(R"({"id": "ab", "n": 1, "v": 0})")) == Ids{"v.min"});
  CHECK(rules_of(v.validate_json(R"({"id": "ab", "n": 1, "x": 0})")) == Ids{"additional_fields"});
  CHECK(rules_of(v.validate_json(R"({"id": "ab", "n": 1, "at": "yesterday"})")) == Ids{"at.type"});
}

TEST_CASE("JSON Schema: what dq cannot say is a warning with its pointer, a recursive ref an error") {
  const dq::Contract c = imported(R"({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
    "properties": {"a": {"type": "integer", "not": {"const": 1}}}})",
                                  "w.json");
  REQUIRE(c.warnings().size() == 1);
  CHECK(c.warnings()[0].message.find("#/properties/a/not") != std::string::npos);
  auto refused = dq::Contract::load_string(R"({"$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object", "properties": {"t": {"$ref": "#/$defs/n"}},
    "$defs": {"n": {"type": "object", "properties": {"c": {"$ref": "#/$defs/n"}}}}})",
                                           "r.json");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().to_string().find("recursive") != std::string::npos);
}

TEST_CASE("an Avro schema is a contract: named records, nullable unions, defaults, logical types") {
  const dq::Contract c = imported(R"({"type": "record", "name": "E", "namespace": "x", "fields": [
    {"name": "id", "type": "long"},
    {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "kind", "type": {"type": "enum", "name": "K", "symbols": ["A", "B"]}},
    {"name": "n", "type": "int", "default": 1},
    {"name": "p", "type": {"type": "record", "name": "P", "fields": [{"name": "z", "type": "int"}]}},
    {"name": "q", "type": ["null", "P"], "default": null}]})",
                                  "e.avsc");
  CHECK(c.dataset() == "x.E");
  dq::Validator v(c);
  CHECK(v.validate_json(R"({"id": 1, "at": 1767225600000, "kind": "A", "p": {"z": 1}})").ok);
  CHECK(rules_of(v.validate_json(R"({"id": 1, "at": 1, "kind": "C", "p": {"z": 1}})")) == Ids{"kind.enum"});
  CHECK(rules_of(v.validate_json(R"({"id": 1, "at": 1, "kind": "A", "p": {"z": 1}, "n": 2147483648})")) ==
        Ids{"n.max"});
  CHECK(rules_of(v.validate_json(R"({"id": 1, "at": 1, "kind": "A", "p": {"z": 1}, "q": {}})")) == Ids{"q.z.required"});
  CHECK(rules_of(v.validate_json(R"({"at": "2026-01-01T00:00:00Z", "kind": "A", "p": {"z": 1}})")) ==
        Ids{"at.type", "id.required"});
}

TEST_CASE("a .proto message is a contract in the canonical JSON mapping") {
  const dq::Contract c = imported(R"(syntax = "proto3";
package p;
message M {
  // the id
  int64 big_id = 1;
  int32 small = 2;
  enum Kind { K0 = 0; K1 = 1; }
  Kind kind = 3;
  repeated string tags = 4;
})",
                                  "m.proto");
  CHECK(c.dataset() == "p.M");
  dq::Validator v(c);
  CHECK(v.validate_json(R"({"bigId": "9007199254740993", "small": 7, "kind": "K1", "tags": ["a"]})").ok);
  CHECK(rules_of(v.validate_json(R"({"bigId": "12x"})")) == Ids{"bigId.pattern"});
  CHECK(rules_of(v.validate_json(R"({"small": 2147483648})")) == Ids{"small.max"});
  CHECK(rules_of(v.validate_json(R"({"kind": "K2"})")) == Ids{"kind.enum"});
  CHECK(rules_of(v.validate_json(R"({"big_id": "1"})")) == Ids{"additional_fields"});
  auto bad = dq::Contract::load_string("syntax = \"proto3\";\nmessage M { int32 x = 1 }\n", "bad.proto");
  REQUIRE_FALSE(bad.ok());
  REQUIRE_FALSE(bad.status().diagnostics().empty());
  CHECK(bad.status().diagnostics()[0].line == 2);  // protoc's own message, where it points
}

TEST_CASE("dbt and Data Contract Specification models are chosen with FILE#name") {
  const std::string dbt = R"(version: 2
models:
  - name: a
    columns:
      - {name: x, data_type: bigint, data_tests: [not_null, unique]}
  - name: b
    config: {contract: {enforced: true}}
    columns:
      - name: s
        data_type: varchar
        data_tests: [{accepted_values: {values: [p, q]}}]
)";
  auto several = dq::Contract::load_string(dbt, "schema.yml");
  REQUIRE_FALSE(several.ok());
  CHECK(several.status().diagnostics().size() == 1);
  dq::Validator b(imported(dbt, "schema.yml#b"));
  CHECK(b.validate_json(R"({"s": "p"})").ok);
  CHECK(rules_of(b.validate_json(R"({"s": "r", "t": 1})")) == Ids{"s.enum", "additional_fields"});
  const std::string dcs = R"(dataContractSpecification: 1.1.0
id: x
info: {title: T, version: 1.2.0, owner: team-a}
models:
  m:
    fields:
      id: {type: long, required: true, minimum: 1}
      e: {type: string, format: email}
)";
  const dq::Contract m = imported(dcs, "dc.yaml");
  CHECK(m.version() == "1.2.0");
  dq::Validator v(m);
  CHECK(rules_of(v.validate_json(R"({"id": 0, "e": "nope"})")) == Ids{"id.min", "e.format"});
}
