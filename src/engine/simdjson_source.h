// The record engine's source for JSON bytes: simdjson On-Demand, values
// parsed as they are visited, never into a DOM. Shared by the Validator and
// the screens generated per contract (engine/screen.h), which read values
// through the same calls so both see the same input the same way.
#pragma once

#include <simdjson.h>

#include <cstring>
#include <string_view>

#include "base/formats.h"
#include "engine/walk_state.h"

// The adapter calls are the engine's innermost loop: inlined, their results
// stay in registers instead of round-tripping through the stack.
#define DQ_ALWAYS_INLINE __attribute__((always_inline)) inline
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "key_is compares little-endian words");

namespace dq {

namespace od = simdjson::ondemand;

struct SimdjsonSource {
  static constexpr const char* kAbsentRequired = "is required (absent)";
  static constexpr bool kPaddedStrings = true;  // get_string's text lies in simdjson's padded string buffer
  using Value = od::value;
  using Object = od::object;
  using Array = od::array;
  using Key = od::field;

  WalkState& state;
  simdjson::error_code error = simdjson::SUCCESS;

  DQ_ALWAYS_INLINE bool check(simdjson::error_code e) {
    if (e == simdjson::SUCCESS) return true;
    error = e;
    return state.fail(simdjson::error_message(e));
  }

  DQ_ALWAYS_INLINE bool type(Value& v, JsonType& out) {
    od::json_type t;
    if (!check(v.type().get(t))) return false;
    switch (t) {
      case od::json_type::object: out = JsonType::kObject; break;
      case od::json_type::array: out = JsonType::kArray; break;
      case od::json_type::string: out = JsonType::kString; break;
      case od::json_type::number: out = JsonType::kNumber; break;
      case od::json_type::boolean: out = JsonType::kBool; break;
      case od::json_type::null: out = JsonType::kNull; break;
    }
    return true;
  }
  DQ_ALWAYS_INLINE bool get_bool(Value& v, bool& out) { return check(v.get_bool().get(out)); }
  DQ_ALWAYS_INLINE bool get_null(Value& v) {
    bool is_null = false;
    if (!check(v.is_null().get(is_null))) return false;
    return is_null || state.fail("invalid literal");
  }
  DQ_ALWAYS_INLINE bool get_string(Value& v, std::string_view& out) { return check(v.get_string().get(out)); }
  DQ_ALWAYS_INLINE int try_string(Value& v, std::string_view& out) {
    simdjson::error_code e = v.get_string().get(out);
    if (e == simdjson::SUCCESS) return 1;
    return e == simdjson::INCORRECT_TYPE ? 0 : (check(e), -1);
  }
  DQ_ALWAYS_INLINE int try_number(Value& v, Number& out) {
    // A JSON number starts with '-' or a digit: anything else is another type
    // (or malformed, which the general path reports).
    const char c = static_cast<char>(*reinterpret_cast<const unsigned char*>(v.raw_json_token().data()));
    if (c != '-' && (c < '0' || c > '9')) return 0;
    return get_number(v, out) ? 1 : -1;
  }
  DQ_ALWAYS_INLINE bool get_object(Value& v, Object& out) { return check(v.get_object().get(out)); }
  DQ_ALWAYS_INLINE bool get_array(Value& v, Array& out) { return check(v.get_array().get(out)); }
  DQ_ALWAYS_INLINE std::string_view token(Value& v) {
    std::string_view t = v.raw_json_token();
    while (!t.empty() && (t.back() == ' ' || t.back() == '\n' || t.back() == '\r' || t.back() == '\t')) {
      t.remove_suffix(1);
    }
    return t;
  }

  DQ_ALWAYS_INLINE bool get_number(Value& v, Number& out) {
    od::number n;
    simdjson::error_code e = v.get_number().get(n);
    if (e == simdjson::NUMBER_ERROR) {
      // simdjson refuses numbers beyond 64 bits (integers) or binary64
      // (1e400); they are valid JSON, so the record is invalid, not malformed.
      if (json_number_grammar(token(v))) {
        number_from_text(token(v), out);
        return true;
      }
    }
    if (!check(e)) return false;
    switch (n.get_number_type()) {
      case od::number_type::signed_integer:
        out.kind = Number::Kind::kInt;
        out.i = n.get_int64();
        break;
      case od::number_type::unsigned_integer:
        out.kind = Number::Kind::kUint;
        out.u = n.get_uint64();
        break;
      default: {
        // simdjson 3.0 gets some decimals of 20 or more digits wrong (0 for
        // 18.46744073709551416): a token that long is read from its text.
        const std::string_view text = token(v);
        if (text.size() >= 20) {
          number_from_text(text, out);
        } else {
          out.kind = Number::Kind::kDouble;
          out.d = n.get_double();
        }
        break;
      }
    }
    return true;
  }

  template <class F>
  bool for_each_field(Object& obj, F&& f) {
    for (auto field_result : obj) {
      // References, not copies: copying simdjson's small iterator structs
      // through the stack stalls store forwarding on every field.
      if (!check(field_result.error())) return false;
      od::field& field = field_result.value_unsafe();
      if (!f(field, field.value())) return false;
    }
    return true;
  }
  // Compares the key as written with a declared one. Declared keys hold no
  // quote or backslash (the compiler checks), so equal bytes followed by the
  // closing quote mean equal keys; a key written with escapes takes the slow
  // path (key_text). Reading 16 bytes past a short key is safe: simdjson's
  // input padding guarantees 64 readable bytes after the record.
  DQ_ALWAYS_INLINE bool key_is(Key& field, const ChildKey& declared, const Node& node) {
    const char* raw = reinterpret_cast<const char*>(field.key().raw());
    const std::size_t length = declared.length;
    if (length > 16) return field.key().unsafe_is_equal(node.key);
    std::uint64_t words[2];
    std::memcpy(words, raw, 16);
    if (length < 16) {
      // Keep the first `length` bytes (little-endian: the low bytes).
      if (length >= 8) {
        words[1] &= length == 8 ? 0 : (~0ULL >> (8 * (16 - length)));
      } else {
        words[1] = 0;
        words[0] &= length == 0 ? 0 : (~0ULL >> (8 * (8 - length)));
      }
    }
    return words[0] == declared.words[0] && words[1] == declared.words[1] && raw[length] == '"';
  }
  DQ_ALWAYS_INLINE bool key_text(Key& field, std::string_view& out) { return check(field.unescaped_key().get(out)); }
  int native_time(Value&, dq::Value&) { return 0; }  // JSON has no timestamp type
  template <class F>
  bool for_each_element(Array& arr, F&& f) {
    for (auto element_result : arr) {
      if (!check(element_result.error())) return false;
      if (!f(element_result.value_unsafe())) return false;
    }
    return true;
  }
};

}  // namespace dq
