// The batch grader: a thin adapter over the stream readers and the record
// engine. Valid records arrive through StreamOptions::on_accept while the
// Validator still holds their captured values; the grader evaluates the
// compiled filter, key and measures on them and folds them into per-entity
// accumulators. Tiers are assigned once every input is read.
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <tuple>

#include "base/file_kind.h"
#include "dq/grade.h"
#include "dq/profile.h"  // hash_bytes
#include "engine/walk_state.h"
#include "grading/measures.h"
#include "io/checksum.h"

namespace dq {
namespace {

using namespace grading;  // NOLINT: the grader's own vocabulary

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

// What one more entity costs besides its key: the key's string header, its
// slots in the key table, the entity's slot in each table.
constexpr std::size_t kEntityOverhead = 80;

// The entities' encoded keys, numbered in order of arrival; a key is found by
// one hash and a probe of an open-addressed table (at most half full) that
// holds each entity's hash, so a probe compares key bytes only on a match.
class EntityIndex {
 public:
  // The entity of `key` (whose hash_bytes is `hash`), and whether it was
  // added now (numbered size() - 1).
  std::pair<std::uint32_t, bool> find_or_add(std::string_view key, std::uint64_t hash) {
    if ((keys_.size() + 1) * 2 > slots_.size()) grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.entity == 0) {
        keys_.emplace_back(key);
        slot = {hash, static_cast<std::uint32_t>(keys_.size())};
        return {slot.entity - 1, true};
      }
      if (slot.hash == hash && keys_[slot.entity - 1] == key) return {slot.entity - 1, false};
    }
  }
  std::size_t size() const { return keys_.size(); }
  const std::string& key(std::uint32_t entity) const { return keys_[entity]; }

  // Asks the cache for the slot where the probe for `hash` starts.
  void prefetch(std::uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]);
  }
  // The entity a probe for `hash` would most likely find (the first slot of
  // that hash, its key not compared), its key asked of the cache; -1 when none.
  std::int64_t likely(std::uint64_t hash) const {
    if (slots_.empty()) return -1;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask; slots_[i].entity != 0; i = (i + 1) & mask) {
      if (slots_[i].hash != hash) continue;
      __builtin_prefetch(&keys_[slots_[i].entity - 1]);
      return slots_[i].entity - 1;
    }
    return -1;
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t entity = 0;  // entity number + 1; 0: empty
  };
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.entity == 0) continue;
      std::size_t i = s.hash & mask;
      while (slots_[i].entity != 0) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  std::vector<std::string> keys_;
};

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
      if (c.s.find_first_of(",\"\r\n") == std::string::npos &&
          (c.s.empty() || (c.s.front() != ' ' && c.s.back() != ' '))) {
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

// The grader reports the contract's expectations, drift and monitors, not a
// profile: unless one is asked for, only the fields those read are profiled.
ReportOptions statistics_needed(ReportOptions options) {
  if (!options.profile) options.profile_options.needed_fields_only = true;
  return options;
}

}  // namespace

struct BatchGrader::Impl {
  Impl(const Contract& c, GradeOptions o)
      : contract(c),
        options(std::move(o)),
        program(ContractAccess::program(c)),
        grading(*program.grading),
        validator(c),
        report(c, statistics_needed(options.report)),
        started(std::chrono::steady_clock::now()) {}

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
  EntityIndex entities;
  std::vector<Accumulator> accumulators;
  std::vector<HashSet64> distinct;   // one per distinct() measure
  std::vector<std::string> outputs;  // encoded; "" = no value yet
  std::vector<int> distinct_slot;    // per measure: its index among distinct() measures, or -1
  std::size_t distinct_count = 0;
  std::uint64_t state_bytes = 0;
  EvalScratch eval;
  bool uses_now = false;  // some expression reads now(): the clock is read once per record

  void setup() {
    uses_now = grading.filter.uses_now;
    for (const Program::Measure& m : grading.measures) {
      uses_now |= m.arg.uses_now || m.where.uses_now;
      distinct_slot.push_back(m.kind == MK::kDistinct ? static_cast<int>(distinct_count++) : -1);
    }
    pending_inputs.resize(kBatch * grading.measures.size());
    pending_outputs.resize(kBatch * grading.output.size());
  }

  void charge(std::size_t bytes, const RecordPosition& where) {
    state_bytes += bytes;
    if (state_bytes <= options.max_state_bytes) return;
    throw StopRun{Status(StatusCode::kLimitExceeded,
                         "the grader's per-entity state passed its limit of " +
                             std::to_string(options.max_state_bytes >> 20) + " MiB at record " +
                             std::to_string(where.record) + " (line " + std::to_string(where.line) + ") of " +
                             inputs.back().path + ", with " + std::to_string(entities.size()) +
                             " entities; raise the limit (--max-state-mb) or grade a slice of the keys at a time")};
  }

  // Graded records wait here, kBatch at a time, before they are folded: at
  // hundreds of thousands of entities their state is far larger than the
  // caches, and a record folded alone waits on one cache miss after another
  // (its key's slot, its key, its measures, its distinct() sets). A batch asks
  // for them all ahead (prefetches), pass by pass, and then folds in order.
  static constexpr std::size_t kBatch = 32;
  struct Pending {
    std::string key;  // encoded
    std::uint64_t hash = 0;
    RecordPosition where;
    std::uint32_t entity = 0;
    bool added = false;
  };
  std::vector<Pending> pending = std::vector<Pending>(kBatch);
  std::vector<MeasureInput> pending_inputs;  // kBatch x measures
  std::vector<std::string> pending_outputs;  // kBatch x outputs, encoded; "" = null
  std::size_t pending_count = 0;

  void accept(const RecordEvent& event) {
    const WalkState& walk = last_walk(validator);
    const Value* slots = walk.slots.data();
    eval.strings.clear();
    if (uses_now) {
      eval.now_micros =
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count();
    }
    if (grading.filter.root >= 0 && !holds(grading.filter, grading.filter.root, slots, eval)) {
      ++filtered;
      return;
    }
    ++graded;
    const std::size_t i = pending_count;
    Pending& p = pending[i];
    p.key.clear();
    for (const auto& column : grading.key) encode(p.key, slots[column.slot]);
    p.hash = hash_bytes(p.key);
    p.where = event.where;
    entities.prefetch(p.hash);
    const std::size_t measures = grading.measures.size(), outs = grading.output.size();
    measure_inputs(grading, slots, eval, &pending_inputs[i * measures]);
    for (std::size_t k = 0; k < outs; ++k) {
      std::string& out = pending_outputs[i * outs + k];
      out.clear();
      const Value& v = slots[grading.output[k].slot];
      if (!v.is_null()) encode(out, v);  // the entity's last non-null value
    }
    if (++pending_count == kBatch) fold_pending();
  }

  void fold_pending() {
    const std::size_t measures = grading.measures.size(), outs = grading.output.size();
    // 1. The likely entity of each record (its slot asked for on arrival):
    //    its key, measures, outputs and sets asked for.
    for (std::size_t i = 0; i < pending_count; ++i) {
      const std::int64_t e = entities.likely(pending[i].hash);
      if (e < 0) continue;
      const auto entity = static_cast<std::size_t>(e);
      for (std::size_t b = 0; b < measures * sizeof(Accumulator); b += 64) {
        __builtin_prefetch(reinterpret_cast<const char*>(&accumulators[entity * measures]) + b);
      }
      for (std::size_t k = 0; k < outs; ++k) __builtin_prefetch(&outputs[entity * outs + k]);
      if (distinct_count) __builtin_prefetch(&distinct[entity * distinct_count]);
    }
    // 2. Each record's entity, found or added; its distinct() probes asked for.
    for (std::size_t i = 0; i < pending_count; ++i) {
      Pending& p = pending[i];
      std::tie(p.entity, p.added) = entities.find_or_add(p.key, p.hash);
      if (p.added) {
        accumulators.resize(accumulators.size() + measures);
        distinct.resize(distinct.size() + distinct_count);
        outputs.resize(outputs.size() + outs);
      }
      for (std::size_t k = 0; k < outs; ++k) __builtin_prefetch(outputs[p.entity * outs + k].data(), 1);
      for (std::size_t k = 0; k < measures; ++k) {
        const MeasureInput& in = pending_inputs[i * measures + k];
        if (distinct_slot[k] >= 0 && in.counts) {
          distinct[p.entity * distinct_count + static_cast<std::size_t>(distinct_slot[k])].prefetch(
              static_cast<std::uint64_t>(in.v.i));
        }
      }
    }
    // 3. Fold, record by record, in order (state is charged as before: the
    //    limit stops the run at the same record).
    for (std::size_t i = 0; i < pending_count; ++i) {
      const Pending& p = pending[i];
      const std::uint32_t e = p.entity;
      if (p.added) {
        charge(kEntityOverhead + p.key.size() + measures * sizeof(Accumulator) + distinct_count * sizeof(HashSet64) +
                   outs * sizeof(std::string),
               p.where);
      }
      const Folded folded =
          fold_inputs(grading, distinct_slot, &pending_inputs[i * measures], &accumulators[e * measures],
                      distinct_count ? &distinct[e * distinct_count] : nullptr);
      if (folded.overflow) {
        throw StopRun{Status(StatusCode::kLimitExceeded,
                             "measure '" + folded.overflow->name + "' overflows a 64-bit integer at record " +
                                 std::to_string(p.where.record) + " of " + inputs.back().path)};
      }
      if (folded.grown) charge(folded.grown, p.where);
      for (std::size_t k = 0; k < outs; ++k) {
        const std::string& value = pending_outputs[i * outs + k];
        if (value.empty()) continue;
        std::string& out = outputs[e * outs + k];
        const std::size_t before = out.capacity();
        out.assign(value);
        if (out.capacity() > before) charge(out.capacity() - before, p.where);
      }
    }
    pending_count = 0;
  }

  Value measure_value(std::uint32_t e, std::size_t k) const {
    const int slot = distinct_slot[k];
    return grading::measure_value(grading.measures[k], accumulators[e * grading.measures.size() + k],
                                  slot < 0 ? nullptr : &distinct[e * distinct_count + static_cast<std::size_t>(slot)]);
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
  if (!ContractAccess::program(contract).grading) {
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
  const std::string binary = binary_table_format(file);
  if (!binary.empty())
    return g.failed = Status(StatusCode::kInvalidArgument, binary_table_message(source_name, binary));
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
    if (status.ok()) g.fold_pending();  // the input's last records
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
  run.entities = g.entities.size();
  for (const auto& t : grading.tiers) run.tiers.push_back({t.name, 0, t.exported});

  // Tiers: the first whose `when` holds over the entity's measures.
  const std::size_t measures = grading.measures.size();
  std::vector<Value> values(measures);
  std::vector<std::uint32_t> tier_of(g.entities.size());
  for (std::uint32_t e = 0; e < g.entities.size(); ++e) {
    for (std::size_t k = 0; k < measures; ++k) values[k] = g.measure_value(e, k);
    tier_of[e] = assign_tier(grading, values.data(), g.eval);
    ++run.tiers[tier_of[e]].entities;
  }

  // The export: exported tiers in contract order, then by key.
  std::vector<std::uint32_t> rows;
  for (std::uint32_t e = 0; e < g.entities.size(); ++e) {
    if (grading.tiers[tier_of[e]].exported) rows.push_back(e);
  }
  // Keys decoded once (not per comparison), flat: entity e's columns at [e * K, e * K + K).
  const std::size_t key_columns = grading.key.size();
  std::vector<Value> decoded(g.entities.size() * key_columns);
  for (std::uint32_t e : rows) {
    std::string_view in(g.entities.key(e));
    for (std::size_t i = 0; i < key_columns; ++i) decoded[e * key_columns + i] = decode(in);
  }
  std::sort(rows.begin(), rows.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (tier_of[a] != tier_of[b]) return tier_of[a] < tier_of[b];
    for (std::size_t i = 0; i < key_columns; ++i) {
      if (int c = compare(decoded[a * key_columns + i], decoded[b * key_columns + i])) return c < 0;
    }
    return false;
  });
  for (const auto& column : grading.key) run.columns.push_back(column.name);
  run.columns.push_back("tier");
  for (const auto& m : grading.measures) run.columns.push_back(m.name);
  for (const auto& column : grading.output) run.columns.push_back(column.name);
  run.table.reserve(rows.size());
  for (std::uint32_t e : rows) {
    std::vector<GradeCell>& row = run.table.emplace_back();
    row.reserve(run.columns.size());
    for (std::size_t i = 0; i < key_columns; ++i) row.push_back(to_cell(decoded[e * key_columns + i]));
    row.push_back(GradeCell{GradeCell::Kind::kString, false, 0, 0, grading.tiers[tier_of[e]].name});
    for (std::size_t k = 0; k < measures; ++k) row.push_back(to_cell(g.measure_value(e, k)));
    for (std::size_t k = 0; k < grading.output.size(); ++k) {
      std::string_view in(g.outputs[e * grading.output.size() + k]);
      row.push_back(in.empty() ? GradeCell{} : to_cell(decode(in)));
    }
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
  out["rows"] = {{"read", rows.read},           {"valid", rows.valid},     {"invalid", rows.invalid},
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
