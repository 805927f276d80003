// One compiled contract shared by several threads gives identical results.
#include <thread>

#include "helpers.h"

using namespace dqtest;

TEST_CASE("a contract shared by threads, one Validator each, gives identical verdicts") {
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
