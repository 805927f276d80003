// No loss: for any input, every record is counted exactly once,
// total == valid + invalid + malformed, in every engine and adapter, and a
// sink that fails mid-way loses and duplicates nothing.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "helpers.h"

using namespace dqtest;

namespace {

const char* kBody = R"(
fields:
  agent: {type: string, required: true, pattern: '^a[0-9]+$'}
  price: {type: number, min: 0}
  tags: {type: array, max_items: 3, items: {type: string}}
rules:
  - {name: priced_tags, when: 'price > 100', check: 'len(tags) > 0'}
grading:
  key: agent
  measures:
    total: sum(price)
  tiers:
    - {name: big, when: total > 100}
    - {name: small}
)";

// One random line: valid, invalid, malformed, or blank (not a record).
enum class Kind { kValid, kInvalid, kMalformed, kBlank };

struct Line {
  std::string text;
  Kind kind;
};

Line random_line(std::mt19937& rng) {
  const std::string agent = "\"a" + std::to_string(rng() % 20) + "\"";
  switch (rng() % 12) {
    case 0: return {R"({"agent": )" + agent + R"(, "price": )" + std::to_string(rng() % 100) + "}", Kind::kValid};
    case 1: return {R"({"agent": )" + agent + R"(, "price": 500, "tags": ["x"]})", Kind::kValid};
    case 2: return {R"({"agent": )" + agent + "}\r", Kind::kValid};  // a CRLF line end
    case 3: return {R"({"agent": "bad agent", "price": 1})", Kind::kInvalid};
    case 4: return {R"({"agent": )" + agent + R"(, "price": -1})", Kind::kInvalid};
    case 5: return {R"({"agent": )" + agent + R"(, "price": 500})", Kind::kInvalid};
    case 6: return {R"({"price": 5, "tags": [1, 2, 3, 4]})", Kind::kInvalid};
    case 7: return {R"([1, 2])", Kind::kInvalid};
    case 8: return {R"({"agent": )" + agent + R"(, "price": )", Kind::kMalformed};
    case 9: return {"{\"agent\": \"a1\xff\"}", Kind::kMalformed};
    case 10: return {R"({"agent": )" + agent + ", \"agent\": " + agent + "}", Kind::kMalformed};
    default: return {rng() % 2 ? "" : "  \t", Kind::kBlank};
  }
}

struct Stream {
  std::string ndjson;
  std::vector<Kind> kinds;  // of each record, blank lines left out
  std::uint64_t valid = 0, invalid = 0, malformed = 0;
  std::uint64_t records() const { return valid + invalid + malformed; }
};

Stream random_stream(std::mt19937& rng, std::size_t lines) {
  Stream s;
  for (std::size_t i = 0; i < lines; ++i) {
    Line line = random_line(rng);
    s.ndjson += line.text;
    if (i + 1 < lines || rng() % 2) s.ndjson += '\n';  // sometimes no final newline
    if (line.kind != Kind::kBlank) s.kinds.push_back(line.kind);
    if (line.kind == Kind::kValid) ++s.valid;
    if (line.kind == Kind::kInvalid) ++s.invalid;
    if (line.kind == Kind::kMalformed) ++s.malformed;
  }
  return s;
}

void check_counts(const dq::RecordCounts& c, const Stream& s) {
  CHECK(c.total == c.valid + c.invalid + c.malformed);
  CHECK(c.total == s.records());
  CHECK(c.valid == s.valid);
  CHECK(c.invalid == s.invalid);
  CHECK(c.malformed == s.malformed);
}

// The record numbers a rejects file holds, in order.
std::vector<std::uint64_t> reject_records(const std::string& path) {
  std::vector<std::uint64_t> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line)["record"]);
  return out;
}

// The numbers of the stream's valid records (or of the others).
std::vector<std::uint64_t> record_numbers_of(const Stream& s, bool valid) {
  std::vector<std::uint64_t> out;
  for (std::size_t i = 0; i < s.kinds.size(); ++i) {
    if ((s.kinds[i] == Kind::kValid) == valid) out.push_back(i + 1);
  }
  return out;
}

// Grades one input file; the run must succeed.
dq::GradeRun graded(const dq::Contract& contract, const dq::GradeOptions& options, const std::string& input) {
  auto grader = dq::BatchGrader::create(contract, options);
  REQUIRE(grader.ok());
  REQUIRE(grader->add_file(input).ok());
  auto run = grader->finish();
  REQUIRE(run.ok());
  return std::move(*run);
}

std::filesystem::path scratch(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / "dq_no_loss";
  std::filesystem::create_directories(dir);
  return dir / name;
}

}  // namespace

TEST_CASE("every engine counts every record of random streams exactly once", "[threads]") {
  const dq::Contract contract = load(kBody);
  std::mt19937 rng(20261121);
  for (int round = 0; round < 60; ++round) {
    const Stream s = random_stream(rng, 1 + rng() % 400);
    INFO("round " << round);

    // Records in memory (queue messages, a Beam bundle).
    {
      dq::Validator v(contract);
      dq::ReportBuilder report(contract);
      std::vector<std::string_view> records;
      std::size_t begin = 0;
      for (std::size_t i = 0; i <= s.ndjson.size(); ++i) {
        if (i == s.ndjson.size() || s.ndjson[i] == '\n') {
          std::string_view line(s.ndjson.data() + begin, i - begin);
          if (line.find_first_not_of(" \t\r") != std::string_view::npos) records.push_back(line);
          begin = i + 1;
        }
      }
      dq::validate_records(v, records, report);
      check_counts(report.counts(), s);
    }

    // NDJSON files, one thread and several: callbacks see each record once, in order.
    const auto path = scratch("stream.ndjson");
    std::ofstream(path, std::ios::binary) << s.ndjson;
    for (unsigned threads : {1u, 2u, 4u}) {
      INFO("threads " << threads);
      dq::StreamOptions options;
      options.threads = threads;
      std::vector<std::uint64_t> seen;
      options.on_accept = [&](const dq::RecordEvent& e) { seen.push_back(e.where.record); };
      options.on_reject = [&](const dq::RecordEvent& e) { seen.push_back(e.where.record); };
      auto report = dq::validate_file(contract, path.string(), options);
      REQUIRE(report.ok());
      CHECK(report->records.total == report->records.valid + report->records.invalid + report->records.malformed);
      CHECK(report->records.total == s.records());
      CHECK(report->records.malformed == s.malformed);
      std::vector<std::uint64_t> expected(s.records());
      for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = i + 1;
      CHECK(seen == expected);
    }

    // The stream gate: every message decided once, windows adding up.
    {
      dq::GateOptions options;
      options.breaker.max_consecutive_failures = 0;  // judge everything
      options.breaker.rate_window = 0;
      options.window.messages = 1 + rng() % 50;
      std::uint64_t window_total = 0, window_accepted = 0;
      options.on_window = [&](const dq::WindowReport& w) {
        window_total += w.report.records.total;
        window_accepted += w.counts.accepted;
        CHECK(w.report.records.total == w.counts.accepted + w.counts.dead_lettered);
      };
      dq::StreamGate gate(contract, options);
      std::uint64_t accepted = 0, dead = 0;
      std::size_t begin = 0;
      for (std::size_t i = 0; i <= s.ndjson.size(); ++i) {
        if (i == s.ndjson.size() || s.ndjson[i] == '\n') {
          std::string_view line(s.ndjson.data() + begin, i - begin);
          begin = i + 1;
          if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
          auto result = gate.judge({line});
          (result.decision == dq::Decision::kAccept ? accepted : dead) += 1;
        }
      }
      gate.close_window();
      const dq::GateCounts c = gate.counts();
      CHECK(c.received == s.records());
      CHECK(c.received == c.accepted + c.dead_lettered + c.paused);
      CHECK(c.accepted == s.valid);
      CHECK(c.dead_lettered == s.invalid + s.malformed);
      CHECK(window_total == c.received);
      CHECK(window_accepted == accepted);
    }

    // The batch grader: rows add up, and every reject is written once.
    {
      dq::GradeOptions options;
      options.rejects = scratch("rejects.ndjson").string();
      const dq::GradeRun run = graded(contract, options, path.string());
      CHECK(run.reconciled());
      CHECK(run.rows.read == s.records());
      CHECK(run.rows.valid == s.valid);
      CHECK(run.rows.invalid + run.rows.malformed == s.invalid + s.malformed);
      CHECK(run.rejects_written == s.invalid + s.malformed);
      CHECK(reject_records(options.rejects) == record_numbers_of(s, false));
    }
  }
}

TEST_CASE("a rejects sink that fails mid-way stops the grader with nothing half-written, and a rerun loses nothing") {
  REQUIRE(std::filesystem::exists("/dev/full"));  // Linux: every write to it fails with ENOSPC
  const dq::Contract contract = load(kBody);
  std::mt19937 rng(7);
  Stream s = random_stream(rng, 3000);  // rejects well past one stdio buffer, so writing fails mid-way
  REQUIRE(s.invalid + s.malformed > 500);
  const auto input = scratch("grade.ndjson"), output = scratch("graded.csv"), rejects = scratch("graded.rejects");
  std::ofstream(input, std::ios::binary) << s.ndjson;
  std::filesystem::remove(output);

  dq::GradeOptions failing;
  failing.output = output.string();
  failing.rejects = "/dev/full";  // every flush fails: ENOSPC
  auto grader = dq::BatchGrader::create(contract, failing);
  REQUIRE(grader.ok());
  const dq::Status st = grader->add_file(input.string());
  CHECK(st.code() == dq::StatusCode::kIoError);
  CHECK_THAT(st.message(), Catch::Contains("cannot write /dev/full"));
  CHECK(grader->finish().status().code() == dq::StatusCode::kIoError);  // no run is reported as done
  CHECK_FALSE(std::filesystem::exists(output));                         // and no export half-written

  dq::GradeOptions working = failing;
  working.rejects = rejects.string();
  const dq::GradeRun run = graded(contract, working, input.string());
  CHECK(run.reconciled());
  CHECK(run.rows.read == s.records());
  CHECK(reject_records(rejects.string()) == record_numbers_of(s, false));
  CHECK(std::filesystem::exists(output));
}

TEST_CASE("the stream gate decides each message once under many threads, windows adding up", "[threads]") {
  const dq::Contract contract = load(kBody);
  std::mt19937 rng(11);
  const Stream s = random_stream(rng, 20000);
  std::vector<std::string> lines;
  for (std::size_t begin = 0, i = 0; i <= s.ndjson.size(); ++i) {
    if (i == s.ndjson.size() || s.ndjson[i] == '\n') {
      std::string line = s.ndjson.substr(begin, i - begin);
      begin = i + 1;
      if (line.find_first_not_of(" \t\r") != std::string::npos) lines.push_back(line);
    }
  }
  dq::GateOptions options;
  options.breaker.max_consecutive_failures = 0;
  options.breaker.rate_window = 0;
  options.window.messages = 997;
  std::atomic<std::uint64_t> window_total{0};
  options.on_window = [&](const dq::WindowReport& w) { window_total += w.report.records.total; };
  dq::StreamGate gate(contract, options);
  std::vector<std::uint8_t> decided(lines.size(), 0);
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (std::size_t i; (i = next++) < lines.size();) {
        const auto result = gate.judge({lines[i]});
        decided[i] = result.decision == dq::Decision::kAccept ? 1 : 2;
      }
    });
  }
  for (auto& t : threads) t.join();
  gate.close_window();
  const dq::GateCounts c = gate.counts();
  CHECK(c.received == lines.size());
  CHECK(c.received == c.accepted + c.dead_lettered + c.paused);
  CHECK(c.accepted == s.valid);
  CHECK(window_total.load() == c.received);
  CHECK(std::count(decided.begin(), decided.end(), 0) == 0);
  CHECK(static_cast<std::uint64_t>(std::count(decided.begin(), decided.end(), 1)) == s.valid);
}
