// The governance API from C++: diff, policy lint, docs and export over files.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "dq/dq.h"

namespace {

std::string scratch_file(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("dq_governance_" + name);
  std::ofstream(path) << text;
  return path.string();
}

const std::string kOld = R"(dq: 1
dataset: shop.orders
version: 1.4.0
owner: {team: shop, contact: shop@example.com}
compatibility: backward
fields:
  id: {type: string, required: true, pattern: '^o[0-9]+$', description: Order id.}
  amount: {type: number, min: 0, max: 1000}
  size: {type: string, enum: [S, M, L]}
)";

}  // namespace

TEST_CASE("diff classifies narrowing changes as breaking under backward compatibility") {
  std::string old_path = scratch_file("old.yaml", kOld);
  std::string text = kOld;
  text.replace(text.find("max: 1000"), 9, "max: 500");
  text.replace(text.find("[S, M, L]"), 9, "[S, M, L, XL]");
  text.replace(text.find("1.4.0"), 5, "1.5.0");
  std::string new_path = scratch_file("new.yaml", text);

  auto diff = dq::diff_contracts(old_path, new_path);
  REQUIRE(diff.ok());
  REQUIRE(diff->changes.size() == 2);
  CHECK(diff->changes[0].path == "fields.amount");
  CHECK(diff->changes[0].kind == "max_tightened");
  CHECK(diff->changes[0].level == dq::ChangeLevel::kBreaking);
  CHECK(diff->changes[0].narrows);
  CHECK(diff->changes[0].new_line == 8);
  CHECK(diff->changes[1].kind == "enum_values_added");
  CHECK(diff->changes[1].level == dq::ChangeLevel::kWarning);
  CHECK(diff->blocks());

  text.replace(text.find("1.5.0"), 5, "2.0.0");
  auto bumped = dq::diff_contracts(old_path, scratch_file("bumped.yaml", text));
  REQUIRE(bumped.ok());
  CHECK(bumped->major_bumped);
  CHECK_FALSE(bumped->blocks());
}

TEST_CASE("diff of a contract that does not load is an error with its diagnostics") {
  auto diff = dq::diff_contracts(scratch_file("ok.yaml", kOld), scratch_file("broken.yaml", "dq: 1\nfields: [\n"));
  REQUIRE_FALSE(diff.ok());
  CHECK(diff.status().code() == dq::StatusCode::kInvalidContract);
  REQUIRE_FALSE(diff.status().diagnostics().empty());
}

TEST_CASE("policy lint findings carry rule ids and follow the policy's severities") {
  std::string path = scratch_file("policy.yaml", R"(dq: 1
dataset: shop.orders
version: 1.4
owner: {team: shop}
fields:
  email: {type: string, pii: true}
)");
  auto findings = dq::lint_file(path, {}, dq::Policy::defaults());
  REQUIRE(findings.ok());
  std::vector<std::string> rules;
  for (const auto& d : *findings) rules.push_back(d.rule);
  CHECK(rules == std::vector<std::string>{"dataset-description", "dataset-classification", "semver", "owner-contact",
                                          "pii-classified"});
  dq::Policy relaxed = dq::Policy::defaults();
  relaxed.rules.erase("pii-classified");
  relaxed.rules["semver"] = dq::Severity::kWarn;
  auto fewer = dq::lint_file(path, {}, relaxed);
  REQUIRE(fewer.ok());
  REQUIRE(fewer->size() == 4);
  CHECK((*fewer)[2].rule == "semver");
  CHECK((*fewer)[2].severity == dq::Severity::kWarn);
}

TEST_CASE("export to ODCS reads back as the same contract") {
  std::string path = scratch_file("export.yaml", kOld);
  auto odcs = dq::export_contract(path, dq::ContractFormat::kOdcs);
  REQUIRE(odcs.ok());
  CHECK(odcs->text.find("apiVersion: v3.1.0") != std::string::npos);
  std::string odcs_path = scratch_file("export.odcs.yaml", odcs->text);
  auto direct = dq::export_contract(path, dq::ContractFormat::kDq);
  auto round_trip = dq::export_contract(odcs_path, dq::ContractFormat::kDq);
  REQUIRE(direct.ok());
  REQUIRE(round_trip.ok());
  CHECK(direct->text == round_trip->text);
  auto contract = dq::Contract::load_file(odcs_path);
  REQUIRE(contract.ok());
  dq::Validator validator(*contract);
  CHECK_FALSE(validator.validate_json(R"({"id": "o1", "size": "XL"})").ok);
  CHECK(validator.validate_json(R"({"id": "o1", "size": "M", "amount": 10})").ok);
}

TEST_CASE("docs render the field table in Markdown and escape HTML") {
  std::string path = scratch_file("docs.yaml", kOld);
  auto md = dq::contract_docs(path, dq::DocsFormat::kMarkdown);
  REQUIRE(md.ok());
  CHECK(md->find("| `amount` | number |  | min `0` · max `1000` |  |  |") != std::string::npos);
  auto html = dq::contract_docs(path, dq::DocsFormat::kHtml);
  REQUIRE(html.ok());
  CHECK(html->find("<td><code>id</code></td><td>string</td><td>yes</td>") != std::string::npos);
}
