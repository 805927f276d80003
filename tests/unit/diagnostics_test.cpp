// Bad contracts: every diagnostic at its exact line and column, all at once.
#include "helpers.h"

using namespace dqtest;

namespace {
const char* kHead = "dq: 1\ndataset: t\nversion: 1.0.0\nowner: {team: qa}\n";  // 4 lines

const dq::Diagnostic& only(const std::vector<dq::Diagnostic>& d) {
  INFO(d.size() << " diagnostics; first: " << (d.empty() ? "" : d[0].to_string()));
  REQUIRE(d.size() == 1);
  return d[0];
}
}  // namespace

TEST_CASE("rejects an unknown key with file-line-col and a did-you-mean hint") {
  auto d = only(errors_of(std::string(kHead) + "fields:\n  a: {type: string, requird: true}\n"));
  CHECK(d.to_string() == "bad.yaml:6:21: error: unknown key 'requird' in field 'a' (did you mean 'required'?)");
}

TEST_CASE("rejects an unknown top-level key") {
  auto d = only(errors_of(std::string(kHead) + "feilds:\n  a: {type: string}\nfields: {}\n"));
  CHECK(d.line == 5);
  CHECK(d.column == 1);
  CHECK(d.message == "unknown key 'feilds' in the contract (did you mean 'fields'?)");
}

TEST_CASE("rejects a wrong type name and a wrong value type") {
  auto diags = errors_of(std::string(kHead) + "fields:\n  a: {type: strng}\n  b: {type: string, required: yes}\n");
  REQUIRE(diags.size() == 2);
  CHECK(diags[0].to_string() ==
        "bad.yaml:6:13: error: 'type' must be one of string, integer, number, boolean, timestamp, date, "
        "object, array, any, not 'strng' (did you mean 'string'?)");
  CHECK(diags[1].line == 7);
  CHECK(diags[1].column == 31);
  CHECK(diags[1].message == "'required' must be true or false, not 'yes'");
}

TEST_CASE("rejects a contract whose regex does not compile, with RE2's message") {
  auto d = only(errors_of(std::string(kHead) + "fields:\n  a: {type: string, pattern: '^(ab$'}\n"));
  CHECK(d.line == 6);
  CHECK(d.column == 30);
  CHECK(d.message == "pattern of field 'a' does not compile: missing ): ^(ab$");
}

TEST_CASE("rejects a type error in an expression, pointing into the expression") {
  auto d = only(errors_of(std::string(kHead) +
                          "fields:\n  amount: {type: number}\nrules:\n  - {name: r, check: amount > \"x\"}\n"));
  CHECK(d.line == 8);
  CHECK(d.column == 29);  // the '>' operator
  CHECK(d.message == "cannot compare number with string using '>'");
}

TEST_CASE("rejects an unknown field in an expression, with a hint") {
  auto d = only(errors_of(std::string(kHead) +
                          "fields:\n  amount: {type: number}\nrules:\n  - name: r\n    check: 'amont > 1'\n"));
  CHECK(d.line == 9);
  CHECK(d.column == 13);  // inside the quotes
  CHECK(d.message == "unknown field 'amont' in expression (did you mean 'amount'?)");
}

TEST_CASE("rejects a check that is not a boolean and an expression that does not parse") {
  auto diags = errors_of(std::string(kHead) +
                         "fields:\n  a: {type: number}\nrules:\n  - {name: r1, check: a + 1}\n"
                         "  - {name: r2, check: a >}\n");
  REQUIRE(diags.size() == 2);
  CHECK(diags[0].message == "a 'check' must be true or false, but this expression is a number");
  CHECK(diags[1].line == 9);
  CHECK(diags[1].message == "in 'check' expression: expected a value but the expression ended");
}

TEST_CASE("rejects missing required metadata, reporting every missing key at once") {
  auto diags = errors_of("title: x\nfields: {}\n");
  std::vector<std::string> messages;
  for (const auto& d : diags) messages.push_back(d.message);
  CHECK(messages == std::vector<std::string>{"missing required key 'dq' (the format version: dq: 1)",
                                             "missing required key 'dataset'", "missing required key 'version'",
                                             "missing required key 'owner' (owner: {team: ..., contact: ...})"});
  CHECK(diags[0].line == 1);
}

TEST_CASE("reports invalid YAML at its position") {
  auto d = only(errors_of("dq: 1\nfields: {a: [}\n"));
  CHECK(d.line == 2);
  CHECK(d.message.rfind("invalid YAML: ", 0) == 0);
}

TEST_CASE("reports all errors at once, in file order") {
  auto diags = errors_of(std::string(kHead) +
                         "fields:\n  a: {type: string, pattern: '('}\n  b: {type: integer, min: abc}\n"
                         "  c: {type: strin}\nrules:\n  - {name: r, check: zz == 1}\n");
  REQUIRE(diags.size() == 4);
  CHECK(diags[0].line == 6);
  CHECK(diags[1].line == 7);
  CHECK(diags[2].line == 8);
  CHECK(diags[3].line == 10);
}

TEST_CASE("rejects constraints that do not fit the field's type, and unknown params") {
  auto diags = errors_of(std::string(kHead) +
                         "fields:\n  a: {type: string, min: 1}\n  b: {type: number, max: $nope}\n"
                         "  c: {type: string, format: emial}\n");
  REQUIRE(diags.size() == 3);
  CHECK(diags[0].message == "'min' applies to numbers, timestamps and dates; field 'a' is string");
  CHECK(diags[1].message == "unknown param '$nope' in 'max' of field 'b'");
  CHECK(diags[2].message == "unknown format 'emial' (did you mean 'email'?)");
}

TEST_CASE("a param given at run time must exist and parse as its type") {
  std::string yaml =
      std::string(kHead) + "params:\n  limit: {type: number, default: 5}\nfields:\n  a: {type: number, max: $limit}\n";
  auto unknown = dq::Contract::load_string(yaml, "p.yaml", dq::LoadOptions{{{"limt", "3"}}, {}});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().diagnostics()[0].message == "unknown param 'limt' was given a value (did you mean 'limit'?)");
  auto bad = dq::Contract::load_string(yaml, "p.yaml", dq::LoadOptions{{{"limit", "lots"}}, {}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().diagnostics()[0].message == "param 'limit' is a number, and 'lots' given at run time is not");
  CHECK(bad.status().diagnostics()[0].line == 6);
  CHECK(bad.status().diagnostics().size() == 1);  // its use in `max` is not reported as an unknown param too
}

TEST_CASE("dataset sections are accepted and checked for structure") {
  auto ok = dq::Contract::load_string(std::string(kHead) + R"(
fields:
  email: {type: string}
  amount: {type: number}
  created_at: {type: timestamp}
  customer: {type: object, required: true, fields: {id: {type: string, required: true}}}
expectations:
  - {name: enough_rows, metric: row_count, min: 1000}
  - {name: typical_amount, field: amount, metric: mean, between: [10, 500]}
drift:
  baseline: baselines/x.profile.json
  min_rows: 1000
  fields:
    amount: {method: psi, warn: 0.1, fail: 0.25}
monitors:
  - {metric: row_count, method: online_normal, sigma: 3}
sla:
  freshness: {field: created_at, max_delay: 15m}
grading:
  key: customer.id
  filter: amount > 0
  measures: {total: sum(amount), orders: count()}
  tiers:
    - {name: vip, when: total >= 5000}
    - {name: other}
)",
                                      "later.yaml");
  INFO(ok.status().to_string());
  CHECK(ok.ok());
  auto diags = errors_of(std::string(kHead) +
                         "fields:\n  a: {type: number}\nexpectations:\n  - {name: e, metric: avg, max: 1}\n"
                         "drift:\n  fields:\n    b: {method: psi}\n");
  REQUIRE(diags.size() == 2);
  CHECK(diags[0].line == 8);
  CHECK(diags[1].message == "drift names unknown field 'b' (did you mean 'a'?)");
}

TEST_CASE("a contract whose aliases would expand exponentially is refused, not expanded") {
  // Each level doubles the fields below it: 2^40 if expanded.
  std::string contract = std::string(kHead) + "fields:\n  x0: &x0 {type: string}\n";
  for (int i = 1; i <= 40; ++i) {
    contract += "  x" + std::to_string(i) + ": &x" + std::to_string(i) + " {type: object, fields: {a: *x" +
                std::to_string(i - 1) + ", b: *x" + std::to_string(i - 1) + "}}\n";
  }
  auto diags = errors_of(contract);
  for (const auto& d : diags) UNSCOPED_INFO(d.to_string());
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].message == "the contract nests deeper than 64 levels (or a YAML alias refers to its own ancestor)");
}

TEST_CASE("a billion-laughs contract, shallow but exponentially wide, is refused by its node count") {
  // 30 levels of lists, each of the one before twice: 2^30 nodes if expanded.
  std::string contract = std::string(kHead) + "tags:\n  - &a0 [lol, lol]\n";
  for (int i = 1; i <= 30; ++i) {
    contract += "  - &a" + std::to_string(i) + " [*a" + std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + "]\n";
  }
  auto diags = errors_of(contract);
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].message == "the contract expands to more than 1000000 YAML nodes (YAML aliases repeat their subtree)");
}

TEST_CASE("a YAML alias to its own ancestor is refused at the contract depth limit") {
  auto diags = errors_of(std::string(kHead) + "fields:\n  a: &x {type: array, items: *x}\n");
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].message == "the contract nests deeper than 64 levels (or a YAML alias refers to its own ancestor)");
}

TEST_CASE("a contract that nests fields past the depth limit is refused with its position") {
  std::string contract = std::string(kHead) + "fields:\n";
  std::string indent = "  ";
  for (int i = 0; i < 40; ++i) {
    contract += indent + "f" + std::to_string(i) + ":\n" + indent + "  type: object\n" + indent + "  fields:\n";
    indent += "    ";
  }
  contract += indent + "leaf: {type: string}\n";
  auto diags = errors_of(contract);
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].message.find("nests deeper than 64 levels") != std::string::npos);
  CHECK(diags[0].line > 60);
}

TEST_CASE("a param's min, max and enum hold its default and every value given") {
  const std::string yaml = std::string(kHead) +
                           "params:\n"
                           "  limit: {type: integer, default: 5, min: 1, max: 10}\n"
                           "  since: {type: date, default: '2025-01-01', min: '2020-01-01'}\n"
                           "  tier: {type: string, default: gold, enum: [gold, silver]}\n"
                           "fields:\n  a: {type: number, max: $limit}\n";
  auto load = [&](dq::Params params) { return dq::Contract::load_string(yaml, "p.yaml", dq::LoadOptions{params, {}}); };
  CHECK(load({}).ok());
  CHECK(load({{"limit", "10"}, {"since", "2020-01-01"}, {"tier", "silver"}}).ok());
  auto low = load({{"limit", "0"}});
  REQUIRE_FALSE(low.ok());
  CHECK(low.status().diagnostics()[0].message == "param 'limit' given at run time is 0, below its min 1");
  CHECK(low.status().diagnostics().size() == 1);
  CHECK(load({{"limit", "11"}}).status().diagnostics()[0].message ==
        "param 'limit' given at run time is 11, above its max 10");
  CHECK(load({{"since", "2019-12-31"}}).status().diagnostics()[0].message ==
        "param 'since' given at run time is 2019-12-31, below its min 2020-01-01");
  CHECK(load({{"tier", "bronze"}}).status().diagnostics()[0].message ==
        "param 'tier' given at run time is bronze, not one of [gold, silver]");

  auto refused = [](const std::string& params) {
    auto c = dq::Contract::load_string(std::string(kHead) + "params:\n" + params + "fields:\n  a: {type: string}\n",
                                       "p.yaml");
    REQUIRE_FALSE(c.ok());
    return c.status().diagnostics()[0].message;
  };
  CHECK(refused("  n: {type: integer, default: 20, max: 10}\n") == "default of param 'n' is 20, above its max 10");
  CHECK(refused("  n: {type: integer, default: 5, min: 8, max: 2}\n") == "param 'n' has max 2 below its min 8");
  CHECK(refused("  n: {type: integer, default: 5, min: low}\n") == "'min' of param 'n' is not an integer: 'low'");
  CHECK(refused("  s: {type: string, default: a, min: a}\n") ==
        "'min' of param 's': a string param has no order (use 'enum')");
  CHECK(refused("  n: {type: number, default: 1, enum: [1, two]}\n") ==
        "'enum' of param 'n' lists 'two', which is not a number");
}
