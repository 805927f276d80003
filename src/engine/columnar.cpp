#include "engine/columnar.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "base/formats.h"
#include "base/words16.h"
#include "engine/walker.h"

namespace dq {
namespace {

using K = Column::Kind;

// One cell of an imported batch, for the walker: row is a logical index.
struct Cell {
  const Column* col;
  std::int64_t row;
};

// Presents rows of columns as the JSON values they stand for.
struct ColumnSource {
  // A declared column that the table lacks: every row misses it, say why.
  static constexpr const char* kAbsentRequired = "is required (the table has no such column)";
  using Value = Cell;
  using Object = Cell;
  using Array = Cell;
  using Key = const Column;

  WalkState& state;
  std::string token_text;

  // A dictionary cell reads as its value.
  static Cell resolve(Cell c) {
    if (c.col->kind == K::kDictionary && c.col->valid(c.row)) return {&c.col->children[0], c.col->int_at(c.row)};
    return c;
  }

  // CSV text is typed by what the contract declares for its column.
  static JsonType text_type(const Column& col, std::string_view text) {
    if (text.empty()) return JsonType::kNull;
    switch (col.text_type) {
      case spec::Type::kInteger:
      case spec::Type::kNumber:
      case spec::Type::kTimestamp: return json_number_grammar(text) ? JsonType::kNumber : JsonType::kString;
      case spec::Type::kBoolean: return text == "true" || text == "false" ? JsonType::kBool : JsonType::kString;
      default: return JsonType::kString;
    }
  }

  bool type(Value& v, JsonType& out) {
    const Cell c = resolve(v);
    if (!c.col->valid(c.row)) {
      out = JsonType::kNull;
      return true;
    }
    switch (c.col->kind) {
      case K::kNull: out = JsonType::kNull; break;
      case K::kBool: out = JsonType::kBool; break;
      case K::kInt:
      case K::kUint:
      case K::kFloat:
      case K::kDouble:
      case K::kDecimal: out = JsonType::kNumber; break;
      case K::kStruct: out = JsonType::kObject; break;
      case K::kList:
      case K::kLargeList: out = JsonType::kArray; break;
      case K::kText: out = text_type(*c.col, c.col->string_at(c.row)); break;
      default: out = JsonType::kString; break;  // strings, timestamps and dates (as RFC 3339 text)
    }
    return true;
  }

  bool get_bool(Value& v, bool& out) {
    const Cell c = resolve(v);
    if (c.col->kind == K::kText) {
      out = c.col->string_at(c.row) == "true";
    } else {
      const std::int64_t at = c.col->offset + c.row;
      out = ((static_cast<const std::uint8_t*>(c.col->values)[at >> 3] >> (at & 7)) & 1) != 0;
    }
    return true;
  }
  bool get_null(Value&) { return true; }

  // The walker's fast paths: one dispatch on the column kind.
  int try_string(Value& v, std::string_view& out) {
    const Cell c = resolve(v);
    if (!c.col->valid(c.row)) return 0;
    if (c.col->is_string()) {
      out = c.col->string_at(c.row);
      if (c.col->utf8_checked || simdjson::validate_utf8(out.data(), out.size())) return 1;
      return state.fail("a string is not valid UTF-8 (column '" + c.col->path + "')"), -1;
    }
    JsonType t;
    if (!type(v, t) || t != JsonType::kString) return 0;
    return get_string(v, out) ? 1 : -1;
  }
  int try_number(Value& v, Number& out) {
    const Cell c = resolve(v);
    if (!c.col->valid(c.row)) return 0;
    switch (c.col->kind) {
      case K::kInt:
        out.kind = Number::Kind::kInt;
        out.i = c.col->int_at(c.row);
        return 1;
      case K::kDouble:
        out.kind = Number::Kind::kDouble;
        out.d = static_cast<const double*>(c.col->values)[c.col->offset + c.row];
        return 1;
      default: break;
    }
    JsonType t;
    if (!type(v, t) || t != JsonType::kNumber) return 0;
    return get_number(v, out) ? 1 : -1;
  }

  bool get_string(Value& v, std::string_view& out) {
    const Cell c = resolve(v);
    const Column& col = *c.col;
    switch (col.kind) {
      case K::kTimestamp:
      case K::kDate32:
      case K::kDate64: {
        dq::Value t;
        const int got = native_time(v, t);
        std::string text = got <= 0                           ? std::string(token(v))
                           : t.kind == dq::Value::Kind::kDate ? format_date(t.i)
                                                              : format_timestamp(t.i);
        if (got == 2) text.pop_back();  // a wall-clock time has no zone: no 'Z'
        state.eval.strings.push_back(std::move(text));
        out = state.eval.strings.back();
        return true;
      }
      default: break;
    }
    out = col.string_at(c.row);
    if (!col.utf8_checked && !simdjson::validate_utf8(out.data(), out.size())) {
      return state.fail("a string is not valid UTF-8 (column '" + col.path + "')");
    }
    return true;
  }

  bool get_number(Value& v, Number& out) {
    const Cell c = resolve(v);
    const Column& col = *c.col;
    switch (col.kind) {
      case K::kInt:
        out.kind = Number::Kind::kInt;
        out.i = col.int_at(c.row);
        return true;
      case K::kUint: out.set_unsigned(col.uint_at(c.row)); return true;
      case K::kFloat:
        out.kind = Number::Kind::kDouble;
        out.d = static_cast<const float*>(col.values)[col.offset + c.row];
        return true;
      case K::kDouble:
        out.kind = Number::Kind::kDouble;
        out.d = static_cast<const double*>(col.values)[col.offset + c.row];
        return true;
      case K::kDecimal:  // read from its exact text, as the same number in JSON is
        number_from_text(decimal_text(col, c.row), out);
        return true;
      default:
        number_from_text(col.string_at(c.row), out);  // typed a number: it follows the grammar
        return true;
    }
  }

  bool get_object(Value& v, Object& out) {
    out = resolve(v);
    return true;
  }
  bool get_array(Value& v, Array& out) {
    out = resolve(v);
    return true;
  }

  // A scalar's JSON text; numbers in their shortest round-trip form.
  std::string_view token(Value& v) {
    const Cell c = resolve(v);
    const Column& col = *c.col;
    char buf[64];
    std::to_chars_result r{buf, {}};
    if (!col.valid(c.row) || col.kind == K::kNull) return "null";
    switch (col.kind) {
      case K::kBool: {
        bool b;
        get_bool(v, b);
        return b ? "true" : "false";
      }
      case K::kInt:
      case K::kTimestamp:
      case K::kDate32:
      case K::kDate64: r = std::to_chars(buf, buf + sizeof buf, col.int_at(c.row)); break;
      case K::kUint: r = std::to_chars(buf, buf + sizeof buf, col.uint_at(c.row)); break;
      case K::kFloat:
        r = std::to_chars(buf, buf + sizeof buf, static_cast<const float*>(col.values)[col.offset + c.row]);
        break;
      case K::kDouble:
        r = std::to_chars(buf, buf + sizeof buf, static_cast<const double*>(col.values)[col.offset + c.row]);
        break;
      case K::kText: return col.string_at(c.row);
      case K::kDecimal: return token_text = decimal_text(col, c.row);
      default: return "";
    }
    token_text.assign(buf, r.ptr);
    return token_text;
  }

  int native_time(Value& v, dq::Value& out) {
    const Cell c = resolve(v);
    const Column& col = *c.col;
    switch (col.kind) {
      case K::kDate32:
        out.kind = dq::Value::Kind::kDate;
        out.i = col.int_at(c.row);
        return 1;
      case K::kDate64: {
        const std::int64_t ms = col.int_at(c.row);
        out.kind = dq::Value::Kind::kDate;
        out.i = ms / 86400000 - (ms % 86400000 < 0);  // floored, and no negation to overflow
        return 1;
      }
      case K::kTimestamp: {
        const std::int64_t units = col.int_at(c.row);
        out.kind = dq::Value::Kind::kTimestamp;
        const int got = col.local_time ? 2 : 1;
        if (col.micros_per_unit == 0) {  // nanoseconds, floored to the microsecond
          out.i = units >= 0 ? units / 1000 : -((-(units + 1)) / 1000) - 1;
          return got;
        }
        if (__builtin_mul_overflow(units, col.micros_per_unit, &out.i) || out.i > 9000000000000000000LL ||
            out.i < -9000000000000000000LL) {
          return -1;
        }
        return got;
      }
      default: return 0;
    }
  }

  template <class F>
  bool for_each_field(Object& obj, F&& f) {
    // A struct's offset applies to its children's rows.
    const std::int64_t row = obj.col->offset + obj.row;
    for (const Column& child : obj.col->children) {
      Cell cell{&child, row};
      if (!f(child, cell)) return false;
    }
    return true;
  }
  // Bound columns compare by node; a column read under another copy of its
  // node (array elements with their own node) falls back to key_text.
  bool key_is(Key& key, const ChildKey&, const Node& declared) {
    return key.node ? key.node == &declared : key.name == declared.key;
  }
  bool key_text(Key& key, std::string_view& out) {
    out = key.name;
    if (!simdjson::validate_utf8(out.data(), out.size())) return state.fail("a column name is not valid UTF-8");
    return true;
  }
  template <class F>
  bool for_each_element(Array& arr, F&& f) {
    auto [begin, end] = arr.col->range_at(arr.row);
    const Column& items = arr.col->children[0];
    for (std::int64_t i = begin; i < end; ++i) {
      Cell cell{&items, i};
      if (!f(cell)) return false;
    }
    return true;
  }
};

// The range kernels (built wide, see DQ_WIDE_KERNEL).
template <class T>
DQ_WIDE_KERNEL void in_range(const T* values, std::size_t rows, std::int64_t lo, std::int64_t hi, std::uint8_t* ok) {
  for (std::size_t r = 0; r < rows; ++r) {
    const std::int64_t v = static_cast<std::int64_t>(values[r]);
    ok[r] &= static_cast<std::uint8_t>((v >= lo) & (v <= hi));
  }
}

template <class T>
DQ_WIDE_KERNEL void in_range(const T* values, std::size_t rows, double lo, double hi, std::uint8_t* ok) {
  for (std::size_t r = 0; r < rows; ++r) {
    const double d = static_cast<double>(values[r]);
    ok[r] &= static_cast<std::uint8_t>((d >= lo) & (d <= hi));
  }
}

// Strings whose byte size (from consecutive offsets) lies in [lo, hi].
template <class Offset>
DQ_WIDE_KERNEL void sizes_in_range(const Offset* offsets, std::size_t rows, std::int64_t lo, std::int64_t hi,
                                   std::uint8_t* ok) {
  for (std::size_t r = 0; r < rows; ++r) {
    const std::int64_t size = static_cast<std::int64_t>(offsets[r + 1]) - static_cast<std::int64_t>(offsets[r]);
    ok[r] &= static_cast<std::uint8_t>((size >= lo) & (size <= hi));
  }
}

// A string column's checks, prepared once per batch: what the walker checks
// for a string, without calls in the common case. A column kernel that has
// already judged every row on some checks turns them off here.
struct TextCheck {
  TextCheck(const Column& column, const Node& node, std::size_t max_string_bytes)
      : col(column), n(node), max_bytes(max_string_bytes) {
    for (const Value& e : n.enum_values) {
      if (e.kind == Value::Kind::kString) enum_strings.push_back(e.s);
    }
  }

  bool in_enum(std::string_view sv) const {
    for (std::string_view e : enum_strings) {
      if (e.size() == sv.size() && equal_bytes(e.data(), sv.data(), sv.size())) return true;
    }
    return false;
  }

  // Whether a check is left once the kernels have run.
  bool anything_left() const {
    return !col.utf8_checked || !lengths_done || (n.pattern && !pattern_done) || !n.all_patterns.empty() ||
           n.not_pattern || n.json_object >= 0 || n.format || (n.enum_check >= 0 && !enum_done);
  }

  bool operator()(std::string_view sv) const {
    if (!col.utf8_checked && !simdjson::validate_utf8(sv.data(), sv.size())) return false;
    if (!lengths_done) {
      if (sv.size() > max_bytes) return false;  // the walker refuses the record
      if ((n.min_length_check >= 0 && sv.size() < 4 * n.min_length) ||
          (n.max_length_check >= 0 && sv.size() > n.max_length)) {
        const std::size_t length = count_code_points(sv);
        if (length < n.min_length || length > n.max_length) return false;
      }
    }
    if (n.pattern && !pattern_done &&
        !(n.simple_pattern ? n.simple_pattern->matches(sv) : RE2::PartialMatch(sv, *n.pattern)))
      return false;
    for (const auto& re : n.all_patterns) {
      if (!RE2::PartialMatch(sv, *re)) return false;
    }
    if (n.not_pattern && RE2::PartialMatch(sv, *n.not_pattern)) return false;
    if (n.json_object >= 0) return false;  // its JSON content is walked
    if (n.format && !matches_format(*n.format, sv)) return false;
    return n.enum_check < 0 || enum_done || in_enum(sv);
  }

  const Column& col;
  const Node& n;
  std::size_t max_bytes;
  std::vector<std::string_view> enum_strings;
  bool lengths_done = false, pattern_done = false, enum_done = false;
};

// A set of strings of up to 16 bytes in which each string has a slot of its
// own (a multiplier is searched until none collide): membership is one hash
// and one compare, however many values the enum lists.
class WordSet {
 public:
  // Null when a value is longer than 16 bytes, the list has more than 256,
  // or no collision-free table was found.
  static std::optional<WordSet> of(const std::vector<std::string_view>& values) {
    if (values.empty() || values.size() > 256 ||
        std::any_of(values.begin(), values.end(), [](std::string_view v) { return v.size() > 16; })) {
      return std::nullopt;
    }
    unsigned bits = 1;
    while ((std::size_t{1} << bits) < 2 * values.size()) ++bits;
    std::uint64_t multiplier = 0x9E3779B97F4A7C15ULL;
    for (unsigned attempt = 0; attempt < 64; ++attempt, bits += attempt % 16 == 15) {
      multiplier = multiplier * 6364136223846793005ULL + 1442695040888963407ULL;
      WordSet set;
      set.multiplier_ = multiplier | 1;
      set.shift_ = 64 - bits;
      set.slots_.assign(std::size_t{1} << bits, Slot{});
      bool collided = false;
      for (std::string_view v : values) {
        const Words16 w = Words16::of(v.data(), v.size(), v.data() + v.size());
        Slot& slot = set.slots_[set.index(v.size(), w)];
        if (slot.size != kEmpty && !(slot.size == v.size() && slot.words.w0 == w.w0 && slot.words.w1 == w.w1)) {
          collided = true;
          break;
        }
        slot = {v.size(), w};
      }
      if (!collided) return set;
    }
    return std::nullopt;
  }

  bool contains(std::size_t size, const Words16& w) const {
    const Slot& slot = slots_[index(size, w)];
    return (slot.size == size) & (slot.words.w0 == w.w0) & (slot.words.w1 == w.w1);
  }

 private:
  static constexpr std::size_t kEmpty = 255;  // no string of the set is this long
  struct Slot {
    std::size_t size = kEmpty;
    Words16 words;
  };
  std::size_t index(std::size_t size, const Words16& w) const {
    return static_cast<std::size_t>(((w.w0 ^ (w.w1 * 0xC2B2AE3D27D4EB4FULL) ^ size) * multiplier_) >> shift_);
  }
  std::uint64_t multiplier_ = 0;
  unsigned shift_ = 63;
  std::vector<Slot> slots_;
};

// Where a string column's strings are, for the screen's string kernels:
// Arrow's offsets into one data buffer...
template <class Offset>
struct OffsetStrings {
  const Offset* offsets;
  const char* data;
  const char* end;  // one past the last byte of these rows: 16-byte loads stop here
  std::size_t rows;

  OffsetStrings(const Column& col, std::size_t n)
      : offsets(static_cast<const Offset*>(col.values) + col.offset),
        data(col.data),
        end(col.data + offsets[n]),
        rows(n) {}
  std::size_t size(std::size_t r) const { return static_cast<std::size_t>(offsets[r + 1] - offsets[r]); }
  const char* at(std::size_t r) const { return data + offsets[r]; }
  const char* readable_end(std::size_t) const { return end; }
  // Whether some string may be longer than `bytes`.
  bool may_exceed(std::uint64_t bytes) const { return static_cast<std::uint64_t>(end - at(0)) > bytes; }
  void sizes_in(std::uint64_t lo, std::uint64_t hi, std::uint8_t* ok) const {
    sizes_in_range(offsets, rows, static_cast<std::int64_t>(std::min<std::uint64_t>(lo, INT64_MAX)),
                   static_cast<std::int64_t>(std::min<std::uint64_t>(hi, INT64_MAX)), ok);
  }
};

// ... or Arrow's 16-byte views (polars' strings): a size, then up to 12
// bytes inline or a buffer and a start. A null row's view may hold anything:
// it reads as empty.
struct ViewStrings {
  const Column& col;
  const std::uint8_t* views;
  std::size_t rows;

  ViewStrings(const Column& column, std::size_t n)
      : col(column), views(static_cast<const std::uint8_t*>(column.values) + 16 * column.offset), rows(n) {}
  std::size_t size(std::size_t r) const {
    if (!col.valid(static_cast<std::int64_t>(r))) return 0;
    std::int32_t size;
    std::memcpy(&size, views + 16 * r, 4);
    return static_cast<std::size_t>(size);
  }
  const char* at(std::size_t r) const {
    if (size(r) <= 12) return reinterpret_cast<const char*>(views + 16 * r + 4);  // inline, or a null row
    return col.string_at(static_cast<std::int64_t>(r)).data();
  }
  // Inline text may be read on into the next view; other text only to its end.
  const char* readable_end(std::size_t r) const {
    const std::size_t n = size(r);
    if (n > 12) return at(r) + n;
    return reinterpret_cast<const char*>(views + 16 * (r + 1 < rows ? r + 2 : r + 1));
  }
  bool may_exceed(std::uint64_t bytes) const {
    return col.longest >= 0 && static_cast<std::uint64_t>(col.longest) > bytes;
  }
  void sizes_in(std::uint64_t lo, std::uint64_t hi, std::uint8_t* ok) const {
    for (std::size_t r = 0; r < rows; ++r) {
      const std::size_t n = size(r);
      ok[r] &= static_cast<std::uint8_t>((n >= lo) & (n <= hi));
    }
  }
};

// Screening: column-at-a-time kernels that find the rows certainly valid, so
// only the others are walked. A kernel passes a value only when the walker
// would raise nothing for it (the same bounds, patterns, formats, lengths);
// every row it does not pass is walked, so verdicts and messages stay the
// record engine's. Batches a kernel cannot judge are walked whole.
//
// Columns without nulls take branch-free loops over the raw buffers (ranges
// as two compares per value, strings by their offsets, dictionaries through
// their values once); the rest go a row at a time.
class Screen {
 public:
  Screen(const Column& batch, const Program& program) : batch_(batch), program_(program) {}

  // Per row, 1 = certainly valid; empty when the batch cannot be screened.
  std::vector<std::uint8_t> run() {
    const Node& record = program_.nodes[0];
    if (!program_.rules.empty() || !program_.mostly_fields.empty() || batch_.validity != nullptr ||
        program_.walk_for_expectations) {
      return {};
    }
    for (int child : record.children) {
      const Node& n = program_.nodes[static_cast<std::size_t>(child)];
      if (n.required &&
          std::none_of(batch_.children.begin(), batch_.children.end(), [&](const Column& c) { return c.node == &n; })) {
        return {};  // absent in every row
      }
    }
    std::vector<std::uint8_t> ok(static_cast<std::size_t>(batch_.length), 1);
    for (const Column& col : batch_.children) {
      if (col.node == nullptr) {
        // An undeclared column: the walker only reads it (or reports it).
        if (record.additional_check >= 0 || col.kind == K::kStruct || col.kind == K::kList ||
            col.kind == K::kLargeList || col.kind == K::kDictionary || (col.is_string() && !col.utf8_checked)) {
          return {};
        }
        continue;
      }
      if (!screen(col, *col.node, ok)) return {};
    }
    return ok;
  }

 private:
  // A range as the inclusive int64 bounds an integer must fall within.
  struct IntRange {
    std::int64_t lo = INT64_MIN, hi = INT64_MAX;
    bool empty = false;
  };
  // A range as inclusive double bounds; unset bounds stop at the finite
  // extremes, so infinities and NaN fail and are walked.
  struct DoubleRange {
    double lo = -std::numeric_limits<double>::max(), hi = std::numeric_limits<double>::max();
  };

  bool screen(const Column& col, const Node& n, std::vector<std::uint8_t>& ok) const {
    const bool numeric = n.type == spec::Type::kInteger || n.type == spec::Type::kNumber;
    if (numeric && n.enum_check < 0 && n.multiple_of_check < 0) {
      if (col.validity == nullptr && int_column(col)) {
        if (std::optional<IntRange> range = int_range(n)) return ints(col, *range, ok), true;
      }
      if (col.validity == nullptr && n.type == spec::Type::kNumber &&
          (col.kind == K::kDouble || col.kind == K::kFloat)) {
        if (std::optional<DoubleRange> range = double_range(n)) return doubles(col, *range, ok), true;
      }
      if (int_column(col) || col.kind == K::kDouble || col.kind == K::kFloat) {
        return each(col, n, ok, [&](std::int64_t r) { return number(col, n, r); });
      }
      return false;
    }
    if (n.type == spec::Type::kString) {
      if (col.utf8_checked) {
        switch (col.kind) {
          case K::kUtf8: return strings<OffsetStrings<std::int32_t>>(col, n, ok);
          case K::kLargeUtf8: return strings<OffsetStrings<std::int64_t>>(col, n, ok);
          case K::kUtf8View: return strings<ViewStrings>(col, n, ok);
          default: break;
        }
      }
      if (col.is_string()) {
        const TextCheck text(col, n, program_.limits.max_string_bytes);
        return each(col, n, ok, [&](std::int64_t r) { return text(col.string_at(r)); });
      }
      if (col.kind == K::kDictionary && col.children[0].is_string() && col.children[0].validity == nullptr) {
        return dictionary(col, n, ok);
      }
      return false;
    }
    if (n.type == spec::Type::kBoolean && col.kind == K::kBool)
      return each(col, n, ok, [](std::int64_t) { return true; });
    return false;
  }

  static bool int_column(const Column& col) { return col.kind == K::kInt || col.kind == K::kUint; }

  // Null when a bound cannot be said exactly as an integer bound.
  static std::optional<IntRange> int_range(const Node& n) {
    IntRange range;
    constexpr double kLimit = 9.2e18;  // inside int64 with room to round
    if (n.lo.set) {
      const Value& b = n.lo.value;
      if (b.kind == Value::Kind::kInt) {
        if (n.lo.exclusive && b.i == INT64_MAX)
          range.empty = true;
        else
          range.lo = n.lo.exclusive ? b.i + 1 : b.i;
      } else if (b.kind == Value::Kind::kNumber && std::isfinite(b.d)) {
        const double t = n.lo.exclusive ? std::floor(b.d) + 1 : std::ceil(b.d);
        if (t > kLimit)
          range.empty = true;
        else if (t > -kLimit)
          range.lo = static_cast<std::int64_t>(t);
      } else {
        return std::nullopt;
      }
    }
    if (n.hi.set) {
      const Value& b = n.hi.value;
      if (b.kind == Value::Kind::kInt) {
        if (n.hi.exclusive && b.i == INT64_MIN)
          range.empty = true;
        else
          range.hi = n.hi.exclusive ? b.i - 1 : b.i;
      } else if (b.kind == Value::Kind::kNumber && std::isfinite(b.d)) {
        const double t = n.hi.exclusive ? std::ceil(b.d) - 1 : std::floor(b.d);
        if (t < -kLimit)
          range.empty = true;
        else if (t < kLimit)
          range.hi = static_cast<std::int64_t>(t);
      } else {
        return std::nullopt;
      }
    }
    return range;
  }

  // Null when a bound is not exactly a double (an integer beyond 2^53).
  static std::optional<DoubleRange> double_range(const Node& n) {
    DoubleRange range;
    auto exact = [](const Value& b, double& out) {
      if (b.kind == Value::Kind::kInt) {
        if (b.i > (1LL << 53) || b.i < -(1LL << 53)) return false;
        out = static_cast<double>(b.i);
        return true;
      }
      out = b.d;
      return b.kind == Value::Kind::kNumber && std::isfinite(b.d);
    };
    if (n.lo.set) {
      if (!exact(n.lo.value, range.lo)) return std::nullopt;
      if (n.lo.exclusive) range.lo = std::nextafter(range.lo, std::numeric_limits<double>::infinity());
    }
    if (n.hi.set) {
      if (!exact(n.hi.value, range.hi)) return std::nullopt;
      if (n.hi.exclusive) range.hi = std::nextafter(range.hi, -std::numeric_limits<double>::infinity());
    }
    return range;
  }

  static void ints(const Column& col, const IntRange& range, std::vector<std::uint8_t>& ok) {
    const std::size_t rows = ok.size();
    if (range.empty) {
      std::fill(ok.begin(), ok.end(), 0);
      return;
    }
    const std::int64_t lo = range.lo, hi = range.hi;
    if (col.kind == K::kUint && col.width == 8) {
      // Above INT64_MAX reads as negative here and fails unless unbounded; walk those.
      const auto* v = static_cast<const std::uint64_t*>(col.values) + col.offset;
      for (std::size_t r = 0; r < rows; ++r) {
        const bool fits = v[r] <= static_cast<std::uint64_t>(INT64_MAX);
        const std::int64_t x = static_cast<std::int64_t>(v[r]);
        ok[r] &= static_cast<std::uint8_t>(fits & (x >= lo) & (x <= hi));
      }
      return;
    }
    const bool is_signed = col.kind == K::kInt;
    switch (col.width) {
      case 1:
        return is_signed ? in_range(static_cast<const std::int8_t*>(col.values) + col.offset, rows, lo, hi, ok.data())
                         : in_range(static_cast<const std::uint8_t*>(col.values) + col.offset, rows, lo, hi, ok.data());
      case 2:
        return is_signed
                   ? in_range(static_cast<const std::int16_t*>(col.values) + col.offset, rows, lo, hi, ok.data())
                   : in_range(static_cast<const std::uint16_t*>(col.values) + col.offset, rows, lo, hi, ok.data());
      case 4:
        return is_signed
                   ? in_range(static_cast<const std::int32_t*>(col.values) + col.offset, rows, lo, hi, ok.data())
                   : in_range(static_cast<const std::uint32_t*>(col.values) + col.offset, rows, lo, hi, ok.data());
      default: return in_range(static_cast<const std::int64_t*>(col.values) + col.offset, rows, lo, hi, ok.data());
    }
  }

  static void doubles(const Column& col, const DoubleRange& range, std::vector<std::uint8_t>& ok) {
    if (col.kind == K::kDouble) {
      in_range(static_cast<const double*>(col.values) + col.offset, ok.size(), range.lo, range.hi, ok.data());
    } else {
      in_range(static_cast<const float*>(col.values) + col.offset, ok.size(), range.lo, range.hi, ok.data());
    }
  }

  // Strings already checked as UTF-8: each check a loop over the whole
  // column where it can be (byte lengths from the layout; code-point lengths
  // too when every byte is ASCII; fixed-length patterns through vector
  // compares or a byte table per position; enums of short strings by word
  // compares), then what is left per row still standing. Null rows pass
  // unless required.
  template <class Strings>
  bool strings(const Column& col, const Node& n, std::vector<std::uint8_t>& ok) const {
    const std::size_t rows = ok.size();
    const Strings text_of(col, rows);
    TextCheck text(col, n, program_.limits.max_string_bytes);
    std::vector<std::uint8_t> before_nulls;
    if (col.validity != nullptr) before_nulls = ok;

    // Lengths: bytes bound code points from both sides; equal when all ASCII.
    std::uint64_t lo = 0, hi = program_.limits.max_string_bytes;
    if (col.ascii) {
      if (n.min_length_check >= 0) lo = n.min_length;
      if (n.max_length_check >= 0) hi = std::min<std::uint64_t>(hi, n.max_length);
      text.lengths_done = true;
    } else if (n.min_length_check < 0 && n.max_length_check < 0) {
      text.lengths_done = true;
    }
    if (lo > 0 || text_of.may_exceed(hi)) text_of.sizes_in(lo, hi, ok.data());

    if (n.pattern && n.simple_pattern && n.simple_pattern->has_fixed_length()) {
      const SimplePattern& pattern = *n.simple_pattern;
      const std::size_t length = pattern.fixed_length();
      const bool ranges = pattern.has_ranges();
      for (std::size_t r = 0; r < rows; ++r) {
        const char* p = text_of.at(r);
        if (text_of.size(r) != length) {
          ok[r] = 0;
        } else if (ranges && text_of.readable_end(r) - p >= 16) {
          ok[r] &= static_cast<std::uint8_t>(pattern.matches_16(p));  // in place: no copy
        } else {
          ok[r] &= static_cast<std::uint8_t>(pattern.matches(std::string_view(p, length)));
        }
      }
      text.pattern_done = true;
    }

    if (n.enum_check >= 0) {
      if (const std::optional<WordSet> allowed = WordSet::of(text.enum_strings)) {
        for (std::size_t r = 0; r < rows; ++r) {
          const std::size_t size = text_of.size(r);
          const std::size_t kept = std::min<std::size_t>(size, 16);  // longer: in no slot
          const Words16 w = Words16::of(text_of.at(r), kept, text_of.readable_end(r));
          ok[r] &= static_cast<std::uint8_t>((size <= 16) & allowed->contains(kept, w));
        }
        text.enum_done = true;
      }
    }

    if (text.anything_left()) {
      for (std::size_t r = 0; r < rows; ++r) {
        if (!ok[r]) continue;  // failed already: the walker will tell why
        ok[r] = text(std::string_view(text_of.at(r), text_of.size(r)));
      }
    }
    if (col.validity != nullptr) {
      for (std::size_t r = 0; r < rows; ++r) {
        if (!col.valid(static_cast<std::int64_t>(r))) ok[r] = before_nulls[r] & static_cast<std::uint8_t>(!n.required);
      }
    }
    return true;
  }

  // Each dictionary value is judged once; rows take their value's verdict.
  bool dictionary(const Column& col, const Node& n, std::vector<std::uint8_t>& ok) const {
    const Column& values = col.children[0];
    const TextCheck text(values, n, program_.limits.max_string_bytes);
    std::vector<std::uint8_t> value_ok(static_cast<std::size_t>(values.length));
    for (std::int64_t i = 0; i < values.length; ++i) value_ok[static_cast<std::size_t>(i)] = text(values.string_at(i));
    const std::size_t rows = ok.size();
    for (std::size_t r = 0; r < rows; ++r) {
      const std::int64_t row = static_cast<std::int64_t>(r);
      ok[r] &= col.valid(row) ? value_ok[static_cast<std::size_t>(col.int_at(row))] : !n.required;
    }
    return true;
  }

  template <class Check>
  static bool each(const Column& col, const Node& n, std::vector<std::uint8_t>& ok, Check&& check) {
    const std::int64_t rows = static_cast<std::int64_t>(ok.size());
    for (std::int64_t r = 0; r < rows; ++r) {
      if (!ok[static_cast<std::size_t>(r)]) continue;
      const bool pass = col.valid(r) ? check(r) : !n.required;
      ok[static_cast<std::size_t>(r)] = pass;
    }
    return true;
  }

  static bool number(const Column& col, const Node& n, std::int64_t r) {
    Value v;
    switch (col.kind) {
      case K::kInt:
        v.kind = Value::Kind::kInt;
        v.i = col.int_at(r);
        break;
      case K::kUint: {
        const std::uint64_t u = col.uint_at(r);
        if (u > static_cast<std::uint64_t>(INT64_MAX)) return false;
        v.kind = Value::Kind::kInt;
        v.i = static_cast<std::int64_t>(u);
        break;
      }
      default: {
        const double d = col.kind == K::kDouble ? static_cast<const double*>(col.values)[col.offset + r]
                                                : static_cast<const float*>(col.values)[col.offset + r];
        if (!std::isfinite(d)) return false;
        if (d == std::floor(d) && std::fabs(d) < 9.2e18) {
          v.kind = Value::Kind::kInt;
          v.i = static_cast<std::int64_t>(d);
        } else {
          if (n.type == spec::Type::kInteger) return false;
          v.kind = Value::Kind::kNumber;
          v.d = d;
        }
      }
    }
    return (!n.lo.set || bound_ok(n.lo, v, true)) && (!n.hi.set || bound_ok(n.hi, v, false));
  }

  const Column& batch_;
  const Program& program_;
};

}  // namespace

const Verdict& validate_row(Validator& validator, const Column& batch, std::int64_t row) {
  WalkState& state = walk_state(validator);
  if (!batch.valid(row)) {  // a null row of a struct array: not an object
    state.violate(state.program->nodes[0].type_check, "null", "a record must be a JSON object");
    return state.verdict;
  }
  ColumnSource adapter{state, {}};
  Walker<ColumnSource> walker(adapter, state);
  Cell record{&batch, row};
  return finish_walk(state, walker.object(0, record));
}

std::vector<std::uint8_t> screen_rows(const Column& batch, const Program& program) {
  return Screen(batch, program).run();
}

}  // namespace dq
