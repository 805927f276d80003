// The expression language of rules: typing at load time, null logic at run time.
#include "helpers.h"

using namespace dqtest;

namespace {
const char* kFields = R"(
params:
  vip: {type: number, default: 5000}
fields:
  status: {type: string}
  amount: {type: number}
  refund: {type: number}
  qty: {type: integer}
  created_at: {type: timestamp}
  shipped_at: {type: timestamp}
  tags: {type: array, items: {type: string}}
  customer: {type: object, fields: {country: {type: string}, name: {type: string}}}
  items: {type: array, items: {type: object, fields: {qty: {type: integer}}}}
)";

// True when the single rule `check` passes on `record`.
bool passes(const std::string& check, const std::string& record, const std::string& when = "") {
  std::string rule =
      "rules:\n  - name: r\n" + (when.empty() ? "" : "    when: '" + when + "'\n") + "    check: '" + check + "'\n";
  dq::Validator v(load(std::string(kFields) + rule));
  const dq::Verdict& verdict = v.validate_json(record);
  REQUIRE_FALSE(verdict.malformed);
  return verdict.ok;
}
}  // namespace

TEST_CASE("comparisons, arithmetic and params") {
  CHECK(passes("amount + 1 > 10", R"({"amount": 9.5})"));
  CHECK_FALSE(passes("amount * 2 >= 20", R"({"amount": 9.5})"));
  CHECK(passes("amount >= $vip", R"({"amount": 5000})"));
  CHECK(passes("qty / 2 == 1.5", R"({"qty": 3})"));
  CHECK(passes("-qty < 0", R"({"qty": 3})"));
  CHECK(passes("status == \"paid\" or status == \"shipped\"", R"({"status": "shipped"})"));
}

TEST_CASE("a comparison with a null or absent operand is false, only == null tests for it") {
  CHECK_FALSE(passes("refund <= amount", R"({"amount": 10})"));
  CHECK_FALSE(passes("refund != 5", R"({"amount": 10})"));
  CHECK(passes("refund == null or refund <= amount", R"({"amount": 10})"));
  CHECK(passes("refund == null", R"({"refund": null})"));
  CHECK_FALSE(passes("refund != null", R"({"refund": null})"));
  CHECK(passes("not (refund > 5)", R"({})"));                      // the comparison is false, so `not` is true
  CHECK_FALSE(passes("amount + refund > 0", R"({"amount": 1})"));  // arithmetic with null is null
}

TEST_CASE("when false skips the rule, and/or short-circuit") {
  CHECK(passes("shipped_at != null", R"({"status": "paid"})", "status == \"shipped\""));
  CHECK_FALSE(passes("shipped_at != null", R"({"status": "shipped"})", "status == \"shipped\""));
  CHECK(passes("status == null or len(status) > 2", R"({})"));
  CHECK_FALSE(passes("status != null and len(status) > 2", R"({})"));
}

TEST_CASE("in, not in, nested paths, array indexes and functions") {
  CHECK(passes("customer.country in [\"US\", \"CA\"]", R"({"customer": {"country": "CA"}})"));
  CHECK_FALSE(passes("customer.country not in [\"US\", \"CA\"]", R"({"customer": {"country": "CA"}})"));
  CHECK_FALSE(passes("customer.country not in [\"US\"]", R"({})"));  // null is not "not in"
  CHECK(passes("items[1].qty == 7", R"({"items": [{"qty": 1}, {"qty": 7}]})"));
  CHECK_FALSE(passes("items[2].qty == 7", R"({"items": [{"qty": 1}, {"qty": 7}]})"));
  CHECK(passes("len(tags) == 2 and len(customer.name) == 3", R"({"tags": ["a","b"], "customer": {"name": "日本語"}})"));
  CHECK(passes("lower(status) == \"paid\" and upper(status) == \"PAID\"", R"({"status": "PaId"})"));
  CHECK(passes("shipped_at - created_at <= days(2)",
               R"({"created_at": "2026-01-01T00:00:00Z", "shipped_at": "2026-01-03T00:00:00Z"})"));
  CHECK_FALSE(passes("shipped_at <= created_at + days(1)",
                     R"({"created_at": "2026-01-01T00:00:00Z", "shipped_at": "2026-01-03T00:00:00Z"})"));
  CHECK(passes("created_at < now()", R"({"created_at": "2020-01-01T00:00:00Z"})"));
  CHECK(passes("created_at >= \"2026-01-01T00:00:00Z\"", R"({"created_at": "2026-06-01T00:00:00Z"})"));
}

TEST_CASE("a failing rule's violation shows the values it read") {
  dq::Validator v(
      load(std::string(kFields) + "rules:\n  - {name: refund_ok, check: 'refund == null or refund <= amount'}\n"));
  const dq::Verdict& verdict = v.validate_json(R"({"amount": 10, "refund": 12.5})");
  REQUIRE(verdict.violations.size() == 1);
  CHECK(verdict.violations[0].rule == "rules.refund_ok");
  CHECK(verdict.violations[0].path == "");
  CHECK(verdict.violations[0].value == "refund=12.5, amount=10");
}

TEST_CASE("an array index too large for a long is a contract error at its column, not an exception") {
  auto diags = errors_of(
      contract_yaml(std::string(kFields) + "rules:\n  - name: r\n    check: 'tags[99999999999999999999] != null'\n"));
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].message.find("array index 99999999999999999999 is too large") != std::string::npos);
  CHECK(diags[0].line == 20);  // the check line
}
