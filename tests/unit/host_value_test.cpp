// Records held in a host's own values, read in place (dq/host_value.h): a
// host here keeps them in nlohmann::ordered_json (keys in their written
// order), and each verdict must be the one the same record gets as JSON text.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "helpers.h"

namespace {

using Json = nlohmann::ordered_json;

class JsonHost final : public dq::HostReader {
 public:
  bool read(Handle value, Item& out, std::string& why) override {
    const Json& v = *static_cast<const Json*>(value);
    switch (v.type()) {
      case Json::value_t::null: out.kind = Item::Kind::kNull; return true;
      case Json::value_t::boolean: out.kind = Item::Kind::kBool, out.b = v.get<bool>(); return true;
      case Json::value_t::number_integer: out.kind = Item::Kind::kInt, out.i = v.get<std::int64_t>(); return true;
      case Json::value_t::number_unsigned:
        out.kind = Item::Kind::kUnsigned, out.u = v.get<std::uint64_t>();
        return true;
      case Json::value_t::number_float: out.kind = Item::Kind::kDouble, out.d = v.get<double>(); return true;
      case Json::value_t::string: out.kind = Item::Kind::kString, out.s = v.get_ref<const std::string&>(); return true;
      case Json::value_t::object: out.kind = Item::Kind::kObject; return true;
      case Json::value_t::array: out.kind = Item::Kind::kArray; return true;
      default: why = "a binary value is not JSON"; return false;
    }
  }
  bool fields(Handle object, FieldSink& sink, std::string&) override {
    for (const auto& [key, value] : static_cast<const Json*>(object)->items()) {
      if (!sink.field(key, &value)) return false;
    }
    return true;
  }
  bool elements(Handle array, ElementSink& sink, std::string&) override {
    for (const Json& element : *static_cast<const Json*>(array)) {
      if (!sink.element(&element)) return false;
    }
    return true;
  }
};

struct Facts {
  bool ok, malformed;
  std::string error;
  std::vector<std::string> violations;
  bool operator==(const Facts&) const = default;
};

Facts facts(const dq::Verdict& v) {
  Facts f{v.ok, v.malformed, v.error, {}};
  for (const dq::Violation& x : v.violations) f.violations.push_back(x.path + "|" + x.rule + "|" + x.value);
  return f;
}

}  // namespace

TEST_CASE("a record read in place through a HostReader gets the verdict of its JSON text") {
  dq::Contract contract = dqtest::load(
      "additional_fields: reject\n"
      "fields:\n"
      "  id: {type: integer, required: true, min: 1}\n"
      "  code: {type: string, pattern: '^[A-Z]{2}$'}\n"
      "  at: {type: timestamp, min: '2020-01-01T00:00:00Z'}\n"
      "  big: {type: integer}\n"
      "  tags: {type: array, unique_items: true, items: {type: string, max_length: 3}}\n"
      "  who: {type: object, fields: {name: {type: string, required: true}}}\n"
      "rules:\n"
      "  - {name: coded, when: id > 10, check: code != null}\n");
  const std::vector<std::string> texts = {
      R"({"id": 5, "code": "AB", "at": "2021-03-04T05:06:07Z", "tags": ["a", "b"], "who": {"name": "x"}})",
      R"({"code": "abc", "id": 0, "tags": ["a", "a", "long!"], "extra": [1, {"k": null}]})",
      R"({"id": 11, "big": 18446744073709551615, "at": "2019-12-31T23:59:59Z", "who": {}})",
      R"({"id": 3.0, "code": null, "who": {"name": 7}, "tags": [[1], [1]]})",
      R"({"id": "7"})",
      R"([1, 2])",
      R"("just text")",
  };
  dq::Validator by_text(contract), in_place(contract);
  JsonHost host;
  for (const std::string& text : texts) {
    INFO(text);
    const Json record = Json::parse(text);
    const Facts want = facts(by_text.validate_json(text));
    CHECK(facts(dq::validate(in_place, host, &record)) == want);
  }
}

TEST_CASE("a value the host cannot read makes the record malformed with the host's reason") {
  struct Refusing final : dq::HostReader {
    bool read(Handle, Item&, std::string& why) override {
      why = "not a value this host can read";
      return false;
    }
    bool fields(Handle, FieldSink&, std::string&) override { return true; }
    bool elements(Handle, ElementSink&, std::string&) override { return true; }
  } host;
  dq::Contract contract = dqtest::load("fields:\n  id: {type: integer}\n");
  dq::Validator validator(contract);
  int anything = 0;
  const dq::Verdict& v = dq::validate(validator, host, &anything);
  CHECK_FALSE(v.ok);
  CHECK(v.malformed);
  CHECK(v.error == "not a value this host can read");
}
