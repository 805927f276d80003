// The record engines' shared state: the per-Validator scratch (WalkState),
// the sink a walk hands whole records to, JSON number and type helpers, and
// the entry points around a walk (rules, finishing, the Validator's scratch).
// The walk itself is the Walker template (engine/walker.h).
#pragma once

#include <cmath>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/formats.h"
#include "compile/program.h"
#include "dq/validator.h"
#include "engine/evaluate.h"
#include "engine/verdict_access.h"

namespace dq {

struct WalkState;

// Where a walk hands each record it read whole, with the record's values in
// the state's capture slots: the profiler is one (engines know nothing of
// the floors above them).
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void add(const WalkState& state) = 0;
};

enum class JsonType { kObject, kArray, kString, kNumber, kBool, kNull };

struct Number {
  enum class Kind { kInt, kUint, kDouble, kOutOfRange } kind = Kind::kInt;
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double d = 0;

  // An unsigned integer: kInt when it fits int64, else kUint.
  void set_unsigned(std::uint64_t value) {
    if (value <= static_cast<std::uint64_t>(INT64_MAX)) {
      kind = Kind::kInt;
      i = static_cast<std::int64_t>(value);
    } else {
      kind = Kind::kUint;
      u = value;
    }
  }
};

// Per-Validator scratch shared by the engines: reused across records so the
// steady state does not allocate.
struct WalkState {
  const Program* program = nullptr;
  Verdict verdict;
  std::vector<Value> slots;
  // One segment per object or array being walked, updated in place as the
  // walk moves from child to child (a push per level, not per value).
  struct Segment {
    static constexpr int kNone = -1;   // between children: renders nothing
    static constexpr int kIndex = -2;  // an array element, `index`
    int node = kNone;                  // else the declared child being walked
    std::uint64_t index = 0;
  };
  std::vector<Segment> path;
  std::vector<std::uint64_t> seen;       // presence bits of objects with over 64 children, stacked
  std::vector<Value> unique_scratch;     // unique_items: the scalar elements seen
  std::vector<std::string> unique_json;  // unique_items: the canonical JSON of the container elements seen
  // Values read whole into memory (structural enum, unique_items) while a
  // record is walked: captured strings may point into them until the next record.
  std::deque<nlohmann::json> copies;
  Value last_scalar;  // the last scalar a check read
  EvalScratch eval;
  std::string malformed;  // why the record is malformed ("" = well formed so far)
  std::size_t depth = 0;
  RecordSink* sink = nullptr;  // is handed each record read whole (set by SinkScope)

  void reset(const Program& p) {
    program = &p;
    verdict.ok = true;
    verdict.malformed = false;
    verdict.error.clear();
    verdict.error_offset = 0;
    verdict.violations.clear();
    VerdictAccess::observed(verdict).clear();
    verdict.coerced = 0;
    // Only the kinds: every reader of a slot looks at its kind first.
    slots.resize(static_cast<std::size_t>(p.slot_count));
    for (Value& slot : slots) slot.kind = Value::Kind::kAbsent;
    path.clear();
    seen.clear();
    // Deques pay a call to clear even when empty, which most records leave them.
    if (!eval.strings.empty()) eval.strings.clear();
    if (!copies.empty()) copies.clear();
    malformed.clear();
    depth = 0;
  }

  std::string render_path(std::string_view extra_key = {}) const {
    std::string out;
    for (const Segment& s : path) {
      if (s.node == Segment::kIndex) {
        out += "[" + std::to_string(s.index) + "]";
      } else if (s.node != Segment::kNone) {
        if (!out.empty()) out += ".";
        out += program->nodes[static_cast<std::size_t>(s.node)].key;
      }
    }
    if (!extra_key.empty()) {
      if (!out.empty()) out += ".";
      out += extra_key;
    }
    return out;
  }

  void violate(int check, std::string value, std::string message = {}, std::string_view extra_key = {}) {
    const CheckInfo& info = program->checks[static_cast<std::size_t>(check)];
    std::size_t limit = program->limits.max_value_chars;
    if (value.size() > limit) {
      std::size_t cut = limit;
      while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 boundary
      value.resize(cut);
      value += "…";
    }
    verdict.violations.push_back(Violation{
        render_path(extra_key), info.id, info.severity,
        message.empty() ? std::string(program->check_messages[static_cast<std::size_t>(check)]) : std::move(message),
        std::move(value), static_cast<std::uint32_t>(check)});
    if (info.severity == Severity::kError) verdict.ok = false;
  }

  bool fail(std::string why) {
    if (malformed.empty()) malformed = std::move(why);
    return false;
  }
};

std::string json_quote(std::string_view s);

// Walks an in-memory copy of a value (see Walker::to_json) against a node
// with the same state, as the nlohmann::json engine does.
bool walk_json_value(WalkState& state, int node_index, const nlohmann::json& value);

// Whether `v` is within bound `b` (a lower bound when `lower`).
inline bool bound_ok(const Bound& b, const Value& v, bool lower) {
  int c;
  if (v.kind == Value::Kind::kInt && b.value.kind == Value::Kind::kInt) {
    c = (v.i > b.value.i) - (v.i < b.value.i);
  } else if (v.numeric()) {
    double x = v.as_double(), y = b.value.as_double();
    c = (x > y) - (x < y);
  } else {
    c = (v.i > b.value.i) - (v.i < b.value.i);
  }
  if (lower) return b.exclusive ? c > 0 : c >= 0;
  return b.exclusive ? c < 0 : c <= 0;
}
// A JSON number as the value of an integer or number field: integers as
// kInt, a fraction-free double too (JSON Schema's integers), an integer
// beyond int64 as a kNumber. Anything else is a type violation, for the
// reason returned.
enum class NumberFit { kFits, kNotFinite, kOutOfRange, kFraction, kTooLargeInteger };
inline NumberFit fit_number(const Number& num, bool integer_field, Value& value) {
  value.kind = Value::Kind::kAbsent;
  switch (num.kind) {
    case Number::Kind::kInt:
      value.kind = Value::Kind::kInt;
      value.i = num.i;
      return NumberFit::kFits;
    case Number::Kind::kUint:
      value.kind = Value::Kind::kNumber;  // an integer beyond int64, compared as a double
      value.d = static_cast<double>(num.u);
      return NumberFit::kFits;
    case Number::Kind::kDouble:
      if (!std::isfinite(num.d)) return NumberFit::kNotFinite;
      // (Truncating through int64 instead of std::floor, a library call on
      // baseline x86-64: exact for |d| < 2^63.)
      if (std::fabs(num.d) < 9.2e18 && static_cast<double>(static_cast<std::int64_t>(num.d)) == num.d) {
        value.kind = Value::Kind::kInt;
        value.i = static_cast<std::int64_t>(num.d);
        return NumberFit::kFits;
      }
      value.d = num.d;
      if (integer_field) return num.d == std::floor(num.d) ? NumberFit::kTooLargeInteger : NumberFit::kFraction;
      value.kind = Value::Kind::kNumber;
      return NumberFit::kFits;
    case Number::Kind::kOutOfRange: return NumberFit::kOutOfRange;
  }
  return NumberFit::kOutOfRange;
}

// Reads text already known to follow that grammar: an int64, a uint64 above
// it, a double, or out of range.
void number_from_text(std::string_view text, Number& out);
// A number written for people, for `coerce: [numeric_string]`: "1250",
// " $1,250,000.50 ", "-€12", "1.5e3". Thousands separators must group by 3.
bool numeric_text(std::string_view text, Number& out);
// "true"/"false", "yes"/"no", "y"/"n", "1"/"0", any case: `coerce: [boolean_string]`.
std::optional<bool> boolean_text(std::string_view text);
const char* json_type_name(JsonType t);

// Evaluates the contract's record rules on the captured values.
void run_rules(WalkState& state);

// Completes a walked record: its rules when it was read whole, else a
// malformed verdict (why: state.malformed).
const Verdict& finish_walk(WalkState& state, bool well_formed, std::size_t error_offset = 0);

// The scratch of a Validator, reset for a new record: the columnar engine
// walks with the same state as the record engine.
WalkState& walk_state(Validator& validator);
// The scratch as the last record left it: its verdict and captured values.
const WalkState& last_walk(Validator& validator);

// While alive, every record `validator` reads whole is also handed to
// `sink` (when not null), in the same pass as its validation.
class SinkScope {
 public:
  SinkScope(Validator& validator, RecordSink* sink);
  ~SinkScope();
  SinkScope(const SinkScope&) = delete;
  SinkScope& operator=(const SinkScope&) = delete;

 private:
  WalkState& state_;
  RecordSink* previous_;
};

}  // namespace dq
