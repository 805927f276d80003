// Profiling costs, against validation alone, in one run:
//  1. the record engine on real tweets (examples/data/tweets.ndjson repeated
//     to ~MB megabytes): validate_stream without and with a profile;
//  2. the record engine on numeric fields alone (10 per record, 5 numbers and 5
//     integers, generated): what profiling costs per value on the record path;
//  3. merging 1,000 profiles of a 50-field contract (25 numbers, 25 strings),
//     as a Beam combine or a stream window would.
//
//   profile_bench [MB=50] [runs=5]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "dq/dq.h"
#include "measure.h"

namespace {

using bench::median;

using Clock = std::chrono::steady_clock;

dq::Report run(const dq::Contract& contract, std::string& data, bool profile) {
  dq::ReportOptions options;
  options.profile = profile;
  dq::Validator validator(contract);
  dq::ReportBuilder builder(contract, options);
  std::FILE* file = fmemopen(data.data(), data.size(), "rb");
  dq::StreamOptions stream;
  stream.format = dq::InputFormat::kNdjson;
  if (!dq::validate_stream(validator, file, stream, builder).ok()) std::abort();
  std::fclose(file);
  return builder.finish();
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t target_mb = argc > 1 ? std::stoul(argv[1]) : 50;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;

  // 1. The record engine on real tweets.
  auto tweets = dq::Contract::load_file(DQ_SOURCE_DIR "/contracts/tweets.yaml");
  if (!tweets.ok()) {
    std::fprintf(stderr, "%s\n", tweets.status().to_string().c_str());
    return 2;
  }
  std::ifstream in(DQ_SOURCE_DIR "/examples/data/tweets.ndjson", std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string one = buffer.str();
  std::string data;
  while (data.size() < target_mb * 1000000) data += one;
  std::vector<double> plain, profiled;
  dq::Report last;
  for (int r = 0; r < runs; ++r) {
    auto t0 = Clock::now();
    dq::Report a = run(*tweets, data, false);
    plain.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    t0 = Clock::now();
    last = run(*tweets, data, true);
    profiled.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    if (a.records.invalid != last.records.invalid) return 2;
  }
  const double mb = static_cast<double>(data.size()) / 1e6, p = median(plain), q = median(profiled);
  std::printf("record engine: tweets (%zu fields profiled), %.0f MB, %llu records, median of %d runs\n",
              last.profile->fields.size(), mb, static_cast<unsigned long long>(last.records.total), runs);
  std::printf("| %-36s | %8s | %10s | %8s |\n", "task (single core)", "MB/s", "records/s", "ratio");
  std::printf("|%s|%s|%s|%s|\n", std::string(38, '-').c_str(), std::string(10, '-').c_str(),
              std::string(12, '-').c_str(), std::string(10, '-').c_str());
  std::printf("| %-36s | %8.0f | %10.0f | %8.2f |\n", "validate_stream", mb / p, last.records.total / p, 1.0);
  std::printf("| %-36s | %8.0f | %10.0f | %8.2f |\n", "validate_stream + profile", mb / q, last.records.total / q,
              q / p);
  std::printf("profiling adds %.0f%% to validation in the record engine.\n\n", 100.0 * (q - p) / p);

  // 2. Numeric fields alone: profiling's cost per value on the record path.
  {
    std::string numeric = "dq: 1\ndataset: bench.numeric\nversion: 1.0.0\nowner: {team: bench}\nfields:\n";
    for (int i = 0; i < 5; ++i) {
      numeric += "  x" + std::to_string(i) + ": {type: number, min: 0}\n  k" + std::to_string(i) +
                 ": {type: integer, min: 0}\n";
    }
    auto contract = dq::Contract::load_string(numeric, "numeric.yaml");
    if (!contract.ok()) return 2;
    std::mt19937_64 rng(7);
    std::lognormal_distribution<double> amount(3, 1);
    std::string rows;
    constexpr int kRecords = 300000, kFields = 10;
    char value[32];
    for (int row = 0; row < kRecords; ++row) {
      rows += "{";
      for (int i = 0; i < 5; ++i) {
        std::snprintf(value, sizeof value, "%.2f", amount(rng));
        rows += std::string(i ? ", " : "") + "\"x" + std::to_string(i) + "\": " + value + ", \"k" + std::to_string(i) +
                "\": " + std::to_string(rng() % 100000);
      }
      rows += "}\n";
    }
    std::vector<double> alone, with_profile;
    for (int r = 0; r < runs; ++r) {
      auto t0 = Clock::now();
      const dq::Report a = run(*contract, rows, false);
      alone.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
      t0 = Clock::now();
      const dq::Report b = run(*contract, rows, true);
      with_profile.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
      if (a.records.valid != kRecords || b.records.valid != kRecords) return 2;
    }
    const double values = static_cast<double>(kRecords) * kFields;
    std::printf(
        "record engine, %d numeric fields (5 numbers, 5 integers) x %d records: validation %.1f ns a value, "
        "profiling adds %.1f ns a value (medians of %d runs)\n\n",
        kFields, kRecords, median(alone) * 1e9 / values, (median(with_profile) - median(alone)) * 1e9 / values, runs);
  }

  // 3. Merging 1,000 profiles of a 50-field contract.
  std::string yaml = "dq: 1\ndataset: bench.wide\nversion: 1.0.0\nowner: {team: bench}\nfields:\n";
  for (int i = 0; i < 25; ++i)
    yaml += "  n" + std::to_string(i) + ": {type: number}\n  s" + std::to_string(i) + ": {type: string}\n";
  auto wide = dq::Contract::load_string(yaml, "wide.yaml");
  if (!wide.ok()) return 2;
  std::mt19937_64 rng(5);
  std::lognormal_distribution<double> amount(3, 1);
  std::vector<dq::Profile> parts;
  for (int part = 0; part < 1000; ++part) {
    std::string rows;
    for (int row = 0; row < 200; ++row) {
      rows += "{";
      for (int i = 0; i < 25; ++i) {
        rows += "\"n" + std::to_string(i) + "\": " + std::to_string(amount(rng)) + ", \"s" + std::to_string(i) +
                "\": \"v" + std::to_string(rng() % 50) + "\"" + (i < 24 ? ", " : "");
      }
      rows += "}\n";
    }
    parts.push_back(*run(*wide, rows, true).profile);
  }
  std::vector<double> merge_times;
  dq::Profile merged;
  for (int r = 0; r < runs; ++r) {
    auto t0 = Clock::now();
    merged = parts[0];
    for (std::size_t i = 1; i < parts.size(); ++i) {
      if (!merged.merge(parts[i]).ok()) return 2;
    }
    merge_times.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  std::printf(
      "merging 1,000 profiles of 50 fields (200 rows each): median %.1f ms, %.1f µs per profile; "
      "merged %llu rows; profile JSON %zu KB\n",
      median(merge_times) * 1e3, median(merge_times) * 1e6 / 1000, static_cast<unsigned long long>(merged.rows),
      merged.to_json().size() / 1024);
  return 0;
}
