// The record engine's source for values held by a host runtime (dq/host_value.h):
// the walker asks the host's reader what each value is, once per value, and
// never sees the host's objects themselves.
#include <nlohmann/json.hpp>

#include "dq/host_value.h"
#include "engine/walker.h"

namespace dq {
namespace {

// A value as the walker holds it: the host's handle and, once asked, what it is.
struct HostSlot {
  HostReader::Handle handle = nullptr;
  HostReader::Item item;
  bool read = false;
};

struct HostSource {
  static constexpr const char* kAbsentRequired = "is required (absent)";
  using Value = HostSlot;
  using Object = HostReader::Handle;
  using Array = HostReader::Handle;
  using Key = const std::string_view;

  WalkState& state;
  HostReader& reader;
  std::string token_text;
  std::string why;

  // The host's item for `v`, read on first use; null when the host refused it.
  const HostReader::Item* item(Value& v) {
    if (!v.read) {
      why.clear();
      if (!reader.read(v.handle, v.item, why)) {
        state.fail(why);
        return nullptr;
      }
      v.read = true;
    }
    return &v.item;
  }

  bool type(Value& v, JsonType& out) {
    const HostReader::Item* it = item(v);
    if (it == nullptr) return false;
    switch (it->kind) {
      case HostReader::Item::Kind::kNull: out = JsonType::kNull; return true;
      case HostReader::Item::Kind::kBool: out = JsonType::kBool; return true;
      case HostReader::Item::Kind::kInt:
      case HostReader::Item::Kind::kUnsigned:
      case HostReader::Item::Kind::kDouble: out = JsonType::kNumber; return true;
      case HostReader::Item::Kind::kString: out = JsonType::kString; return true;
      case HostReader::Item::Kind::kObject: out = JsonType::kObject; return true;
      case HostReader::Item::Kind::kArray: out = JsonType::kArray; return true;
    }
    return true;
  }
  bool get_bool(Value& v, bool& out) {
    out = v.item.b;
    return true;
  }
  bool get_null(Value&) { return true; }
  int try_string(Value& v, std::string_view& out) {
    const HostReader::Item* it = item(v);
    if (it == nullptr) return -1;
    if (it->kind != HostReader::Item::Kind::kString) return 0;
    out = it->s;
    return 1;
  }
  int try_number(Value& v, Number& out) {
    const HostReader::Item* it = item(v);
    if (it == nullptr) return -1;
    switch (it->kind) {
      case HostReader::Item::Kind::kInt:
      case HostReader::Item::Kind::kUnsigned:
      case HostReader::Item::Kind::kDouble: return get_number(v, out) ? 1 : -1;
      default: return 0;
    }
  }
  bool get_string(Value& v, std::string_view& out) {
    out = v.item.s;
    return true;
  }
  bool get_number(Value& v, Number& out) {
    switch (v.item.kind) {
      case HostReader::Item::Kind::kInt:
        out.kind = Number::Kind::kInt;
        out.i = v.item.i;
        return true;
      case HostReader::Item::Kind::kUnsigned: out.set_unsigned(v.item.u); return true;
      default:
        out.kind = Number::Kind::kDouble;
        out.d = v.item.d;
        return true;
    }
  }
  bool get_object(Value& v, Object& out) {
    out = v.handle;
    return true;
  }
  bool get_array(Value& v, Array& out) {
    out = v.handle;
    return true;
  }
  // A scalar's JSON text, written as for the same value held in nlohmann::json.
  std::string_view token(Value& v) {
    if (v.item.kind == HostReader::Item::Kind::kDouble && !v.item.s.empty()) return v.item.s;
    nlohmann::json j;
    switch (v.item.kind) {
      case HostReader::Item::Kind::kBool: j = v.item.b; break;
      case HostReader::Item::Kind::kInt: j = v.item.i; break;
      case HostReader::Item::Kind::kUnsigned: j = v.item.u; break;
      case HostReader::Item::Kind::kDouble: j = v.item.d; break;
      case HostReader::Item::Kind::kString: j = std::string(v.item.s); break;
      default: break;
    }
    token_text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return token_text;
  }
  template <class F>
  bool for_each_field(Object& obj, F&& f) {
    why.clear();
    struct Sink final : HostReader::FieldSink {
      F& f;
      explicit Sink(F& fn) : f(fn) {}
      bool field(std::string_view key, HostReader::Handle value) override {
        HostSlot slot{value, {}, false};
        return f(key, slot);
      }
    } sink(f);
    return walk(reader.fields(obj, sink, why));
  }
  template <class F>
  bool for_each_element(Array& arr, F&& f) {
    why.clear();
    struct Sink final : HostReader::ElementSink {
      F& f;
      explicit Sink(F& fn) : f(fn) {}
      bool element(HostReader::Handle value) override {
        HostSlot slot{value, {}, false};
        return f(slot);
      }
    } sink(f);
    return walk(reader.elements(arr, sink, why));
  }
  bool key_is(Key& key, const ChildKey&, const Node& declared) { return key == declared.key; }
  bool key_text(Key& key, std::string_view& out) {
    out = key;
    return true;
  }
  int native_time(Value&, dq::Value&) { return 0; }

  // A host failure while listing an object or array makes the record malformed;
  // a stop asked by the walker has already said why.
  bool walk(bool completed) {
    if (completed) return true;
    if (!why.empty()) state.fail(why);
    why.clear();  // said once, at the innermost level
    return false;
  }
};

}  // namespace

const Verdict& validate(Validator& validator, HostReader& reader, HostReader::Handle record) {
  WalkState& state = walk_state(validator);  // reset for this record
  HostSource source{state, reader, {}, {}};
  Walker<HostSource> walker(source, state);
  HostSlot root{record, {}, false};
  JsonType type = JsonType::kNull;
  if (!source.type(root, type)) return finish_walk(state, false);
  bool ok = true;
  if (type == JsonType::kObject) {
    ok = walker.object(0, root.handle);
  } else {
    ok = walker.skip(root);
    if (ok) {
      state.violate(state.program->nodes[0].type_check,
                    type == JsonType::kArray ? "[…]" : std::string(source.token(root)));
      return state.verdict;
    }
  }
  return finish_walk(state, ok);
}

}  // namespace dq
