// Generated screens against the walker: for every record, real and mutated,
// a Validator with the contract's screen gives the same verdict, byte for
// byte, and leaves the same captured values as one that only walks; and the
// screen does pass clean records (or the test would prove nothing).
// The screens are generated at build time (dq_add_screen in CMakeLists.txt).
#include "engine/screen.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "../../bench/flat_event.h"
#include "codegen/screen_source.h"
#include "dq/dq.h"
#include "walk_description.h"

namespace {

std::string source_path(const std::string& relative) { return std::string(DQ_SOURCE_DIR) + "/" + relative; }

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

dq::Contract load(const std::string& relative) {
  auto contract = dq::Contract::load_file(source_path(relative));
  REQUIRE(contract.ok());
  return std::move(*contract);
}

// Validates every record both ways; returns how many the screen passed.
std::size_t compare(const dq::Contract& contract, const std::vector<std::string>& records, std::size_t& clean) {
  dq::Validator walked(contract), screened(contract);
  dq::use_screen(walked, false);
  REQUIRE(dq::has_screen(screened));
  REQUIRE_FALSE(dq::has_screen(walked));
  clean = 0;
  const std::uint64_t before = dq::screened_records(screened);
  for (const std::string& record : records) {
    const std::string expected = dq_test::describe_walk(walked.validate_json(record), walked);
    const dq::Verdict& verdict = screened.validate_json(record);
    if (verdict.violations.empty() && !verdict.malformed) ++clean;
    const std::string got = dq_test::describe_walk(verdict, screened);
    if (got != expected) {
      INFO("record: " << record);
      CHECK(got == expected);
    }
  }
  return dq::screened_records(screened) - before;
}

// Mutations of a record's text: values of other types and edge values put in
// place of a value, keys dropped, doubled, escaped or added, bytes broken.
class Mutator {
 public:
  explicit Mutator(std::uint64_t seed) : rng_(seed) {}

  std::string operator()(const std::string& record) {
    nlohmann::ordered_json doc = nlohmann::ordered_json::parse(record, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || pick(4) == 0) return textual(record);
    std::vector<nlohmann::ordered_json*> objects;
    std::vector<std::pair<nlohmann::ordered_json*, std::string>> members;
    collect(doc, objects, members);
    if (members.empty()) return textual(record);
    auto& [parent, key] = members[pick(members.size())];
    switch (pick(5)) {
      case 0: parent->erase(key); break;
      case 1: (*objects[pick(objects.size())])["undeclared"] = 1; break;
      case 2: {
        // Keys written with an escape, given twice, or a value of another shape.
        const std::string text = dump(doc);
        const std::string quoted = "\"" + key + "\":";
        const std::size_t at = text.find(quoted);
        if (at == std::string::npos) return text;
        switch (pick(3)) {
          case 0: return text.substr(0, at + 1) + "\\u00" + hex2(key[0]) + text.substr(at + 2);
          case 1: return text.substr(0, at) + quoted + "null," + text.substr(at);
          default: return text.substr(0, at + quoted.size()) + kOdd[pick(std::size(kOdd))] + "," + text.substr(at);
        }
      }
      default: (*parent)[key] = replacement((*parent)[key]); break;
    }
    std::string text = dump(doc);
    if (pick(8) == 0) text = text.substr(0, text.size() - 1) + "} ";  // trailing space is fine
    return text;
  }

 private:
  // Values that look like JSON but stress readers, written in place of one.
  static constexpr const char* kOdd[] = {"1e400",
                                         "18446744073709551616",
                                         "-0",
                                         "1.0",
                                         "1E2",
                                         "\"\\ud800\"",
                                         "[]",
                                         "{}",
                                         "\"2020-02-30T00:00:00Z\"",
                                         "9223372036854775808",
                                         "0.30000000000000004"};

  // Strings broken mid-character are written with U+FFFD (nlohmann writes UTF-8 only).
  static std::string dump(const nlohmann::ordered_json& doc) {
    return doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  }
  std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
  static std::string hex2(char c) {
    const char* digits = "0123456789abcdef";
    const auto b = static_cast<unsigned char>(c);
    return {digits[b >> 4], digits[b & 15]};
  }

  void collect(nlohmann::ordered_json& v, std::vector<nlohmann::ordered_json*>& objects,
               std::vector<std::pair<nlohmann::ordered_json*, std::string>>& members) {
    if (v.is_object()) {
      objects.push_back(&v);
      for (auto& [key, child] : v.items()) {
        members.emplace_back(&v, key);
        collect(child, objects, members);
      }
    } else if (v.is_array()) {
      for (auto& child : v) collect(child, objects, members);
    }
  }

  nlohmann::ordered_json replacement(const nlohmann::ordered_json& old) {
    switch (pick(16)) {
      case 0: return nullptr;
      case 1: return 0;
      case 2: return -1;
      case 3: return 1.5;
      case 4: return 1.0;
      case 5: return "";
      case 6: return "x";
      case 7: return std::string(300, 'a');
      case 8: return "caf\u00e9 \u00fc";
      case 9: return true;
      case 10: return nlohmann::ordered_json::object();
      case 11: return nlohmann::ordered_json::array({1, 2});
      case 12: return 1e300;
      case 13: return "2019-12-31T23:59:59Z";
      case 14:
        if (old.is_string() && !old.get<std::string>().empty()) {
          std::string s = old.get<std::string>();
          s[pick(s.size())] = "aZ9-_. "[pick(7)];
          return s;
        }
        return old;
      default:
        if (old.is_number()) return old.get<double>() + 1;
        return old;
    }
  }

  std::string textual(std::string text) {
    if (text.empty()) return "{";
    const std::size_t at = pick(text.size());
    switch (pick(3)) {
      case 0: return text.erase(at, 1);
      case 1: return text.insert(at, 1, "{}[]\",:\\01e.-"[pick(13)]);
      default: return text + (pick(2) ? "{}" : " x");
    }
  }

  std::mt19937_64 rng_;
};

std::vector<std::string> mutated(const std::vector<std::string>& seeds, std::size_t count, std::uint64_t seed) {
  Mutator mutate(seed);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count; ++i) {
    std::string record = seeds[i % seeds.size()];
    const std::size_t times = 1 + i % 3;
    for (std::size_t t = 0; t < times; ++t) record = mutate(record);
    out.push_back(record);
  }
  return out;
}

// Valid records of tests/unit/screens/features.yaml, each field exercised.
const std::vector<std::string> kFeatureSeeds = {
    R"({"id":"ab-1234","code":"ABC","slug":"a-b","email":"joe@example.com","name":"Ann","level":"low","count":5,)"
    R"("ratio":0.5,"big":2000,"step":1.25,"grade":2,"flag":true,"nullable_flag":null,"at":"2021-03-04T05:06:07Z",)"
    R"("day":"2024-02-29","local":"2024-01-02 03:04:05","epoch":1700000000000,"either":"two","loose":3,)"
    R"("money":"$1,250","anything":{"k":[1,2]},"hint":"abcd","tags":["a","bb"],"unique":[1,2,3],)"
    R"("points":[{"x":1,"y":2.5,"label":"p"},{"x":-1,"y":0}],"owner":{"login":"me","id":7,"extra":[1,{"z":null}],)"
    R"("address":{"city":"Oslo","zip":"01234"}},"a_key_longer_than_sixteen_bytes":3,"caf\u00e9":"x"})",
    R"({"id":"zz-0000","owner":{"login":"x"},"nullable_flag":false})",
    R"({"id":"cd-9999","code":"123","name":"Ab","level":"a_rather_long_member_name_here","count":99,"ratio":1.5,)"
    R"("big":3,"flag":false,"nullable_flag":true,"at":"2020-01-01T00:00:00-05:00","day":"2030-12-31","either":4,)"
    R"("tags":["abcde"],"points":[],"owner":{"login":"y","address":{}},"café":"é"})",
    R"({"owner":{"id":1,"login":"q"},"id":"ef-0001","nullable_flag":null,"step":2.0,"count":0,"ratio":1e-9})",
};

}  // namespace

TEST_CASE("screens agree with the walker on every feature, mutated", "[screen]") {
  const dq::Contract contract = load("tests/unit/screens/features.yaml");
  std::size_t clean = 0;
  const std::size_t seeds_passed = compare(contract, kFeatureSeeds, clean);
  // The seeds are clean (the warning on `hint` apart, which the walker writes).
  CHECK(clean == kFeatureSeeds.size() - 1);
  CHECK(seeds_passed >= clean);
  const std::vector<std::string> records = mutated(kFeatureSeeds, 20000, 7);
  const std::size_t passed = compare(contract, records, clean);
  CHECK(passed > 0);
}

TEST_CASE("screens agree with the walker on flat events, generated and mutated", "[screen]") {
  const dq::Contract contract = load("bench/contracts/flat_event.yaml");
  std::mt19937_64 rng(3);
  std::vector<std::string> records;
  for (std::uint64_t n = 0; n < 5000; ++n) records.push_back(bench::make_event(rng, n));
  std::size_t clean = 0;
  const std::size_t passed = compare(contract, records, clean);
  // Every clean generated event is passed by the screen itself (a record
  // it passes may still break a rule, which runs after it).
  CHECK(passed >= clean);
  CHECK(clean > 4000);
  const std::vector<std::string> mutations = mutated(records, 20000, 11);
  CHECK(compare(contract, mutations, clean) > 0);
}

TEST_CASE("screens agree with the walker on GitHub events, real and mutated", "[screen]") {
  std::vector<std::string> records;
  for (const auto& event : nlohmann::json::parse(read_text(source_path("examples/data/github_events.json")))) {
    records.push_back(event.dump());
  }
  REQUIRE(records.size() > 20);
  for (const char* path : {"contracts/github_events.yaml", "bench/contracts/github_events.yaml"}) {
    INFO(path);
    const dq::Contract contract = load(path);
    std::size_t clean = 0;
    const std::size_t passed = compare(contract, records, clean);
    CHECK(passed >= clean);
    CHECK(clean > 0);
    compare(contract, mutated(records, 10000, 5), clean);
  }
}

TEST_CASE("screens agree with the walker on the bad-input corpus", "[screen]") {
  const dq::Contract contract = load("tests/data/bad/contract.yaml");
  std::vector<std::string> records;
  for (const char* file :
       {"blank_lines.ndjson", "bom.ndjson", "crlf.ndjson", "deep_nesting.ndjson", "duplicate_keys.ndjson",
        "huge_numbers.ndjson", "invalid_utf8.ndjson", "mixed_types.ndjson", "nul_bytes.ndjson", "truncated.ndjson"}) {
    for (const std::string& line : lines_of(read_text(source_path(std::string("tests/data/bad/") + file)))) {
      records.push_back(line);
    }
  }
  std::size_t clean = 0;
  compare(contract, records, clean);
  compare(contract, mutated(records, 5000, 13), clean);
}

TEST_CASE("a screen is taken only by programs that generate its text", "[screen]") {
  const dq::Contract contract = load("bench/contracts/flat_event.yaml");
  dq::Validator validator(contract);
  CHECK(dq::has_screen(validator));
  // Another bound keeps the text (bounds are read from the program)...
  std::string yaml = read_text(source_path("bench/contracts/flat_event.yaml"));
  const std::string bound = "min: 1}";
  REQUIRE(yaml.find(bound) != std::string::npos);
  std::string other_bound = yaml;
  other_bound.replace(other_bound.find(bound), bound.size(), "min: 5}");
  auto same_shape = dq::Contract::load_string(other_bound, "flat_event.yaml");
  REQUIRE(same_shape.ok());
  CHECK(dq::screen_source(*same_shape) == dq::screen_source(contract));
  dq::Validator shaped(*same_shape);
  REQUIRE(dq::has_screen(shaped));
  const std::string low_user = R"({"event_id":"evt_0123456789abcdef","session_id":"ABC-123456","user_id":3,)"
                               R"("type":"view","ts":"2024-01-01T00:00:00Z"})";
  CHECK(validator.validate_json(low_user).ok);
  CHECK_FALSE(shaped.validate_json(low_user).ok);  // its own bound, read from its program
  // ...while another key, type or check changes it, and the screen is not taken.
  std::string other_key = yaml;
  other_key.replace(other_key.find("locale:"), 7, "language:");
  auto renamed = dq::Contract::load_string(other_key, "flat_event.yaml");
  REQUIRE(renamed.ok());
  CHECK(dq::screen_source(*renamed) != dq::screen_source(contract));
  dq::Validator unscreened(*renamed);
  CHECK_FALSE(dq::has_screen(unscreened));
}
