// Each semantic rule of the contract language (PRODUCT.md §2), pinned.
#include <nlohmann/json.hpp>

#include "dq/json.h"
#include "helpers.h"

using namespace dqtest;

TEST_CASE("required means present and not null, optional null or absent skips every check") {
  dq::Validator v(load(R"(
fields:
  id: {type: string, required: true}
  note: {type: string, min_length: 3, pattern: '^x'}
)"));
  CHECK(v.validate_json(R"({"id": "a"})").ok);
  CHECK(v.validate_json(R"({"id": "a", "note": null})").ok);
  const auto& absent = v.validate_json(R"({"note": "xyz"})");
  CHECK_FALSE(absent.ok);
  CHECK(rules_of(absent) == Ids{"id.required"});
  CHECK(absent.violations[0].path == "id");
  const auto& null_id = v.validate_json(R"({"id": null})");
  CHECK(rules_of(null_id) == Ids{"id.required"});
  CHECK(null_id.violations[0].value == "null");
}

TEST_CASE("min and max are inclusive, exclusive_min and exclusive_max are strict") {
  dq::Validator v(load(R"(
fields:
  a: {type: number, min: 0, max: 10}
  b: {type: number, exclusive_min: 0, exclusive_max: 10}
)"));
  CHECK(v.validate_json(R"({"a": 0, "b": 0.001})").ok);
  CHECK(v.validate_json(R"({"a": 10, "b": 9.999})").ok);
  CHECK(rules_of(v.validate_json(R"({"a": -0.5})")) == Ids{"a.min"});
  CHECK(rules_of(v.validate_json(R"({"a": 10.5})")) == Ids{"a.max"});
  CHECK(rules_of(v.validate_json(R"({"b": 0})")) == Ids{"b.min"});
  CHECK(rules_of(v.validate_json(R"({"b": 10})")) == Ids{"b.max"});
  CHECK(v.validate_json(R"({"b": 0})").violations[0].message == "must be > 0");
}

TEST_CASE("ranges apply to timestamps and dates") {
  dq::Validator v(load(R"(
fields:
  at: {type: timestamp, min: '2026-01-01T00:00:00Z', exclusive_max: '2027-01-01T00:00:00Z'}
  day: {type: date, max: '2026-12-31'}
)"));
  CHECK(v.validate_json(R"({"at": "2026-01-01T00:00:00Z", "day": "2026-12-31"})").ok);
  CHECK(v.validate_json(R"({"at": "2026-01-01T01:00:00+01:00"})").ok);  // the same instant
  CHECK(rules_of(v.validate_json(R"({"at": "2025-12-31T23:59:59Z"})")) == Ids{"at.min"});
  CHECK(rules_of(v.validate_json(R"({"at": "2027-01-01T00:00:00Z"})")) == Ids{"at.max"});
  CHECK(rules_of(v.validate_json(R"({"day": "2027-01-01"})")) == Ids{"day.max"});
  CHECK(rules_of(v.validate_json(R"({"day": "2027-02-30"})")) == Ids{"day.type"});
}

TEST_CASE("timestamps - RFC 3339 with T or space, layouts, epoch units, default offset") {
  dq::Validator v(load(R"(
fields:
  a: {type: timestamp, min: '2026-01-01T00:00:00Z'}
  b: {type: timestamp, format: '%Y-%m-%d %H:%M:%S', min: '2026-01-01T00:00:00Z'}
  c: {type: timestamp, unit: ms, min: '2026-01-01T00:00:00Z'}
  d: {type: timestamp, timezone: '+02:00', max: '2026-01-01T00:00:00Z'}
)"));
  CHECK(v.validate_json(R"({"a": "2026-05-01 10:00:00Z"})").ok);
  CHECK(v.validate_json(R"({"a": "2026-05-01T10:00:00.123456789Z"})").ok);
  CHECK(v.validate_json(R"({"b": "2026-05-01 10:00:00"})").ok);
  CHECK(rules_of(v.validate_json(R"({"b": "2026-05-01T10:00:00Z"})")) == Ids{"b.type"});
  CHECK(v.validate_json(R"({"c": 1767225600000})").ok);  // 2026-01-01T00:00:00Z in ms
  CHECK(rules_of(v.validate_json(R"({"c": 1767225599999})")) == Ids{"c.min"});
  CHECK(rules_of(v.validate_json(R"({"a": 1767225600})")) == Ids{"a.type"});              // no unit: strings only
  CHECK(rules_of(v.validate_json(R"({"c": "2026-05-01T10:00:00Z"})")) == Ids{"c.type"});  // unit: numbers only
  // No offset: read at +02:00, so 02:00 local is midnight UTC.
  CHECK(v.validate_json(R"({"d": "2026-01-01T02:00:00"})").ok);
  CHECK(rules_of(v.validate_json(R"({"d": "2026-01-01T02:00:01"})")) == Ids{"d.max"});
}

TEST_CASE("min_length and max_length count Unicode code points, not bytes") {
  dq::Validator v(load("fields:\n  s: {type: string, min_length: 2, max_length: 3}\n"));
  CHECK(v.validate_json(R"({"s": "日本語"})").ok);  // 3 code points, 9 bytes
  CHECK(v.validate_json(R"({"s": "😋✨"})").ok);      // 2 code points, 7 bytes
  CHECK(rules_of(v.validate_json(R"({"s": "日本語日"})")) == Ids{"s.max_length"});
  CHECK(rules_of(v.validate_json(R"({"s": "é"})")) == Ids{"s.min_length"});
  CHECK(v.validate_json(R"({"s": "\u00e9\u00e9"})").ok);  // escapes count once decoded
}

TEST_CASE("patterns are unanchored RE2, ^...$ anchors them") {
  dq::Validator v(load(R"(
fields:
  loose: {type: string, pattern: '[0-9]+'}
  whole: {type: string, pattern: '^[0-9]+$'}
)"));
  CHECK(v.validate_json(R"({"loose": "abc123def"})").ok);
  CHECK(rules_of(v.validate_json(R"({"loose": "abc"})")) == Ids{"loose.pattern"});
  CHECK(rules_of(v.validate_json(R"({"whole": "abc123def"})")) == Ids{"whole.pattern"});
  CHECK(v.validate_json(R"({"whole": "123"})").ok);
}

TEST_CASE("a number with zero fraction is an integer, fractions are not") {
  dq::Validator v(load("fields:\n  n: {type: integer, min: 1, max: 100}\n  x: {type: number}\n"));
  CHECK(v.validate_json(R"({"n": 3.0})").ok);
  CHECK(v.validate_json(R"({"n": 1e2})").ok);
  const auto& fraction = v.validate_json(R"({"n": 3.5})");
  CHECK(rules_of(fraction) == Ids{"n.type"});
  CHECK(fraction.violations[0].value == "3.5");
  CHECK(rules_of(v.validate_json(R"({"n": "3"})")) == Ids{"n.type"});
  CHECK(v.validate_json(R"({"n": "3"})").violations[0].message == "must be an integer, not a string");
  CHECK(rules_of(v.validate_json(R"({"n": 1e3})")) == Ids{"n.max"});
  CHECK(v.validate_json(R"({"x": 7})").ok);  // integers are numbers
}

TEST_CASE("integers beyond 64 bits and out-of-range numbers are violations, not crashes") {
  dq::Validator v(load("fields:\n  n: {type: integer}\n  x: {type: number}\n"));
  const auto& big = v.validate_json(R"({"n": 123456789012345678901234567890})");
  CHECK_FALSE(big.malformed);
  CHECK(rules_of(big) == Ids{"n.type"});
  CHECK(big.violations[0].message == "is out of range for a 64-bit integer");
  const auto& huge = v.validate_json(R"({"x": 1e400})");
  CHECK_FALSE(huge.malformed);
  CHECK(rules_of(huge) == Ids{"x.type"});
  CHECK(v.validate_json(R"({"n": 18446744073709551615})").ok);  // uint64 max is a 64-bit integer
}

TEST_CASE("enum is exact equality with the JSON value") {
  dq::Validator v(load(R"(
fields:
  status: {type: string, enum: [created, paid]}
  code: {type: integer, enum: [1, 2]}
  flag: {type: any, enum: [true, 7, 'x']}
)"));
  CHECK(v.validate_json(R"({"status": "paid", "code": 2.0})").ok);
  CHECK(rules_of(v.validate_json(R"({"status": "Paid"})")) == Ids{"status.enum"});
  CHECK(rules_of(v.validate_json(R"({"status": "paid "})")) == Ids{"status.enum"});
  CHECK(rules_of(v.validate_json(R"({"code": 3})")) == Ids{"code.enum"});
  CHECK(v.validate_json(R"({"status": "x"})").violations[0].message == R"(must be one of ["created", "paid"])");
}

namespace {
// The verdict on `text` as JSON bytes and as an nlohmann::json value, which must agree.
Ids both_engines(dq::Validator& v, const std::string& text) {
  INFO(text);
  Ids from_bytes = rules_of(v.validate_json(text));
  Ids from_value = rules_of(dq::validate(v, nlohmann::json::parse(text)));
  CHECK(from_bytes == from_value);
  return from_bytes;
}
}  // namespace

TEST_CASE("enum and const hold for any JSON value, compared structurally as JSON Schema does") {
  dq::Validator v(load(R"(
fields:
  a: {type: any, enum: [1, 2, x, [1, 2], {k: v, n: 1}]}
  b: {type: any, const: {x: [1, "2"], y: null}}
  c: {type: any, enum: [null, "null"]}
  d: {type: object, enum: [{k: 1}], fields: {k: {type: integer, min: 0}}}
  e: {type: array, const: [a, b]}
)"));
  for (const char* ok :
       {R"({"a": 1})", R"({"a": 1.0})", R"({"a": "x"})", R"({"a": [1, 2.0]})", R"({"a": {"n": 1, "k": "v"}})",
        R"({"b": {"y": null, "x": [1.0, "2"]}})", R"({"c": "null"})", R"({"d": {"k": 1}})", R"({"e": ["a", "b"]})"}) {
    CHECK(both_engines(v, ok).empty());
  }
  CHECK(both_engines(v, R"({"a": 3})") == Ids{"a.enum"});
  CHECK(both_engines(v, R"({"a": "1"})") == Ids{"a.enum"});
  CHECK(both_engines(v, R"({"a": true})") == Ids{"a.enum"});
  CHECK(both_engines(v, R"({"a": [2, 1]})") == Ids{"a.enum"});
  CHECK(both_engines(v, R"({"a": {"k": "v", "n": 1, "z": 0}})") == Ids{"a.enum"});
  CHECK(both_engines(v, R"({"b": {"x": [1, 2], "y": null}})") == Ids{"b.const"});
  CHECK(both_engines(v, R"({"b": {"x": [1, "2"]}})") == Ids{"b.const"});
  CHECK(both_engines(v, R"({"c": "NULL"})") == Ids{"c.enum"});
  CHECK(both_engines(v, R"({"d": {"k": 2}})") == Ids{"d.enum"});
  CHECK(both_engines(v, R"({"d": {"k": -1}})") == (Ids{"d.enum", "d.k.min"}));  // checked inside too
  CHECK(both_engines(v, R"({"e": ["b", "a"]})") == Ids{"e.const"});
  const auto& bad = v.validate_json(R"({"b": 5})");
  CHECK(bad.violations[0].message == R"(must equal {"x":[1,"2"],"y":null})");
  CHECK(bad.violations[0].value == "5");
}

TEST_CASE("const on a scalar field compares typed values, and enum and const together are refused") {
  dq::Validator v(load("fields:\n  n: {type: number, const: 2}\n  s: {type: string, const: 'on'}\n"));
  CHECK(both_engines(v, R"({"n": 2.0, "s": "on"})").empty());
  CHECK(both_engines(v, R"({"n": 2.5, "s": "off"})") == (Ids{"n.const", "s.const"}));
  auto errors = errors_of(contract_yaml("fields:\n  a: {type: integer, enum: [1], const: 1}\n"));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].message == "field 'a' has both 'const' and 'enum': one value or a list, not both");
  auto typed = errors_of(contract_yaml("fields:\n  a: {type: integer, enum: [1, [2]]}\n"));
  REQUIRE(typed.size() == 1);
  CHECK(typed[0].message == "enum value of integer field 'a' must be an integer, not an array");
  CHECK(typed[0].line == 6);
}

TEST_CASE("severity warn reports a failure but the record passes") {
  dq::Validator v(load(R"(
fields:
  country: {type: string, pattern: '^[A-Z]{2}$', severity: warn}
rules:
  - {name: not_xx, check: country != "XX", severity: warn}
)"));
  const auto& verdict = v.validate_json(R"({"country": "usa"})");
  CHECK(verdict.ok);
  REQUIRE(verdict.violations.size() == 1);
  CHECK(verdict.violations[0].severity == dq::Severity::kWarn);
  CHECK(v.validate_json(R"({"country": "XX"})").ok);
  CHECK(rules_of(v.validate_json(R"({"country": "XX"})")) == Ids{"rules.not_xx"});
}

TEST_CASE("nested objects and arrays report concrete paths") {
  dq::Validator v(load(R"(
fields:
  items:
    type: array
    min_items: 1
    max_items: 3
    items:
      type: object
      fields:
        sku: {type: string, required: true}
        qty: {type: integer, min: 1}
  customer:
    type: object
    fields:
      id: {type: string, required: true}
)"));
  const auto& verdict =
      v.validate_json(R"({"items": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 0}, {"qty": 2}], "customer": {}})");
  CHECK(paths_of(verdict) == Ids{"items[1].qty", "items[2].sku", "customer.id"});
  CHECK(rules_of(verdict) == Ids{"items[].qty.min", "items[].sku.required", "customer.id.required"});
  CHECK(rules_of(v.validate_json(R"({"items": []})")) == Ids{"items.min_items"});
  CHECK(rules_of(v.validate_json(R"({"items": [{"sku":"a"},{"sku":"a"},{"sku":"a"},{"sku":"a"}]})")) ==
        Ids{"items.max_items"});
  CHECK(rules_of(v.validate_json(R"({"items": {"sku": "a"}})")) == Ids{"items.type"});
}

TEST_CASE("unique_items rejects repeated scalar elements") {
  dq::Validator v(load("fields:\n  tags: {type: array, unique_items: true, items: {type: string}}\n"));
  CHECK(v.validate_json(R"({"tags": ["a", "b"]})").ok);
  const auto& dup = v.validate_json(R"({"tags": ["a", "b", "a"]})");
  CHECK(rules_of(dup) == Ids{"tags.unique_items"});
  CHECK(dup.violations[0].value == "\"a\"");
}

TEST_CASE("unique_items compares objects and arrays structurally, and numbers by value") {
  dq::Validator v(load(R"(
fields:
  any: {type: array, unique_items: true}
  rows: {type: array, unique_items: true, items: {type: object, fields: {q: {type: integer, min: 0}}}}
)"));
  CHECK(both_engines(v, R"({"any": [{"a": 1}, {"a": 2}, [1], [1, 1], 1, "1", true]})").empty());
  CHECK(both_engines(v, R"({"any": [{"a": 1}, {"a": 1}]})") == Ids{"any.unique_items"});
  CHECK(both_engines(v, R"({"any": [{"a": 1, "b": 2}, {"b": 2, "a": 1}]})") == Ids{"any.unique_items"});
  CHECK(both_engines(v, R"({"any": [[1, {"x": null}], [1.0, {"x": null}]]})") == Ids{"any.unique_items"});
  CHECK(both_engines(v, R"({"any": [1, 1.0]})") == Ids{"any.unique_items"});
  CHECK(both_engines(v, R"({"rows": [{"q": 1}, {"q": -1}, {"q": 1.0}]})") ==
        (Ids{"rows[].q.min", "rows.unique_items"}));
  CHECK(v.validate_json(R"({"any": [{"b": [2]}, {"b": [2]}]})").violations[0].value == R"({"b":[2]})");
}

TEST_CASE("additional_fields - allow, warn and reject, inherited by nested objects") {
  const char* fields = "fields:\n  a: {type: string}\n  o: {type: object, fields: {b: {type: string}}}\n";
  dq::Validator allow(load(std::string("additional_fields: allow\n") + fields));
  dq::Validator warn(load(std::string("additional_fields: warn\n") + fields));
  dq::Validator reject(load(std::string("additional_fields: reject\n") + fields));
  const char* record = R"({"a": "x", "extra": [1, {"z": 2}], "o": {"b": "y", "c": 1}})";
  CHECK(allow.validate_json(record).ok);
  CHECK(allow.validate_json(record).violations.empty());
  const auto& w = warn.validate_json(record);
  CHECK(w.ok);
  CHECK(paths_of(w) == Ids{"extra", "o.c"});
  const auto& r = reject.validate_json(record);
  CHECK_FALSE(r.ok);
  CHECK(rules_of(r) == Ids{"additional_fields", "o.additional_fields"});
  CHECK(r.violations[0].value == "[…]");
}

TEST_CASE("named formats") {
  dq::Validator v(load(R"(
fields:
  email: {type: string, format: email}
  uri: {type: string, format: uri}
  uuid: {type: string, format: uuid}
  ip4: {type: string, format: ipv4}
  ip6: {type: string, format: ipv6}
  host: {type: string, format: hostname}
  day: {type: string, format: date}
  at: {type: string, format: date-time}
)"));
  CHECK(v.validate_json(R"({"email": "a.b+c@example.co.uk", "uri": "https://x.org/a?b=c#d",
    "uuid": "123e4567-e89b-12d3-a456-426614174000", "ip4": "10.0.0.1", "ip6": "::1",
    "host": "api.github.com", "day": "2024-02-29", "at": "2024-02-29T10:00:00Z"})")
            .ok);
  CHECK(rules_of(v.validate_json(R"({"email": "a@"})")) == Ids{"email.format"});
  CHECK(rules_of(v.validate_json(R"({"uri": "no scheme"})")) == Ids{"uri.format"});
  CHECK(rules_of(v.validate_json(R"({"uuid": "123e4567e89b12d3a456426614174000"})")) == Ids{"uuid.format"});
  CHECK(rules_of(v.validate_json(R"({"ip4": "256.0.0.1"})")) == Ids{"ip4.format"});
  CHECK(rules_of(v.validate_json(R"({"ip6": "1::2::3"})")) == Ids{"ip6.format"});
  CHECK(rules_of(v.validate_json(R"({"host": "-bad-.com"})")) == Ids{"host.format"});
  CHECK(rules_of(v.validate_json(R"({"day": "2023-02-29"})")) == Ids{"day.format"});
}

TEST_CASE("formats follow their RFCs as JSON Schema defines them, on both engines") {
  dq::Validator v(load(R"(
fields:
  email: {type: string, format: email}
  uri: {type: string, format: uri}
  ip4: {type: string, format: ipv4}
  ip6: {type: string, format: ipv6}
  host: {type: string, format: hostname}
  at: {type: string, format: date-time}
)"));
  // RFC 5321 mailboxes: quoted local parts, address literals, a domain without a dot.
  for (const char* ok : {R"("\"joe bloggs\"@example.com")", R"("\"a@b\"@example.com")", R"("joe@[127.0.0.1]")",
                         R"("joe@[IPv6:::1]")", R"("postmaster@localhost")"}) {
    CHECK(both_engines(v, std::string(R"({"email": )") + ok + "}").empty());
  }
  for (const char* bad :
       {R"("joe@[127.0.0.300]")", R"("te..st@example.com")", R"("\"unclosed@example.com")", R"("a@b@c")"}) {
    CHECK(both_engines(v, std::string(R"({"email": )") + bad + "}") == Ids{"email.format"});
  }
  // A NUL does not end an address early.
  CHECK(both_engines(v, R"({"ip4": "192.168.0.1\u0000.evil.com"})") == Ids{"ip4.format"});
  CHECK(both_engines(v, R"({"ip6": "::1\u0000x"})") == Ids{"ip6.format"});
  // IDNA2008 A-labels: valid Punycode of a valid U-label; "--" in positions 3-4 only for them.
  CHECK(both_engines(v, R"({"host": "xn--4gbwdl.xn--wgbh1c"})").empty());
  for (const char* bad : {"xn--X", "XN--aa---o47jg78q", "ab--cd.example", "xn--.com"}) {
    CHECK(both_engines(v, std::string(R"({"host": ")") + bad + "\"}") == Ids{"host.format"});
  }
  // RFC 3986: a port is digits, an IP literal is closed and an address.
  CHECK(both_engines(v, R"({"uri": "http://[::1]:8080/a?b#c"})").empty());
  CHECK(both_engines(v, R"({"uri": "urn:isbn:0451450523"})").empty());
  for (const char* bad :
       {"http://example.com:abc/", "https://[@example.org/", "http://exa mple.com/", "http://x/%zz"}) {
    CHECK(both_engines(v, std::string(R"({"uri": ")") + bad + "\"}") == Ids{"uri.format"});
  }
  // A leap second is 23:59:60 in UTC, whatever the offset it is written in.
  CHECK(both_engines(v, R"({"at": "1998-12-31T23:59:60Z"})").empty());
  CHECK(both_engines(v, R"({"at": "1998-12-31T15:59:60-08:00"})").empty());
  CHECK(both_engines(v, R"({"at": "1998-12-31T23:58:60Z"})") == Ids{"at.format"});
  CHECK(both_engines(v, R"({"at": "1998-12-31T22:59:60Z"})") == Ids{"at.format"});
}

TEST_CASE("a timestamp layout with a directive dq does not read is refused at load") {
  auto errors = errors_of(contract_yaml("fields:\n  at: {type: timestamp, format: '%D %H:%M'}\n"));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].message ==
        "layout '%D %H:%M' uses '%D', which dq does not read (supported: %Y %m %d %H %M %S %f %z %a %b %%)");
  CHECK(errors[0].line == 6);
  CHECK(errors_of(contract_yaml("fields:\n  at: {type: timestamp, coerce: ['%Y%j']}\n")).size() == 1);
}

TEST_CASE("$params fill constraint values and can be overridden at run time") {
  const char* body = R"(
params:
  max_amount: {type: number, default: 100}
fields:
  amount: {type: number, max: $max_amount}
)";
  dq::Validator by_default(load(body));
  dq::Validator overridden(load(body, {{"max_amount", "1000"}}));
  CHECK(rules_of(by_default.validate_json(R"({"amount": 500})")) == Ids{"amount.max"});
  CHECK(overridden.validate_json(R"({"amount": 500})").ok);
}

TEST_CASE("keys match by value - escapes, long keys, and near misses") {
  dq::Validator v(load(R"(
additional_fields: reject
fields:
  id: {type: integer, required: true}
  a_key_longer_than_sixteen_bytes: {type: string}
  exactly_16_bytes: {type: string}
)"));
  CHECK(v.validate_json(R"({"\u0069d": 1})").ok);  // "id", written with an escape
  CHECK(v.validate_json(R"({"id": 1, "a_key_longer_than_sixteen_bytes": "x", "exactly_16_bytes": "y"})").ok);
  const auto& near = v.validate_json(R"({"id": 1, "i": 2, "idd": 3, "exactly_16_byte": 4, "exactly_16_bytesX": 5})");
  CHECK(paths_of(near) == Ids{"i", "idd", "exactly_16_byte", "exactly_16_bytesX"});
  CHECK(rules_of(v.validate_json(R"({"ID": 1})")) == Ids{"additional_fields", "id.required"});
}

TEST_CASE("a non-object record is one type violation") {
  dq::Validator v(load("fields:\n  a: {type: string}\n"));
  for (const char* record : {"[1, 2]", "\"text\"", "42", "true", "null"}) {
    const auto& verdict = v.validate_json(record);
    INFO(record);
    CHECK_FALSE(verdict.ok);
    CHECK_FALSE(verdict.malformed);
    CHECK(rules_of(verdict) == Ids{"record.type"});
  }
}

TEST_CASE("nlohmann--json values get the same verdicts as JSON bytes") {
  dq::Validator v(load(R"(
fields:
  id: {type: string, required: true, pattern: '^ord_'}
  n: {type: integer, min: 1}
  items: {type: array, items: {type: object, fields: {qty: {type: integer, min: 1}}}}
rules:
  - {name: n_small, when: n != null, check: n < 10}
)"));
  for (const char* text : {R"({"id": "ord_1", "n": 3.0})", R"({"id": "x", "n": 0.5})", R"({"n": 20})",
                           R"({"id": "ord_1", "items": [{"qty": 0}, {"qty": 2}]})", R"([1])"}) {
    INFO(text);
    dq::Verdict from_bytes = v.validate_json(text);
    const dq::Verdict& from_value = dq::validate(v, nlohmann::json::parse(text));
    CHECK(from_value.ok == from_bytes.ok);
    CHECK(rules_of(from_value) == rules_of(from_bytes));
    CHECK(paths_of(from_value) == paths_of(from_bytes));
  }
}
