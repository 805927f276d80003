// NDJSON validated by several threads: the report, the profile and the
// callbacks equal a single-threaded run, over block boundaries, blank and
// CRLF lines, malformed and oversized lines, a BOM and a last line without
// its newline.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "helpers.h"

namespace {

struct Run {
  dq::Report report;
  std::vector<std::string> rejects, accepted;
  std::vector<std::uint64_t> progress;
};

Run run(const dq::Contract& contract, const std::string& input, unsigned threads) {
  std::FILE* file = std::tmpfile();
  REQUIRE(std::fwrite(input.data(), 1, input.size(), file) == input.size());
  std::rewind(file);
  dq::ReportOptions report_options;
  report_options.profile = true;
  dq::Validator validator(contract);
  dq::ReportBuilder builder(contract, report_options);
  Run out;
  dq::StreamOptions options;
  options.format = dq::InputFormat::kNdjson;
  options.source_name = "input";
  options.threads = threads;
  options.progress_every = 1000;
  options.on_reject = [&](const dq::RecordEvent& e) { out.rejects.push_back(dq::reject_line(e, "input")); };
  options.on_accept = [&](const dq::RecordEvent& e) {
    out.accepted.push_back(std::to_string(e.where.record) + ":" + std::to_string(e.where.line) + ":" +
                           std::to_string(e.where.offset) + ":" + std::string(e.raw.substr(0, 40)));
  };
  options.on_progress = [&](std::uint64_t records, std::uint64_t) { out.progress.push_back(records / 1000); };
  dq::Status status = dq::validate_stream(validator, file, options, builder);
  std::fclose(file);
  REQUIRE(status.ok());
  out.report = builder.finish();
  const auto& r = out.report.records;
  REQUIRE(r.total == r.valid + r.invalid + r.malformed);
  return out;
}

// Numbers equal to 1e-6 relative: moments merged in another grouping (m2 of
// 18-digit ids loses digits to cancellation either way).
void require_close(const nlohmann::json& a, const nlohmann::json& b, const std::string& path = "") {
  INFO(path);
  if (a.is_number_float() || b.is_number_float()) {
    const double x = a.get<double>(), y = b.get<double>();
    REQUIRE(std::abs(x - y) <= 1e-6 * std::max({1.0, std::abs(x), std::abs(y)}));
  } else if (a.is_object() || a.is_array()) {
    REQUIRE(a.type() == b.type());
    REQUIRE(a.size() == b.size());
    for (auto it = a.begin(); it != a.end(); ++it) {
      const std::string key = a.is_object() ? it.key() : std::to_string(std::distance(a.begin(), it));
      require_close(*it, a.is_object() ? b.at(it.key()) : b.at(std::distance(a.begin(), it)), path + "/" + key);
    }
  } else {
    REQUIRE(a == b);
  }
}

// Real tweets repeated to ~17 MB, with every kind of line a stream holds.
std::string mixed_input() {
  std::ifstream in(std::string(DQ_SOURCE_DIR) + "/examples/data/tweets.ndjson");
  std::vector<std::string> tweets;
  for (std::string line; std::getline(in, line);) tweets.push_back(line);
  REQUIRE(tweets.size() == 100);
  std::string out = "\xEF\xBB\xBF";
  for (std::size_t i = 0; i < 2000; ++i) {  // ~9 MB of tweets
    const std::string& t = tweets[i % tweets.size()];
    if (i % 13 == 5)
      out += t.substr(0, t.size() / 2) + "\n";  // cut short: malformed
    else if (i % 11 == 3)
      out += t + "\r\n";
    else
      out += t + "\n";
    if (i % 7 == 0) out += "\n  \n";                                  // blank lines are not records
    if (i == 700) out += std::string(30'000, 'x') + "\n";             // over the limit, shorter than a block
    if (i == 1500) out += "[" + std::string(5'000'000, '1') + "]\n";  // longer than a block
    if (i == 300) out += R"({"id": 1, "text": ")" + std::string(3'000'000, 'x') + "\"}\n";
  }
  return out + tweets[0];  // no newline at the end
}

}  // namespace

TEST_CASE("NDJSON validated by several threads equals one thread", "[threads]") {
  dq::LoadOptions load_options;
  // Lines over 20,000 bytes are malformed, or read whole over several blocks.
  const std::size_t limit = GENERATE(20'000, 64u << 20);
  load_options.limits.max_record_bytes = limit;
  auto contract = dq::Contract::load_file(std::string(DQ_SOURCE_DIR) + "/contracts/tweets.yaml", load_options);
  REQUIRE(contract.ok());
  const std::string input = mixed_input();
  const Run one = run(*contract, input, 1);
  REQUIRE(one.report.records.malformed > 100);
  REQUIRE(one.report.records.invalid > 50);
  REQUIRE(one.report.records.valid > 100);
  REQUIRE_FALSE(one.report.rules.empty());
  for (unsigned threads : {2u, 3u, 0u}) {
    INFO("threads " << threads);
    const Run many = run(*contract, input, threads);
    REQUIRE(many.report.to_json() == one.report.to_json());
    REQUIRE(many.rejects == one.rejects);
    REQUIRE(many.accepted == one.accepted);
    require_close(nlohmann::json::parse(many.report.profile->to_json()),
                  nlohmann::json::parse(one.report.profile->to_json()));
    // Progress is reported per block, so at most once per 1,000 records and
    // never backwards, ending at the last multiple crossed.
    REQUIRE(std::is_sorted(many.progress.begin(), many.progress.end()));
    REQUIRE(many.progress.back() == one.progress.back());
  }
  // The lines over the limit are malformed with their size, wherever a block cuts.
  int oversized = 0;
  for (const std::string& line : one.rejects) {
    oversized += line.find("bytes exceeds max_record_bytes (" + std::to_string(limit) + ")") != std::string::npos;
  }
  REQUIRE(oversized == (limit == 20'000 ? 3 : 0));
  if (limit == 20'000) {
    REQUIRE(std::count_if(one.rejects.begin(), one.rejects.end(), [](const std::string& line) {
              return line.find("record of 5000002 bytes exceeds") != std::string::npos;
            }) == 1);
  }
}
