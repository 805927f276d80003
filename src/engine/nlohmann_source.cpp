// The record engine's source for JSON values already in memory
// (nlohmann::json): dq::validate(validator, json), and the copies the
// streaming source reads whole for structural checks (walk_json_value).
#include <simdjson.h>  // its UTF-8 validator

#include <nlohmann/json.hpp>

#include "dq/json.h"
#include "engine/walker.h"

namespace dq {
namespace {

struct NlohmannSource {
  static constexpr const char* kAbsentRequired = "is required (absent)";
  using Value = const nlohmann::json;
  using Object = const nlohmann::json*;
  using Array = const nlohmann::json*;
  using Key = const std::string;

  WalkState& state;
  std::string token_text;

  bool type(Value& v, JsonType& out) {
    switch (v.type()) {
      case nlohmann::json::value_t::object: out = JsonType::kObject; return true;
      case nlohmann::json::value_t::array: out = JsonType::kArray; return true;
      case nlohmann::json::value_t::string: out = JsonType::kString; return true;
      case nlohmann::json::value_t::boolean: out = JsonType::kBool; return true;
      case nlohmann::json::value_t::null: out = JsonType::kNull; return true;
      case nlohmann::json::value_t::number_integer:
      case nlohmann::json::value_t::number_unsigned:
      case nlohmann::json::value_t::number_float: out = JsonType::kNumber; return true;
      default: return state.fail("a binary or discarded value is not JSON");
    }
  }
  bool get_bool(Value& v, bool& out) {
    out = v.get<bool>();
    return true;
  }
  bool get_null(Value&) { return true; }
  int try_string(Value& v, std::string_view& out) {
    if (!v.is_string()) return 0;
    return get_string(v, out) ? 1 : -1;
  }
  int try_number(Value& v, Number& out) {
    if (!v.is_number()) return 0;
    return get_number(v, out) ? 1 : -1;
  }
  bool get_string(Value& v, std::string_view& out) {
    const std::string& s = v.get_ref<const std::string&>();
    if (!simdjson::validate_utf8(s.data(), s.size())) return state.fail("a string is not valid UTF-8");
    out = s;
    return true;
  }
  bool get_object(Value& v, Object& out) {
    out = &v;
    return true;
  }
  bool get_array(Value& v, Array& out) {
    out = &v;
    return true;
  }
  std::string_view token(Value& v) {
    token_text = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return token_text;
  }
  bool get_number(Value& v, Number& out) {
    if (v.is_number_integer() && !v.is_number_unsigned()) {
      out.kind = Number::Kind::kInt;
      out.i = v.get<std::int64_t>();
    } else if (v.is_number_unsigned()) {
      out.set_unsigned(v.get<std::uint64_t>());
    } else {
      out.kind = Number::Kind::kDouble;
      out.d = v.get<double>();
    }
    return true;
  }
  template <class F>
  bool for_each_field(Object& obj, F&& f) {
    for (auto it = obj->begin(); it != obj->end(); ++it) {
      const std::string& key = it.key();
      if (!simdjson::validate_utf8(key.data(), key.size())) return state.fail("a key is not valid UTF-8");
      if (!f(key, *it)) return false;
    }
    return true;
  }
  bool key_is(Key& key, const ChildKey&, const Node& declared) { return key == declared.key; }
  int native_time(Value&, dq::Value&) { return 0; }
  bool key_text(Key& key, std::string_view& out) {
    out = key;
    return true;
  }
  template <class F>
  bool for_each_element(Array& arr, F&& f) {
    for (const auto& element : *arr) {
      if (!f(element)) return false;
    }
    return true;
  }
};

}  // namespace

bool walk_json_value(WalkState& state, int node_index, const nlohmann::json& value) {
  NlohmannSource source{state, {}};
  Walker<NlohmannSource> walker(source, state);
  return walker.visit(node_index, value);
}

const Verdict& validate(Validator& validator, const nlohmann::json& record) {
  WalkState& state = walk_state(validator);  // reset for this record
  NlohmannSource source{state, {}};
  Walker<NlohmannSource> walker(source, state);
  bool ok = true;
  if (record.is_object()) {
    const nlohmann::json* object = &record;
    ok = walker.object(0, object);
  } else {
    ok = walker.skip(record);
    if (ok) {
      state.violate(state.program->nodes[0].type_check, record.is_array() ? "[…]" : std::string(source.token(record)));
      return state.verdict;
    }
  }
  return finish_walk(state, ok);
}

}  // namespace dq
