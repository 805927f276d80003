// The record engine: fixed contracts, fuzzed JSON. A verdict for every input
// (malformed with a reason, or checked), the same verdict from the simdjson
// path and the nlohmann path for every document both accept, and reports
// whose counts reconcile.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "dq/json.h"
#include "fuzz.h"

namespace {

std::vector<std::string> rules_of(const dq::Verdict& v) {
  std::vector<std::string> out;
  for (const auto& violation : v.violations) out.push_back(violation.rule + "@" + violation.path);
  // nlohmann::json keeps keys sorted and the last of duplicate keys;
  // simdjson sees them in document order, all of them.
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the contract; the rest is the record.
  const dq::Contract& contract = data[0] & 1 ? dqfuzz::flat_contract() : dqfuzz::events_contract();
  const std::string_view json(reinterpret_cast<const char*>(data + 1), size - 1);

  static dq::Validator events(dqfuzz::events_contract()), flat(dqfuzz::flat_contract());
  dq::Validator& validator = data[0] & 1 ? flat : events;
  const dq::Verdict& verdict = validator.validate_json(json);
  dqfuzz::require(!(verdict.ok && verdict.malformed), "not both ok and malformed");
  dqfuzz::require(!verdict.malformed || !verdict.error.empty(), "a malformed record says why");
  if (!verdict.malformed && verdict.violations.empty()) dqfuzz::require(verdict.ok, "no violation is ok");
  if (!verdict.ok && !verdict.malformed) dqfuzz::require(!verdict.violations.empty(), "not ok says why");
  const bool malformed = verdict.malformed;
  const bool ok = verdict.ok;
  const auto rules = rules_of(verdict);

  // The same document through nlohmann::json (the API for parsed values).
  if (!malformed) {
    const auto parsed = nlohmann::json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded()) {
      dq::Validator other(contract);
      const dq::Verdict& again = dq::validate(other, parsed);
      if (!again.malformed) {
        if (again.ok != ok || rules_of(again) != rules) {
          for (const auto& r : rules) std::fprintf(stderr, "simdjson: %s\n", r.c_str());
          for (const auto& r : rules_of(again)) std::fprintf(stderr, "nlohmann: %s\n", r.c_str());
          dqfuzz::require(false, "the nlohmann path gives the same verdict");
        }
      }
    }
  }

  // As a stream of lines, every line is counted exactly once.
  dq::ReportBuilder report(contract);
  std::vector<std::string_view> records;
  std::size_t begin = 0;
  for (std::size_t i = 0; i <= json.size(); ++i) {
    if (i == json.size() || json[i] == '\n') {
      records.push_back(json.substr(begin, i - begin));
      begin = i + 1;
    }
  }
  dq::validate_records(validator, records, report);
  dqfuzz::require_reconciled(report.counts());
  dqfuzz::require(report.counts().total == records.size(), "every record is counted");
  return 0;
}
