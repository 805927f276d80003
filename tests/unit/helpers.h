// Test helpers: contracts from inline YAML, verdicts as simple facts.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "dq/dq.h"

namespace dqtest {

// A contract with the required metadata around `body` (fields, rules, ...).
inline std::string contract_yaml(const std::string& body) {
  return "dq: 1\ndataset: test.events\nversion: 1.0.0\nowner: {team: qa}\n" + body;
}

inline dq::Contract load(const std::string& body, const dq::Params& params = {}) {
  dq::LoadOptions options;
  options.params = params;
  auto result = dq::Contract::load_string(contract_yaml(body), "test.yaml", options);
  INFO(result.status().to_string());
  REQUIRE(result.ok());
  return *result;
}

// The diagnostics of a contract that must not load.
inline std::vector<dq::Diagnostic> errors_of(const std::string& yaml) {
  auto result = dq::Contract::load_string(yaml, "bad.yaml");
  REQUIRE_FALSE(result.ok());
  REQUIRE(result.status().code() == dq::StatusCode::kInvalidContract);
  return result.status().diagnostics();
}

// Rule ids of the violations, in order.
inline std::vector<std::string> rules_of(const dq::Verdict& v) {
  std::vector<std::string> out;
  for (const auto& violation : v.violations) out.push_back(violation.rule);
  return out;
}

inline std::vector<std::string> paths_of(const dq::Verdict& v) {
  std::vector<std::string> out;
  for (const auto& violation : v.violations) out.push_back(violation.path);
  return out;
}

using Ids = std::vector<std::string>;

// The report of `records` (JSON texts) validated one after another, numbered from 1.
inline dq::Report report_of(const dq::Contract& contract, const std::vector<std::string>& records) {
  dq::Validator validator(contract);
  dq::ReportBuilder builder(contract);
  std::uint64_t n = 0;
  for (const std::string& record : records) {
    ++n;
    builder.add(validator.validate_json(record), {n, n, 0});
  }
  return builder.finish();
}

}  // namespace dqtest
