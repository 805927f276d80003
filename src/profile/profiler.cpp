#include "profile/profiler.h"

#include <algorithm>

#include <unordered_map>

#include "engine/columns.h"
#include "engine/walker.h"

namespace dq {

int profiled_index(const Program& program, std::string_view path) {
  for (std::size_t i = 0; i < program.profiled.size(); ++i) {
    if (program.nodes[static_cast<std::size_t>(program.profiled[i].node)].schema_path == path) return static_cast<int>(i);
  }
  return -1;
}

Profiler::Profiler(const Program& program, ProfileOptions options) : program_(program), options_(options) {
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
  for (const Program::Expectation& e : program.expectations) {
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
}

const Profiler::Exact* Profiler::exact_for(int field) const {
  for (const Exact& e : exact_) {
    if (e.field == field) return &e;
  }
  return nullptr;
}

namespace {

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

}  // namespace

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
      parent_present &= slots[program_.nodes[static_cast<std::size_t>(plan[static_cast<std::size_t>(p)].node)].slot].kind ==
                        Value::Kind::kObject;
    }
    if (!parent_present) continue;
    ++e.values;
    e.hashes.insert(value_hash(v));
  }
  for (InRange& r : in_range_) {
    const Value& v = slots[program_.nodes[static_cast<std::size_t>(plan[static_cast<std::size_t>(r.field)].node)].slot];
    if (v.is_null()) continue;
    ++r.checked;
    const double x = as_number(v);
    r.passed += x >= r.lo.d && x <= r.hi.d;
  }
  if (!violations.empty()) std::fill(mistyped_.begin(), mistyped_.end(), 0);
}

void Profiler::add_screened(const Column& batch, const std::vector<std::uint8_t>& screened) {
  using K = Column::Kind;
  const std::int64_t length = batch.length;
  std::uint64_t rows = 0;
  for (std::uint8_t s : screened) rows += s;
  profile_.rows += rows;
  std::vector<double> numbers;
  for (std::size_t i = 0; i < program_.profiled.size(); ++i) {
    const Program::ProfiledField& pf = program_.profiled[i];
    if (pf.parent >= 0) continue;  // screened batches are flat: no object, no nested field
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
    const auto present = [&](std::int64_t r) { return screened[static_cast<std::size_t>(r)] && col->valid(r); };
    if (col->kind == K::kInt || col->kind == K::kUint || col->kind == K::kDouble || col->kind == K::kFloat) {
      numbers.resize(static_cast<std::size_t>(length));
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
          if (col->width == 8) gather([&](std::int64_t r) { return static_cast<double>(static_cast<const std::int64_t*>(col->values)[base + r]); });
          else if (col->width == 4) gather([&](std::int64_t r) { return static_cast<double>(static_cast<const std::int32_t*>(col->values)[base + r]); });
          else gather([&](std::int64_t r) { return static_cast<double>(col->int_at(r)); });
          break;
        case K::kUint: gather([&](std::int64_t r) { return static_cast<double>(col->uint_at(r)); }); break;
        case K::kDouble: gather([&](std::int64_t r) { return static_cast<const double*>(col->values)[base + r]; }); break;
        default: gather([&](std::int64_t r) { return static_cast<double>(static_cast<const float*>(col->values)[base + r]); }); break;
      }
      numbers.resize(n);
      f.nulls += rows - numbers.size();
      f.add_numbers(numbers.data(), numbers.size());
      if (exact) {
        exact->values += numbers.size();
        for (double x : numbers) exact->hashes.insert(hash_number(x));
      }
      for (InRange& range : in_range_) {
        if (range.field != static_cast<int>(i)) continue;
        range.checked += numbers.size();
        for (double x : numbers) range.passed += x >= range.lo.d && x <= range.hi.d;
      }
    } else if (col->is_string() || col->kind == K::kBool) {
      // Values are counted in a hash table first (one std::map update per
      // distinct value and batch, not per row).
      struct Seen {
        std::string_view text;
        std::uint64_t count;
      };
      std::unordered_map<std::uint64_t, Seen> seen;
      std::uint64_t present_rows = 0;
      for (std::int64_t r = 0; r < length; ++r) {
        if (!present(r)) continue;
        ++present_rows;
        std::string_view text;
        std::uint64_t hash;
        if (col->kind == K::kBool) {
          const std::int64_t at = col->offset + r;
          const bool b = (static_cast<const std::uint8_t*>(col->values)[at >> 3] >> (at & 7)) & 1;
          text = b ? "true" : "false";
          hash = b ? 1 : 2;
        } else {
          text = col->string_at(r);
          hash = hash_bytes(text);
          f.add_length(text, f.values == 0 && present_rows == 1);
        }
        f.distinct.add_hash(hash);
        if (exact) exact->hashes.insert(hash);
        if (f.values_overflow) continue;  // past max_values: no table to keep
        if (seen.size() + f.value_counts.size() > options_.max_values) {
          // More distinct values than a table may hold, whatever they are.
          f.value_counts.clear();
          f.values_overflow = true;
          seen.clear();
          continue;
        }
        auto [it, fresh] = seen.try_emplace(hash, Seen{text, 0});
        if (!fresh && it->second.text != text) {
          f.count_value(text, 1, options_.max_values);  // a hash collision: count directly
        } else {
          ++it->second.count;
        }
      }
      f.values += present_rows;
      f.nulls += rows - present_rows;
      if (exact) exact->values += present_rows;
      for (const auto& [hash, s] : seen) f.count_value(s.text, s.count, options_.max_values);
    } else {
      // Screening passes no other kind of column; count presence only.
      for (std::int64_t r = 0; r < length; ++r) {
        if (screened[static_cast<std::size_t>(r)]) ++(col->valid(r) ? f.values : f.nulls);
      }
    }
  }
}

void Profiler::merge(const Profiler& other) {
  (void)profile_.merge(other.profile_);  // one program: the fields match by construction
  for (std::size_t i = 0; i < exact_.size() && i < other.exact_.size(); ++i) {
    exact_[i].values += other.exact_[i].values;
    exact_[i].hashes.insert(other.exact_[i].hashes.begin(), other.exact_[i].hashes.end());
  }
  for (std::size_t i = 0; i < in_range_.size() && i < other.in_range_.size(); ++i) {
    in_range_[i].checked += other.in_range_[i].checked;
    in_range_[i].passed += other.in_range_[i].passed;
  }
}

}  // namespace dq
