#include "profile/profiler.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <span>

#include "base/formats.h"
#include "base/words16.h"
#include "engine/columns.h"
#include "engine/walk_state.h"
#include "profile/hashing.h"

namespace dq {

int profiled_index(const Program& program, std::string_view path) {
  for (std::size_t i = 0; i < program.profiled.size(); ++i) {
    if (program.nodes[static_cast<std::size_t>(program.profiled[i].node)].schema_path == path)
      return static_cast<int>(i);
  }
  return -1;
}

Profiler::Profiler(const Program& program, ProfileOptions options, int condition)
    : program_(program), options_(options) {
  profile_.dataset = program.spec.dataset;
  profile_.version = program.spec.version;
  profile_.max_values = options.max_values;
  field_of_type_check_.assign(program.checks.size(), -1);
  for (std::size_t i = 0; i < program.profiled.size(); ++i) {
    const Node& n = program.nodes[static_cast<std::size_t>(program.profiled[i].node)];
    FieldProfile f;
    f.path = n.schema_path;
    f.type = spec::type_name(n.type);
    profile_.fields.push_back(std::move(f));
    if (n.type_check >= 0) field_of_type_check_[static_cast<std::size_t>(n.type_check)] = static_cast<int>(i);
  }
  mistyped_.assign(program.profiled.size(), 0);
  profiled_.assign(program.profiled.size(), options.needed_fields_only ? 0 : 1);
  if (options.needed_fields_only) {
    auto need = [&](int field) {
      if (field >= 0) profiled_[static_cast<std::size_t>(field)] = 1;
    };
    for (const Program::Expectation& e : program.expectations) {
      // Exact counts and unique keys keep their own tables: their fields
      // need no statistics for them.
      const bool own_table = e.metric == "unique" || e.metric == "duplicate_count" || e.metric == "distinct_count" ||
                             e.metric == "distinct_ratio";
      if (!own_table) need(e.field);
    }
    for (const Program::DriftCheck& d : program.drift) need(d.field);
    for (const Program::MonitorCheck& m : program.monitors) need(m.field);
    need(program.freshness_field);
  }
  for (std::size_t k = 0; k < program.expectations.size(); ++k) {
    const Program::Expectation& e = program.expectations[k];
    if (e.condition != condition) continue;
    const int index = static_cast<int>(k);
    if (e.metric == "unique") {
      unique_.push_back(Unique{index, {}, 0, {}});
    } else if (e.metric == "increasing" || e.metric == "decreasing") {
      order_.push_back(Order{index});
    } else if (e.metric == "kl_divergence" && !e.bins.empty()) {
      bins_.push_back(Bins{index, std::vector<std::uint64_t>(e.bins.size() + 1, 0)});
    }
    if (e.field < 0) continue;
    if (e.metric == "duplicate_count" || e.metric == "distinct_count" || e.metric == "distinct_ratio") {
      if (exact_for(e.field) == nullptr) exact_.push_back(Exact{e.field, {}, 0});
    } else if (e.metric == "value") {
      InRange r;
      r.field = e.field;
      r.lo.kind = r.hi.kind = Value::Kind::kNumber;
      r.lo.d = e.min.value_or(-HUGE_VAL);
      r.hi.d = e.max.value_or(HUGE_VAL);
      in_range_.push_back(r);
    }
  }
  // A field counted exactly that is also a `unique` key on its own holds its
  // values once, in the key table (ten million ids: one table, not two).
  for (Exact& x : exact_) {
    for (std::size_t u = 0; u < unique_.size(); ++u) {
      const std::vector<int>& key = program.expectations[static_cast<std::size_t>(unique_[u].expectation)].fields;
      if (key.size() == 1 && key[0] == x.field) x.same_as_unique = static_cast<int>(u);
    }
  }
  keyed_.assign(program.profiled.size(), 0);
  for (const Exact& x : exact_) keyed_[static_cast<std::size_t>(x.field)] = 1;
  for (const Unique& u : unique_) {
    for (int f : program.expectations[static_cast<std::size_t>(u.expectation)].fields) {
      keyed_[static_cast<std::size_t>(f)] = 1;
    }
  }
  if (condition < 0) {
    for (std::size_t c = 0; c < program.conditions.size(); ++c) {
      conditional_.push_back(std::make_unique<Profiler>(program, options, static_cast<int>(c)));
    }
  }
  scratch_.now_micros =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
}

Profiler::~Profiler() = default;

const Profiler::Exact* Profiler::exact_for(int field) const {
  for (const Exact& e : exact_) {
    if (e.field == field) return &e;
  }
  return nullptr;
}

namespace {

// A screened batch's table of values starts with room for this many at a
// quarter full: categorical columns (a few to a few dozen values) then
// rarely probe past a key's first slot.
constexpr std::size_t kSparseValues = 64;

// A value as one number: numbers, times (µs or days) and item counts.
double as_number(const Value& v) { return v.kind == Value::Kind::kNumber ? v.d : static_cast<double>(v.i); }

std::uint64_t value_hash(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kString: return hash_bytes(v.s);
    case Value::Kind::kBool: return v.b ? 1 : 2;
    case Value::Kind::kNumber: return hash_number(v.d);
    default: return hash_number(static_cast<double>(v.i));
  }
}

// The key of a `unique` expectation: its fields' value hashes, in order,
// mixed (a null field is a value of its own).
std::uint64_t mix_key(std::uint64_t key, std::uint64_t part) {
  key ^= part + 0x9e3779b97f4a7c15ULL + (key << 6) + (key >> 2);
  key ^= key >> 31;
  key *= 0xbf58476d1ce4e5b9ULL;
  return key ^ (key >> 29);
}
constexpr std::uint64_t kNullPart = 0x6e756c6c6e756c6cULL;

std::string shown(const Value& v) {
  if (v.kind == Value::Kind::kNumber) {
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v.d);
    return std::string(buffer, end);
  }
  return describe_value(v);
}

constexpr std::size_t kSamples = 5;  // samples kept per expectation (the first records)

// Whether `x` may follow `before` under an increasing or decreasing expectation.
bool in_order(const Program::Expectation& e, double before, double x) {
  if (e.metric == "increasing") return e.strict ? x > before : x >= before;
  return e.strict ? x < before : x <= before;
}

// A number kept as a double, shown as the value it was: a time stays a time.
Value value_like(double x, const Value& like) {
  Value v = like;
  if (like.kind == Value::Kind::kTimestamp || like.kind == Value::Kind::kDate) {
    v.i = static_cast<std::int64_t>(x);
  } else if (x == std::floor(x) && std::fabs(x) < 9.2e18) {
    v.kind = Value::Kind::kInt;
    v.i = static_cast<std::int64_t>(x);
  } else {
    v.kind = Value::Kind::kNumber;
    v.d = x;
  }
  return v;
}

std::string order_message(const Program::Expectation& e) {
  const bool increasing = e.metric == "increasing";
  return std::string("not ") +
         (increasing ? (e.strict ? "above" : "at or above") : (e.strict ? "below" : "at or below")) +
         " the value before it";
}

// Keeps the samples of the earliest records.
void keep_earliest(std::vector<Sample>& samples) {
  std::sort(samples.begin(), samples.end(), [](const Sample& a, const Sample& b) { return a.record < b.record; });
  if (samples.size() > kSamples) samples.resize(kSamples);
}

}  // namespace

bool Profiler::present(int field, const Value* slots) const {
  const std::vector<Program::ProfiledField>& plan = program_.profiled;
  for (int p = plan[static_cast<std::size_t>(field)].parent; p >= 0; p = plan[static_cast<std::size_t>(p)].parent) {
    if (slots[program_.nodes[static_cast<std::size_t>(plan[static_cast<std::size_t>(p)].node)].slot].kind !=
        Value::Kind::kObject) {
      return false;
    }
  }
  return true;
}

// Counts a key; a repeat of an earlier record's key is sampled while few are.
template <typename Shown>
void Profiler::count_key(Unique& u, std::uint64_t key, std::uint64_t record, Shown shown) {
  ++u.values;
  auto [seen, fresh] = u.keys.try_emplace(key, Unique::Seen{record, 0});
  ++seen->count;
  if (fresh) return;
  // A walked row of a table can come after screened rows that follow it: the
  // earlier record is the first.
  const std::uint64_t first = std::min(seen->first_record, record);
  const std::uint64_t repeat = std::max(seen->first_record, record);
  seen->first_record = first;
  if (u.samples.size() < kSamples || repeat < u.samples.back().record) {
    u.samples.push_back({repeat, 0, key_path(u), shown(), "repeats record " + std::to_string(first)});
    keep_earliest(u.samples);
  }
}

std::string Profiler::key_path(const Unique& u) const {
  std::string path;
  for (int f : program_.expectations[static_cast<std::size_t>(u.expectation)].fields) {
    path += (path.empty() ? "" : ",") + field_path(f);
  }
  return path;
}

const std::string& Profiler::field_path(int field) const {
  return program_.nodes[static_cast<std::size_t>(program_.profiled[static_cast<std::size_t>(field)].node)].schema_path;
}

void Profiler::add_keys(const Value* slots) {
  for (Unique& u : unique_) {
    const Program::Expectation& e = program_.expectations[static_cast<std::size_t>(u.expectation)];
    std::uint64_t key = 0;
    bool any = false;
    auto value_of = [&](int f) -> const Value& {
      return slots[program_.nodes[static_cast<std::size_t>(program_.profiled[static_cast<std::size_t>(f)].node)].slot];
    };
    for (int f : e.fields) {
      const Value& v = value_of(f);
      const bool value = present(f, slots) && !v.is_null() && v.kind != Value::Kind::kObject;
      any |= value;
      key = mix_key(key, value ? value_hash(v) : kNullPart);
    }
    // A key of nulls only is no key (Great Expectations' default
    // ignore_row_if: all_values_are_missing).
    if (!any) continue;
    count_key(u, key, records_ + 1, [&] {
      std::string text;
      for (int f : e.fields) text += (text.empty() ? "" : ", ") + (present(f, slots) ? shown(value_of(f)) : "absent");
      return text;
    });
  }
}

void Profiler::add_order(Order& o, double x, const Value& v) {
  const Program::Expectation& e = program_.expectations[static_cast<std::size_t>(o.expectation)];
  if (o.values++ == 0) {
    o.first = o.last = x;
    o.first_record = records_ + 1;
    return;
  }
  if (!in_order(e, o.last, x)) {
    ++o.breaks;
    if (o.samples.size() < kSamples) {
      o.samples.push_back(
          {records_ + 1, 0, field_path(e.field), shown(v), order_message(e) + ", " + shown(value_like(o.last, v))});
    }
  }
  o.last = x;
}

void Profiler::add_bins(Bins& b, double x) {
  const std::vector<double>& edges = program_.expectations[static_cast<std::size_t>(b.expectation)].bins;
  // numpy.histogram's bins: [e0, e1), ..., [e(n-1), en] (the last one closed).
  std::size_t at;
  if (x < edges.front())
    at = 0;
  else if (x > edges.back())
    at = edges.size();
  else if (x == edges.back())
    at = edges.size() - 1;
  else
    at = static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), x) - edges.begin());
  ++b.counts[at];
}

void Profiler::add(const WalkState& state) {
  const std::vector<Violation>& violations = state.verdict.violations;
  for (const Violation& v : violations) {
    if (v.check == 0) return;  // not an object: no fields
  }
  for (const Violation& v : violations) {
    const int field = field_of_type_check_[v.check];
    if (field >= 0) mistyped_[static_cast<std::size_t>(field)] = 1;
  }
  ++profile_.rows;
  const std::vector<Program::ProfiledField>& plan = program_.profiled;
  const Value* slots = state.slots.data();
  for (std::size_t i = 0; i < plan.size(); ++i) {
    if (!profiled_[i]) continue;
    const Program::ProfiledField& pf = plan[i];
    if (pf.parent >= 0) {
      const Node& parent = program_.nodes[static_cast<std::size_t>(plan[static_cast<std::size_t>(pf.parent)].node)];
      if (slots[parent.slot].kind != Value::Kind::kObject) continue;  // no object, no field
    }
    const Node& n = program_.nodes[static_cast<std::size_t>(pf.node)];
    const Value& v = slots[n.slot];
    FieldProfile& f = profile_.fields[i];
    ++f.count;
    if (v.is_null()) {
      if (mistyped_[i]) {
        ++f.invalid;
      } else {
        ++f.nulls;
      }
      continue;
    }
    switch (v.kind) {
      case Value::Kind::kInt:
      case Value::Kind::kNumber:
      case Value::Kind::kArray: f.add_number(as_number(v)); break;
      case Value::Kind::kString: f.add_text(v.s, options_.max_values, hash_bytes(v.s)); break;
      case Value::Kind::kBool: f.add_text(v.b ? "true" : "false", options_.max_values, v.b ? 1 : 2); break;
      case Value::Kind::kTimestamp:
      case Value::Kind::kDate: f.add_time(v.i); break;
      default: ++f.values; break;  // objects and `any`: presence
    }
  }
  for (Exact& e : exact_) {
    const Value& v = slots[program_.nodes[static_cast<std::size_t>(plan[static_cast<std::size_t>(e.field)].node)].slot];
    if (v.is_null() || v.kind == Value::Kind::kObject) continue;
    bool parent_present = true;
    for (int p = plan[static_cast<std::size_t>(e.field)].parent; p >= 0; p = plan[static_cast<std::size_t>(p)].parent) {
      parent_present &=
          slots[program_.nodes[static_cast<std::size_t>(plan[static_cast<std::size_t>(p)].node)].slot].kind ==
          Value::Kind::kObject;
    }
    if (!parent_present) continue;
    ++e.values;
    if (e.same_as_unique < 0) e.hashes.insert(value_hash(v));
  }
  for (InRange& r : in_range_) {
    const Value& v = slots[program_.nodes[static_cast<std::size_t>(plan[static_cast<std::size_t>(r.field)].node)].slot];
    if (v.is_null()) continue;
    ++r.checked;
    const double x = as_number(v);
    r.passed += x >= r.lo.d && x <= r.hi.d;
  }
  add_keys(slots);
  for (Order& o : order_) {
    const int field = program_.expectations[static_cast<std::size_t>(o.expectation)].field;
    const Value& v = slots[program_.nodes[static_cast<std::size_t>(plan[static_cast<std::size_t>(field)].node)].slot];
    if (!v.is_null() && v.kind != Value::Kind::kObject && present(field, slots)) add_order(o, as_number(v), v);
  }
  for (Bins& b : bins_) {
    const int field = program_.expectations[static_cast<std::size_t>(b.expectation)].field;
    const Value& v = slots[program_.nodes[static_cast<std::size_t>(plan[static_cast<std::size_t>(field)].node)].slot];
    if ((v.kind == Value::Kind::kInt || v.kind == Value::Kind::kNumber) && present(field, slots))
      add_bins(b, as_number(v));
  }
  if (!violations.empty()) std::fill(mistyped_.begin(), mistyped_.end(), 0);
  for (std::size_t c = 0; c < conditional_.size(); ++c) {
    const ExprCode& when = program_.conditions[c];
    const bool applies = holds(when, when.root, slots, scratch_);
    scratch_.strings.clear();
    if (!applies) continue;
    conditional_[c]->records_ = records_;
    conditional_[c]->add(state);
  }
}

void Profiler::add_screened(const Column& batch, const std::vector<std::uint8_t>& screened) {
  using K = Column::Kind;
  const std::int64_t length = batch.length;
  std::uint64_t rows = 0;
  for (std::uint8_t s : screened) rows += s;
  profile_.rows += rows;
  std::vector<double>& numbers = screened_numbers_;
  for (std::size_t i = 0; i < program_.profiled.size(); ++i) {
    const Program::ProfiledField& pf = program_.profiled[i];
    // Screened batches are flat: no object, no nested field. A field without
    // statistics kept is still read for its exact set or unique key.
    if (pf.parent >= 0 || (!profiled_[i] && !keyed_[i])) continue;
    const Node* node = &program_.nodes[static_cast<std::size_t>(pf.node)];
    const Column* col = nullptr;
    for (const Column& c : batch.children) {
      if (c.node == node) col = &c;
    }
    FieldProfile& f = profile_.fields[i];
    f.count += rows;
    if (col == nullptr) {
      f.nulls += rows;
      continue;
    }
    Exact* exact = nullptr;
    for (Exact& e : exact_) {
      if (e.field == static_cast<int>(i)) exact = &e;
    }
    add_screened_keys(*col, static_cast<int>(i), screened);
    const auto present = [&](std::int64_t r) { return screened[static_cast<std::size_t>(r)] && col->valid(r); };
    if (col->kind == K::kInt || col->kind == K::kUint || col->kind == K::kDouble || col->kind == K::kFloat) {
      if (numbers.size() < static_cast<std::size_t>(length)) numbers.resize(static_cast<std::size_t>(length));
      std::size_t n = 0;
      // One loop per layout: the gather is branch-light and vectorizes.
      auto gather = [&](auto read) {
        if (col->validity == nullptr) {
          for (std::int64_t r = 0; r < length; ++r) {
            numbers[n] = read(r);
            n += screened[static_cast<std::size_t>(r)];
          }
          return;
        }
        for (std::int64_t r = 0; r < length; ++r) {
          numbers[n] = read(r);
          n += present(r);
        }
      };
      const std::int64_t base = col->offset;
      switch (col->kind) {
        case K::kInt:
          if (col->width == 8)
            gather([&](std::int64_t r) {
              return static_cast<double>(static_cast<const std::int64_t*>(col->values)[base + r]);
            });
          else if (col->width == 4)
            gather([&](std::int64_t r) {
              return static_cast<double>(static_cast<const std::int32_t*>(col->values)[base + r]);
            });
          else
            gather([&](std::int64_t r) { return static_cast<double>(col->int_at(r)); });
          break;
        case K::kUint: gather([&](std::int64_t r) { return static_cast<double>(col->uint_at(r)); }); break;
        case K::kDouble:
          gather([&](std::int64_t r) { return static_cast<const double*>(col->values)[base + r]; });
          break;
        default:
          gather([&](std::int64_t r) { return static_cast<double>(static_cast<const float*>(col->values)[base + r]); });
          break;
      }
      const std::span<const double> values(numbers.data(), n);
      f.nulls += rows - values.size();
      f.add_numbers(values.data(), values.size());
      if (exact) {
        exact->values += values.size();
        if (exact->same_as_unique < 0) {
          for (double x : values) exact->hashes.insert(hash_number(x));
        }
      }
      for (InRange& range : in_range_) {
        if (range.field != static_cast<int>(i)) continue;
        range.checked += values.size();
        for (double x : values) range.passed += x >= range.lo.d && x <= range.hi.d;
      }
      for (Bins& b : bins_) {
        if (program_.expectations[static_cast<std::size_t>(b.expectation)].field != static_cast<int>(i)) continue;
        for (double x : values) add_bins(b, x);
      }
    } else if (col->is_string() || col->kind == K::kBool) {
      // Values are counted in a hash table first (one std::map update per
      // distinct value and batch, not per row). What else a value gives (its
      // distinct register, its exact-set entry, its length's min and max) is
      // the same each time it comes, so it is added when the value is first
      // seen in the table, and its total length once per count.
      const bool strings = col->kind != K::kBool;
      struct Seen {
        std::string_view text;
        std::uint64_t count = 0, length = 0;
      };
      HashMap64<Seen> seen;
      seen.reserve_sparse(kSparseValues);
      bool lengths_seen = f.values > 0;  // min_length holds a value
      auto count_length = [&](std::uint64_t points, std::uint64_t n) {
        f.add_lengths(points, n, !lengths_seen);
        lengths_seen = true;
      };
      auto code_points = [&](std::string_view text) { return col->ascii ? text.size() : profiling::code_points(text); };
      auto add_once = [&](std::uint64_t hash) {
        f.distinct.add_hash(hash);
        if (exact && exact->same_as_unique < 0) exact->hashes.insert(hash);
      };
      // Strings of at most 16 bytes are first looked up by their bytes in a
      // small direct-mapped table: two words and a size compared, no hash, so
      // the values of a categorical column cost a load, a multiply and a
      // compare (hashing them cost 8-14 ns a value, most of it branches on
      // lengths that vary row to row). A value missing there takes the hashed
      // path below and then the slot; a slot's count goes to its value's entry
      // in `seen` when the slot is taken over and before `seen` is counted.
      struct Recent {
        Words16 words;
        std::uint64_t size = ~std::uint64_t{0}, hash = 0, count = 0;
      };
      std::array<Recent, 256> recent{};
      // The bytes may be read 16 at a time up to the end of the column's own
      // (a string view's inline string only up to its own end).
      const char* readable_end = nullptr;
      if (strings && col->kind != K::kUtf8View && length > 0)
        readable_end = col->data + col->range_at(length - 1).second;
      auto hand_over = [&](Recent& slot) {
        if (slot.count > 0) seen.try_emplace(slot.hash, Seen{}).first->count += slot.count;
        slot.count = 0;
      };
      auto count_seen = [&] {
        for (Recent& slot : recent) {
          hand_over(slot);
          slot.size = ~std::uint64_t{0};
        }
        seen.for_each([&](std::uint64_t, const Seen& s) {
          f.total_length += s.length * s.count;  // min and max were taken when the value was new
          f.count_value(s.text, s.count, options_.max_values);
        });
        seen.clear();
      };
      // A present row's text, and its hash_bytes.
      auto text_at = [&](std::int64_t r) -> std::string_view {
        if (strings) return col->string_at(r);
        const std::int64_t at = col->offset + r;
        return (static_cast<const std::uint8_t*>(col->values)[at >> 3] >> (at & 7)) & 1 ? "true" : "false";
      };
      auto hash_of = [&](std::string_view text) -> std::uint64_t {
        if (strings) return profiling::hash_text(text);
        return text.size() == 4 ? 1 : 2;  // true, false
      };
      std::uint64_t present_rows = 0;
      std::int64_t r = 0;
      for (; r < length && !f.values_overflow; ++r) {
        if (!present(r)) continue;
        ++present_rows;
        const std::string_view text = text_at(r);
        Recent* slot = nullptr;
        Words16 words;
        if (strings && text.size() <= 16) {
          words =
              Words16::of(text.data(), text.size(), readable_end != nullptr ? readable_end : text.data() + text.size());
          slot = &recent[((words.w0 ^ (words.w1 * 0x9E3779B97F4A7C15ULL) ^ text.size()) * 0xC2B2AE3D27D4EB4FULL) >> 56];
          if ((slot->words.w0 == words.w0) & (slot->words.w1 == words.w1) & (slot->size == text.size())) {
            ++slot->count;
            continue;
          }
        }
        const std::uint64_t hash = hash_of(text);
        if (seen.size() > options_.max_values) {
          // More distinct values in this batch than the field's table may
          // hold: counted into it now (it gives up past max_values, exactly
          // as when counted one by one), so this table stays bounded. Values
          // already in the field's table are not new, so the two sizes do not add.
          count_seen();
          if (f.values_overflow) {  // the table is gone: this value adds its own, as those below
            add_once(hash);
            if (strings) count_length(code_points(text), 1);
            continue;
          }
        }
        auto [counted, fresh] = seen.try_emplace(hash, Seen{text, 0, 0});
        if (fresh) {
          add_once(hash);
          if (strings) {
            counted->length = code_points(text);
            count_length(counted->length, 0);  // its total when counted
          }
        } else if (counted->text.size() != text.size() ||
                   !equal_bytes(counted->text.data(), text.data(), text.size())) {
          // A hash collision: counted directly.
          add_once(hash);
          if (strings) count_length(code_points(text), 1);
          f.count_value(text, 1, options_.max_values);
          continue;
        }
        if (slot == nullptr) {
          ++counted->count;
        } else {  // the slot counts it from now on (`counted` may move as the slot hands over)
          hand_over(*slot);
          *slot = Recent{words, text.size(), hash, 1};
        }
      }
      if (r < length) {
        // Past max_values the field keeps no table (high-cardinality
        // columns): each value adds its own register, exact-set entry and
        // length. The hashes are taken first and counted in bulk.
        std::vector<std::uint64_t>& hashes = screened_hashes_;
        if (hashes.size() < static_cast<std::size_t>(length - r)) hashes.resize(static_cast<std::size_t>(length - r));
        std::size_t n = 0;
        std::uint64_t shortest = ~std::uint64_t{0}, longest = 0, total = 0;
        for (; r < length; ++r) {
          if (!present(r)) continue;
          const std::string_view text = text_at(r);
          hashes[n++] = hash_of(text);
          if (!strings) continue;
          const std::uint64_t points = code_points(text);
          shortest = std::min(shortest, points);
          longest = std::max(longest, points);
          total += points;
        }
        present_rows += n;
        f.add_hashes(hashes.data(), n);
        if (exact && exact->same_as_unique < 0) {
          for (std::size_t k = 0; k < n; ++k) exact->hashes.insert(hashes[k]);
        }
        if (strings && n > 0) {
          count_length(shortest, 0);
          count_length(longest, 0);
          f.total_length += total;
        }
      }
      f.values += present_rows;
      f.nulls += rows - present_rows;
      if (exact) exact->values += present_rows;
      count_seen();
    } else {
      // Screening passes no other kind of column; count presence only.
      for (std::int64_t r = 0; r < length; ++r) {
        if (screened[static_cast<std::size_t>(r)]) ++(col->valid(r) ? f.values : f.nulls);
      }
    }
  }
}

void Profiler::add_screened_keys(const Column& col, int field, const std::vector<std::uint8_t>& screened) {
  using K = Column::Kind;
  for (Unique& u : unique_) {
    const Program::Expectation& e = program_.expectations[static_cast<std::size_t>(u.expectation)];
    if (e.fields.size() != 1 || e.fields[0] != field) continue;  // keys of several fields are walked
    for (std::int64_t r = 0; r < col.length; ++r) {
      if (!screened[static_cast<std::size_t>(r)] || !col.valid(r)) continue;
      // The value as the walker captures it, so keys and samples agree.
      Value v;
      switch (col.kind) {
        case K::kInt: v.kind = Value::Kind::kInt, v.i = col.int_at(r); break;
        case K::kUint: v.kind = Value::Kind::kInt, v.i = static_cast<std::int64_t>(col.uint_at(r)); break;
        case K::kDouble:
        case K::kFloat: {
          const double d = col.kind == K::kDouble ? static_cast<const double*>(col.values)[col.offset + r]
                                                  : static_cast<const float*>(col.values)[col.offset + r];
          if (d == std::floor(d) && std::fabs(d) < 9.2e18)
            v.kind = Value::Kind::kInt, v.i = static_cast<std::int64_t>(d);
          else
            v.kind = Value::Kind::kNumber, v.d = d;
          break;
        }
        case K::kBool: {
          const std::int64_t at = col.offset + r;
          v.kind = Value::Kind::kBool;
          v.b = (static_cast<const std::uint8_t*>(col.values)[at >> 3] >> (at & 7)) & 1;
          break;
        }
        default:
          if (!col.is_string()) continue;
          v.kind = Value::Kind::kString;
          v.s = col.string_at(r);
      }
      count_key(u, mix_key(0, value_hash(v)), records_ + 1 + static_cast<std::uint64_t>(r), [&] { return shown(v); });
    }
  }
}

void Profiler::merge(const Profiler& other, std::uint64_t record_shift, bool ordered) {
  (void)profile_.merge(other.profile_);  // one program: the fields match by construction
  for (std::size_t i = 0; i < exact_.size() && i < other.exact_.size(); ++i) {
    exact_[i].values += other.exact_[i].values;
    other.exact_[i].hashes.for_each([&](std::uint64_t h) { exact_[i].hashes.insert(h); });
  }
  for (std::size_t i = 0; i < in_range_.size() && i < other.in_range_.size(); ++i) {
    in_range_[i].checked += other.in_range_[i].checked;
    in_range_[i].passed += other.in_range_[i].passed;
  }
  for (std::size_t i = 0; i < unique_.size() && i < other.unique_.size(); ++i) {
    Unique& u = unique_[i];
    const Unique& o = other.unique_[i];
    for (Sample sample : o.samples) {
      sample.record += record_shift;
      u.samples.push_back(std::move(sample));
    }
    keep_earliest(u.samples);
    o.keys.for_each([&](std::uint64_t key, const Unique::Seen& theirs) {
      const std::uint64_t first = theirs.first_record + record_shift;
      auto [seen, fresh] = u.keys.try_emplace(key, Unique::Seen{first, 0});
      seen->count += theirs.count;
      if (fresh) return;
      // The other part's first record of a key this part has: a repeat (its
      // value is not kept past the part that read it).
      const std::uint64_t earlier = std::min(seen->first_record, first);
      const std::uint64_t repeat = std::max(seen->first_record, first);
      seen->first_record = earlier;
      if (u.samples.size() < kSamples || repeat < u.samples.back().record) {
        u.samples.push_back({repeat, 0, key_path(u), "", "repeats record " + std::to_string(earlier)});
        keep_earliest(u.samples);
      }
    });
    u.values += o.values;
  }
  for (std::size_t i = 0; i < order_.size() && i < other.order_.size(); ++i) {
    Order& o = order_[i];
    const Order& next = other.order_[i];
    if (next.values == 0) continue;
    if (o.values == 0) {
      const std::uint64_t shift = record_shift;
      o = next;
      for (Sample& sample : o.samples) sample.record += shift;
      continue;
    }
    o.interleaved |= next.interleaved || !ordered;
    const Program::Expectation& e = program_.expectations[static_cast<std::size_t>(o.expectation)];
    if (!in_order(e, o.last, next.first)) {
      ++o.breaks;
      o.samples.push_back({next.first_record + record_shift, 0, field_path(e.field), "", order_message(e)});
    }
    for (Sample sample : next.samples) {
      sample.record += record_shift;
      o.samples.push_back(std::move(sample));
    }
    keep_earliest(o.samples);
    o.values += next.values;
    o.breaks += next.breaks;
    o.last = next.last;
  }
  for (std::size_t i = 0; i < bins_.size() && i < other.bins_.size(); ++i) {
    for (std::size_t k = 0; k < bins_[i].counts.size(); ++k) bins_[i].counts[k] += other.bins_[i].counts[k];
  }
  for (std::size_t c = 0; c < conditional_.size() && c < other.conditional_.size(); ++c) {
    conditional_[c]->merge(*other.conditional_[c], record_shift, ordered);
  }
}

}  // namespace dq
