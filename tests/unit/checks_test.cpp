// The field checks and expression functions that users of other tools write:
// multiple_of, pattern lists and not_pattern, string and number functions.
#include <nlohmann/json.hpp>

#include "base/decimal.h"
#include "dq/json.h"
#include "helpers.h"

using namespace dqtest;

namespace {
Ids both_engines(dq::Validator& v, const std::string& text) {
  INFO(text);
  Ids from_bytes = rules_of(v.validate_json(text));
  CHECK(from_bytes == rules_of(dq::validate(v, nlohmann::json::parse(text))));
  return from_bytes;
}
}  // namespace

TEST_CASE("multiple_of is exact on decimals: 0.3 is a multiple of 0.1") {
  dq::Validator v(load(R"(
fields:
  price: {type: number, multiple_of: 0.1}
  qty: {type: integer, multiple_of: 6}
  tiny: {type: number, multiple_of: 0.0001}
  big: {type: number, multiple_of: 0.123456789}
)"));
  for (const char* ok :
       {R"({"price": 0.3})", R"({"price": 12.7})", R"({"price": 0})", R"({"price": -0.2})", R"({"price": 1e2})",
        R"({"qty": 18})", R"({"qty": -12})", R"({"qty": 6.0})", R"({"tiny": 0.0075})"}) {
    CHECK(both_engines(v, ok).empty());
  }
  CHECK(both_engines(v, R"({"price": 0.35})") == Ids{"price.multiple_of"});
  CHECK(both_engines(v, R"({"qty": 20})") == Ids{"qty.multiple_of"});
  CHECK(both_engines(v, R"({"tiny": 0.00751})") == Ids{"tiny.multiple_of"});
  CHECK(both_engines(v, R"({"big": 1e308})") == Ids{"big.multiple_of"});  // no overflow, no false pass
  CHECK(v.validate_json(R"({"price": 0.35})").violations[0].message == "must be a multiple of 0.1");
  auto errors =
      errors_of(contract_yaml("fields:\n  a: {type: number, multiple_of: 0}\n  s: {type: string, multiple_of: 2}\n"));
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].message == "'multiple_of' must be a number above 0 with at most 19 significant digits, not '0'");
  CHECK(errors[1].message == "'multiple_of' applies to numbers; field 's' is string");
}

TEST_CASE("exact decimals read JSON number text and compare by value") {
  auto d = dq::Decimal::parse("1.50e3");
  REQUIRE(d);
  CHECK(d->digits == 15);
  CHECK(d->exponent == 2);
  CHECK(dq::is_multiple_of(*dq::Decimal::parse("4.5"), *dq::Decimal::parse("1.5")));
  CHECK_FALSE(dq::is_multiple_of(*dq::Decimal::parse("35"), *dq::Decimal::parse("1.5")));
  CHECK(dq::is_multiple_of(*dq::Decimal::parse("12391239123"), *dq::Decimal::parse("1e-8")));
  CHECK_FALSE(dq::is_multiple_of(*dq::Decimal::parse("1"), *dq::Decimal::parse("10")));
  CHECK(dq::is_multiple_of(dq::Decimal::of(0.1 + 0.2), *dq::Decimal::parse("0.1")) == false);  // 0.30000000000000004
  CHECK(dq::is_multiple_of(dq::Decimal::of(0.3), *dq::Decimal::parse("0.1")));
  CHECK_FALSE(dq::Decimal::parse("12345678901234567890"));  // 20 significant digits
}

TEST_CASE("pattern lists match any (default) or all, and not_pattern forbids") {
  dq::Validator v(load(R"(
fields:
  any_of: {type: string, pattern: ['^a', 'z$']}
  all_of: {type: string, pattern: ['^a', 'z$'], match: all}
  clean: {type: string, not_pattern: ['(?i)drop\s+table', '<script']}
  one: {type: string, not_pattern: '^test_'}
)"));
  CHECK(both_engines(v, R"({"any_of": "abc", "all_of": "abz", "clean": "hello", "one": "prod_1"})").empty());
  CHECK(both_engines(v, R"({"any_of": "xyz"})").empty());
  CHECK(both_engines(v, R"({"any_of": "xyy"})") == Ids{"any_of.pattern"});
  CHECK(both_engines(v, R"({"all_of": "abc"})") == Ids{"all_of.pattern"});
  CHECK(both_engines(v, R"({"clean": "x; DROP  TABLE users"})") == Ids{"clean.not_pattern"});
  CHECK(both_engines(v, R"({"clean": "<script>"})") == Ids{"clean.not_pattern"});
  CHECK(both_engines(v, R"({"one": "test_1"})") == Ids{"one.not_pattern"});
  CHECK(v.validate_json(R"({"all_of": "abc"})").violations[0].message == "must match every one of /^a/, /z$/");
  CHECK(v.validate_json(R"({"one": "test_1"})").violations[0].message == "must not match /^test_/");
  auto errors =
      errors_of(contract_yaml("fields:\n  a: {type: string, not_pattern: ['ok', '(']}\n"
                              "  b: {type: string, match: all}\n"));
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].message.find("not_pattern of field 'a' does not compile") == 0);
  CHECK(errors[0].column > 30);
  CHECK(errors[1].message == "'match' says how a list of patterns combines; field 'b' has no 'pattern' list");
}

TEST_CASE("expression functions: strings, numbers and nulls, typed at load") {
  dq::Validator v(load(R"(
fields:
  sku: {type: string}
  note: {type: string}
  delta: {type: number}
  backup: {type: number}
rules:
  - {name: sku_prefix, when: sku != null, check: 'starts_with(sku, "SKU-") and not ends_with(sku, "-")'}
  - {name: sku_shape, when: sku != null, check: 'matches(sku, "^SKU-[0-9]+$")'}
  - {name: no_todo, when: note != null, check: 'not contains(lower(note), "todo")'}
  - {name: small_delta, check: 'abs(coalesce(delta, backup, 0)) <= 10'}
  - {name: rounded, when: delta != null, check: 'round(delta) == 3 or round(delta, 1) == 2.5'}
  - {name: note_or_sku, check: not (is_null(note) and is_null(sku))}
)"));
  CHECK(both_engines(v, R"({"sku": "SKU-12", "note": "fine", "delta": 2.6})").empty());
  CHECK(both_engines(v, R"({"sku": "SKU-1x", "delta": -11})") ==
        (Ids{"rules.sku_shape", "rules.small_delta", "rules.rounded"}));
  CHECK(both_engines(v, R"({"sku": "SKU-", "note": "a TODO here"})") ==
        (Ids{"rules.sku_prefix", "rules.sku_shape", "rules.no_todo"}));
  CHECK(both_engines(v, R"({"backup": 50, "delta": null})") == (Ids{"rules.small_delta", "rules.note_or_sku"}));
  CHECK(both_engines(v, R"({"note": "x", "delta": 2.54})").empty());
  auto errors =
      errors_of(contract_yaml("fields:\n  a: {type: string}\n  n: {type: number}\n"
                              "rules:\n  - {name: r1, check: 'starts_with(n, \"x\")'}\n"
                              "  - {name: r2, check: 'matches(a, a)'}\n"
                              "  - {name: r3, check: 'matches(a, \"(\")'}\n"
                              "  - {name: r4, check: 'coalesce(a, n) == 1'}\n"));
  REQUIRE(errors.size() == 4);
  CHECK(errors[0].message == "starts_with() takes two strings, not number and string");
  CHECK(errors[1].message.find("matches() takes its pattern as a string literal") == 0);
  CHECK(errors[2].message.find("the pattern of matches() does not compile") == 0);
  CHECK(errors[3].message == "coalesce() takes values of one type, not string and number");
}

TEST_CASE("type unions check each value by the checks of its own type, as JSON Schema does") {
  dq::Validator v(load(R"(
fields:
  id: {type: [integer, string], required: true, min: 1, pattern: '^[a-z]+$'}
  size: {type: [number, string], max: 10, max_length: 2}
  tags: {type: [array, string], min_items: 1, items: {type: string}}
  flag: {type: [boolean, integer]}
  kind: {type: [string, integer], enum: [a, b, 1]}
)"));
  for (const char* ok : {R"({"id": 7})", R"({"id": "abc"})", R"({"id": 2, "size": 9.5})", R"({"id": 2, "size": "xl"})",
                         R"({"id": 2, "tags": ["a"]})", R"({"id": 2, "tags": "a"})", R"({"id": 2, "flag": true})",
                         R"({"id": 2, "flag": 0})", R"({"id": 2, "kind": 1.0})", R"({"id": 2, "kind": "b"})"}) {
    CHECK(both_engines(v, ok).empty());
  }
  CHECK(both_engines(v, R"({"id": 0})") == Ids{"id.min"});
  CHECK(both_engines(v, R"({"id": "ABC"})") == Ids{"id.pattern"});
  CHECK(both_engines(v, R"({"id": 1.5})") == Ids{"id.type"});
  CHECK(both_engines(v, R"({"id": true})") == Ids{"id.type"});
  CHECK(v.validate_json(R"({"id": true})").violations[0].message == "must be an integer or a string, not a boolean");
  CHECK(v.validate_json(R"({"id": 1.5})").violations[0].message == "must be an integer, not a fraction");
  CHECK(both_engines(v, R"({"id": 1, "size": 11})") == Ids{"size.max"});
  CHECK(both_engines(v, R"({"id": 1, "size": "xxl"})") == Ids{"size.max_length"});
  CHECK(both_engines(v, R"({"id": 1, "tags": []})") == Ids{"tags.min_items"});
  CHECK(both_engines(v, R"({"id": 1, "tags": [1]})") == Ids{"tags[].type"});
  CHECK(both_engines(v, R"({"id": 1, "flag": "yes"})") == Ids{"flag.type"});
  CHECK(both_engines(v, R"({"id": 1, "kind": "c"})") == Ids{"kind.enum"});
  auto errors =
      errors_of(contract_yaml("fields:\n  a: {type: [integer, string], min_items: 1}\n"
                              "  b: {type: [string, timestamp]}\n  c: {type: [strin, integer]}\n"));
  REQUIRE(errors.size() == 3);
  CHECK(errors[0].message == "'min_items' applies to none of the types of field 'a' (integer, string)");
  CHECK(errors[1].message.find("a union cannot hold timestamp") == 0);
  CHECK(errors[2].message == "unknown type 'strin' in the list of field 'c' (did you mean 'string'?)");
}

TEST_CASE("null as a type and required: present - the field must be there, and may be null") {
  dq::Validator v(load(R"(
fields:
  a: {type: [string, null], required: true, min_length: 2}
  b: {type: integer, required: present}
  c: {type: string, required: true}
  d: {type: [integer, string, null], required: true}
)"));
  CHECK(both_engines(v, R"({"a": null, "b": null, "c": "x", "d": null})").empty());
  CHECK(both_engines(v, R"({"a": "xy", "b": 3, "c": "x", "d": "q"})").empty());
  CHECK(both_engines(v, R"({"b": 1, "c": "x", "d": 1})") == Ids{"a.required"});  // absent
  CHECK(both_engines(v, R"({"a": null, "c": "x", "d": 1})") == Ids{"b.required"});
  CHECK(both_engines(v, R"({"a": null, "b": null, "c": null, "d": 1})") == Ids{"c.required"});
  CHECK(both_engines(v, R"({"a": "x", "b": 1, "c": "x", "d": 1})") == Ids{"a.min_length"});
  CHECK(v.validate_json(R"({"a": null, "c": "x", "d": 1})").violations[0].message == "is required (absent)");
}

TEST_CASE("format json - a string that holds a JSON document") {
  dq::Validator v(load("fields:\n  payload: {type: string, format: json}\n"));
  for (const char* ok : {R"({"payload": "{\"a\": [1, 2]}"})", R"({"payload": "3"})", R"({"payload": " null "})"}) {
    CHECK(both_engines(v, ok).empty());
  }
  for (const char* bad :
       {R"({"payload": "{\"a\": }"})", R"({"payload": "[1,]"})", R"({"payload": ""})", R"({"payload": "{} {}"})"}) {
    CHECK(both_engines(v, bad) == Ids{"payload.format"});
  }
}

TEST_CASE("mostly on a rule - the share of the records it applies to that must pass") {
  dq::Contract c = load(R"(
fields:
  kind: {type: string}
  amount: {type: number}
rules:
  - {name: paid_positive, when: kind == "paid", check: amount > 0, mostly: 0.75}
)");
  auto report_for = [&](const std::vector<std::string>& records) { return report_of(c, records); };
  const std::string good = R"({"kind": "paid", "amount": 5})", bad = R"({"kind": "paid", "amount": 0})";
  const std::string other = R"({"kind": "free", "amount": 0})";  // the rule does not apply
  dq::Report passing = report_for({good, good, good, bad, other, other, other});
  CHECK(passing.ok);  // 3 of the 4 paid records
  CHECK(passing.records.invalid == 1);
  REQUIRE(passing.rules.size() == 1);
  CHECK(passing.rules[0].mostly == 0.75);
  CHECK_FALSE(report_for({good, bad, bad, other}).ok);  // 1 of 3
}

TEST_CASE("json_fields - a string that carries a JSON object is checked against nested fields") {
  dq::Validator v(load(R"(
fields:
  payload:
    type: string
    required: true
    json_fields:
      user: {type: object, required: true, fields: {id: {type: integer, min: 1}}}
      action: {type: string, enum: [push, pull]}
)"));
  CHECK(both_engines(v, R"({"payload": "{\"user\": {\"id\": 7}, \"action\": \"push\"}"})").empty());
  CHECK(both_engines(v, R"({"payload": "{\"user\": {\"id\": 0}, \"action\": \"merge\"}"})") ==
        (Ids{"payload.action.enum", "payload.user.id.min"}));  // keys in sorted order
  const auto& nested = v.validate_json(R"({"payload": "{\"action\": \"push\"}"})");
  CHECK(rules_of(nested) == Ids{"payload.user.required"});
  CHECK(nested.violations[0].path == "payload.user");
  CHECK(both_engines(v, R"({"payload": "not json"})") == Ids{"payload.json"});
  CHECK(both_engines(v, R"({"payload": "[1, 2]"})") == Ids{"payload.json"});
  CHECK(v.validate_json(R"({"payload": "[1]"})").violations[0].message == "must hold a JSON object");
  auto errors = errors_of(contract_yaml("fields:\n  n: {type: integer, json_fields: {a: {type: string}}}\n"));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].message == "'json_fields' is for a string that holds JSON (field 'n' is integer)");
}

TEST_CASE("calendar functions read a timestamp in its field's time zone, date_diff counts whole units") {
  dq::Validator v(load(R"(
fields:
  at: {type: timestamp, timezone: America/New_York}
  utc: {type: timestamp}
  day: {type: date}
rules:
  - {name: ny_new_year, check: 'year(at) == 2026 and month(at) == 1 and day(at) == 1 and hour(at) == 23'}
  - {name: ny_thursday, check: 'day_of_week(at) == 4'}
  - {name: utc_friday, check: 'day_of_week(utc) == 5 and year(utc) == 2026 and month(utc) == 1 and day(utc) == 2'}
  - {name: date_parts, check: 'year(day) == 1969 and month(day) == 12 and day(day) == 31 and day_of_week(day) == 3'}
  - {name: elapsed, check: 'date_diff(utc, at, "hours") == 0 and date_diff(utc, at, "minutes") == 0'}
  - {name: days_back, check: 'date_diff(day, "1970-01-08", "days") == -8 and date_diff(day, "1970-01-08", "weeks") == -1'}
  - {name: since, check: 'date_diff(utc, "2025-12-31T00:00:00Z", "days") == 2'}
)"));
  // 2026-01-01 23:30 in New York is 2026-01-02 04:30 UTC: a Thursday there, a Friday in UTC.
  const char* record = R"({"at": "2026-01-01T23:30:00", "utc": "2026-01-02T04:30:00Z", "day": "1969-12-31"})";
  CHECK(both_engines(v, record).empty());
  CHECK(both_engines(v, R"({"at": "2026-01-02T00:30:00", "utc": "2026-01-02T05:30:00Z", "day": "1969-12-31"})") ==
        Ids{"rules.ny_new_year", "rules.ny_thursday"});
  // Nulls: a function of a null is null, so a comparison with it is false.
  CHECK(both_engines(v, R"({"at": null, "utc": "2026-01-02T04:30:00Z", "day": "1969-12-31"})") ==
        Ids{"rules.ny_new_year", "rules.ny_thursday", "rules.elapsed"});
  auto errors =
      errors_of(contract_yaml("fields:\n  d: {type: date}\n  t: {type: timestamp}\n  s: {type: string}\n"
                              "rules:\n  - {name: a, check: 'hour(d) == 1'}\n  - {name: b, check: 'year(s) == 1'}\n"
                              "  - {name: c, check: 'date_diff(d, t, \"days\") == 1'}\n  - {name: e, check: "
                              "'date_diff(d, d, \"hours\") == 1'}\n"
                              "  - {name: f, check: 'date_diff(t, t, \"fortnights\") == 1'}\n"));
  REQUIRE(errors.size() == 5);
  CHECK(errors[0].message == "hour() takes a timestamp, not date");
  CHECK(errors[1].message == "year() takes a timestamp or a date, not string");
  CHECK(errors[2].message == "date_diff() takes two timestamps or two dates, not date and timestamp");
  CHECK(errors[3].message == "date_diff()'s unit is a literal: \"days\" or \"weeks\" for dates");
  CHECK(errors[4].message ==
        "date_diff()'s unit is a literal: \"weeks\", \"days\", \"hours\", \"minutes\" or \"seconds\"");
}
