// The record engine: walks one JSON record along the compiled node tree,
// checking each value once as it streams by. Templated on the JSON source
// (a Source) so JSON bytes (simdjson On-Demand, no DOM) and in-memory
// nlohmann::json values share every check and every message.
// (Over 700 lines on purpose: the walk is the hot loop, one template so each
// source gets it inlined whole; its state and helpers are in walk_state.h.)
//
// A Source provides, each returning false when the input is malformed:
//   type(v, JsonType&), get_bool(v, bool&), get_null(v), get_number(v, Number&),
//   get_string(v, string_view&), get_object(v, Object&), get_array(v, Array&),
//   try_string(v, string_view&) / try_number(v, Number&) -> 1 got it, 0 another type, -1 malformed,
//   for_each_field(Object&, f(Key&, Value&) -> bool), key_is(Key&, const ChildKey&, const Node&)
//   (the key as written, no unescaping, against a declared child), key_text(Key&, string_view&) (unescaped),
//   for_each_element(Array&, f(Value&) -> bool), token(v) -> string_view (a scalar's JSON text, for messages),
//   native_time(v, Value&) -> 1 a typed timestamp (µs) or date (days) whose
//   get_string is its RFC 3339 text, 2 a timestamp without a time zone (a
//   wall-clock time, read in the field's zone), 0 not one, -1 out of range.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "base/formats.h"
#include "base/json_equal.h"
#include "base/timestamps.h"
#include "engine/walk_state.h"

namespace dq {

template <class Source>
class Walker {
 public:
  using V = typename Source::Value;
  using Object = typename Source::Object;
  using Array = typename Source::Array;

  Walker(Source& adapter, WalkState& state) : a_(adapter), s_(state), nodes_(state.program->nodes) {}

  bool object(int node_index, Object& obj) {
    const Node& n = nodes_[static_cast<std::size_t>(node_index)];
    if (++s_.depth > s_.program->limits.max_depth) return too_deep();
    // Presence, a bit per declared child: one word on the stack for up to 64
    // children, else words on the state's stack (indexed, not referenced, as
    // nested objects grow it).
    const std::size_t count = n.children.size();
    const std::size_t words = n.required_children.size();
    const std::size_t base = s_.seen.size();
    std::uint64_t local = 0;
    if (words > 1) s_.seen.resize(base + words, 0);
    auto seen = [&](std::size_t w) -> std::uint64_t& { return words > 1 ? s_.seen[base + w] : local; };
    const std::size_t level = s_.path.size();
    s_.path.emplace_back();
    std::size_t hint = 0, fields = 0;
    bool ok = a_.for_each_field(obj, [&](typename Source::Key& key, V& value) {
      if (++fields > s_.program->limits.max_object_fields) {
        return s_.fail("an object has more than max_object_fields (" +
                       std::to_string(s_.program->limits.max_object_fields) + ") keys");
      }
      std::size_t k = find_child(n, key, hint);
      std::string_view text;
      if (k == count) {
        // Not a declared key as written; it may still be one once unescaped.
        if (!a_.key_text(key, text)) return false;
        k = find_child_text(n, text);
      }
      if (k < count) {
        hint = k + 1 == count ? 0 : k + 1;
        const int child_index = n.child_keys[k].node;
        const std::uint64_t bit = std::uint64_t{1} << (k % 64);
        std::uint64_t& word = seen(k / 64);
        // Readers disagree on which of two values wins (first, last, both):
        // a declared key given twice has no one meaning, so the record is malformed.
        if (word & bit) return s_.fail("duplicate key '" + nodes_[static_cast<std::size_t>(child_index)].key + "'");
        word |= bit;
        s_.path[level].node = child_index;
        bool good = visit(child_index, value);
        s_.path[level].node = WalkState::Segment::kNone;
        return good;
      }
      if (n.additional_check >= 0) {
        std::string shown;
        if (!render(value, shown)) return false;
        s_.violate(n.additional_check, std::move(shown), {}, text);
        return true;
      }
      return skip(value);
    });
    if (!ok) return false;
    s_.path.pop_back();
    for (int m : n.required_mostly) VerdictAccess::observed(s_.verdict).push_back(static_cast<std::uint32_t>(m));
    for (std::size_t w = 0; w < words; ++w) {
      // Required children not seen, in contract order.
      for (std::uint64_t missing = n.required_children[w] & ~seen(w); missing != 0; missing &= missing - 1) {
        const std::size_t k = w * 64 + static_cast<std::size_t>(__builtin_ctzll(missing));
        const Node& child = nodes_[static_cast<std::size_t>(n.children[k])];
        s_.violate(child.required_check, "", Source::kAbsentRequired, child.key);
      }
    }
    if (words > 1) s_.seen.resize(base);
    --s_.depth;
    return true;
  }

  // Validates one value against a node; false when the input is malformed.
  // Inlined into the loops over fields and elements: most values are a
  // declared scalar of their type, checked without a call.
  __attribute__((always_inline)) bool visit(int node_index, V& v) {
    const Node& n = nodes_[static_cast<std::size_t>(node_index)];
    // Fast path: the declared type's getter straight away (one dispatch instead
    // of two); nulls, wrong types and `mostly` fields take the general path.
    if (n.mostly_field < 0) {
      if (n.type == spec::Type::kString) {
        std::string_view sv;
        int got = a_.try_string(v, sv);
        if (got > 0) return string_checks(n, sv);
        if (got < 0) return false;
      } else if (n.type == spec::Type::kInteger || n.type == spec::Type::kNumber) {
        Number num;
        int got = a_.try_number(v, num);
        if (got > 0) return number_checks(n, num, [&] { return std::string(a_.token(v)); });
        if (got < 0) return false;
      }
    }
    return visit_any(node_index, v);
  }

  // Any value against any node: nulls, wrong types, containers, times, unions.
  bool visit_any(int node_index, V& v) {
    const Node& n = nodes_[static_cast<std::size_t>(node_index)];
    JsonType t = JsonType::kNull;
    if (!a_.type(v, t)) return false;
    if (t == JsonType::kNull) {
      if (!a_.get_null(v)) return false;
      if (n.slot >= 0) s_.slots[n.slot].kind = Value::Kind::kNull;
      if (n.required && !n.nullable) s_.violate(n.required_check, "null", "is required (null)");
      return true;
    }
    if (n.enum_check >= 0 && !n.enum_json.empty()) {
      // Compared as a whole (JSON Schema's equality), then checked inside: a
      // streaming source reads the value into memory once and walks the copy.
      if constexpr (kDom) {
        check_json_enum(n, canonical_json(v));
      } else {
        nlohmann::json& copy = s_.copies.emplace_back();
        if (!to_json(v, copy)) return false;
        return walk_json_value(s_, node_index, copy);
      }
    }
    if (n.mostly_field >= 0) VerdictAccess::observed(s_.verdict).push_back(static_cast<std::uint32_t>(n.mostly_field));
    if (!n.alternatives.empty()) return alternative(n, v, t);
    switch (n.type) {
      case spec::Type::kAny: return any(n, v, t);
      case spec::Type::kString:
        if (t != JsonType::kString) return wrong_type(n, v, t);
        return string(n, v);
      case spec::Type::kInteger:
      case spec::Type::kNumber:
        if (t == JsonType::kString && n.coerce_numeric) return coerce_number(n, v);
        if (t != JsonType::kNumber) return wrong_type(n, v, t);
        return number(n, v);
      case spec::Type::kBoolean: {
        bool b;
        if (t == JsonType::kString && n.coerce_boolean) {
          std::string_view sv;
          if (!a_.get_string(v, sv)) return false;
          std::optional<bool> recovered = boolean_text(sv);
          if (!recovered) {
            s_.violate(n.type_check, json_quote(sv), "must be a boolean, not a string that reads as none");
            return true;
          }
          coerced(n, json_quote(sv));
          b = *recovered;
        } else {
          if (t != JsonType::kBool) return wrong_type(n, v, t);
          if (!a_.get_bool(v, b)) return false;
        }
        s_.last_scalar.kind = Value::Kind::kBool;
        s_.last_scalar.b = b;
        if (n.slot >= 0) s_.slots[n.slot].kind = Value::Kind::kBool, s_.slots[n.slot].b = b;
        return true;
      }
      case spec::Type::kTimestamp:
      case spec::Type::kDate: return time(n, v, t);
      case spec::Type::kObject: {
        if (t != JsonType::kObject) return wrong_type(n, v, t);
        Object obj;
        if (!a_.get_object(v, obj)) return false;
        if (n.slot >= 0) s_.slots[n.slot].kind = Value::Kind::kObject;
        return object(node_index, obj);
      }
      case spec::Type::kArray:
        if (t != JsonType::kArray) return wrong_type(n, v, t);
        return array(n, v);
    }
    return true;
  }

  // Reads a whole value into memory (consuming it), as well formed as skip() asks.
  bool to_json(V& v, nlohmann::json& out) {
    JsonType t = JsonType::kNull;
    if (!a_.type(v, t)) return false;
    switch (t) {
      case JsonType::kObject: {
        if (++s_.depth > s_.program->limits.max_depth) return too_deep();
        Object obj;
        if (!a_.get_object(v, obj)) return false;
        out = nlohmann::json::object();
        if (!a_.for_each_field(obj, [&](typename Source::Key& key, V& child) {
              std::string_view text;
              return a_.key_text(key, text) && to_json(child, out[std::string(text)]);
            })) {
          return false;
        }
        --s_.depth;
        return true;
      }
      case JsonType::kArray: {
        if (++s_.depth > s_.program->limits.max_depth) return too_deep();
        Array arr;
        if (!a_.get_array(v, arr)) return false;
        out = nlohmann::json::array();
        if (!a_.for_each_element(arr, [&](V& child) { return to_json(child, out.emplace_back()); })) return false;
        --s_.depth;
        return true;
      }
      case JsonType::kString: {
        std::string_view sv;
        if (!a_.get_string(v, sv)) return false;
        out = std::string(sv);
        return true;
      }
      case JsonType::kNumber: {
        Number num;
        if (!a_.get_number(v, num)) return false;
        switch (num.kind) {
          case Number::Kind::kInt: out = num.i; break;
          case Number::Kind::kUint: out = num.u; break;
          case Number::Kind::kDouble: out = num.d; break;
          case Number::Kind::kOutOfRange: out = std::numeric_limits<double>::infinity(); break;
        }
        return true;
      }
      case JsonType::kBool: {
        bool b;
        if (!a_.get_bool(v, b)) return false;
        out = b;
        return true;
      }
      case JsonType::kNull: out = nullptr; return a_.get_null(v);
    }
    return true;
  }

  // Consumes a value no node describes, still checking it is well formed.
  bool skip(V& v) {
    JsonType t = JsonType::kNull;
    if (!a_.type(v, t)) return false;
    switch (t) {
      case JsonType::kObject: {
        if (++s_.depth > s_.program->limits.max_depth) return too_deep();
        Object obj;
        if (!a_.get_object(v, obj)) return false;
        if (!a_.for_each_field(obj, [&](typename Source::Key&, V& child) { return skip(child); })) return false;
        --s_.depth;
        return true;
      }
      case JsonType::kArray: {
        if (++s_.depth > s_.program->limits.max_depth) return too_deep();
        Array arr;
        if (!a_.get_array(v, arr)) return false;
        if (!a_.for_each_element(arr, [&](V& child) { return skip(child); })) return false;
        --s_.depth;
        return true;
      }
      case JsonType::kString: {
        std::string_view sv;
        if (!a_.get_string(v, sv)) return false;
        s_.last_scalar.kind = Value::Kind::kString;
        s_.last_scalar.s = sv;
        return true;
      }
      case JsonType::kNumber: {
        Number num;
        if (!a_.get_number(v, num)) return false;  // out of range is well formed: nothing checks it here
        if (num.kind == Number::Kind::kInt) s_.last_scalar.kind = Value::Kind::kInt, s_.last_scalar.i = num.i;
        if (num.kind == Number::Kind::kDouble) s_.last_scalar.kind = Value::Kind::kNumber, s_.last_scalar.d = num.d;
        return true;
      }
      case JsonType::kBool: {
        bool b;
        if (!a_.get_bool(v, b)) return false;
        s_.last_scalar = make(Value::Kind::kBool, b);
        return true;
      }
      case JsonType::kNull: return a_.get_null(v);
    }
    return true;
  }

 private:
  // The in-memory source reads values as they are; a streaming one consumes them.
  static constexpr bool kDom = std::is_same_v<V, const nlohmann::json>;

  void check_json_enum(const Node& n, const std::string& canonical) {
    if (!std::binary_search(n.enum_json.begin(), n.enum_json.end(), canonical)) {
      s_.violate(n.enum_check, canonical);
    }
  }

  static Value make(Value::Kind kind, bool b) {
    Value v;
    v.kind = kind;
    v.b = b;
    return v;
  }

  bool too_deep() {
    return s_.fail("nesting deeper than max_depth (" + std::to_string(s_.program->limits.max_depth) + ")");
  }

  // Finds a declared key as written in the input (no unescaping).
  std::size_t find_child(const Node& n, typename Source::Key& key, std::size_t hint) {
    // Records usually list keys in one order: try the slot after the last match first.
    const std::size_t count = n.child_keys.size();
    const ChildKey* keys = n.child_keys.data();
    if (hint < count && a_.key_is(key, keys[hint], node_of(keys[hint]))) return hint;
    for (std::size_t k = 0; k < count; ++k) {
      if (a_.key_is(key, keys[k], node_of(keys[k]))) return k;
    }
    return count;
  }

  // An address, no load: sources that compare ChildKey words never read the node.
  const Node& node_of(const ChildKey& key) const { return nodes_[static_cast<std::size_t>(key.node)]; }

  std::size_t find_child_text(const Node& n, std::string_view text) const {
    const std::size_t count = n.children.size();
    for (std::size_t k = 0; k < count; ++k) {
      if (nodes_[static_cast<std::size_t>(n.children[k])].key == text) return k;
    }
    return count;
  }

  // A value's JSON text for a message: scalars as written, containers elided.
  bool render(V& v, std::string& out) {
    JsonType t = JsonType::kNull;
    if (!a_.type(v, t)) return false;
    if (t == JsonType::kObject || t == JsonType::kArray) {
      out = t == JsonType::kObject ? "{…}" : "[…]";
      return skip(v);
    }
    if (t == JsonType::kString) {
      std::string_view sv;
      if (!a_.get_string(v, sv)) return false;
      out = json_quote(sv);
      return true;
    }
    out = std::string(a_.token(v));
    return skip(v);
  }

  bool wrong_type(const Node& n, V& v, JsonType t) {
    std::string shown;
    if (!render(v, shown)) return false;
    s_.violate(
        n.type_check, std::move(shown),
        std::string(s_.program->check_messages[static_cast<std::size_t>(n.type_check)]) + ", not " + json_type_name(t));
    return true;
  }

  // Range and enum checks shared by numbers, timestamps and dates. `shown`
  // renders the value only when a check fails.
  template <class Render>
  void ordered_checks(const Node& n, const Value& v, Render&& shown) {
    if (n.lo.set && !bound_ok(n.lo, v, true)) s_.violate(n.lo.check, shown());
    if (n.hi.set && !bound_ok(n.hi, v, false)) s_.violate(n.hi.check, shown());
    if (n.enum_check >= 0) {
      bool found = false;
      for (const Value& e : n.enum_values) {
        if (v.numeric() && e.numeric()) {
          found =
              v.kind == Value::Kind::kInt && e.kind == Value::Kind::kInt ? v.i == e.i : v.as_double() == e.as_double();
        } else {
          found = v.kind == e.kind && v.i == e.i;
        }
        if (found) break;
      }
      if (!found) s_.violate(n.enum_check, shown());
    }
  }

  // A union's value goes to the alternative of its JSON type.
  bool alternative(const Node& n, V& v, JsonType t) {
    for (const auto& [type, node] : n.alternatives) {
      const bool fits = t == JsonType::kString   ? type == spec::Type::kString
                        : t == JsonType::kNumber ? type == spec::Type::kNumber || type == spec::Type::kInteger
                        : t == JsonType::kBool   ? type == spec::Type::kBoolean
                        : t == JsonType::kObject ? type == spec::Type::kObject
                                                 : type == spec::Type::kArray;
      if (fits) return visit(node, v);
    }
    return wrong_type(n, v, t);
  }

  bool string(const Node& n, V& v) {
    std::string_view sv;
    return a_.get_string(v, sv) && string_checks(n, sv);
  }

  // Inlined into the field loop (a call there makes the loop spill its
  // state); the checks past the type are a call, made only by nodes with any.
  __attribute__((always_inline)) bool string_checks(const Node& n, std::string_view sv) {
    if (sv.size() > s_.program->limits.max_string_bytes) {
      return s_.fail("a string of " + std::to_string(sv.size()) + " bytes is longer than max_string_bytes (" +
                     std::to_string(s_.program->limits.max_string_bytes) + ")");
    }
    s_.last_scalar.kind = Value::Kind::kString;
    s_.last_scalar.s = sv;
    // Slots are written field by field, never copied whole: a Value copied
    // right after its parts were written stalls store forwarding (this copy
    // was 10% of a flat event's time).
    if (n.slot >= 0) s_.slots[n.slot].kind = Value::Kind::kString, s_.slots[n.slot].s = sv;
    return !n.value_checks || checked_string(n, sv);
  }

  // Strings of a source whose kPaddedStrings is true are followed by 64
  // readable bytes (simdjson's string buffer): patterns judge them in place.
  static bool simple_match(const SimplePattern& pattern, std::string_view sv) {
    if constexpr (requires { requires Source::kPaddedStrings; }) return pattern.matches_padded(sv);
    return pattern.matches(sv);
  }

  // A string's checks past its type.
  __attribute__((noinline)) bool checked_string(const Node& n, std::string_view sv) {
    // A code point is 1 to 4 bytes: count only when the byte length can't decide.
    if ((n.min_length_check >= 0 && sv.size() < 4 * n.min_length) ||
        (n.max_length_check >= 0 && sv.size() > n.max_length)) {
      std::size_t length = count_code_points(sv);
      if (length < n.min_length) s_.violate(n.min_length_check, json_quote(sv));
      if (length > n.max_length) s_.violate(n.max_length_check, json_quote(sv));
    }
    if (n.pattern && !(n.simple_pattern ? simple_match(*n.simple_pattern, sv) : RE2::PartialMatch(sv, *n.pattern))) {
      s_.violate(n.pattern_check, json_quote(sv));
    }
    for (const auto& re : n.all_patterns) {
      if (!RE2::PartialMatch(sv, *re)) {
        s_.violate(n.pattern_check, json_quote(sv));
        break;
      }
    }
    if (n.not_pattern && RE2::PartialMatch(sv, *n.not_pattern)) s_.violate(n.not_pattern_check, json_quote(sv));
    if (n.json_object >= 0) {
      // `json_fields`: the string's own JSON, walked with the same state (paths continue below the field).
      nlohmann::json& inner = s_.copies.emplace_back(nlohmann::json::parse(sv, nullptr, false));
      if (!inner.is_object()) {
        s_.violate(n.json_check, json_quote(sv));
      } else if (!walk_json_value(s_, n.json_object, inner)) {
        return false;
      }
    }
    if (n.format && !matches_format(*n.format, sv)) s_.violate(n.format_check, json_quote(sv));
    if (n.enum_check >= 0) {
      bool found = false;
      for (const Value& e : n.enum_values) {
        if (e.kind == Value::Kind::kString && e.s.size() == sv.size() &&
            equal_bytes(e.s.data(), sv.data(), sv.size())) {
          found = true;
          break;
        }
      }
      if (!found) s_.violate(n.enum_check, json_quote(sv));
    }
    return true;
  }

  bool number(const Node& n, V& v) {
    Number num;
    return a_.get_number(v, num) && number_checks(n, num, [&] { return std::string(a_.token(v)); });
  }

  // A string in a number field, recovered by `coerce: [numeric_string]`.
  bool coerce_number(const Node& n, V& v) {
    std::string_view sv;
    if (!a_.get_string(v, sv)) return false;
    Number num;
    if (!numeric_text(sv, num)) {
      s_.violate(
          n.type_check, json_quote(sv),
          s_.program->check_messages[static_cast<std::size_t>(n.type_check)] + ", not a string that reads as one");
      return true;
    }
    coerced(n, json_quote(sv));
    return number_checks(n, num, [&] { return json_quote(sv); });
  }

  void coerced(const Node& n, std::string shown) {
    ++s_.verdict.coerced;
    s_.violate(n.coerce_check, std::move(shown));
  }

  // `shown` renders the value as written, only when a check fails.
  // Inlined as string_checks is.
  template <class Render>
  __attribute__((always_inline)) bool number_checks(const Node& n, const Number& num, Render&& shown) {
    // Built in place: a temporary Value copied as a whole stalls store forwarding.
    Value& value = s_.last_scalar;
    // A number that does not fit leaves the value absent (fit_number).
    switch (fit_number(num, n.type == spec::Type::kInteger, value)) {
      case NumberFit::kFits: break;
      case NumberFit::kNotFinite:
        s_.violate(n.type_check, shown(), std::string("must be a finite ") + spec::type_name(n.type));
        return true;
      case NumberFit::kOutOfRange:
        s_.violate(n.type_check, shown(), std::string("is out of range for a 64-bit ") + spec::type_name(n.type));
        return true;
      case NumberFit::kTooLargeInteger:
        s_.violate(n.type_check, shown(), "is out of range for a 64-bit integer");
        return true;
      case NumberFit::kFraction: s_.violate(n.type_check, shown(), "must be an integer, not a fraction"); return true;
    }
    if (n.slot >= 0) {
      Value& slot = s_.slots[n.slot];  // field by field, as in string_checks
      slot.kind = value.kind;
      if (value.kind == Value::Kind::kInt) {
        slot.i = value.i;
      } else {
        slot.d = value.d;
      }
    }
    if (n.value_checks) checked_number(n, value, shown);
    return true;
  }

  // A number's checks past its type.
  template <class Render>
  __attribute__((noinline)) void checked_number(const Node& n, const Value& value, Render& shown) {
    if (n.lo.set || n.hi.set || n.enum_check >= 0) {
      ordered_checks(n, value, shown);
    }
    if (n.multiple_of_check >= 0) {
      const Decimal exact = value.kind == Value::Kind::kInt ? Decimal::of(value.i) : Decimal::of(value.d);
      if (!is_multiple_of(exact, *n.multiple_of)) s_.violate(n.multiple_of_check, shown());
    }
  }

  bool time(const Node& n, V& v, JsonType t) {
    Value& value = s_.last_scalar;  // built in place, as in number()
    value.kind = Value::Kind::kAbsent;
    const Value::Kind kind = n.type == spec::Type::kDate ? Value::Kind::kDate : Value::Kind::kTimestamp;
    std::string_view text;  // the string as read, or the number's token
    bool quoted = false;
    const TimeInput& in = n.time;
    // Columnar timestamps and dates are instants already: no text to parse,
    // whatever the layout (their text form, RFC 3339, is for messages).
    Value native;
    const int got_native = t == JsonType::kString ? a_.native_time(v, native) : 0;
    if (got_native < 0) {
      s_.violate(n.type_check, std::string(a_.token(v)), "is out of range for a timestamp");
      return true;
    }
    if (got_native > 0 && native.kind == kind) {
      if (!a_.get_string(v, text)) return false;
      // A timestamp without a zone is a wall-clock time in the field's zone.
      value.i = got_native == 2 && !in.zone.is_utc() ? local_to_utc_micros(native.i, in.zone) : native.i;
      quoted = true;
    } else if (t == JsonType::kString) {
      std::string_view sv;
      if (!a_.get_string(v, sv)) return false;
      std::optional<std::int64_t> parsed;
      const bool epoch = in.unit != 0 && n.type == spec::Type::kTimestamp;  // `unit`: numbers, not text
      if (epoch) {
        // only a coerce layout below reads text
      } else if (n.type == spec::Type::kDate) {
        if (in.layout.empty()) {
          parsed = parse_date(sv);
        } else if (auto micros = parse_with_layout(sv, in.layout)) {
          parsed = static_cast<std::int64_t>(std::floor(*micros / 86400e6));
        }
      } else {
        parsed = in.layout.empty() ? parse_rfc3339(sv, in.zone) : parse_with_layout(sv, in.layout, in.zone);
      }
      for (std::size_t k = 0; !parsed && k < n.coerce_layouts.size(); ++k) {
        if (auto micros = parse_with_layout(sv, n.coerce_layouts[k], in.zone)) {
          parsed = n.type == spec::Type::kDate ? static_cast<std::int64_t>(std::floor(*micros / 86400e6)) : *micros;
          coerced(n, json_quote(sv));
        }
      }
      if (!parsed) {
        std::string expected = epoch                         ? std::string("must be an epoch number")
                               : !in.layout.empty()          ? "must match the layout '" + in.layout + "'"
                               : n.type == spec::Type::kDate ? std::string("must be a date (YYYY-MM-DD)")
                                                             : std::string("must be an RFC 3339 timestamp");
        s_.violate(n.type_check, json_quote(sv), expected);
        return true;
      }
      value.i = *parsed;
      text = sv;
      quoted = true;
    } else if (t == JsonType::kNumber && in.unit != 0 && n.type == spec::Type::kTimestamp) {
      Number num;
      if (!a_.get_number(v, num)) return false;
      text = a_.token(v);
      double units = num.kind == Number::Kind::kInt    ? static_cast<double>(num.i)
                     : num.kind == Number::Kind::kUint ? static_cast<double>(num.u)
                                                       : num.d;
      double micros = in.unit_ns ? units / 1000.0 : units * static_cast<double>(in.unit);
      if (num.kind == Number::Kind::kOutOfRange || !std::isfinite(micros) || std::fabs(micros) > 9e18) {
        s_.violate(n.type_check, std::string(text), "is out of range for a timestamp");
        return true;
      }
      value.i = num.kind == Number::Kind::kInt && !in.unit_ns ? num.i * in.unit : static_cast<std::int64_t>(micros);
    } else {
      return wrong_type(n, v, t);
    }
    value.kind = kind;
    if (n.slot >= 0) s_.slots[n.slot].kind = kind, s_.slots[n.slot].i = value.i;  // field by field
    if (n.lo.set || n.hi.set || n.enum_check >= 0) {
      ordered_checks(n, value, [&] { return quoted ? json_quote(text) : std::string(text); });
    }
    return true;
  }

  bool any(const Node& n, V& v, JsonType t) {
    if (n.slot < 0) return skip(v);
    Value& slot = s_.slots[n.slot];
    switch (t) {
      case JsonType::kString: {
        std::string_view sv;
        if (!a_.get_string(v, sv)) return false;
        slot.kind = Value::Kind::kString;
        slot.s = sv;
        return true;
      }
      case JsonType::kNumber: {
        Number num;
        if (!a_.get_number(v, num)) return false;
        if (num.kind == Number::Kind::kInt)
          slot.kind = Value::Kind::kInt, slot.i = num.i;
        else if (num.kind == Number::Kind::kUint)
          slot.kind = Value::Kind::kNumber, slot.d = static_cast<double>(num.u);
        else if (num.kind == Number::Kind::kDouble)
          slot.kind = Value::Kind::kNumber, slot.d = num.d;
        return true;
      }
      case JsonType::kBool: {
        bool b;
        if (!a_.get_bool(v, b)) return false;
        slot = make(Value::Kind::kBool, b);
        return true;
      }
      case JsonType::kObject: slot.kind = Value::Kind::kObject; return skip(v);
      case JsonType::kArray: {
        if (++s_.depth > s_.program->limits.max_depth) return too_deep();
        Array arr;
        if (!a_.get_array(v, arr)) return false;
        std::int64_t count = 0;
        if (!a_.for_each_element(arr, [&](V& child) { return ++count, skip(child); })) return false;
        --s_.depth;
        slot.kind = Value::Kind::kArray;
        slot.i = count;
        return true;
      }
      case JsonType::kNull: return a_.get_null(v);
    }
    return true;
  }

  bool array(const Node& n, V& v) {
    if (++s_.depth > s_.program->limits.max_depth) return too_deep();
    Array arr;
    if (!a_.get_array(v, arr)) return false;
    std::uint64_t count = 0;
    const std::size_t unique_base = s_.unique_scratch.size(), unique_json_base = s_.unique_json.size();
    const std::size_t level = s_.path.size();
    s_.path.push_back({WalkState::Segment::kIndex, 0});
    bool ok = a_.for_each_element(arr, [&](V& element) {
      if (count == s_.program->limits.max_array_items) {
        return s_.fail("an array has more than max_array_items (" + std::to_string(s_.program->limits.max_array_items) +
                       ") elements");
      }
      s_.path[level].index = count;
      int item = n.items;
      for (const auto& [index, node] : n.indexed) {
        if (index == count) item = node;
      }
      JsonType element_type = JsonType::kNull;
      if (!a_.type(element, element_type)) return false;
      s_.last_scalar = Value{};
      bool good;
      if (n.unique_items && (element_type == JsonType::kObject || element_type == JsonType::kArray)) {
        // Objects and arrays compare structurally, by their canonical JSON.
        if constexpr (kDom) {
          s_.unique_json.push_back(canonical_json(element));
          good = item >= 0 ? visit(item, element) : skip(element);
        } else {
          nlohmann::json& copy = s_.copies.emplace_back();
          good = to_json(element, copy);
          if (good) {
            s_.unique_json.push_back(canonical_json(copy));
            if (item >= 0) good = walk_json_value(s_, item, copy);
          }
        }
      } else {
        good = item >= 0 ? visit(item, element) : skip(element);
        // Scalar elements (strings, numbers, booleans, times) compare as typed values.
        if (n.unique_items && !s_.last_scalar.is_null()) s_.unique_scratch.push_back(s_.last_scalar);
      }
      ++count;
      return good;
    });
    if (!ok) return false;
    s_.path.pop_back();
    --s_.depth;
    if (n.unique_items) {
      auto first = s_.unique_scratch.begin() + static_cast<std::ptrdiff_t>(unique_base);
      // 1 and 1.0 are the same number (JSON Schema's equality).
      auto key = [](const Value& x) {
        const bool integral = x.kind == Value::Kind::kNumber && x.d == std::floor(x.d) && std::fabs(x.d) < 9.2e18;
        return integral
                   ? std::make_tuple(Value::Kind::kInt, static_cast<std::int64_t>(x.d), 0.0, std::string_view(), false)
                   : std::make_tuple(x.kind, x.i, x.d, x.s, x.b);
      };
      std::sort(first, s_.unique_scratch.end(), [&](const Value& x, const Value& y) { return key(x) < key(y); });
      auto dup = std::adjacent_find(first, s_.unique_scratch.end(),
                                    [&](const Value& x, const Value& y) { return key(x) == key(y); });
      if (dup != s_.unique_scratch.end()) {
        s_.violate(n.unique_items_check, describe_value(*dup));
      } else {
        auto json_first = s_.unique_json.begin() + static_cast<std::ptrdiff_t>(unique_json_base);
        std::sort(json_first, s_.unique_json.end());
        auto json_dup = std::adjacent_find(json_first, s_.unique_json.end());
        if (json_dup != s_.unique_json.end()) s_.violate(n.unique_items_check, *json_dup);
      }
      s_.unique_scratch.resize(unique_base);
      s_.unique_json.resize(unique_json_base);
    }
    if (count < n.min_items) s_.violate(n.min_items_check, "[" + std::to_string(count) + " items]");
    if (count > n.max_items) s_.violate(n.max_items_check, "[" + std::to_string(count) + " items]");
    if (n.slot >= 0) {
      s_.slots[n.slot].kind = Value::Kind::kArray;
      s_.slots[n.slot].i = static_cast<std::int64_t>(count);
    }
    return true;
  }

  Source& a_;
  WalkState& s_;
  const std::vector<Node>& nodes_;
};

}  // namespace dq
