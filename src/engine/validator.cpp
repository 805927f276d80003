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
#include "engine/screen.h"
#include "engine/simdjson_source.h"
#include "engine/walker.h"

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

struct Validator::Impl {
  Contract contract;
  od::parser parser;
  std::string padded;  // a copy of a record when the caller gave no padding
  WalkState state;
  Screen screen = nullptr;     // a screen generated for this contract and linked in, if any
  std::uint64_t screened = 0;  // records it passed

  explicit Impl(Contract c) : contract(std::move(c)), screen(find_screen(ContractAccess::program(contract))) {
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
      ok = adapter.check(doc.get_object().get(obj));
      // A sink reads more of the walk than a screen leaves: walked.
      if (ok && screen != nullptr && state.sink == nullptr) {
        if (screen(obj, adapter, walker, state)) {
          ++screened;
        } else {
          // Not clean, or not sure: the walker reads the record again from
          // the start and writes every message. (Parsed again rather than
          // rewound: a document that met an error cannot be rewound.)
          state.reset(p);
          ok = adapter.check(parser.iterate(json.data(), json.size(), capacity).get(doc)) &&
               adapter.check(doc.get_object().get(obj)) && walker.object(0, obj);
        }
      } else if (ok) {
        ok = walker.object(0, obj);
      }
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

void use_screen(Validator& validator, bool on) {
  auto& impl = ValidatorAccess::impl(validator);
  impl.screen = on ? find_screen(ContractAccess::program(impl.contract)) : nullptr;
}

bool has_screen(Validator& validator) { return ValidatorAccess::impl(validator).screen != nullptr; }

std::uint64_t screened_records(Validator& validator) { return ValidatorAccess::impl(validator).screened; }

const WalkState& last_walk(Validator& validator) { return ValidatorAccess::impl(validator).state; }

SinkScope::SinkScope(Validator& validator, RecordSink* sink)
    : state_(ValidatorAccess::impl(validator).state), previous_(state_.sink) {
  state_.sink = sink;
}
SinkScope::~SinkScope() { state_.sink = previous_; }

}  // namespace dq
