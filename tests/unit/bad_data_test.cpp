// Bad data: a precise verdict, never a crash, never a silent drop.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

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
  for (const char* record :
       {R"({"n": NaN})", R"({"n": Infinity})", R"({"n": -Infinity})", R"({"n": 01})", R"({"n": 1.})"}) {
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

namespace {
dq::Contract with_limits(const std::string& body, const dq::Limits& limits) {
  dq::LoadOptions options;
  options.limits = limits;
  auto result = dq::Contract::load_string(contract_yaml(body), "limits.yaml", options);
  REQUIRE(result.ok());
  return *result;
}
}  // namespace

TEST_CASE("a declared string, array or object past its size limit is malformed, naming the limit") {
  dq::Limits limits;
  limits.max_string_bytes = 8;
  limits.max_array_items = 3;
  limits.max_object_fields = 3;  // the record itself has three
  dq::Validator v(
      with_limits("fields:\n  s: {type: string}\n  a: {type: array, items: {type: integer}}\n"
                  "  o: {type: object, additional_fields: allow, fields: {x: {type: integer}}}\n",
                  limits));
  const auto& at_limits = v.validate_json(R"({"s": "12345678", "a": [1, 2, 3], "o": {"x": 1, "y": 2, "z": 3}})");
  INFO(at_limits.error);
  CHECK(at_limits.ok);
  CHECK(v.validate_json(R"({"s": "123456789"})").error == "a string of 9 bytes is longer than max_string_bytes (8)");
  CHECK(v.validate_json(R"({"a": [1, 2, 3, 4]})").error == "an array has more than max_array_items (3) elements");
  CHECK(v.validate_json(R"({"o": {"x": 1, "y": 2, "z": 3, "w": 4}})").error ==
        "an object has more than max_object_fields (3) keys");
  // The defaults hold for records of any ordinary size.
  dq::Validator defaults(load("fields:\n  a: {type: array, items: {type: integer}}\n"));
  std::string big = "{\"a\": [0";
  for (int i = 1; i < 100000; ++i) big += ",1";
  CHECK(defaults.validate_json(big + "]}").ok);
}

TEST_CASE("a declared key given twice in one object is malformed: readers disagree on which wins") {
  dq::Validator v(simple());
  const auto& verdict = v.validate_json(R"({"a": "x", "n": 1, "a": "y"})");
  CHECK(verdict.malformed);
  CHECK(verdict.error == "duplicate key 'a'");
  // Undeclared keys are not kept, so their repeats change nothing.
  CHECK(v.validate_json(R"({"a": "x", "z": 1, "z": 2})").ok);
}

TEST_CASE("decimals of 20 and more digits are read exactly (simdjson 3.0 reads some as 0)") {
  dq::Validator v(load("fields:\n  i: {type: integer}\n  x: {type: number, min: 18}\n"));
  CHECK(rules_of(v.validate_json(R"({"i": 18.46744073709551416})")) == std::vector<std::string>{"i.type"});
  CHECK(v.validate_json(R"({"x": 18.46744073709551416})").ok);
  CHECK(rules_of(v.validate_json(R"({"x": 17.000000000000000000001})")) == std::vector<std::string>{"x.min"});
  // An integer beyond 64 bits is a number (to binary64's precision), never an integer.
  CHECK(v.validate_json(R"({"x": 44444444444444444444444444})").ok);
  const auto& big = v.validate_json(R"({"i": 99999999999999999999})");
  REQUIRE(big.violations.size() == 1);
  CHECK(big.violations[0].message == "is out of range for a 64-bit integer");
}

TEST_CASE("a contract larger than 4 MiB is refused before it is parsed") {
  std::string huge = contract_yaml("description: '" + std::string(5u << 20, 'x') + "'\nfields:\n  a: {type: string}\n");
  auto diags = errors_of(huge);
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].message == "contract is larger than 4 MiB");
}

TEST_CASE("a pattern whose program passes RE2's 8 MiB budget is a contract error") {
  auto diags = errors_of(contract_yaml("fields:\n  a: {type: string, pattern: '((((a{100}){100}){100}){100})'}\n"));
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].message.find("pattern of field 'a' does not compile") == 0);
}

TEST_CASE("a report keeps max_samples_per_rule and max_malformed_samples samples, and counts every record") {
  dq::Contract c = simple();
  dq::ReportOptions options;
  options.max_samples_per_rule = 3;
  options.max_malformed_samples = 4;
  dq::ReportBuilder builder(c, options);
  dq::Validator v(c);
  for (std::uint64_t i = 1; i <= 50; ++i) builder.add(v.validate_json(R"({"n": "not a number"})"), {i, i, 0});
  for (std::uint64_t i = 51; i <= 80; ++i) builder.add(v.validate_json(R"({"a": )"), {i, i, 0});
  dq::Report report = builder.finish();
  CHECK(report.records.invalid == 50);
  CHECK(report.records.malformed == 30);
  CHECK(report.malformed.size() == 4);
  REQUIRE(report.rules.size() == 1);
  CHECK(report.rules[0].id == "n.type");
  CHECK(report.rules[0].failed == 50);
  CHECK(report.rules[0].samples.size() == 3);
}

TEST_CASE("every file of the bad-input corpus gives its expected outcome, with one thread or several", "[threads]") {
  const std::string dir = std::string(DQ_SOURCE_DIR) + "/tests/data/bad/";
  auto contract = dq::Contract::load_file(dir + "contract.yaml");
  REQUIRE(contract.ok());
  std::ifstream in(dir + "expected.json");
  const auto expected = nlohmann::json::parse(in);
  REQUIRE(expected.size() >= 16);
  for (const auto& [file, want] : expected.items()) {
    for (unsigned threads : {1u, 3u}) {
      INFO(file << " (" << want["why"].get<std::string>() << "), threads " << threads);
      dq::StreamOptions options;
      options.threads = threads;
      auto report = dq::validate_file(*contract, dir + file, options);
      REQUIRE(report.ok());
      const auto& r = report->records;
      CHECK(r.total == want["total"].get<std::uint64_t>());
      CHECK(r.valid == want["valid"].get<std::uint64_t>());
      CHECK(r.invalid == want["invalid"].get<std::uint64_t>());
      CHECK(r.malformed == want["malformed"].get<std::uint64_t>());
      CHECK(r.total == r.valid + r.invalid + r.malformed);
      std::vector<std::uint64_t> lines;
      for (const auto& m : report->malformed) {
        lines.push_back(m.line);
        CHECK_FALSE(m.message.empty());
      }
      CHECK(lines == want["malformed_lines"].get<std::vector<std::uint64_t>>());
      std::vector<std::string> failed;
      for (const auto& rule : report->rules) failed.push_back(rule.id);
      std::sort(failed.begin(), failed.end());
      CHECK(failed == want["failed_checks"].get<std::vector<std::string>>());
    }
  }
}

TEST_CASE("objects of more than 64 fields: presence, duplicates and paths past the first word") {
  // Presence is a bitmask of 64 children a word; these objects need three words,
  // one nested inside the other so their words stack.
  auto fields = [](const std::string& indent, const std::string& extra) {
    std::string out;
    for (int i = 0; i < 130; ++i) {
      out += indent + "f" + std::to_string(i) + ": {type: integer, min: 0" +
             (i == 3 || i == 64 || i == 70 || i == 129 ? ", required: true" : "") + "}\n";
    }
    return out + extra;
  };
  dq::Validator v(load("additional_fields: reject\nfields:\n" +
                       fields("  ", "  inner:\n    type: object\n    fields:\n" + fields("      ", "") +
                                        "  list: {type: array, items: {type: object, fields: {q: {type: integer, min: "
                                        "0, required: true}}}}\n")));
  auto record = [](const std::vector<int>& skip, const std::string& extra) {
    std::string out = "{";
    for (int i = 0; i < 130; ++i) {
      if (std::find(skip.begin(), skip.end(), i) != skip.end()) continue;
      out += (out.size() > 1 ? ", \"f" : "\"f") + std::to_string(i) + "\": " + std::to_string(i);
    }
    return out + (extra.empty() ? "" : ", " + extra) + "}";
  };
  const std::string inner = record({64, 100, 129}, "\"f100\": -1");
  const auto& verdict = v.validate_json(
      record({70, 129}, "\"inner\": " + inner + ", \"list\": [{\"q\": 1}, {}, {\"q\": -2}], \"zz\": 1"));
  std::vector<std::string> seen;
  for (const auto& violation : verdict.violations) seen.push_back(violation.path + " " + violation.rule);
  CHECK(seen == std::vector<std::string>{"inner.f100 inner.f100.min", "inner.f64 inner.f64.required",
                                         "inner.f129 inner.f129.required", "list[1].q list[].q.required",
                                         "list[2].q list[].q.min", "zz additional_fields", "f70 f70.required",
                                         "f129 f129.required"});
  CHECK(v.validate_json(record({}, "\"inner\": " + record({}, ""))).ok);
  // A duplicate past the first word is caught, in the outer object and the nested one.
  const auto& twice = v.validate_json(record({}, "\"f99\": 1"));
  CHECK(twice.malformed);
  CHECK(twice.error == "duplicate key 'f99'");
  CHECK(v.validate_json(record({}, "\"inner\": " + record({}, "\"f127\": 1"))).error == "duplicate key 'f127'");
}
