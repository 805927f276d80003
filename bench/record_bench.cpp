// Record engine throughput against simdjson On-Demand touching every value,
// on the same ~100 MB flat-event NDJSON, in one run; plus per-record latency
// and the memory of a streaming validation.
//
//   record_bench [MB=100] [runs=5] [contract=bench/contracts/flat_event.yaml]
#include <simdjson.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "dq/dq.h"
#include "measure.h"
#include "flat_event.h"

namespace {

using bench::median;
using bench::max_rss_kb;

using bench::make_event;
using bench::make_event_of_size;

using Clock = std::chrono::steady_clock;

// Touches every value of a flat object the way a validator must: reads each
// key and parses each value to its type.
bool touch_all(simdjson::ondemand::parser& parser, const char* data, std::size_t length, std::size_t capacity,
               std::size_t& sink) {
  simdjson::ondemand::document doc;
  if (parser.iterate(data, length, capacity).get(doc)) return false;
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj)) return false;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    sink += key.size();
    simdjson::ondemand::value value;
    if (field.value().get(value)) return false;
    simdjson::ondemand::json_type type;
    if (value.type().get(type)) return false;
    switch (type) {
      case simdjson::ondemand::json_type::string: {
        std::string_view s;
        if (value.get_string().get(s)) return false;
        sink += s.size();
        break;
      }
      case simdjson::ondemand::json_type::number: {
        simdjson::ondemand::number n;
        if (value.get_number().get(n)) return false;
        sink += static_cast<std::size_t>(n.get_number_type());
        break;
      }
      case simdjson::ondemand::json_type::boolean: {
        bool b;
        if (value.get_bool().get(b)) return false;
        sink += b;
        break;
      }
      default: {
        bool is_null;
        if (value.is_null().get(is_null)) return false;
      }
    }
  }
  return true;
}

template <class F>
void for_each_line(const std::string& data, F&& f) {
  const char* p = data.data();
  const char* end = p + data.size();
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    if (!nl) nl = end;
    f(p, static_cast<std::size_t>(nl - p), static_cast<std::size_t>(end - p) + simdjson::SIMDJSON_PADDING);
    p = nl + 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t target_mb = argc > 1 ? std::stoul(argv[1]) : 100;
  const int runs = argc > 2 ? std::stoi(argv[2]) : 5;
  const std::string contract_path = argc > 3 ? argv[3] : std::string(DQ_BENCH_DIR) + "/contracts/flat_event.yaml";
  auto contract = dq::Contract::load_file(contract_path);
  if (!contract.ok()) {
    std::fprintf(stderr, "%s\n", contract.status().to_string().c_str());
    return 2;
  }

  // 1. Write the stream to a file, then validate it from disk: the memory of
  //    a streaming validation, before anything else is resident.
  std::mt19937_64 rng(42);
  const std::string path = "/tmp/dq_bench_flat_events.ndjson";
  std::size_t bytes = 0, records = 0;
  {
    std::FILE* out = std::fopen(path.c_str(), "wb");
    while (bytes < target_mb * 1000000) {
      std::string e = make_event(rng, records++) + "\n";
      bytes += e.size();
      std::fwrite(e.data(), 1, e.size(), out);
    }
    std::fclose(out);
  }
  long rss_before = max_rss_kb();
  auto t0 = Clock::now();
  auto streamed = dq::validate_file(*contract, path);
  double stream_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  long rss_stream = max_rss_kb();
  if (!streamed.ok()) return 2;

  // 2. The same bytes in memory, for the engine-only comparison.
  std::string data;
  {
    std::FILE* in = std::fopen(path.c_str(), "rb");
    data.resize(bytes);
    if (std::fread(data.data(), 1, bytes, in) != bytes) return 2;
    std::fclose(in);
    data.append(simdjson::SIMDJSON_PADDING, '\0');
    data.resize(bytes);
    data.reserve(bytes + simdjson::SIMDJSON_PADDING);
  }

  std::vector<double> simdjson_s, dq_s;
  std::size_t sink = 0, valid = 0, invalid = 0;
  simdjson::ondemand::parser parser;
  dq::Validator validator(*contract);
  for (int r = 0; r < runs; ++r) {
    auto a = Clock::now();
    for_each_line(data, [&](const char* p, std::size_t n, std::size_t cap) {
      if (!touch_all(parser, p, n, cap, sink)) std::abort();
    });
    simdjson_s.push_back(std::chrono::duration<double>(Clock::now() - a).count());
    valid = invalid = 0;
    auto b = Clock::now();
    for_each_line(data, [&](const char* p, std::size_t n, std::size_t cap) {
      const dq::Verdict& v = validator.validate_json_padded(std::string_view(p, n), cap);
      ++(v.ok ? valid : invalid);
    });
    dq_s.push_back(std::chrono::duration<double>(Clock::now() - b).count());
  }

  // 3. Latency of one ~600-byte event, validated again and again.
  std::string event = make_event_of_size(rng, 7, 600);
  dq::Validator single(*contract);
  std::vector<double> per_record_ns;
  for (int batch = 0; batch < 2000; ++batch) {
    auto a = Clock::now();
    for (int i = 0; i < 100; ++i) sink += single.validate_json(event).ok;
    per_record_ns.push_back(std::chrono::duration<double, std::nano>(Clock::now() - a).count() / 100);
  }

  const double mb = static_cast<double>(bytes) / 1e6;
  const double sj = median(simdjson_s), dqm = median(dq_s);
  std::printf("flat events: %zu records, %.1f MB, %zu bytes/record, %d runs (median)\n", records, mb, bytes / records,
              runs);
  std::printf("| %-44s | %9s | %12s | %8s |\n", "task (single core)", "MB/s", "records/s", "vs simdjson");
  std::printf("|%s|%s|%s|%s|\n", std::string(46, '-').c_str(), std::string(11, '-').c_str(),
              std::string(14, '-').c_str(), std::string(13, '-').c_str());
  std::printf("| %-44s | %9.0f | %12.0f | %11.2f |\n", "simdjson On-Demand, touch every value", mb / sj, records / sj, 1.0);
  std::printf("| %-44s | %9.0f | %12.0f | %11.2f |\n", "dq record engine (validate_json_padded)", mb / dqm, records / dqm,
              sj / dqm);
  std::printf("| %-44s | %9.0f | %12.0f | %11.2f |\n", "dq validate_file (read + split + validate)", mb / stream_seconds,
              records / stream_seconds, sj / stream_seconds);
  std::printf("\nverdicts: %zu valid, %zu invalid (streamed: %llu valid, %llu invalid, %llu malformed)\n", valid, invalid,
              static_cast<unsigned long long>(streamed->records.valid),
              static_cast<unsigned long long>(streamed->records.invalid),
              static_cast<unsigned long long>(streamed->records.malformed));
  std::printf("per-record latency, %zu-byte event: median %.0f ns (p10 %.0f, p90 %.0f)\n", event.size(),
              median(per_record_ns), [&] { auto v = per_record_ns; std::sort(v.begin(), v.end()); return v[v.size() / 10]; }(),
              [&] { auto v = per_record_ns; std::sort(v.begin(), v.end()); return v[v.size() * 9 / 10]; }());
  std::printf("memory: max RSS %ld KB before streaming, %ld KB after streaming %.0f MB from disk (+%ld KB)\n",
              rss_before, rss_stream, mb, rss_stream - rss_before);
  std::remove(path.c_str());
  return sink == 0 ? 1 : 0;
}
