// The batch grader: a thin adapter over the stream readers and the record
// engine. Valid records arrive through StreamOptions::on_accept while the
// Validator still holds their captured values; the grader evaluates the
// compiled filter, key and measures on them and folds them into per-entity
// accumulators. Tiers are assigned once every input is read.
#include "dq/grade.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "engine/evaluate.h"
#include "engine/timestamps.h"
#include "engine/walker.h"
#include "io/checksum.h"

namespace dq {
namespace {

using Kind = Value::Kind;
using MK = Program::Measure::Kind;

// Values in keys and output columns, encoded so they can be stored and
// compared without the record they came from: a kind byte, then the payload.
void encode(std::string& out, const Value& v) {
  out += static_cast<char>(v.kind);
  switch (v.kind) {
    case Kind::kString: {
      const auto size = static_cast<std::uint32_t>(v.s.size());
      out.append(reinterpret_cast<const char*>(&size), sizeof size);
      out.append(v.s);
      break;
    }
    case Kind::kBool: out += static_cast<char>(v.b); break;
    case Kind::kNumber: out.append(reinterpret_cast<const char*>(&v.d), sizeof v.d); break;
    case Kind::kInt:
    case Kind::kTimestamp:
    case Kind::kDate: out.append(reinterpret_cast<const char*>(&v.i), sizeof v.i); break;
    default: break;
  }
}

// Reads one encoded value from the front of `in`; strings point into it.
Value decode(std::string_view& in) {
  Value v;
  v.kind = static_cast<Kind>(in[0]);
  in.remove_prefix(1);
  switch (v.kind) {
    case Kind::kString: {
      std::uint32_t size;
      std::memcpy(&size, in.data(), sizeof size);
      v.s = in.substr(sizeof size, size);
      in.remove_prefix(sizeof size + size);
      break;
    }
    case Kind::kBool:
      v.b = in[0] != 0;
      in.remove_prefix(1);
      break;
    case Kind::kNumber:
      std::memcpy(&v.d, in.data(), sizeof v.d);
      in.remove_prefix(sizeof v.d);
      break;
    case Kind::kInt:
    case Kind::kTimestamp:
    case Kind::kDate:
      std::memcpy(&v.i, in.data(), sizeof v.i);
      in.remove_prefix(sizeof v.i);
      break;
    default: break;
  }
  return v;
}

GradeCell to_cell(const Value& v) {
  GradeCell c;
  switch (v.kind) {
    case Kind::kBool: c.kind = GradeCell::Kind::kBool, c.b = v.b; break;
    case Kind::kInt: c.kind = GradeCell::Kind::kInt, c.i = v.i; break;
    case Kind::kNumber: c.kind = GradeCell::Kind::kNumber, c.d = v.d; break;
    case Kind::kString: c.kind = GradeCell::Kind::kString, c.s = std::string(v.s); break;
    case Kind::kTimestamp: c.kind = GradeCell::Kind::kString, c.s = format_timestamp(v.i); break;
    case Kind::kDate: c.kind = GradeCell::Kind::kString, c.s = format_date(v.i); break;
    default: break;
  }
  return c;
}

// Orders two values of one column: numbers by value, strings bytewise.
int compare(const Value& a, const Value& b) {
  if (a.numeric() && b.numeric()) {
    if (a.kind == Kind::kInt && b.kind == Kind::kInt) return (a.i > b.i) - (a.i < b.i);
    return (a.as_double() > b.as_double()) - (a.as_double() < b.as_double());
  }
  if (a.kind != b.kind) return (a.kind > b.kind) - (a.kind < b.kind);
  if (a.kind == Kind::kString) return a.s.compare(b.s) < 0 ? -1 : a.s == b.s ? 0 : 1;
  if (a.kind == Kind::kBool) return (a.b > b.b) - (a.b < b.b);
  return (a.i > b.i) - (a.i < b.i);
}

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t hash_value(const Value& v) {
  std::uint64_t h = 0;
  switch (v.kind) {
    case Kind::kString: h = std::hash<std::string_view>{}(v.s); break;
    case Kind::kNumber: std::memcpy(&h, &v.d, sizeof h); break;
    case Kind::kBool: h = v.b; break;
    default: h = static_cast<std::uint64_t>(v.i); break;
  }
  return mix(h ^ (static_cast<std::uint64_t>(v.kind) << 56));
}

// The distinct values of one distinct() measure of one entity, as 64-bit
// hashes in an open-addressed table (exact up to hash collisions, which at
// 64 bits are ~1 in 10^19 per pair).
class HashSet64 {
 public:
  // Returns the bytes the table grew by.
  std::size_t insert(std::uint64_t h) {
    if (h == 0) h = 1;  // 0 marks an empty slot
    std::size_t grown = 0;
    if ((size_ + 1) * 2 > slots_.size()) grown = grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      if (slots_[i] == h) return grown;
      if (slots_[i] == 0) {
        slots_[i] = h;
        ++size_;
        return grown;
      }
    }
  }
  std::size_t size() const { return size_; }

 private:
  std::size_t grow() {
    std::vector<std::uint64_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 8 : old.size() * 2, 0);
    size_ = 0;
    for (std::uint64_t h : old) {
      if (h != 0) insert(h);
    }
    return (slots_.size() - old.size()) * sizeof(std::uint64_t);
  }
  std::vector<std::uint64_t> slots_;
  std::size_t size_ = 0;
};

// One measure's running state for one entity.
struct Accumulator {
  std::int64_t i = 0;  // sum of integers; min/max of integers, timestamps, dates
  double d = 0;        // sum and mean of numbers; min/max of numbers
  double carry = 0;    // what `d` lost to rounding (Neumaier): sums of cents stay exact in cents
  std::int64_t n = 0;  // values seen

  void add(double x) {
    const double t = d + x;
    carry += std::fabs(d) >= std::fabs(x) ? (d - t) + x : (x - t) + d;
    d = t;
  }
  double sum() const { return d + carry; }
};

// What one more entity costs besides its key: the map node, the key's
// string header, the entity's slot in each table.
constexpr std::size_t kEntityOverhead = 80;

struct StopRun {
  Status status;
};

void write_csv_cell(std::string& out, const GradeCell& c) {
  switch (c.kind) {
    case GradeCell::Kind::kNull: return;
    case GradeCell::Kind::kBool: out += c.b ? "true" : "false"; return;
    case GradeCell::Kind::kInt: out += std::to_string(c.i); return;
    case GradeCell::Kind::kNumber: {
      // Plain decimals for spreadsheets ("2000000", not "2e+06"), shortest round trip.
      char buf[64];
      const double magnitude = std::fabs(c.d);
      const bool plain = magnitude == 0 || (magnitude >= 1e-6 && magnitude < 1e15);
      auto [end, ec] = plain ? std::to_chars(buf, buf + sizeof buf, c.d, std::chars_format::fixed)
                             : std::to_chars(buf, buf + sizeof buf, c.d);
      out.append(buf, end);
      return;
    }
    case GradeCell::Kind::kString:
      if (c.s.find_first_of(",\"\r\n") == std::string::npos && (c.s.empty() || (c.s.front() != ' ' && c.s.back() != ' '))) {
        out += c.s;
        return;
      }
      out += '"';
      for (char ch : c.s) {
        if (ch == '"') out += '"';
        out += ch;
      }
      out += '"';
      return;
  }
}

nlohmann::ordered_json cell_json(const GradeCell& c) {
  switch (c.kind) {
    case GradeCell::Kind::kBool: return c.b;
    case GradeCell::Kind::kInt: return c.i;
    case GradeCell::Kind::kNumber: return c.d;
    case GradeCell::Kind::kString: return c.s;
    default: return nullptr;
  }
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && std::string_view(s).substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

struct BatchGrader::Impl {
  Impl(const Contract& c, GradeOptions o)
      : contract(c), options(std::move(o)), program(c.program()), grading(*program.grading),
        validator(c), report(c, options.report), started(std::chrono::steady_clock::now()) {}

  Contract contract;
  GradeOptions options;
  const Program& program;
  const Program::Grading& grading;
  Validator validator;
  ReportBuilder report;
  std::chrono::steady_clock::time_point started;
  Status failed;  // sticky: the first error stops the run

  std::FILE* rejects = nullptr;
  std::uint64_t rejects_written = 0;
  std::vector<GradeInput> inputs;
  std::uint64_t filtered = 0, graded = 0, records_before = 0, bytes_before = 0;

  // Per-entity state; entity e owns measures [e*M, e*M+M) and so on.
  std::unordered_map<std::string, std::uint32_t> index;
  std::vector<const std::string*> keys;  // into `index`, whose nodes do not move
  std::vector<Accumulator> accumulators;
  std::vector<HashSet64> distinct;  // one per distinct() measure
  std::vector<std::string> outputs;   // encoded; "" = no value yet
  std::vector<int> distinct_slot;     // per measure: its index among distinct() measures, or -1
  std::size_t distinct_count = 0;
  std::uint64_t state_bytes = 0;
  std::string key;  // scratch
  EvalScratch eval;
  bool uses_now = false;  // some expression reads now(): the clock is read once per record

  void setup() {
    uses_now = grading.filter.uses_now;
    for (const Program::Measure& m : grading.measures) {
      uses_now |= m.arg.uses_now || m.where.uses_now;
      distinct_slot.push_back(m.kind == MK::kDistinct ? static_cast<int>(distinct_count++) : -1);
    }
  }

  void charge(std::size_t bytes, const RecordPosition& where) {
    state_bytes += bytes;
    if (state_bytes <= options.max_state_bytes) return;
    throw StopRun{Status(StatusCode::kLimitExceeded,
                         "the grader's per-entity state passed its limit of " +
                             std::to_string(options.max_state_bytes >> 20) + " MiB at record " +
                             std::to_string(where.record) + " (line " + std::to_string(where.line) + ") of " +
                             inputs.back().path + ", with " + std::to_string(keys.size()) +
                             " entities; raise the limit (--max-state-mb) or grade a slice of the keys at a time")};
  }

  std::uint32_t entity(const RecordPosition& where) {
    auto [it, added] = index.try_emplace(key, static_cast<std::uint32_t>(keys.size()));
    if (!added) return it->second;
    keys.push_back(&it->first);
    accumulators.resize(accumulators.size() + grading.measures.size());
    distinct.resize(distinct.size() + distinct_count);
    outputs.resize(outputs.size() + grading.output.size());
    charge(kEntityOverhead + key.size() + grading.measures.size() * sizeof(Accumulator) +
               distinct_count * sizeof(HashSet64) + grading.output.size() * sizeof(std::string),
           where);
    return it->second;
  }

  void accept(const RecordEvent& event) {
    const WalkState& walk = last_walk(validator);
    const Value* slots = walk.slots.data();
    eval.strings.clear();
    if (uses_now) {
      eval.now_micros = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    }
    if (grading.filter.root >= 0 && !truthy(evaluate(grading.filter, grading.filter.root, slots, eval))) {
      ++filtered;
      return;
    }
    ++graded;
    key.clear();
    for (const auto& column : grading.key) encode(key, slots[column.slot]);
    const std::uint32_t e = entity(event.where);
    const std::size_t measures = grading.measures.size();
    for (std::size_t k = 0; k < measures; ++k) {
      const Program::Measure& m = grading.measures[k];
      if (m.where.root >= 0 && !truthy(evaluate(m.where, m.where.root, slots, eval))) continue;
      Accumulator& a = accumulators[e * measures + k];
      if (m.arg.root < 0) {  // count()
        ++a.n;
        continue;
      }
      const Value v = evaluate(m.arg, m.arg.root, slots, eval);
      if (v.is_null()) continue;  // as in SQL: aggregates skip nulls
      switch (m.kind) {
        case MK::kCount: break;
        case MK::kSum:
          if (m.type == EType::kInt) {
            if (__builtin_add_overflow(a.i, v.i, &a.i)) {
              throw StopRun{Status(StatusCode::kLimitExceeded, "measure '" + m.name + "' overflows a 64-bit integer at record " +
                                                                   std::to_string(event.where.record) + " of " + inputs.back().path)};
            }
          } else {
            a.add(v.as_double());
          }
          break;
        case MK::kMean: a.add(v.as_double()); break;
        case MK::kMin:
        case MK::kMax: {
          const bool as_double = m.type == EType::kNumber;
          const bool lower = m.kind == MK::kMin;
          if (as_double) {
            const double x = v.as_double();
            if (a.n == 0 || (lower ? x < a.d : x > a.d)) a.d = x;
          } else if (a.n == 0 || (lower ? v.i < a.i : v.i > a.i)) {
            a.i = v.i;
          }
          break;
        }
        case MK::kDistinct: {
          HashSet64& set = distinct[e * distinct_count + static_cast<std::size_t>(distinct_slot[k])];
          if (std::size_t grown = set.insert(hash_value(v))) charge(grown, event.where);
          break;
        }
      }
      ++a.n;
    }
    for (std::size_t k = 0; k < grading.output.size(); ++k) {
      const Value& v = slots[grading.output[k].slot];
      if (v.is_null()) continue;  // the entity's last non-null value
      std::string& out = outputs[e * grading.output.size() + k];
      const std::size_t before = out.capacity();
      out.clear();
      encode(out, v);
      if (out.capacity() > before) charge(out.capacity() - before, event.where);
    }
  }

  Value measure_value(std::uint32_t e, std::size_t k) const {
    const Program::Measure& m = grading.measures[k];
    const Accumulator& a = accumulators[e * grading.measures.size() + k];
    Value v;
    switch (m.kind) {
      case MK::kCount: v.kind = Kind::kInt, v.i = a.n; break;
      case MK::kDistinct:
        v.kind = Kind::kInt;
        v.i = static_cast<std::int64_t>(distinct[e * distinct_count + static_cast<std::size_t>(distinct_slot[k])].size());
        break;
      case MK::kSum:  // the sum of nothing is 0
        if (m.type == EType::kInt) v.kind = Kind::kInt, v.i = a.i;
        else v.kind = Kind::kNumber, v.d = a.sum();
        break;
      case MK::kMean:
        if (a.n > 0) v.kind = Kind::kNumber, v.d = a.sum() / static_cast<double>(a.n);
        break;
      case MK::kMin:
      case MK::kMax:
        if (a.n == 0) break;  // null: no value to compare
        if (m.type == EType::kNumber) v.kind = Kind::kNumber, v.d = a.d;
        else if (m.type == EType::kTimestamp) v.kind = Kind::kTimestamp, v.i = a.i;
        else if (m.type == EType::kDate) v.kind = Kind::kDate, v.i = a.i;
        else v.kind = Kind::kInt, v.i = a.i;
        break;
    }
    return v;
  }

  Status write_export(const GradeRun& run) const {
    const std::string temporary = options.output + ".partial";
    std::FILE* file = std::fopen(temporary.c_str(), "wb");
    if (!file) return Status(StatusCode::kIoError, "cannot write " + options.output + ": " + std::strerror(errno));
    const bool csv = ends_with(options.output, ".csv");
    std::string line;
    bool ok = true;
    if (csv) {
      for (std::size_t c = 0; c < run.columns.size(); ++c) {
        if (c > 0) line += ',';
        write_csv_cell(line, GradeCell{GradeCell::Kind::kString, false, 0, 0, run.columns[c]});
      }
      line += '\n';
      ok = std::fwrite(line.data(), 1, line.size(), file) == line.size();
    }
    for (const auto& row : run.table) {
      line.clear();
      if (csv) {
        for (std::size_t c = 0; c < row.size(); ++c) {
          if (c > 0) line += ',';
          write_csv_cell(line, row[c]);
        }
      } else {
        nlohmann::ordered_json object;
        for (std::size_t c = 0; c < row.size(); ++c) object[run.columns[c]] = cell_json(row[c]);
        line = object.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
      }
      line += '\n';
      ok = ok && std::fwrite(line.data(), 1, line.size(), file) == line.size();
    }
    ok = std::fclose(file) == 0 && ok;
    if (!ok || std::rename(temporary.c_str(), options.output.c_str()) != 0) {
      std::remove(temporary.c_str());
      return Status(StatusCode::kIoError, "cannot write " + options.output + ": " + std::strerror(errno));
    }
    return {};
  }
};

BatchGrader::BatchGrader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BatchGrader::~BatchGrader() {
  if (impl_ && impl_->rejects) std::fclose(impl_->rejects);
}
BatchGrader::BatchGrader(BatchGrader&&) noexcept = default;
BatchGrader& BatchGrader::operator=(BatchGrader&&) noexcept = default;

Result<BatchGrader> BatchGrader::create(const Contract& contract, GradeOptions options) {
  if (!contract.program().grading) {
    return Status(StatusCode::kInvalidArgument, "contract " + contract.dataset() + " has no 'grading' section");
  }
  auto impl = std::make_unique<Impl>(contract, std::move(options));
  impl->setup();
  if (!impl->options.rejects.empty()) {
    impl->rejects = std::fopen(impl->options.rejects.c_str(), "wb");
    if (!impl->rejects) {
      return Status(StatusCode::kIoError, "cannot write " + impl->options.rejects + ": " + std::strerror(errno));
    }
  }
  return BatchGrader(std::move(impl));
}

Status BatchGrader::add_file(const std::string& path) {
  if (!impl_->failed.ok()) return impl_->failed;
  std::FILE* file = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!file) return impl_->failed = Status(StatusCode::kIoError, "cannot open " + path + ": " + std::strerror(errno));
  Status status = add_stream(file, path);
  if (file != stdin) std::fclose(file);
  return status;
}

Status BatchGrader::add_stream(std::FILE* file, const std::string& source_name) {
  Impl& g = *impl_;
  if (!g.failed.ok()) return g.failed;
  ChecksumReader checksum(file);
  if (checksum.stream() == nullptr) return g.failed = Status(StatusCode::kIoError, "cannot read " + source_name);
  g.inputs.push_back({source_name, 0, "", 0});
  const std::uint64_t records_before = g.report.counts().total;
  const std::string source = source_name == "-" ? "<stdin>" : source_name;
  StreamOptions stream;
  stream.format = g.options.format;
  stream.source_name = source;
  stream.on_accept = [&g](const RecordEvent& event) { g.accept(event); };
  stream.on_reject = [&g, &source](const RecordEvent& event) {
    if (!g.rejects) return;
    std::string line = reject_line(event, source);
    line += '\n';
    if (std::fwrite(line.data(), 1, line.size(), g.rejects) != line.size()) {
      throw StopRun{Status(StatusCode::kIoError, "cannot write " + g.options.rejects + ": " + std::strerror(errno))};
    }
    ++g.rejects_written;
  };
  if (g.options.on_progress) {
    stream.progress_every = g.options.progress_every;
    stream.on_progress = [&g](std::uint64_t records, std::uint64_t bytes) {
      g.options.on_progress(g.records_before + records, g.bytes_before + bytes);
    };
  }
  Status status;
  try {
    status = validate_stream(g.validator, checksum.stream(), stream, g.report);
  } catch (const StopRun& stop) {
    status = stop.status;
  }
  GradeInput& input = g.inputs.back();
  input.bytes = checksum.bytes();
  input.sha256 = checksum.sha256_hex();
  input.records = g.report.counts().total - records_before;
  g.records_before += input.records;
  g.bytes_before += input.bytes;
  if (!status.ok()) g.failed = status;
  return status;
}

Result<GradeRun> BatchGrader::finish() {
  Impl& g = *impl_;
  if (!g.failed.ok()) return g.failed;
  if (g.rejects) {
    const bool closed = std::fclose(g.rejects) == 0;
    g.rejects = nullptr;
    if (!closed) return g.failed = Status(StatusCode::kIoError, "cannot write " + g.options.rejects);
  }
  const Program::Grading& grading = g.grading;
  GradeRun run;
  run.dataset = g.contract.dataset();
  run.version = g.contract.version();
  run.params = g.program.param_values;
  run.inputs = g.inputs;
  run.validation = g.report.finish();
  const RecordCounts& counts = run.validation.records;
  run.rows = {counts.total, counts.valid, counts.invalid, counts.malformed, counts.coerced, g.filtered, g.graded};
  run.entities = g.keys.size();
  for (const auto& t : grading.tiers) run.tiers.push_back({t.name, 0, t.exported});

  // Tiers: the first whose `when` holds over the entity's measures.
  const std::size_t measures = grading.measures.size();
  std::vector<Value> values(measures);
  std::vector<std::uint32_t> tier_of(g.keys.size());
  for (std::uint32_t e = 0; e < g.keys.size(); ++e) {
    for (std::size_t k = 0; k < measures; ++k) values[k] = g.measure_value(e, k);
    std::uint32_t t = 0;
    for (; t < grading.tiers.size(); ++t) {
      const ExprCode& when = grading.tiers[t].when;
      g.eval.strings.clear();
      if (when.root < 0 || truthy(evaluate(when, when.root, values.data(), g.eval))) break;
    }
    tier_of[e] = t;  // the last tier has no `when`: the loop always stops on one
    ++run.tiers[t].entities;
  }

  // The export: exported tiers in contract order, then by key.
  std::vector<std::uint32_t> rows;
  for (std::uint32_t e = 0; e < g.keys.size(); ++e) {
    if (grading.tiers[tier_of[e]].exported) rows.push_back(e);
  }
  auto key_values = [&](std::uint32_t e) {
    std::vector<Value> out;
    std::string_view in(*g.keys[e]);
    while (!in.empty()) out.push_back(decode(in));
    return out;
  };
  std::vector<std::vector<Value>> decoded(g.keys.size());  // decoded once, not per comparison
  for (std::uint32_t e : rows) decoded[e] = key_values(e);
  std::sort(rows.begin(), rows.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (tier_of[a] != tier_of[b]) return tier_of[a] < tier_of[b];
    for (std::size_t i = 0; i < decoded[a].size(); ++i) {
      if (int c = compare(decoded[a][i], decoded[b][i])) return c < 0;
    }
    return false;
  });
  for (const auto& column : grading.key) run.columns.push_back(column.name);
  run.columns.push_back("tier");
  for (const auto& m : grading.measures) run.columns.push_back(m.name);
  for (const auto& column : grading.output) run.columns.push_back(column.name);
  for (std::uint32_t e : rows) {
    std::vector<GradeCell> row;
    for (const Value& v : decoded[e]) row.push_back(to_cell(v));
    row.push_back(GradeCell{GradeCell::Kind::kString, false, 0, 0, grading.tiers[tier_of[e]].name});
    for (std::size_t k = 0; k < measures; ++k) row.push_back(to_cell(g.measure_value(e, k)));
    for (std::size_t k = 0; k < grading.output.size(); ++k) {
      std::string_view in(g.outputs[e * grading.output.size() + k]);
      row.push_back(in.empty() ? GradeCell{} : to_cell(decode(in)));
    }
    run.table.push_back(std::move(row));
  }
  run.output = g.options.output;
  run.rejects = g.options.rejects;
  run.rejects_written = g.rejects_written;
  run.state_bytes = g.state_bytes;
  run.state_limit = g.options.max_state_bytes;
  if (!g.options.output.empty()) {
    if (Status st = g.write_export(run); !st.ok()) return g.failed = st;
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - g.started).count();
  return run;
}

bool GradeRun::reconciled() const {
  std::uint64_t tiered = 0;
  for (const GradeTier& t : tiers) tiered += t.entities;
  return rows.read == rows.valid + rows.invalid + rows.malformed && rows.valid == rows.filtered + rows.graded &&
         tiered == entities;
}

std::string GradeRun::to_json(int indent) const {
  using json = nlohmann::ordered_json;
  json out;
  out["ok"] = reconciled();
  out["contract"] = {{"dataset", dataset}, {"version", version}};
  json params_json = json::object();
  for (const auto& [name, value] : params) params_json[name] = value;
  out["params"] = std::move(params_json);
  json inputs_json = json::array();
  for (const GradeInput& i : inputs) {
    inputs_json.push_back({{"path", i.path}, {"bytes", i.bytes}, {"sha256", i.sha256}, {"records", i.records}});
  }
  out["inputs"] = std::move(inputs_json);
  out["rows"] = {{"read", rows.read},         {"valid", rows.valid},       {"invalid", rows.invalid},
                 {"malformed", rows.malformed}, {"coerced", rows.coerced}, {"filtered", rows.filtered},
                 {"graded", rows.graded}};
  std::uint64_t tiered = 0, exported = 0;
  json tiers_json = json::array();
  for (const GradeTier& t : tiers) {
    tiers_json.push_back({{"name", t.name}, {"entities", t.entities}, {"exported", t.exported}});
    tiered += t.entities;
    if (t.exported) exported += t.entities;
  }
  out["entities"] = {{"total", entities}, {"exported", exported}};
  out["tiers"] = std::move(tiers_json);
  out["reconciled"] = {
      {"rows", rows.read == rows.valid + rows.invalid + rows.malformed},
      {"valid", rows.valid == rows.filtered + rows.graded},
      {"entities", tiered == entities},
  };
  out["output"] = {{"path", output}, {"rows", table.size()}, {"columns", columns}};
  out["rejects"] = {{"path", rejects}, {"written", rejects_written}};
  out["state"] = {{"bytes", state_bytes}, {"limit", state_limit}};
  out["seconds"] = seconds;
  out["validation"] = json::parse(validation.to_json(-1));
  return out.dump(indent);
}

std::string GradeRun::to_text() const {
  auto n = [](std::uint64_t v) { return std::to_string(v); };
  std::string out = std::string(reconciled() ? "GRADED" : "NOT RECONCILED") + "  " + dataset + " " + version + "\n";
  out += "rows: " + n(rows.read) + " read = " + n(rows.valid) + " valid + " + n(rows.invalid) + " rejected + " +
         n(rows.malformed) + " malformed";
  if (rows.coerced > 0) out += " (" + n(rows.coerced) + " with coerced values)";
  out += "\nvalid: " + n(rows.valid) + " = " + n(rows.graded) + " graded + " + n(rows.filtered) + " filtered out\n";
  out += "entities: " + n(entities) + "\n";
  for (const GradeTier& t : tiers) {
    out += "  " + t.name + ": " + n(t.entities) + (t.exported ? "" : "  (not exported)") + "\n";
  }
  if (!params.empty()) {
    out += "params:";
    for (const auto& [name, value] : params) out += " " + name + "=" + value;
    out += "\n";
  }
  for (const GradeInput& i : inputs) {
    out += "input: " + i.path + "  " + n(i.records) + " records, " + n(i.bytes) + " bytes, sha256 " + i.sha256 + "\n";
  }
  if (!output.empty()) out += "export: " + output + " (" + n(table.size()) + " rows)\n";
  if (!rejects.empty()) out += "rejects: " + rejects + " (" + n(rejects_written) + " records)\n";
  for (const RuleSummary& r : validation.rules) {
    out += "  " + std::string(r.severity == Severity::kWarn ? "warn " : "FAIL ") + r.id + "  " + n(r.failed) + "\n";
  }
  return out;
}

}  // namespace dq
