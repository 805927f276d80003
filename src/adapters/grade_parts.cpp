// GradeParts: the batch grader's per-entity aggregation, cut into parts an
// outside engine groups and merges (see dq/grade.h). The folding, merging
// and tiering are the batch grader's own (grading/measures.h); this file
// adds the byte form of one entity's state.
#include <chrono>
#include <optional>
#include <utility>

#include "dq/grade.h"
#include "engine/walker.h"
#include "grading/measures.h"

namespace dq {
namespace {

using namespace grading;  // NOLINT: the grader's own vocabulary

constexpr char kStateMagic = 'G';

// One entity's state: an accumulator per measure, a set per distinct()
// measure, and per output column the value of the record with the greatest
// order (encoded; absent until a non-null value).
struct State {
  std::vector<Accumulator> measures;
  std::vector<HashSet64> sets;
  std::vector<std::optional<std::pair<std::int64_t, std::string>>> outputs;
};

template <class T>
void put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

// Reads a state's bytes, refusing anything short or inconsistent.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <class T>
  bool get(T& value) {
    if (in_.size() < sizeof value) return false;
    std::memcpy(&value, in_.data(), sizeof value);
    in_.remove_prefix(sizeof value);
    return true;
  }
  bool bytes(std::size_t n, std::string& out) {
    if (in_.size() < n) return false;
    out.assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

// decode() with bounds checks, for bytes that arrive from outside.
bool decode_checked(std::string_view& in, Value& out) {
  if (in.empty()) return false;
  const auto kind = static_cast<Kind>(in[0]);
  std::size_t size = 1;
  if (static_cast<std::uint8_t>(kind) > static_cast<std::uint8_t>(Kind::kObject)) return false;
  switch (kind) {
    case Kind::kBool: size += 1; break;
    case Kind::kNumber:
    case Kind::kInt:
    case Kind::kTimestamp:
    case Kind::kDate: size += 8; break;
    case Kind::kString: {
      std::uint32_t length;
      if (in.size() < 1 + sizeof length) return false;
      std::memcpy(&length, in.data() + 1, sizeof length);
      size += sizeof length + length;
      break;
    }
    default: break;  // the kind alone
  }
  if (in.size() < size) return false;
  out = decode(in);
  return true;
}

}  // namespace

struct GradeParts::Impl {
  explicit Impl(const Contract& c)
      : contract(c), program(ContractAccess::program(c)), grading(*program.grading), validator(c) {
    uses_now = grading.filter.uses_now;
    for (const Program::Measure& m : grading.measures) {
      uses_now |= m.arg.uses_now || m.where.uses_now;
      distinct_slot.push_back(m.kind == MK::kDistinct ? static_cast<int>(distinct_count++) : -1);
    }
    for (const auto& column : grading.key) columns.push_back(column.name);
    columns.push_back("tier");
    for (const auto& m : grading.measures) columns.push_back(m.name);
    for (const auto& column : grading.output) columns.push_back(column.name);
    for (const auto& t : grading.tiers) tier_names.push_back(t.name);
  }

  Contract contract;
  const Program& program;
  const Program::Grading& grading;
  Validator validator;
  const Verdict* last = nullptr;
  EvalScratch eval;
  std::vector<MeasureInput> inputs;  // one record's, scratch
  std::vector<int> distinct_slot;
  std::size_t distinct_count = 0;
  bool uses_now = false;
  std::vector<std::string> columns, tier_names;

  State empty() const {
    State s;
    s.measures.resize(grading.measures.size());
    s.sets.resize(distinct_count);
    s.outputs.resize(grading.output.size());
    return s;
  }

  void write(const State& s, std::string& out) const {
    out.clear();
    out += kStateMagic;
    put(out, static_cast<std::uint32_t>(s.measures.size()));
    put(out, static_cast<std::uint32_t>(s.sets.size()));
    put(out, static_cast<std::uint32_t>(s.outputs.size()));
    for (const Accumulator& a : s.measures) {
      put(out, a.i);
      put(out, a.d);
      put(out, a.carry);
      put(out, a.n);
    }
    for (const HashSet64& set : s.sets) {
      put(out, static_cast<std::uint64_t>(set.size()));
      set.for_each([&out](std::uint64_t h) { put(out, h); });
    }
    for (const auto& o : s.outputs) {
      put(out, static_cast<std::uint8_t>(o.has_value()));
      if (!o) continue;
      put(out, o->first);
      put(out, static_cast<std::uint32_t>(o->second.size()));
      out += o->second;
    }
  }

  Status read(std::string_view bytes, State& s) const {
    const Status bad(StatusCode::kInvalidData, "not a grading state of " + contract.dataset() + " " +
                                                   contract.version() + " (" + std::to_string(bytes.size()) +
                                                   " bytes)");
    Reader in(bytes);
    char magic = 0;
    std::uint32_t measures = 0, sets = 0, outputs = 0;
    if (!in.get(magic) || magic != kStateMagic || !in.get(measures) || !in.get(sets) || !in.get(outputs) ||
        measures != grading.measures.size() || sets != distinct_count || outputs != grading.output.size()) {
      return bad;
    }
    s = empty();
    for (Accumulator& a : s.measures) {
      if (!in.get(a.i) || !in.get(a.d) || !in.get(a.carry) || !in.get(a.n)) return bad;
    }
    for (HashSet64& set : s.sets) {
      std::uint64_t size = 0;
      if (!in.get(size)) return bad;
      for (std::uint64_t k = 0; k < size; ++k) {
        std::uint64_t h = 0;
        if (!in.get(h)) return bad;
        set.insert(h);
      }
    }
    for (auto& o : s.outputs) {
      std::uint8_t present = 0;
      if (!in.get(present) || present > 1) return bad;
      if (!present) continue;
      std::int64_t order = 0;
      std::uint32_t size = 0;
      std::string value;
      if (!in.get(order) || !in.get(size) || !in.bytes(size, value)) return bad;
      std::string_view check(value);
      Value v;
      if (!decode_checked(check, v) || !check.empty()) return bad;
      o.emplace(order, std::move(value));
    }
    return in.done() ? Status() : bad;
  }

  Status merge_into(State& a, const State& b) const {
    for (std::size_t k = 0; k < a.measures.size(); ++k) {
      if (!merge_measure(grading.measures[k], a.measures[k], b.measures[k])) {
        return Status(StatusCode::kLimitExceeded,
                      "measure '" + grading.measures[k].name + "' overflows a 64-bit integer");
      }
    }
    for (std::size_t j = 0; j < a.sets.size(); ++j) {
      b.sets[j].for_each([&](std::uint64_t h) { a.sets[j].insert(h); });
    }
    for (std::size_t k = 0; k < a.outputs.size(); ++k) {
      if (b.outputs[k] && (!a.outputs[k] || *b.outputs[k] > *a.outputs[k])) a.outputs[k] = b.outputs[k];
    }
    return {};
  }
};

GradeParts::GradeParts(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GradeParts::~GradeParts() = default;
GradeParts::GradeParts(GradeParts&&) noexcept = default;
GradeParts& GradeParts::operator=(GradeParts&&) noexcept = default;

Result<GradeParts> GradeParts::create(const Contract& contract) {
  if (!ContractAccess::program(contract).grading) {
    return Status(StatusCode::kInvalidArgument, "contract " + contract.dataset() + " has no 'grading' section");
  }
  return GradeParts(std::make_unique<Impl>(contract));
}

GradeParts::Outcome GradeParts::share(std::string_view json, std::int64_t order, std::string& key, std::string& state) {
  Impl& g = *impl_;
  const Verdict& verdict = g.validator.validate_json(json);
  g.last = &verdict;
  if (!verdict.ok) return Outcome::kRejected;
  const Value* slots = last_walk(g.validator).slots.data();
  g.eval.strings.clear();
  if (g.uses_now) {
    g.eval.now_micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
  }
  const Program::Grading& grading = g.grading;
  if (grading.filter.root >= 0 && !holds(grading.filter, grading.filter.root, slots, g.eval)) {
    return Outcome::kFiltered;
  }
  key.clear();
  for (const auto& column : grading.key) encode(key, slots[column.slot]);
  State s = g.empty();
  g.inputs.resize(grading.measures.size());
  measure_inputs(grading, slots, g.eval, g.inputs.data());
  fold_inputs(grading, g.distinct_slot, g.inputs.data(), s.measures.data(),
              s.sets.data());  // one record cannot overflow
  for (std::size_t k = 0; k < grading.output.size(); ++k) {
    const Value& v = slots[grading.output[k].slot];
    if (v.is_null()) continue;
    std::string encoded;
    encode(encoded, v);
    s.outputs[k].emplace(order, std::move(encoded));
  }
  g.write(s, state);
  return Outcome::kGraded;
}

const Verdict& GradeParts::verdict() const {
  static const Verdict kNone;
  return impl_->last ? *impl_->last : kNone;
}

Result<std::string> GradeParts::merge(const std::vector<std::string_view>& states) const {
  const Impl& g = *impl_;
  State merged = g.empty(), part;
  for (std::string_view bytes : states) {
    if (Status st = g.read(bytes, part); !st.ok()) return st;
    if (Status st = g.merge_into(merged, part); !st.ok()) return st;
  }
  std::string out;
  g.write(merged, out);
  return out;
}

Result<GradeParts::Entity> GradeParts::finish(std::string_view key, std::string_view state) {
  Impl& g = *impl_;
  State s;
  if (Status st = g.read(state, s); !st.ok()) return st;
  const Program::Grading& grading = g.grading;
  std::vector<Value> values(grading.measures.size());
  for (std::size_t k = 0; k < values.size(); ++k) {
    const int slot = g.distinct_slot[k];
    values[k] =
        measure_value(grading.measures[k], s.measures[k], slot < 0 ? nullptr : &s.sets[static_cast<std::size_t>(slot)]);
  }
  Entity entity;
  entity.tier = assign_tier(grading, values.data(), g.eval);
  entity.exported = grading.tiers[entity.tier].exported;
  std::string_view in = key;
  for (std::size_t c = 0; c < grading.key.size(); ++c) {
    Value v;
    if (!decode_checked(in, v)) {
      return Status(StatusCode::kInvalidData,
                    "not an entity key of " + g.contract.dataset() + " (" + std::to_string(key.size()) + " bytes)");
    }
    entity.row.push_back(to_cell(v));
  }
  if (!in.empty()) return Status(StatusCode::kInvalidData, "not an entity key of " + g.contract.dataset());
  entity.row.push_back(GradeCell{GradeCell::Kind::kString, false, 0, 0, grading.tiers[entity.tier].name});
  for (const Value& v : values) entity.row.push_back(to_cell(v));
  for (const auto& o : s.outputs) {
    if (!o) {
      entity.row.emplace_back();
      continue;
    }
    std::string_view encoded = o->second;
    entity.row.push_back(to_cell(decode(encoded)));
  }
  return entity;
}

const std::vector<std::string>& GradeParts::columns() const { return impl_->columns; }
const std::vector<std::string>& GradeParts::tier_names() const { return impl_->tier_names; }

}  // namespace dq
