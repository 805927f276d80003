// The Validator: owns the per-thread scratch and drives the record engine
// over JSON bytes, read with simdjson On-Demand (no DOM). In-memory
// nlohmann::json values have their own source (nlohmann_source.cpp).
#include "dq/validator.h"

#include <simdjson.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>

#include "base/json_string.h"
#include "dq/json.h"
#include "engine/walker.h"

// The adapter calls are the engine's innermost loop: inlined, their results
// stay in registers instead of round-tripping through the stack.
#define DQ_ALWAYS_INLINE __attribute__((always_inline)) inline
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "key_is compares little-endian words");

namespace dq {

namespace od = simdjson::ondemand;

std::string json_quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  append_json_string(out, s, BackspaceFormFeed::kUnicodeEscapes);
  return out;
}

const char* json_type_name(JsonType t) {
  switch (t) {
    case JsonType::kObject: return "an object";
    case JsonType::kArray: return "an array";
    case JsonType::kString: return "a string";
    case JsonType::kNumber: return "a number";
    case JsonType::kBool: return "a boolean";
    case JsonType::kNull: return "null";
  }
  return "?";
}

static bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool numeric_text(std::string_view t, Number& out) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
    return s;
  };
  auto currency = [](std::string_view& s) {
    for (std::string_view symbol : {"$", "\u20AC", "\u00A3"}) {
      if (s.substr(0, symbol.size()) == symbol) {
        s.remove_prefix(symbol.size());
        return true;
      }
    }
    return false;
  };
  t = trim(t);
  bool negative = false;
  bool had_currency = currency(t);
  if (!t.empty() && (t.front() == '-' || t.front() == '+')) {
    negative = t.front() == '-';
    t.remove_prefix(1);
  }
  if (!had_currency) currency(t);
  t = trim(t);
  // Digits, with thousands separators grouping by three when there are any.
  std::string clean = negative ? "-" : "";
  std::size_t i = 0, group = 0;
  bool separated = false;
  while (i < t.size() && ((t[i] >= '0' && t[i] <= '9') || t[i] == ',')) {
    if (t[i] == ',') {
      if (i == 0 || (separated ? group != 3 : group > 3)) return false;
      separated = true;
      group = 0;
    } else {
      clean += t[i];
      ++group;
    }
    ++i;
  }
  if (clean.size() == (negative ? 1u : 0u) || (separated && group != 3)) return false;
  clean.append(t.substr(i));  // fraction and exponent, as JSON writes them
  if (!json_number_grammar(clean)) return false;
  number_from_text(clean, out);
  return true;
}

void number_from_text(std::string_view text, Number& out) {
  const char* first = text.data();
  const char* last = first + text.size();
  if (text.find_first_of(".eE") == std::string_view::npos) {
    if (std::from_chars(first, last, out.i).ec == std::errc()) {
      out.kind = Number::Kind::kInt;
      return;
    }
    if (text[0] != '-' && std::from_chars(first, last, out.u).ec == std::errc()) {
      out.kind = Number::Kind::kUint;
      return;
    }
    // Beyond 64 bits: still a number (to binary64's precision), never an int64.
  }
  auto [end, ec] = std::from_chars(first, last, out.d);
  out.kind =
      ec == std::errc() && end == last && std::isfinite(out.d) ? Number::Kind::kDouble : Number::Kind::kOutOfRange;
}

std::optional<bool> boolean_text(std::string_view t) {
  std::string lower;
  for (char c : t) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (lower == "true" || lower == "yes" || lower == "y" || lower == "1") return true;
  if (lower == "false" || lower == "no" || lower == "n" || lower == "0") return false;
  return std::nullopt;
}

const Verdict& finish_walk(WalkState& state, bool well_formed, std::size_t error_offset) {
  Verdict& v = state.verdict;
  if (well_formed) {
    run_rules(state);
    if (state.sink != nullptr) state.sink->add(state);
    return v;
  }
  v.ok = false;
  v.malformed = true;
  v.violations.clear();  // checks read on the way in are void: the record is not readable
  v.error = state.malformed.empty() ? "malformed JSON" : state.malformed;
  v.error_offset = error_offset;
  return v;
}

void run_rules(WalkState& state) {
  const Program& p = *state.program;
  for (const CompiledRule& rule : p.rules) {
    if (rule.when.uses_now || rule.check.uses_now) {
      state.eval.now_micros =
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count();
    }
    const Value* slots = state.slots.data();
    if (rule.when.root >= 0 && !holds(rule.when, rule.when.root, slots, state.eval)) continue;
    if (rule.mostly_field >= 0)
      VerdictAccess::observed(state.verdict).push_back(static_cast<std::uint32_t>(rule.mostly_field));
    if (holds(rule.check, rule.check.root, slots, state.eval)) continue;
    std::string inputs = describe_inputs(rule.check, slots);
    std::string when_inputs = rule.when.root >= 0 ? describe_inputs(rule.when, slots) : "";
    if (!when_inputs.empty() && inputs.find(when_inputs) == std::string::npos) {
      inputs = when_inputs + (inputs.empty() ? "" : ", " + inputs);
    }
    state.path.clear();
    state.violate(rule.check_id, inputs);
  }
}

namespace {

// JSON bytes through simdjson On-Demand: values are parsed as they are
// visited, never into a DOM.
struct SimdjsonSource {
  static constexpr const char* kAbsentRequired = "is required (absent)";
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

// In-memory nlohmann::json values: always well formed, except strings that
// are not UTF-8 (nlohmann stores bytes as given).

}  // namespace

struct Validator::Impl {
  Contract contract;
  od::parser parser;
  std::string padded;  // a copy of a record when the caller gave no padding
  WalkState state;

  explicit Impl(Contract c) : contract(std::move(c)) {
    const Limits& limits = contract.limits();
    // The walker enforces max_depth with its own message; simdjson's
    // structural limit only needs to be above it.
    // Allocation failure resurfaces as an error on the first record.
    if (parser.allocate(64 * 1024, limits.max_depth + 2) != simdjson::SUCCESS) {
    }
  }

  const Verdict& malformed(std::size_t offset) { return finish_walk(state, false, offset); }

  const Verdict& run_json(std::string_view json, std::size_t capacity) {
    const Program& p = ContractAccess::program(contract);
    state.reset(p);
    if (json.size() > p.limits.max_record_bytes) {
      state.malformed = "record of " + std::to_string(json.size()) + " bytes exceeds max_record_bytes (" +
                        std::to_string(p.limits.max_record_bytes) + ")";
      return malformed(0);
    }
    SimdjsonSource adapter{state};
    od::document doc;
    simdjson::error_code e = parser.iterate(json.data(), json.size(), capacity).get(doc);
    if (e == simdjson::EMPTY) {
      state.malformed = "empty record";
      return malformed(0);
    }
    if (e) {
      state.malformed = simdjson::error_message(e);
      return malformed(0);
    }
    Walker<SimdjsonSource> walker(adapter, state);
    od::json_type type = od::json_type::null;
    bool ok = adapter.check(doc.type().get(type));
    if (ok && type == od::json_type::object) {
      od::object obj;
      ok = adapter.check(doc.get_object().get(obj)) && walker.object(0, obj);
    } else if (ok) {
      ok = root_not_object(doc, type, adapter, walker);
    }
    // After the root value, a location still in bounds is trailing content.
    const char* rest = nullptr;
    if (ok && doc.current_location().get(rest) == simdjson::SUCCESS) {
      ok = state.fail("trailing content after the record");
    }
    if (!ok) {
      const char* at = nullptr;
      std::size_t offset = 0;
      if (!doc.current_location().get(at) && at >= json.data() && at <= json.data() + json.size()) {
        offset = static_cast<std::size_t>(at - json.data());
      }
      return malformed(offset);
    }
    return finish_walk(state, true);
  }

  // A record must be an object: anything else is one type violation, once
  // the document is known to be well formed.
  bool root_not_object(od::document& doc, od::json_type type, SimdjsonSource& adapter, Walker<SimdjsonSource>& walker) {
    std::string shown;
    switch (type) {
      case od::json_type::array: {
        od::array arr;
        if (!adapter.check(doc.get_array().get(arr))) return false;
        if (!adapter.for_each_element(arr, [&](od::value& v) { return walker.skip(v); })) return false;
        shown = "[…]";
        break;
      }
      case od::json_type::string: {
        std::string_view sv;
        if (!adapter.check(doc.get_string().get(sv))) return false;
        shown = json_quote(sv);
        break;
      }
      case od::json_type::number: {
        double d;
        simdjson::error_code e = doc.get_double().get(d);
        if (e && !json_number_grammar(doc.raw_json_token().value_unsafe())) return adapter.check(e);
        shown = "a number";
        break;
      }
      case od::json_type::boolean: {
        bool b = false;
        if (!adapter.check(doc.get_bool().get(b))) return false;
        shown = b ? "true" : "false";
        break;
      }
      default: {
        bool is_null = false;
        if (!adapter.check(doc.is_null().get(is_null)) || !is_null) return state.fail("invalid literal");
        shown = "null";
      }
    }
    state.violate(ContractAccess::program(contract).nodes[0].type_check, shown, "a record must be a JSON object");
    return true;
  }
};

Validator::Validator(Contract contract) : impl_(std::make_unique<Impl>(std::move(contract))) {}
Validator::~Validator() = default;
Validator::Validator(Validator&&) noexcept = default;
Validator& Validator::operator=(Validator&&) noexcept = default;

const Verdict& Validator::validate_json(std::string_view json) {
  std::string& buffer = impl_->padded;
  if (json.size() > impl_->contract.limits().max_record_bytes) return impl_->run_json(json, json.size());
  buffer.assign(json.data(), json.size());
  buffer.resize(json.size() + simdjson::SIMDJSON_PADDING, '\0');
  return impl_->run_json(std::string_view(buffer.data(), json.size()), buffer.size());
}

const Verdict& Validator::validate_json_padded(std::string_view json, std::size_t capacity) {
  if (capacity < json.size() + simdjson::SIMDJSON_PADDING) return validate_json(json);
  return impl_->run_json(json, capacity);
}

const Contract& Validator::contract() const { return impl_->contract; }

struct ValidatorAccess {
  static Validator::Impl& impl(Validator& v) { return *v.impl_; }
};

WalkState& walk_state(Validator& validator) {
  WalkState& state = ValidatorAccess::impl(validator).state;
  state.reset(ContractAccess::program(validator.contract()));
  return state;
}

const WalkState& last_walk(Validator& validator) { return ValidatorAccess::impl(validator).state; }

SinkScope::SinkScope(Validator& validator, RecordSink* sink)
    : state_(ValidatorAccess::impl(validator).state), previous_(state_.sink) {
  state_.sink = sink;
}
SinkScope::~SinkScope() { state_.sink = previous_; }

}  // namespace dq
