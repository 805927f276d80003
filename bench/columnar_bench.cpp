// Columnar engine throughput: a table of N rows (default 10M) and 10 columns
// with 10 numeric and string checks, validated through the Arrow C Data
// Interface in batches of 64k rows (bench/contracts/orders_table.yaml); against the memory bandwidth of reading
// the same buffers (memcpy) in the same run; then with a profile, on the whole
// table and on its numeric and string columns alone.
//
//   columnar_bench [rows=10000000] [runs=5]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "dq/arrow.h"
#include "dq/dq.h"
#include "measure.h"

namespace {

using bench::median;

using Clock = std::chrono::steady_clock;

void release_schema(ArrowSchema* s) { s->release = nullptr; }
void release_array(ArrowArray* a) { a->release = nullptr; }

// A column's buffers and C structs, for one batch.
struct Column {
  std::string name, format;
  std::vector<std::uint8_t> values;
  std::vector<std::int32_t> offsets;
  std::string data;
  std::vector<const void*> buffers;
  ArrowSchema schema{};
  ArrowArray array{};
  std::size_t bytes() const { return values.size() + offsets.size() * 4 + data.size(); }
};

struct Batch {
  std::vector<Column> columns;
  std::vector<ArrowSchema*> schema_kids;
  std::vector<ArrowArray*> array_kids;
  std::vector<const void*> buffers{nullptr};
  ArrowSchema schema{};
  ArrowArray array{};

  void wire(std::int64_t rows) {
    for (Column& c : columns) {
      if (c.format == "u") {
        c.buffers = {nullptr, c.offsets.data(), c.data.data()};
      } else {
        c.buffers = {nullptr, c.values.data()};
      }
      c.schema = {c.format.c_str(), c.name.c_str(), nullptr, 2, 0, nullptr, nullptr, release_schema, nullptr};
      c.array = {
          rows,          0,      0, static_cast<std::int64_t>(c.buffers.size()), 0, c.buffers.data(), nullptr, nullptr,
          release_array, nullptr};
      schema_kids.push_back(&c.schema);
      array_kids.push_back(&c.array);
    }
    schema = {
        "+s",           "",     nullptr, 0, static_cast<std::int64_t>(columns.size()), schema_kids.data(), nullptr,
        release_schema, nullptr};
    array = {rows,
             0,
             0,
             1,
             static_cast<std::int64_t>(columns.size()),
             buffers.data(),
             array_kids.data(),
             nullptr,
             release_array,
             nullptr};
  }
  std::size_t bytes() const {
    std::size_t n = 0;
    for (const Column& c : columns) n += c.bytes();
    return n;
  }
};

// Columns [from, to) of a wired batch, as a batch of their own (no copy).
struct View {
  std::vector<ArrowSchema*> schema_kids;
  std::vector<ArrowArray*> array_kids;
  std::vector<const void*> buffers{nullptr};
  ArrowSchema schema{};
  ArrowArray array{};
  View(Batch& b, std::size_t from, std::size_t to) {
    schema_kids.assign(b.schema_kids.begin() + static_cast<std::ptrdiff_t>(from),
                       b.schema_kids.begin() + static_cast<std::ptrdiff_t>(to));
    array_kids.assign(b.array_kids.begin() + static_cast<std::ptrdiff_t>(from),
                      b.array_kids.begin() + static_cast<std::ptrdiff_t>(to));
    const auto k = static_cast<std::int64_t>(to - from);
    schema = b.schema;
    schema.n_children = k;
    schema.children = schema_kids.data();
    array = b.array;
    array.n_children = k;
    array.children = array_kids.data();
    array.buffers = buffers.data();
  }
};

template <class T>
Column numeric(const std::string& name, const std::string& format, std::int64_t rows, std::mt19937_64& rng,
               T (*f)(std::mt19937_64&)) {
  Column c{name, format, {}, {}, {}, {}, {}, {}};
  c.values.resize(static_cast<std::size_t>(rows) * sizeof(T));
  T* out = reinterpret_cast<T*>(c.values.data());
  for (std::int64_t i = 0; i < rows; ++i) out[i] = f(rng);
  return c;
}

Column text(const std::string& name, std::int64_t rows, std::mt19937_64& rng, std::string (*f)(std::mt19937_64&)) {
  Column c{name, "u", {}, {0}, {}, {}, {}, {}};
  for (std::int64_t i = 0; i < rows; ++i) {
    c.data += f(rng);
    c.offsets.push_back(static_cast<std::int32_t>(c.data.size()));
  }
  return c;
}

Batch make_batch(std::int64_t rows, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Batch b;
  b.columns.push_back(numeric<std::int64_t>("id", "l", rows, rng,
                                            [](std::mt19937_64& r) { return std::int64_t(1 + r() % 1000000000); }));
  b.columns.push_back(numeric<std::int64_t>("user_id", "l", rows, rng, [](std::mt19937_64& r) {
    return std::int64_t(r() % 1000 == 0 ? 0 : 1 + r() % 10000000);
  }));
  b.columns.push_back(
      numeric<double>("amount", "g", rows, rng, [](std::mt19937_64& r) { return double(r() % 10000000) / 100.0; }));
  b.columns.push_back(
      numeric<std::int32_t>("quantity", "i", rows, rng, [](std::mt19937_64& r) { return std::int32_t(r() % 1001); }));
  b.columns.push_back(
      numeric<double>("score", "g", rows, rng, [](std::mt19937_64& r) { return double(r() % 10001) / 10000.0; }));
  b.columns.push_back(
      numeric<std::int32_t>("retries", "i", rows, rng, [](std::mt19937_64& r) { return std::int32_t(r() % 11); }));
  b.columns.push_back(text("code", rows, rng, [](std::mt19937_64& r) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%c%c%c-%06d", 'A' + int(r() % 26), 'A' + int(r() % 26),
                  r() % 500 ? 'A' + int(r() % 26) : 'a', int(r() % 1000000));
    return std::string(buf);
  }));
  static const char* kStatus[] = {"new", "paid", "shipped", "delivered", "refunded"};
  b.columns.push_back(text("status", rows, rng, [](std::mt19937_64& r) { return std::string(kStatus[r() % 5]); }));
  static const char* kCountries[] = {"US", "DE", "FR", "GB", "JP", "BR", "IN"};
  b.columns.push_back(text("country", rows, rng, [](std::mt19937_64& r) { return std::string(kCountries[r() % 7]); }));
  static const char* kCurrencies[] = {"USD", "EUR", "GBP", "JPY"};
  b.columns.push_back(
      text("currency", rows, rng, [](std::mt19937_64& r) { return std::string(kCurrencies[r() % 4]); }));
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t rows = argc > 1 ? std::atoll(argv[1]) : 10000000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  const std::int64_t batch_rows = 65536;

  auto contract = dq::Contract::load_file(DQ_BENCH_DIR "/contracts/orders_table.yaml");
  // The string columns are also measured alone: the same contract without its
  // one required field (the id, a number), else no row of theirs would pass.
  auto strings_contract = dq::Contract::load_string(
      "dq: 1\ndataset: bench.orders_strings\nversion: 1.0.0\nowner: {team: bench}\nfields:\n"
      "  code: {type: string, pattern: '^[A-Z]{3}-[0-9]{6}$'}\n"
      "  status: {type: string, enum: [new, paid, shipped, delivered, refunded]}\n"
      "  country: {type: string, min_length: 2, max_length: 2}\n"
      "  currency: {type: string, enum: [USD, EUR, GBP, JPY]}\n",
      "orders_strings.yaml");
  for (const auto* loaded : {&contract, &strings_contract}) {
    if (!loaded->ok()) {
      std::fprintf(stderr, "%s\n", loaded->status().to_string().c_str());
      return 2;
    }
  }
  std::fprintf(stderr, "generating %lld rows...\n", static_cast<long long>(rows));
  std::vector<Batch> batches;
  std::size_t bytes = 0;
  for (std::int64_t start = 0; start < rows; start += batch_rows) {
    batches.push_back(make_batch(std::min(batch_rows, rows - start), static_cast<std::uint64_t>(start)));
  }
  for (auto& b : batches) {
    b.wire(static_cast<std::int64_t>(b.columns[0].values.size() / 8));
    bytes += b.bytes();
  }
  const double values = static_cast<double>(rows) * 10;

  std::vector<double> dq_times, profile_times, copy_times, numeric_times, numeric_profile_times, string_times,
      string_profile_times;
  std::vector<View> numeric_views, string_views;  // the six numeric columns, the four string columns
  for (Batch& b : batches) {
    numeric_views.emplace_back(b, 0, 6);
    string_views.emplace_back(b, 6, 10);
  }
  dq::RecordCounts counts;
  std::vector<std::uint8_t> sink(1 << 24);
  for (int run = 0; run < runs; ++run) {
    dq::Validator validator(*contract), strings_validator(*strings_contract);
    // Validates every batch (or view) into a fresh report; seconds taken, or < 0 on error.
    auto timed = [&](auto& parts, bool profile, dq::RecordCounts& out, bool strings_only = false) {
      dq::ReportOptions options;
      options.profile = profile;
      dq::ReportBuilder report(strings_only ? *strings_contract : *contract, options);
      dq::Validator& by = strings_only ? strings_validator : validator;
      const auto start = Clock::now();
      for (auto& part : parts) {
        if (!dq::validate_arrow(by, part.schema, part.array, report).ok()) return -1.0;
      }
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      out = report.counts();
      return seconds;
    };
    dq::RecordCounts profiled_counts, part_counts;
    dq_times.push_back(timed(batches, false, counts));
    // The same validation computing a profile in the same pass.
    profile_times.push_back(timed(batches, true, profiled_counts));
    // Numeric columns only, then string columns only, without and with the profile.
    numeric_times.push_back(timed(numeric_views, false, part_counts));
    numeric_profile_times.push_back(timed(numeric_views, true, part_counts));
    string_times.push_back(timed(string_views, false, part_counts, true));
    string_profile_times.push_back(timed(string_views, true, part_counts, true));
    for (const auto* times :
         {&dq_times, &profile_times, &numeric_times, &numeric_profile_times, &string_times, &string_profile_times}) {
      if (times->back() < 0) return 2;
    }
    if (profiled_counts.invalid != counts.invalid) return 2;

    // The memory-bandwidth bound: read every byte of the same buffers once.
    auto t0 = Clock::now();
    for (Batch& b : batches) {
      for (Column& c : b.columns) {
        const std::uint8_t* src[] = {c.values.data(), reinterpret_cast<const std::uint8_t*>(c.offsets.data()),
                                     reinterpret_cast<const std::uint8_t*>(c.data.data())};
        const std::size_t len[] = {c.values.size(), c.offsets.size() * 4, c.data.size()};
        for (int k = 0; k < 3; ++k) {
          for (std::size_t off = 0; off < len[k]; off += sink.size()) {
            std::memcpy(sink.data(), src[k] + off, std::min(sink.size(), len[k] - off));
          }
        }
      }
    }
    copy_times.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  const double dq_t = median(dq_times), profile_t = median(profile_times), copy_t = median(copy_times);
  std::printf("columnar engine: %lld rows x 10 columns (10 checks), %.0f MB of Arrow buffers, median of %d runs\n",
              static_cast<long long>(rows), static_cast<double>(bytes) / 1e6, runs);
  std::printf("records: %llu total, %llu valid, %llu invalid\n\n", static_cast<unsigned long long>(counts.total),
              static_cast<unsigned long long>(counts.valid), static_cast<unsigned long long>(counts.invalid));
  std::printf("| %-34s | %10s | %14s | %10s | %8s |\n", "task", "seconds", "M values/s", "MB/s", "ratio");
  std::printf("|%s|%s|%s|%s|%s|\n", std::string(36, '-').c_str(), std::string(12, '-').c_str(),
              std::string(16, '-').c_str(), std::string(12, '-').c_str(), std::string(10, '-').c_str());
  std::printf("| %-34s | %10.3f | %14.1f | %10.0f | %8.2f |\n", "dq validate_arrow (1 core)", dq_t, values / dq_t / 1e6,
              static_cast<double>(bytes) / dq_t / 1e6, 1.0);
  std::printf("| %-34s | %10.3f | %14.1f | %10.0f | %8.2f |\n", "dq validate_arrow + profile", profile_t,
              values / profile_t / 1e6, static_cast<double>(bytes) / profile_t / 1e6, profile_t / dq_t);
  std::printf("| %-34s | %10.3f | %14.1f | %10.0f | %8.2f |\n", "memcpy of the same buffers", copy_t,
              values / copy_t / 1e6, static_cast<double>(bytes) / copy_t / 1e6, dq_t / copy_t);
  std::printf("\ndq reaches %.1f%% of the memory-copy bandwidth.\n", 100.0 * copy_t / dq_t);
  std::printf("profiling costs %.1f ns per value on top of validation (%.1f ns per value in all).\n",
              (profile_t - dq_t) / values * 1e9, profile_t / values * 1e9);
  const double numeric_values = static_cast<double>(rows) * 6;
  const double numeric_t = median(numeric_times), numeric_profile_t = median(numeric_profile_times);
  std::printf("numeric columns only (6 of 10): validation %.1f ns per value, profiling %.1f ns more per value.\n",
              numeric_t / numeric_values * 1e9, (numeric_profile_t - numeric_t) / numeric_values * 1e9);
  const double string_values = static_cast<double>(rows) * 4;
  const double string_t = median(string_times), string_profile_t = median(string_profile_times);
  std::printf("string columns only (4 of 10): validation %.1f ns per value, profiling %.1f ns more per value.\n",
              string_t / string_values * 1e9, (string_profile_t - string_t) / string_values * 1e9);
  return 0;
}
