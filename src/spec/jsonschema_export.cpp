// A contract written as a JSON Schema (to_json_schema), draft 2020-12. The
// schema judges a record as dq does wherever JSON Schema has the words: an
// optional dq field may be null (null is absence in dq), so its schema allows
// null; a `warn` or `mostly` check never rejects a record in dq, so it is left
// out. Everything left out is named in `not_carried`.
#include <nlohmann/json.hpp>

#include "base/formats.h"
#include "spec/jsonschema.h"
#include "spec/writer.h"

namespace dq::spec {
namespace {

using Json = nlohmann::ordered_json;

// A contract scalar as the JSON value it stands for.
Json json_of(const Scalar& s) {
  if (s.json || (!s.quoted && json_number_grammar(s.text))) {
    Json parsed = Json::parse(s.text, nullptr, false);
    if (!parsed.is_discarded()) return parsed;
  }
  if (!s.quoted) {
    if (s.text == "null" || s.text == "~" || s.text.empty()) return nullptr;
    if (s.text == "true") return true;
    if (s.text == "false") return false;
  }
  return s.text;
}

const char* json_type(Type t) {
  switch (t) {
    case Type::kInteger: return "integer";
    case Type::kNumber: return "number";
    case Type::kBoolean: return "boolean";
    case Type::kObject: return "object";
    case Type::kArray: return "array";
    default: return "string";  // strings, and timestamps and dates written as text
  }
}

class Writer {
 public:
  explicit Writer(std::vector<std::string>& out) : not_carried_(out) {}

  Json object(const std::vector<Field>& fields, AdditionalFields mode, const std::string& path) {
    Json out = Json::object();
    Json properties = Json::object();
    Json required = Json::array();
    for (const Field& f : fields) {
      const std::string where = path.empty() ? f.name : path + "." + f.name;
      properties[f.name] = field(f, mode, where);
      if (f.required) required.push_back(f.name);
    }
    if (!properties.empty()) out["properties"] = std::move(properties);
    if (!required.empty()) out["required"] = std::move(required);
    if (mode == AdditionalFields::kReject) out["additionalProperties"] = false;
    if (mode == AdditionalFields::kWarn)
      not_carried(path.empty() ? "additional_fields" : path + ".additional_fields", "warn");
    return out;
  }

 private:
  void not_carried(const std::string& where, const std::string& what) { not_carried_.push_back(where + ": " + what); }

  Json field(const Field& f, AdditionalFields inherited, const std::string& where) {
    Json s = Json::object();
    if (!f.title.empty()) s["title"] = f.title;
    if (!f.description.empty()) s["description"] = f.description;
    // A check that only warns (or holds for `mostly` of the records) never
    // rejects a record in dq: a record schema cannot say it.
    const bool checks = f.severity == Severity::kError && !f.mostly;
    if (!checks) not_carried(where, f.mostly ? "mostly (a share of records)" : "severity warn (checks that only warn)");
    // Null is absence for an optional field, and allowed when `null` is listed.
    const bool nullable = f.null_type || !f.required || f.required_present;
    Json types = Json::array();
    if (checks && !(f.type == Type::kAny && f.types.empty())) {  // any value: no type keyword
      for (Type t : f.types.empty() ? std::vector<Type>{f.type} : f.types) types.push_back(json_type(t));
      if (nullable) types.push_back("null");
    }
    if (types.size() == 1) {
      s["type"] = types[0];
    } else if (types.size() > 1) {
      s["type"] = types;
    }
    if (checks && (f.type == Type::kTimestamp || f.type == Type::kDate)) temporal(f, s, where);
    if (checks) values(f, nullable, s, where);
    if (!f.fields.empty() || f.additional_fields) {
      const AdditionalFields mode = f.additional_fields.value_or(inherited);
      Json inner = object(f.fields, mode, where);
      for (auto& [k, v] : inner.items()) s[k] = v;
    }
    if (!f.items.empty()) s["items"] = field(f.items.front(), f.additional_fields.value_or(inherited), where + "[]");
    if (!f.json_fields.empty()) not_carried(where, "json_fields (a JSON object inside a string)");
    if (!f.coerce.empty()) not_carried(where, "coerce (recovering values written another way)");
    if (f.unique) not_carried(where, "unique (across records)");
    if (f.pii || f.classification || !f.tags.empty()) not_carried(where, "pii, classification and tags (governance)");
    return s;
  }

  void temporal(const Field& f, Json& s, const std::string& where) {
    if (f.unit) {
      s["type"] = f.required && !f.null_type ? Json("number") : Json::array({"number", "null"});
      not_carried(where, "unit (an epoch timestamp is written as a number)");
      return;
    }
    if (f.format) {
      not_carried(where, "format '" + f.format->text + "' (a time layout)");
      return;
    }
    s["format"] = f.type == Type::kDate ? "date" : "date-time";
    if (f.min || f.max || f.exclusive_min || f.exclusive_max) not_carried(where, "min and max of a time");
    if (f.timezone) not_carried(where, "timezone");
  }

  void values(const Field& f, bool nullable, Json& s, const std::string& where) {
    auto number = [&](const char* key, const std::optional<Scalar>& v) {
      if (!v) return;
      if (v->is_param()) {
        not_carried(where, std::string(key) + " given by the parameter " + v->text);
      } else {
        s[key] = json_of(*v);
      }
    };
    if (f.type != Type::kTimestamp && f.type != Type::kDate) {
      number("minimum", f.min);
      number("maximum", f.max);
      number("exclusiveMinimum", f.exclusive_min);
      number("exclusiveMaximum", f.exclusive_max);
    }
    number("multipleOf", f.multiple_of);
    number("minLength", f.min_length);
    number("maxLength", f.max_length);
    number("minItems", f.min_items);
    number("maxItems", f.max_items);
    if (f.unique_items) s["uniqueItems"] = true;
    if (f.format && f.type != Type::kTimestamp && f.type != Type::kDate) {
      if (f.format->is_param()) {
        not_carried(where, "format given by the parameter " + f.format->text);
      } else {
        s["format"] = f.format->text;
      }
    }
    if (f.pattern) {
      number("pattern", f.pattern);
    } else if (!f.pattern_list.empty()) {
      Json list = Json::array();
      for (const Scalar& p : f.pattern_list) list.push_back({{"pattern", p.text}});
      s[f.match && f.match->text == "all" ? "allOf" : "anyOf"] = list;
      if (f.match && f.match->text != "all") not_carried(where, "pattern list with match any is written as anyOf");
    }
    if (!f.not_patterns.empty()) {
      Json none = Json::array();
      for (const Scalar& p : f.not_patterns) none.push_back({{"type", "string"}, {"pattern", p.text}});
      s["not"] = none.size() == 1 ? none[0] : Json{{"anyOf", none}};
    }
    if (f.enum_values) {
      Json values = Json::array();
      for (const Scalar& v : *f.enum_values) values.push_back(json_of(v));
      if (nullable && std::find(values.begin(), values.end(), Json(nullptr)) == values.end()) values.push_back(nullptr);
      s["enum"] = values;
    }
    if (f.const_value) {
      if (nullable && !json_of(*f.const_value).is_null()) {
        s["enum"] = Json::array({json_of(*f.const_value), nullptr});
      } else {
        s["const"] = json_of(*f.const_value);
      }
    }
  }

  std::vector<std::string>& not_carried_;
};

}  // namespace

std::string to_json_schema(const Contract& c, std::vector<std::string>& not_carried) {
  Json out = Json::object();
  out["$schema"] = "https://json-schema.org/draft/2020-12/schema";
  out["title"] = c.dataset;
  if (!c.description.empty()) out["description"] = c.description;
  out["type"] = "object";
  Json body = Writer(not_carried).object(c.fields, c.additional_fields, "");
  for (auto& [k, v] : body.items()) out[k] = v;
  not_carried_by_record_schemas(c, not_carried);
  return out.dump(2) + "\n";
}

}  // namespace dq::spec
