// A report built in parts (other processes, other machines) and merged:
// ReportBuilder::save_state, from_state and append give the report of one
// builder that read everything in order.
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "helpers.h"

namespace {

// Two reports as JSON, equal but for what merging parts cannot give exactly
// (docs/spark.md): means and variances to floating-point rounding (Chan's
// merge), and a key that repeats across parts is sampled with its record and
// the first one, not the key's text.
void check_same(const nlohmann::json& got, const nlohmann::json& want, const std::string& path = "") {
  INFO(path);
  if (got.is_number() && want.is_number()) {
    const double a = got.get<double>(), b = want.get<double>();
    CHECK(std::fabs(a - b) <= 1e-12 * std::max(std::fabs(a), std::fabs(b)));
  } else if (got.is_object() && want.is_object()) {
    REQUIRE(got.size() == want.size());
    for (auto it = want.begin(); it != want.end(); ++it) {
      REQUIRE(got.contains(it.key()));
      if (it.key() == "value" && path.find(".samples") != std::string::npos && path.rfind(".expectations", 0) == 0)
        continue;
      check_same(got[it.key()], it.value(), path + "." + it.key());
    }
  } else if (got.is_array() && want.is_array()) {
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) check_same(got[i], want[i], path + "[" + std::to_string(i) + "]");
  } else {
    CHECK(got == want);
  }
}

const char* kContract =
    "fields:\n"
    "  seq: {type: integer, required: true}\n"
    "  k: {type: integer}\n"
    "  kind: {type: string, enum: [a, b, c]}\n"
    "  amount: {type: number, min: 0, mostly: 0.9}\n"
    "rules:\n"
    "  - {name: a_has_amount, when: 'kind == \"a\"', check: amount != null}\n"
    "expectations:\n"
    "  - {name: up, metric: increasing, field: seq, strict: true}\n"
    "  - {name: keys, metric: unique, fields: [k, kind]}\n"
    "  - {name: kinds, metric: distinct_count, field: kind, max: 2}\n"
    "  - {name: a_rows, metric: row_count, when: 'kind == \"a\"', min: 0}\n"
    "  - {name: a_mean, metric: mean, field: amount, when: 'kind == \"a\"', min: 0}\n"
    "  - {name: small, metric: value, field: amount, between: [0, 50], mostly: 0.5}\n"
    "  - {name: p90, metric: quantile, field: amount, quantile: 0.9, max: 1000}\n"
    "  - {name: spread, metric: kl_divergence, field: amount, max: 5,\n"
    "     partition: {bins: [0, 25, 50, 75, 100], weights: [0.25, 0.25, 0.25, 0.25]}}\n";

std::vector<std::string> records() {
  std::vector<std::string> out;
  for (int i = 1; i <= 3000; ++i) {
    if (i % 997 == 0) {
      out.push_back("{\"seq\": " + std::to_string(i) + ", broken");  // malformed
      continue;
    }
    const int seq = i % 700 == 0 ? i - 5 : i;  // a step back now and then
    const char* kind = i % 3 == 0 ? "a" : i % 5 == 0 ? "c" : "b";
    std::string amount = i % 11 == 0 ? "null" : i % 13 == 0 ? "-1" : std::to_string((i * 37) % 100);
    out.push_back("{\"seq\": " + std::to_string(seq) + ", \"k\": " + std::to_string(i % 1200) + ", \"kind\": \"" +
                  kind + "\", \"amount\": " + amount + "}");
  }
  return out;
}

dq::ReportBuilder built(const dq::Contract& contract, const dq::ReportOptions& options,
                        const std::vector<std::string>& all, std::size_t from, std::size_t to) {
  dq::Validator validator(contract);
  dq::ReportBuilder builder(contract, options);
  std::vector<std::string_view> part(all.begin() + static_cast<std::ptrdiff_t>(from),
                                     all.begin() + static_cast<std::ptrdiff_t>(to));
  dq::validate_records(validator, part, builder);
  return builder;
}

}  // namespace

TEST_CASE("a report built in parts, shipped as state and appended in order equals one builder's") {
  dq::Contract contract = dqtest::load(kContract);
  dq::ReportOptions options;
  options.profile = true;
  const std::vector<std::string> all = records();
  const nlohmann::json whole = nlohmann::json::parse(built(contract, options, all, 0, all.size()).finish().to_json());

  const std::vector<std::size_t> cuts = {0, 1000, 1001, 1700, all.size()};  // one part of a single record
  std::vector<std::string> states;
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
    states.push_back(built(contract, options, all, cuts[i], cuts[i + 1]).save_state());
  }
  auto merged = dq::ReportBuilder::from_state(contract, options, states[0]);
  REQUIRE(merged.ok());
  for (std::size_t i = 1; i < states.size(); ++i) {
    auto part = dq::ReportBuilder::from_state(contract, options, states[i]);
    REQUIRE(part.ok());
    merged->append(*part);
  }
  const dq::Report report = merged->finish();
  CHECK(report.records.total == 3000);
  CHECK(report.records.malformed == 3);
  CHECK_FALSE(report.expectations.empty());
  check_same(nlohmann::json::parse(report.to_json()), whole);
  CHECK(report.profile->to_json() ==
        dq::ReportBuilder::from_state(contract, options, merged->save_state())->finish().profile->to_json());
}

TEST_CASE("a report state of another contract or of no report is refused") {
  dq::Contract contract = dqtest::load(kContract);
  dq::ReportOptions options;
  options.profile = true;
  const std::string state = built(contract, options, records(), 0, 10).save_state();
  auto other = dq::Contract::load_string(
      "dq: 1\ndataset: other\nversion: 1.0.0\nowner: {team: qa}\nfields:\n  seq: {type: integer}\n", "o.yaml");
  REQUIRE(other.ok());
  auto wrong = dq::ReportBuilder::from_state(*other, options, state);
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.status().code() == dq::StatusCode::kInvalidData);
  CHECK(wrong.status().message().find("another contract") != std::string::npos);
  auto garbage = dq::ReportBuilder::from_state(contract, options, "not a state");
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.status().message().find("does not read") != std::string::npos);
  auto cut = dq::ReportBuilder::from_state(contract, options, state.substr(0, state.size() / 2));
  CHECK_FALSE(cut.ok());
}
