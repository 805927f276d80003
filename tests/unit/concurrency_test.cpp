// One compiled contract shared by many threads gives identical results to a
// single-threaded run. Run under ThreadSanitizer by the `tsan` preset (CI).
#include <atomic>
#include <cstdlib>
#include <thread>

#include "helpers.h"

using namespace dqtest;

namespace {

// Records to validate under load: DQ_CONCURRENCY_RECORDS, else two million.
std::size_t load_records() {
  const char* env = std::getenv("DQ_CONCURRENCY_RECORDS");
  return env ? std::strtoull(env, nullptr, 10) : 2000000;
}

std::string record(std::size_t i) {
  char buf[200];
  switch (i % 7) {
    case 5: return "{\"id\": \"ord_" + std::to_string(i % 10000) + "\", \"amount\": ";  // truncated: malformed
    case 6:
      std::snprintf(buf, sizeof buf, R"({"id": "ord_%04zx", "amount": "%zu", "items": []})", i % 65536, i % 97);
      return buf;
    default:
      std::snprintf(buf, sizeof buf, R"({"id": "ord_%04zx", "amount": %zu, "items": [{"qty": %zu}, {"qty": 2}]})",
                    i % 65536, i % 130, i % 13);
      return buf;
  }
}

// A verdict as one number: ok, malformed, and the failing checks with their paths.
std::uint64_t digest(const dq::Verdict& v) {
  std::uint64_t h = v.ok ? 1 : v.malformed ? 2 : 3;
  for (const auto& violation : v.violations) {
    h = h * 1099511628211ULL ^ violation.check;
    for (char c : violation.path) h = h * 1099511628211ULL ^ static_cast<unsigned char>(c);
  }
  return h;
}

}  // namespace

TEST_CASE("a contract shared by threads, one Validator each, gives identical verdicts", "[threads]") {
  dq::Contract c = load(R"(
fields:
  id: {type: string, required: true, pattern: '^ord_[0-9a-f]{4}$'}
  amount: {type: number, min: 0, max: 100}
  items: {type: array, items: {type: object, fields: {qty: {type: integer, min: 1}}}}
rules:
  - {name: first_qty, when: 'items[0].qty != null', check: 'items[0].qty < 10'}
)");
  std::vector<std::string> records;
  for (int i = 0; i < 2000; ++i) {
    char buf[160];
    std::snprintf(buf, sizeof buf, R"({"id": "ord_%04x", "amount": %d, "items": [{"qty": %d}]})", i * 7 % 70000,
                  i % 130 - 10, i % 13);
    records.push_back(buf);
  }
  auto summarize = [&](std::vector<std::string>& out) {
    dq::Validator v(c);  // copies of Contract share one program
    for (const auto& r : records) {
      const auto& verdict = v.validate_json(r);
      std::string line = verdict.ok ? "ok" : "fail";
      for (const auto& violation : verdict.violations) line += " " + violation.rule + "@" + violation.path;
      out.push_back(line);
    }
  };
  std::vector<std::string> single;
  summarize(single);
  std::vector<std::vector<std::string>> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results) threads.emplace_back([&] { summarize(result); });
  for (auto& t : threads) t.join();
  for (const auto& result : results) CHECK(result == single);
  CHECK(std::count(single.begin(), single.end(), "ok") > 0);
  CHECK(std::count(single.begin(), single.end(), "ok") < static_cast<long>(single.size()));
}

TEST_CASE("millions of records under many threads: identical verdicts and reports to one thread", "[threads]") {
  const dq::Contract c = load(R"(
fields:
  id: {type: string, required: true, pattern: '^ord_[0-9a-f]{4}$'}
  amount: {type: number, min: 0, max: 100}
  items: {type: array, min_items: 1, items: {type: object, fields: {qty: {type: integer, min: 1}}}}
rules:
  - {name: first_qty, when: 'items[0].qty != null', check: 'items[0].qty < 10'}
expectations:
  - {name: mean_amount, metric: mean, field: amount, min: 0, max: 100}
)");
  const std::size_t n = load_records();
  // One thread, every record.
  std::vector<std::uint64_t> single(n);
  dq::ReportBuilder single_report(c);
  {
    dq::Validator v(c);
    for (std::size_t i = 0; i < n; ++i) {
      const auto& verdict = v.validate_json(record(i));
      single[i] = digest(verdict);
      single_report.add(verdict, {i + 1, i + 1, 0});
    }
  }
  // Eight threads taking blocks of records from a shared counter, each with
  // its own Validator and report, the reports merged at the end.
  const unsigned kThreads = 8;
  const std::size_t kBlock = 4096;
  std::vector<std::uint64_t> shared(n);
  std::vector<dq::ReportBuilder> reports;
  for (unsigned t = 0; t < kThreads; ++t) reports.emplace_back(c);
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      dq::Validator v(c);
      for (std::size_t begin; (begin = next.fetch_add(kBlock)) < n;) {
        for (std::size_t i = begin; i < std::min(n, begin + kBlock); ++i) {
          const auto& verdict = v.validate_json(record(i));
          shared[i] = digest(verdict);
          reports[t].add(verdict, {i + 1, i + 1, 0});
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(shared == single);
  dq::ReportBuilder merged(c);
  for (const auto& r : reports) merged.merge(r);
  const dq::Report a = single_report.finish(), b = merged.finish();
  CHECK(b.records.total == n);
  CHECK(a.records.total == b.records.total);
  CHECK(a.records.valid == b.records.valid);
  CHECK(a.records.invalid == b.records.invalid);
  CHECK(a.records.malformed == b.records.malformed);
  CHECK(a.records.malformed == (n + 1) / 7);
  REQUIRE(a.rules.size() == b.rules.size());
  for (std::size_t i = 0; i < a.rules.size(); ++i) {
    CHECK(a.rules[i].id == b.rules[i].id);
    CHECK(a.rules[i].failed == b.rules[i].failed);
  }
  REQUIRE(a.expectations.size() == 1);
  CHECK(a.expectations[0].value == Approx(b.expectations[0].value));
}
