// The batch grader: grading semantics, reconciliation, limits, coercions.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "helpers.h"

using dqtest::load;

namespace {

const char* kSales = R"(
params:
  gold: {type: number, default: 100}
  since: {type: date, default: "2025-01-01"}
  export_tiers: {type: string, default: ""}
fields:
  agent: {type: string, required: true}
  status: {type: string, required: true, enum: [sold, active]}
  price: {type: number, min: 0}
  city: {type: string}
  day: {type: date}
grading:
  key: agent
  filter: day == null or day >= $since
  measures:
    total: sum(price) where status == "sold"
    deals: count() where status == "sold"
    listings: count()
    priced: count(price)
    mean_price: mean(price)
    top: max(price)
    first_day: min(day)
    cities: distinct(city)
  tiers:
    - {name: gold, when: total >= $gold}
    - {name: silver, when: total > 50}
    - {name: bronze}
  output: [city]
  export: $export_tiers
)";

dq::GradeRun grade(const dq::Contract& contract, const std::string& ndjson, dq::GradeOptions options = {}) {
  auto grader = dq::BatchGrader::create(contract, std::move(options));
  REQUIRE(grader.ok());
  std::string data = ndjson;
  std::FILE* file = fmemopen(data.data(), data.size(), "r");
  REQUIRE(file != nullptr);
  dq::Status st = grader->add_stream(file, "test.ndjson");
  std::fclose(file);
  INFO(st.message());
  REQUIRE(st.ok());
  auto run = grader->finish();
  INFO(run.status().message());
  REQUIRE(run.ok());
  return std::move(*run);
}

// Each exported row as column -> text.
std::vector<std::map<std::string, std::string>> rows_of(const dq::GradeRun& run) {
  std::vector<std::map<std::string, std::string>> out;
  for (const auto& row : run.table) {
    std::map<std::string, std::string> r;
    for (std::size_t c = 0; c < row.size(); ++c) {
      const dq::GradeCell& cell = row[c];
      using K = dq::GradeCell::Kind;
      r[run.columns[c]] = cell.kind == K::kNull     ? "null"
                          : cell.kind == K::kInt    ? std::to_string(cell.i)
                          : cell.kind == K::kNumber ? std::to_string(cell.d)
                          : cell.kind == K::kBool   ? (cell.b ? "true" : "false")
                                                    : cell.s;
    }
    out.push_back(r);
  }
  return out;
}

std::map<std::string, std::uint64_t> tiers_of(const dq::GradeRun& run) {
  std::map<std::string, std::uint64_t> out;
  for (const auto& t : run.tiers) out[t.name] = t.entities;
  return out;
}

const char* kThreeAgents =
    R"({"agent": "a", "status": "sold", "price": 60, "city": "Oslo", "day": "2025-02-01"}
{"agent": "a", "status": "sold", "price": 40, "city": "Bergen"}
{"agent": "b", "status": "sold", "price": 50, "city": "Oslo"}
{"agent": "b", "status": "active", "price": 1000}
{"agent": "c", "status": "sold", "price": 51}
{"agent": "c", "status": "active"}
)";

}  // namespace

TEST_CASE("tiers are tried in order, the first that holds wins, boundaries are as written") {
  auto run = grade(load(kSales), kThreeAgents);
  auto rows = rows_of(run);
  REQUIRE(rows.size() == 3);
  // gold: total >= 100 holds at exactly 100; silver: total > 50 fails at exactly 50.
  CHECK(rows[0]["agent"] == "a");
  CHECK(rows[0]["tier"] == "gold");
  CHECK(rows[0]["total"] == "100.000000");
  CHECK(rows[1]["agent"] == "c");
  CHECK(rows[1]["tier"] == "silver");
  CHECK(rows[2]["agent"] == "b");
  CHECK(rows[2]["tier"] == "bronze");
  CHECK(tiers_of(run) == std::map<std::string, std::uint64_t>{{"gold", 1}, {"silver", 1}, {"bronze", 1}});
  CHECK(run.columns == std::vector<std::string>{"agent", "tier", "total", "deals", "listings", "priced", "mean_price",
                                                "top", "first_day", "cities", "city"});
}

TEST_CASE("measures take where conditions and skip nulls, the sum of nothing is 0, min max mean of nothing are null") {
  auto rows = rows_of(grade(load(kSales), kThreeAgents));
  auto& a = rows[0];
  CHECK(a["deals"] == "2");
  CHECK(a["listings"] == "2");
  CHECK(a["mean_price"] == "50.000000");
  CHECK(a["top"] == "60.000000");
  CHECK(a["first_day"] == "2025-02-01");
  CHECK(a["cities"] == "2");
  CHECK(a["city"] == "Bergen");  // the last non-null value
  auto& b = rows[2];
  CHECK(b["total"] == "50.000000");  // the active listing's price is not a sale
  CHECK(b["top"] == "1000.000000");
  CHECK(b["first_day"] == "null");
  auto& c = rows[1];
  CHECK(c["priced"] == "1");  // count(price) skips the null price
  CHECK(c["listings"] == "2");
  auto none = rows_of(grade(load(kSales), R"({"agent": "z", "status": "active"})"));
  REQUIRE(none.size() == 1);
  CHECK(none[0]["total"] == "0.000000");
  CHECK(none[0]["mean_price"] == "null");
  CHECK(none[0]["top"] == "null");
  CHECK(none[0]["cities"] == "0");
  CHECK(none[0]["city"] == "null");
}

TEST_CASE("params override thresholds at run time and defaults hold otherwise") {
  auto rows = rows_of(grade(load(kSales, {{"gold", "101"}}), kThreeAgents));
  CHECK(rows[0]["agent"] == "a");
  CHECK(rows[0]["tier"] == "silver");
  auto late = rows_of(grade(load(kSales, {{"since", "2025-03-01"}}), kThreeAgents));
  // a's first record (day 2025-02-01) is now before the cutoff: only 40 remains.
  CHECK(late[0]["agent"] == "c");
  CHECK(late[1]["agent"] == "a");
  CHECK(late[1]["tier"] == "bronze");
  CHECK(late[1]["total"] == "40.000000");
}

TEST_CASE("the filter leaves valid records out and counts them, and every number reconciles") {
  const std::string data = std::string(kThreeAgents) +
                           R"({"agent": "a", "status": "sold", "price": 5, "day": "2024-12-31"}
{"agent": "d", "status": "lost"}
{"agent": "e", "status": "sold", "price": -1}
{"status": "sold"}
{"agent": "f", "status":
)";
  auto run = grade(load(kSales), data);
  CHECK(run.rows.read == 11);
  CHECK(run.rows.valid == 7);
  CHECK(run.rows.invalid == 3);  // enum, min, the missing key
  CHECK(run.rows.malformed == 1);
  CHECK(run.rows.filtered == 1);
  CHECK(run.rows.graded == 6);
  CHECK(run.entities == 3);
  CHECK(run.reconciled());
  CHECK(run.inputs.size() == 1);
  CHECK(run.inputs[0].records == 11);
  CHECK(run.inputs[0].bytes == data.size());
  CHECK(run.inputs[0].sha256.size() == 64);
}

TEST_CASE("export keeps the tiers a param lists, and the counts still cover every entity") {
  auto run = grade(load(kSales, {{"export_tiers", "gold, bronze"}}), kThreeAgents);
  auto rows = rows_of(run);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0]["tier"] == "gold");
  CHECK(rows[1]["tier"] == "bronze");
  CHECK(run.entities == 3);
  CHECK_FALSE(run.tiers[1].exported);
  CHECK(run.reconciled());
}

TEST_CASE("a compound key grades each combination, sorted by key within a tier") {
  auto contract = load(R"(
fields:
  region: {type: string, required: true}
  store: {type: integer, required: true}
  amount: {type: number}
grading:
  key: [region, store]
  measures: {sales: sum(amount)}
  tiers:
    - {name: all}
)");
  auto rows = rows_of(grade(contract, R"({"region": "n", "store": 10, "amount": 1}
{"region": "n", "store": 9, "amount": 2}
{"region": "m", "store": 10, "amount": 3}
{"region": "n", "store": 10, "amount": 4}
)"));
  REQUIRE(rows.size() == 3);
  CHECK((rows[0]["region"] == "m" && rows[0]["store"] == "10"));
  CHECK((rows[1]["region"] == "n" && rows[1]["store"] == "9"));  // numbers sort as numbers
  CHECK((rows[2]["store"] == "10" && rows[2]["sales"] == "5.000000"));
}

TEST_CASE("per-entity state past its bound stops the run with a message naming the record") {
  dq::GradeOptions options;
  options.max_state_bytes = 1000;
  auto grader = dq::BatchGrader::create(load(kSales), options);
  REQUIRE(grader.ok());
  std::string data;
  for (int i = 0; i < 100; ++i)
    data += R"({"agent": "agent-)" + std::to_string(i) +
            R"(", "status": "sold"})"
            "\n";
  std::FILE* file = fmemopen(data.data(), data.size(), "r");
  dq::Status st = grader->add_stream(file, "many.ndjson");
  std::fclose(file);
  REQUIRE(st.code() == dq::StatusCode::kLimitExceeded);
  CHECK_THAT(st.message(), Catch::Contains("limit of 0 MiB at record") && Catch::Contains("of many.ndjson"));
  CHECK(grader->finish().status().code() == dq::StatusCode::kLimitExceeded);
}

TEST_CASE("a contract without grading cannot make a grader") {
  auto grader = dq::BatchGrader::create(load("fields:\n  a: {type: string}\n"));
  CHECK(grader.status().code() == dq::StatusCode::kInvalidArgument);
}

TEST_CASE("grading mistakes are contract errors with their line and column") {
  const std::string head =
      "dq: 1\ndataset: t\nversion: 1.0.0\nowner: {team: qa}\n"
      "fields:\n  k: {type: string, required: true}\n  o: {type: string}\n  n: {type: number}\n";
  auto only = [&](const std::string& grading) {
    auto diags = dqtest::errors_of(head + "grading:\n" + grading);
    INFO(diags.front().to_string());
    REQUIRE(diags.size() == 1);
    return diags.front();
  };
  auto d = only("  key: o\n  tiers: [{name: all}]\n");
  CHECK(d.message ==
        "grading key 'o' must be required (set required: true on 'o'): a record without its key cannot be graded");
  CHECK((d.line == 10 && d.column == 8));
  d = only("  key: k\n  measures: {s: sum(o)}\n  tiers: [{name: all}]\n");
  CHECK(d.message == "sum() in measure 's' needs a number, but its argument is string");
  CHECK((d.line == 11 && d.column == 21));  // at the argument
  d = only("  key: k\n  measures: {s: median(n)}\n  tiers: [{name: all}]\n");
  CHECK_THAT(d.message, Catch::StartsWith("measure 's' must be count(), sum(x)"));
  d = only("  key: k\n  measures: {s: sum(n) where o > 1}\n  tiers: [{name: all}]\n");
  CHECK(d.message == "cannot compare string with integer using '>'");
  CHECK((d.line == 11 && d.column == 32));  // at the operator
  d = only("  key: k\n  measures: {s: sum(n)}\n  tiers: [{name: a, when: totl > 1}, {name: b}]\n");
  CHECK(d.message == "unknown measure 'totl' (a tier compares measures and $params)");
  d = only("  key: k\n  tiers: [{name: a}, {name: b}]\n");
  CHECK_THAT(d.message, Catch::StartsWith("tier 'a' has no 'when'"));
  d = only("  key: k\n  measures: {s: sum(n)}\n  tiers: [{name: a, when: s > 1}]\n");
  CHECK_THAT(d.message, Catch::StartsWith("grading needs a default tier"));
  d = only("  key: k\n  tiers: [{name: gold}]\n  export: [glod]\n");
  CHECK(d.message == "grading 'export' names unknown tier 'glod' (did you mean 'gold'?)");
}

TEST_CASE("opt-in coercions recover numbers and dates and are reported, not passed silently") {
  auto contract = load(R"(
fields:
  price: {type: number, min: 0, coerce: [numeric_string]}
  day: {type: date, coerce: ['%m/%d/%Y']}
  flag: {type: boolean, coerce: [boolean_string]}
  plain: {type: number}
)");
  dq::Validator validator(contract);
  auto& v = validator.validate_json(R"({"price": " $1,250,000.50 ", "day": "03/14/2025", "flag": "Yes"})");
  CHECK(v.ok);
  CHECK(v.coerced == 3);
  CHECK(dqtest::rules_of(v) == dqtest::Ids{"price.coerce", "day.coerce", "flag.coerce"});
  CHECK(v.violations[0].value == "\" $1,250,000.50 \"");
  for (const char* bad :
       {R"({"price": "1,25"})", R"({"price": "12abc"})", R"({"price": "$"})", R"({"price": "1,2345"})"}) {
    auto& b = validator.validate_json(bad);
    INFO(bad);
    CHECK(dqtest::rules_of(b) == dqtest::Ids{"price.type"});
    CHECK(b.coerced == 0);
  }
  auto& negative = validator.validate_json(R"({"price": "-$5"})");
  CHECK(dqtest::rules_of(negative) == dqtest::Ids{"price.coerce", "price.min"});  // recovered, then checked
  CHECK(dqtest::rules_of(validator.validate_json(R"({"plain": "5"})")) == dqtest::Ids{"plain.type"});
  CHECK(dqtest::rules_of(validator.validate_json(R"({"day": "14.03.2025"})")) == dqtest::Ids{"day.type"});
  CHECK_FALSE(validator.validate_json(R"({"day": "14.03.2025"})").ok);

  auto diags = dqtest::errors_of(dqtest::contract_yaml("fields:\n  s: {type: string, coerce: [numeric_string]}\n"));
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].message ==
        "field 's' (string) cannot coerce 'numeric_string'; only numbers, booleans, timestamps and dates coerce");
}

TEST_CASE("grading in parts gives the batch grader's rows whatever the grouping") {
  const dq::Contract contract = load(kSales);
  const auto batch = rows_of(grade(contract, kThreeAgents + std::string(R"({"agent": "a", "status": "bogus"})")));
  auto parts = dq::GradeParts::create(contract);
  REQUIRE(parts.ok());
  // Shares, ordered by their line (the batch grader's "last value" is the greatest order here).
  std::map<std::string, std::vector<std::string>> shares;
  std::istringstream lines(kThreeAgents + std::string(R"({"agent": "a", "status": "bogus"})"));
  std::string line, key, state;
  int order = 0, rejected = 0;
  while (std::getline(lines, line)) {
    const auto outcome = parts->share(line, ++order, key, state);
    if (outcome == dq::GradeParts::Outcome::kRejected) {
      ++rejected;
      CHECK(parts->verdict().violations.at(0).rule == "status.enum");
      continue;
    }
    REQUIRE(outcome == dq::GradeParts::Outcome::kGraded);
    shares[key].push_back(state);
  }
  CHECK(rejected == 1);
  REQUIRE(shares.size() == 3);
  for (bool reversed : {false, true}) {
    std::vector<std::map<std::string, std::string>> rows;
    for (auto& [k, states] : shares) {
      std::vector<std::string> ordered = states;
      if (reversed) std::reverse(ordered.begin(), ordered.end());
      // Merge pairwise, as a runner merging partial results would.
      std::string merged = ordered[0];
      for (std::size_t i = 1; i < ordered.size(); ++i) {
        auto m = parts->merge({merged, ordered[i]});
        REQUIRE(m.ok());
        merged = *m;
      }
      auto entity = parts->finish(k, merged);
      REQUIRE(entity.ok());
      dq::GradeRun as_run;
      as_run.columns = parts->columns();
      as_run.table.push_back(entity->row);
      rows.push_back(rows_of(as_run)[0]);
    }
    std::sort(rows.begin(), rows.end(),
              [](auto& x, auto& y) { return x["tier"] + x["agent"] < y["tier"] + y["agent"]; });
    auto expected = batch;
    std::sort(expected.begin(), expected.end(),
              [](auto& x, auto& y) { return x["tier"] + x["agent"] < y["tier"] + y["agent"]; });
    CHECK(rows == expected);
  }
  // Bytes that are not a state of this grading are refused, not read.
  auto bad = parts->merge({std::string_view("G\x01\x00", 3)});
  CHECK(bad.status().code() == dq::StatusCode::kInvalidData);
  auto truncated = parts->finish(shares.begin()->first, shares.begin()->second[0].substr(0, 20));
  CHECK(truncated.status().code() == dq::StatusCode::kInvalidData);
  CHECK(parts->finish("\x05", shares.begin()->second[0]).status().code() == dq::StatusCode::kInvalidData);
}

TEST_CASE("records folded in batches give what folding one at a time gives, errors name their own record") {
  // The grader folds graded records kBatch at a time (prefetching their
  // entities' state); 1000 records over 7 agents cross many batch boundaries
  // and end mid-batch. The expected rows are computed here, record by record.
  std::string data;
  std::map<std::string, double> total;
  std::map<std::string, int> deals, listings;
  std::map<std::string, std::set<std::string>> cities;
  std::map<std::string, std::string> last_city;
  for (int i = 0; i < 1000; ++i) {
    const std::string agent = "agent-" + std::to_string(i * 7919 % 7);
    const bool sold = i % 3 != 0;
    const int price = i % 11 * 5;
    const std::string city = "c" + std::to_string(i % 13);
    data += R"({"agent": ")" + agent + R"(", "status": ")" + (sold ? "sold" : "active") + R"(", "price": )" +
            std::to_string(price) + (i % 5 ? R"(, "city": ")" + city + "\"" : "") + "}\n";
    ++listings[agent];
    if (sold) total[agent] += price, ++deals[agent];
    if (i % 5) cities[agent].insert(city), last_city[agent] = city;
  }
  const dq::GradeRun run = grade(load(kSales), data);
  CHECK(run.entities == 7);
  const auto rows = rows_of(run);
  REQUIRE(rows.size() == 7);
  for (const auto& row : rows) {
    const std::string agent = row.at("agent");
    INFO(agent);
    CHECK(row.at("total") == std::to_string(total[agent]));
    CHECK(row.at("deals") == std::to_string(deals[agent]));
    CHECK(row.at("listings") == std::to_string(listings[agent]));
    CHECK(row.at("cities") == std::to_string(cities[agent].size()));
    CHECK(row.at("city") == last_city[agent]);
  }

  // An integer sum that overflows mid-batch names the record that overflowed it.
  const dq::Contract sums = load(R"(
fields:
  agent: {type: string, required: true}
  n: {type: integer}
grading:
  key: agent
  measures:
    total: sum(n)
  tiers:
    - {name: all}
)");
  std::string overflowing;
  for (int i = 1; i <= 50; ++i) {
    const bool big = i >= 41;
    overflowing +=
        std::string(R"({"agent": ")") + (big ? "x" : "y") + R"(", "n": )" + (big ? "4611686018427387904" : "1") + "}\n";
  }
  auto grader = dq::BatchGrader::create(sums, {});
  REQUIRE(grader.ok());
  std::FILE* file = fmemopen(overflowing.data(), overflowing.size(), "r");
  const dq::Status st = grader->add_stream(file, "sums.ndjson");
  std::fclose(file);
  CHECK(st.code() == dq::StatusCode::kLimitExceeded);
  CHECK(st.message() == "measure 'total' overflows a 64-bit integer at record 42 of sums.ndjson");
}
