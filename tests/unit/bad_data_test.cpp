// Bad data: a precise verdict, never a crash, never a silent drop.
#include <cstdio>

#include "helpers.h"

using namespace dqtest;

namespace {
dq::Contract simple() { return load("fields:\n  a: {type: string}\n  n: {type: number}\n"); }
}  // namespace

TEST_CASE("truncated JSON is malformed, with an offset") {
  dq::Validator v(simple());
  const auto& verdict = v.validate_json(R"({"a": "x", "n": )");
  CHECK(verdict.malformed);
  CHECK_FALSE(verdict.ok);
  CHECK(verdict.violations.empty());
  CHECK_FALSE(verdict.error.empty());
}

TEST_CASE("invalid UTF-8 is malformed") {
  dq::Validator v(simple());
  const auto& verdict = v.validate_json("{\"a\": \"\xff\xfe\"}");
  CHECK(verdict.malformed);
  CHECK(verdict.error.find("UTF-8") != std::string::npos);
}

TEST_CASE("NaN-like tokens are malformed JSON") {
  dq::Validator v(simple());
  for (const char* record : {R"({"n": NaN})", R"({"n": Infinity})", R"({"n": -Infinity})", R"({"n": 01})",
                             R"({"n": 1.})"}) {
    INFO(record);
    CHECK(v.validate_json(record).malformed);
  }
}

TEST_CASE("values in undeclared fields are still checked for well-formedness") {
  dq::Validator v(simple());
  CHECK(v.validate_json(R"({"a": "x", "other": [1, {"b": tru}]})").malformed);
  CHECK(v.validate_json(R"({"a": "x", "other": [1, {"b": true}]})").ok);
}

TEST_CASE("trailing content after a record is malformed") {
  dq::Validator v(simple());
  const auto& verdict = v.validate_json(R"({"a": "x"} {"a": "y"})");
  CHECK(verdict.malformed);
}

TEST_CASE("10,000-deep nesting is malformed at the documented max_depth, without recursion blow-up") {
  dq::Validator v(simple());
  std::string deep = "{\"x\": " + std::string(10000, '[') + std::string(10000, ']') + "}";
  const auto& verdict = v.validate_json(deep);
  CHECK(verdict.malformed);
  CHECK(verdict.error == "nesting deeper than max_depth (256)");
  std::string ok_depth = "{\"x\": " + std::string(200, '[') + std::string(200, ']') + "}";
  CHECK(v.validate_json(ok_depth).ok);
}

TEST_CASE("a record above max_record_bytes is malformed without being parsed") {
  dq::Validator v(simple());
  std::string huge = "{\"a\": \"" + std::string(100u << 20, 'x') + "\"}";  // a 100 MB string
  const auto& verdict = v.validate_json(huge);
  CHECK(verdict.malformed);
  CHECK(verdict.error.find("exceeds max_record_bytes (67108864)") != std::string::npos);
}

TEST_CASE("an empty record is malformed") {
  dq::Validator v(simple());
  CHECK(v.validate_json("").malformed);
  CHECK(v.validate_json("   ").malformed);
}

TEST_CASE("a violation's value is cut to max_value_chars on a UTF-8 boundary") {
  dq::Validator v(load("fields:\n  a: {type: string, max_length: 3}\n"));
  std::string long_text(50, 'x');
  for (int i = 0; i < 100; ++i) long_text += "é";
  const auto& verdict = v.validate_json("{\"a\": \"" + long_text + "\"}");
  REQUIRE(verdict.violations.size() == 1);
  const std::string& value = verdict.violations[0].value;
  CHECK(value.size() <= 120 + 3);
  CHECK(value.substr(value.size() - 3) == "…");
}
