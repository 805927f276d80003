// The record engine against the limits of the machine, on the same NDJSON, in
// one run: memory bandwidth (a copy of the bytes), simdjson On-Demand touching
// every value, dq's engine on the lines in memory, and dq's streaming path
// from disk on one and on every thread. For the flat events it also measures
// the latency of one 600-byte event and the memory of streaming the file.
//
//   record_bench [runs=5] [--json results.json] name=data.ndjson:contract.yaml...
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "dq/dq.h"
#include "engine/screen.h"
#include "flat_event.h"
#include "flat_event_by_hand.h"
#include "measure.h"

namespace {

using bench::max_rss_kb;
using bench::median;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Reads every key and parses every value to its type, at any depth: the
// floor for a validator that reads everything.
bool touch(simdjson::ondemand::value value, std::size_t& sink) {
  simdjson::ondemand::json_type type;
  if (value.type().get(type)) return false;
  switch (type) {
    case simdjson::ondemand::json_type::object: {
      simdjson::ondemand::object object;
      if (value.get_object().get(object)) return false;
      for (auto field : object) {
        std::string_view key;
        if (field.unescaped_key().get(key)) return false;
        sink += key.size();
        if (!touch(field.value(), sink)) return false;
      }
      return true;
    }
    case simdjson::ondemand::json_type::array: {
      simdjson::ondemand::array array;
      if (value.get_array().get(array)) return false;
      for (auto element : array) {
        if (!touch(element.value(), sink)) return false;
      }
      return true;
    }
    case simdjson::ondemand::json_type::string: {
      std::string_view s;
      if (value.get_string().get(s)) return false;
      sink += s.size();
      return true;
    }
    case simdjson::ondemand::json_type::number: {
      simdjson::ondemand::number n;
      if (value.get_number().get(n)) return false;
      sink += static_cast<std::size_t>(n.get_number_type());
      return true;
    }
    case simdjson::ondemand::json_type::boolean: {
      bool b;
      if (value.get_bool().get(b)) return false;
      sink += b;
      return true;
    }
    default: {
      bool is_null;
      return !value.is_null().get(is_null) && is_null;
    }
  }
}

bool touch_all(simdjson::ondemand::parser& parser, const char* data, std::size_t length, std::size_t capacity,
               std::size_t& sink) {
  simdjson::ondemand::document doc;
  if (parser.iterate(data, length, capacity).get(doc)) return false;
  simdjson::ondemand::value root;
  return !doc.get_value().get(root) && touch(root, sink);
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

std::string read_file(const std::string& path) {
  std::string data;
  std::FILE* in = std::fopen(path.c_str(), "rb");
  if (!in) return data;
  std::fseek(in, 0, SEEK_END);
  data.resize(static_cast<std::size_t>(std::ftell(in)));
  std::rewind(in);
  if (std::fread(data.data(), 1, data.size(), in) != data.size()) data.clear();
  std::fclose(in);
  data.reserve(data.size() + simdjson::SIMDJSON_PADDING);
  return data;
}

void row(const char* task, double mb, double records, double seconds, double base) {
  std::printf("| %-46s | %9.0f | %12.0f | %9.2f |\n", task, mb / seconds, records / seconds, base / seconds);
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  std::string json_path;
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--json" && i + 1 < argc)
      json_path = argv[++i];
    else if (arg.find('=') != std::string::npos)
      inputs.push_back(arg);
    else
      runs = std::stoi(arg);
  }
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  nlohmann::ordered_json results;
  std::size_t sink = 0;
  for (const std::string& input : inputs) {
    const std::string name = input.substr(0, input.find('='));
    const std::string rest = input.substr(input.find('=') + 1);
    const std::string path = rest.substr(0, rest.rfind(':')), contract_path = rest.substr(rest.rfind(':') + 1);
    auto contract = dq::Contract::load_file(contract_path);
    if (!contract.ok()) {
      std::fprintf(stderr, "%s\n", contract.status().to_string().c_str());
      return 2;
    }
    // Streaming from disk first, for its memory before anything else is resident.
    const long rss_before = max_rss_kb();
    std::vector<double> stream_s, threads_s;
    dq::RecordCounts streamed;
    for (int r = 0; r < runs; ++r) {
      for (unsigned threads : {1u, cores}) {
        dq::StreamOptions options;
        options.threads = threads;
        auto start = Clock::now();
        auto report = dq::validate_file(*contract, path, options);
        (threads == 1 ? stream_s : threads_s).push_back(seconds_since(start));
        if (!report.ok()) return 2;
        if (threads > 1 && (report->records.valid != streamed.valid || report->records.invalid != streamed.invalid)) {
          std::fprintf(stderr, "%u threads disagree with one thread\n", threads);
          return 2;
        }
        streamed = report->records;
      }
    }
    const long rss_stream = max_rss_kb();

    const std::string data = read_file(path);
    std::string copy(data.size(), '\0');
    std::vector<double> memcpy_s, simdjson_s, dq_s;
    std::size_t records = 0, valid = 0, invalid = 0;
    simdjson::ondemand::parser parser;
    // The walker alone, and with the screen generated for the contract
    // (linked in by dq_add_screen, bench/CMakeLists.txt) when there is one.
    dq::Validator validator(*contract), screened(*contract);
    dq::use_screen(validator, false);
    const bool has_screen = dq::has_screen(screened);
    std::vector<double> screen_s;
    // The flat events' contract written out by hand, the floor of a program
    // generated for it: with its checks, and with its types alone.
    bench::FlatEventByHand<true> by_hand;
    bench::FlatEventByHand<false> by_hand_types;
    std::vector<double> by_hand_s, by_hand_types_s;
    auto time_by_hand = [&](auto& program, std::vector<double>& seconds) {
      std::size_t passed = 0;
      const auto a = Clock::now();
      for_each_line(data, [&](const char* p, std::size_t n, std::size_t cap) {
        const int verdict = program(parser, p, n, cap);
        if (verdict < 0) std::abort();
        passed += static_cast<std::size_t>(verdict);
      });
      seconds.push_back(seconds_since(a));
      return passed;
    };
    for (int r = 0; r < runs; ++r) {
      auto a = Clock::now();
      std::memcpy(copy.data(), data.data(), data.size());
      memcpy_s.push_back(seconds_since(a));
      sink += static_cast<unsigned char>(copy[copy.size() / 2]);
      records = 0;
      a = Clock::now();
      for_each_line(data, [&](const char* p, std::size_t n, std::size_t cap) {
        ++records;
        if (!touch_all(parser, p, n, cap, sink)) std::abort();
      });
      simdjson_s.push_back(seconds_since(a));
      valid = invalid = 0;
      a = Clock::now();
      for_each_line(data, [&](const char* p, std::size_t n, std::size_t cap) {
        ++(validator.validate_json_padded(std::string_view(p, n), cap).ok ? valid : invalid);
      });
      dq_s.push_back(seconds_since(a));
      if (has_screen) {
        std::size_t screened_valid = 0, screened_invalid = 0;
        a = Clock::now();
        for_each_line(data, [&](const char* p, std::size_t n, std::size_t cap) {
          ++(screened.validate_json_padded(std::string_view(p, n), cap).ok ? screened_valid : screened_invalid);
        });
        screen_s.push_back(seconds_since(a));
        if (screened_valid != valid || screened_invalid != invalid) {
          std::fprintf(stderr, "the screen disagrees with the walker (%zu valid against %zu)\n", screened_valid, valid);
          return 2;
        }
      }
      if (name == "flat_events") {
        const std::size_t hand_valid = time_by_hand(by_hand, by_hand_s);
        const std::size_t types_valid = time_by_hand(by_hand_types, by_hand_types_s);
        if (hand_valid != valid || types_valid != records) {
          std::fprintf(stderr, "the hand-written program disagrees with dq (%zu valid against %zu)\n", hand_valid,
                       valid);
          return 2;
        }
      }
    }
    if (valid != streamed.valid || invalid != streamed.invalid) {
      std::fprintf(stderr, "the engine and the stream disagree\n");
      return 2;
    }

    const double mb = static_cast<double>(data.size()) / 1e6;
    const double sj = median(simdjson_s);
    std::printf("%s: %zu records, %.1f MB, %zu bytes/record, single core unless said, median of %d runs\n",
                name.c_str(), records, mb, data.size() / records, runs);
    std::printf("| %-46s | %9s | %12s | %9s |\n", "task", "MB/s", "records/s", "vs simdjson");
    std::printf("|%s|%s|%s|%s|\n", std::string(48, '-').c_str(), std::string(11, '-').c_str(),
                std::string(14, '-').c_str(), std::string(11, '-').c_str());
    row("memory bandwidth (memcpy of the bytes)", mb, records, median(memcpy_s), sj);
    row("simdjson On-Demand, touch every value", mb, records, sj, sj);
    row("dq record engine (validate_json_padded)", mb, records, median(dq_s), sj);
    if (has_screen) row("dq record engine + the contract's screen", mb, records, median(screen_s), sj);
    if (!by_hand_s.empty()) {
      row("the contract by hand (a generated one's floor)", mb, records, median(by_hand_s), sj);
      row("the same by hand, types and required only", mb, records, median(by_hand_types_s), sj);
    }
    row("dq validate_file (read + split + validate)", mb, records, median(stream_s), sj);
    const std::string threaded = "dq validate_file, " + std::to_string(cores) + " threads";
    row(threaded.c_str(), mb, records, median(threads_s), sj);
    std::printf("verdicts: %zu valid, %zu invalid; %u threads: %.2fx one thread\n", valid, invalid, cores,
                median(stream_s) / median(threads_s));
    std::printf("memory: max RSS %ld KB before streaming, %ld KB after (+%ld KB)\n\n", rss_before, rss_stream,
                rss_stream - rss_before);
    results[name] = {{"records", records},
                     {"bytes", data.size()},
                     {"valid", valid},
                     {"invalid", invalid},
                     {"memcpy_s", median(memcpy_s)},
                     {"simdjson_s", sj},
                     {"engine_s", median(dq_s)},
                     {"stream_s", median(stream_s)},
                     {"threads", cores},
                     {"threads_s", median(threads_s)}};
    if (has_screen) results[name]["screen_s"] = median(screen_s);
    if (!by_hand_s.empty()) {
      results[name]["by_hand_s"] = median(by_hand_s);
      results[name]["by_hand_types_s"] = median(by_hand_types_s);
    }

    if (name == "flat_events") {
      // Latency of one ~600-byte event, validated again and again.
      std::mt19937_64 rng(42);
      const std::string event = bench::make_event_of_size(rng, 7, 600);
      dq::Validator single(*contract);
      std::vector<double> per_record_ns;
      for (int batch = 0; batch < 2000; ++batch) {
        auto a = Clock::now();
        for (int i = 0; i < 100; ++i) sink += single.validate_json(event).ok;
        per_record_ns.push_back(std::chrono::duration<double, std::nano>(Clock::now() - a).count() / 100);
      }
      std::sort(per_record_ns.begin(), per_record_ns.end());
      std::printf("per-record latency, %zu-byte event: median %.0f ns (p10 %.0f, p90 %.0f)\n\n", event.size(),
                  per_record_ns[per_record_ns.size() / 2], per_record_ns[per_record_ns.size() / 10],
                  per_record_ns[per_record_ns.size() * 9 / 10]);
    }
  }
  if (!json_path.empty()) {
    std::FILE* out = std::fopen(json_path.c_str(), "w");
    if (!out) return 2;
    std::fputs(results.dump(2).c_str(), out);
    std::fclose(out);
  }
  return sink == 0 ? 1 : 0;
}
