// A contract written as an Avro record schema (to_avro). Avro says types:
// an optional field becomes a union with null and a null default, an object a
// nested record, an enum of names an Avro enum; checks (bounds, patterns,
// formats) have no Avro words and are listed in `not_carried`.
#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "spec/avro.h"
#include "spec/writer.h"

namespace dq::spec {
namespace {

using Json = nlohmann::ordered_json;

// Avro names: [A-Za-z_][A-Za-z0-9_]*.
bool avro_name(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::string record_name(const std::string& field) {
  std::string out;
  bool upper = true;
  for (char c : field) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out.empty() || std::isdigit(static_cast<unsigned char>(out[0])) ? "R" + out : out;
}

class Writer {
 public:
  explicit Writer(std::vector<std::string>& out) : not_carried_(out) {}

  // Named types are unique in an Avro schema: "Address", "Address2", ...
  std::string unique_name(const std::string& base) {
    std::string name = base;
    for (int n = 2; !used_.insert(name).second; ++n) name = base + std::to_string(n);
    return name;
  }

  Json fields(const std::vector<Field>& fields, const std::string& path) {
    Json out = Json::array();
    for (const Field& f : fields) {
      const std::string where = path.empty() ? f.name : path + "." + f.name;
      if (!avro_name(f.name)) not_carried(where, "the name is not an Avro name ([A-Za-z_][A-Za-z0-9_]*)");
      Json field = {{"name", f.name}};
      if (!f.description.empty()) field["doc"] = f.description;
      Json t = type(f, where);
      const bool optional = !f.required || f.null_type || f.required_present;
      if (optional && !(t.is_array() && !t.empty() && t[0] == "null")) {
        Json u = Json::array({"null"});
        if (t.is_array()) {
          for (auto& m : t) u.push_back(m);
        } else {
          u.push_back(t);
        }
        t = u;
      }
      field["type"] = t;
      if (optional) field["default"] = nullptr;
      out.push_back(field);
    }
    return out;
  }

 private:
  void not_carried(const std::string& where, const std::string& what) { not_carried_.push_back(where + ": " + what); }

  Json type(const Field& f, const std::string& where) {
    if (!f.types.empty()) {
      Json u = Json::array();
      for (Type t : f.types) {
        Field one = f;
        one.types.clear();
        one.type = t;
        u.push_back(type(one, where));
      }
      return u;
    }
    checks(f, where);
    switch (f.type) {
      case Type::kBoolean: return "boolean";
      case Type::kInteger: return int_range(f) ? "int" : "long";
      case Type::kNumber: return "double";
      case Type::kString:
        if (f.enum_values && std::all_of(f.enum_values->begin(), f.enum_values->end(),
                                         [](const Scalar& s) { return avro_name(s.text); })) {
          Json symbols = Json::array();
          for (const Scalar& s : *f.enum_values) symbols.push_back(s.text);
          return {{"type", "enum"}, {"name", unique_name(record_name(f.name))}, {"symbols", symbols}};
        }
        if (f.format && f.format->text == "uuid") return {{"type", "string"}, {"logicalType", "uuid"}};
        return "string";
      case Type::kTimestamp:
        if (f.unit && (f.unit->text == "ms" || f.unit->text == "us" || f.unit->text == "ns")) {
          const std::string unit = f.unit->text == "ms" ? "millis" : f.unit->text == "us" ? "micros" : "nanos";
          return {{"type", "long"}, {"logicalType", "timestamp-" + unit}};
        }
        not_carried(where, "a timestamp written as text is a string in Avro (Avro's timestamps are epoch numbers)");
        return "string";
      case Type::kDate: not_carried(where, "a date written as text is a string in Avro"); return "string";
      case Type::kObject:
        if (f.fields.empty()) {
          not_carried(where, "an object without declared fields is a map of strings in Avro");
          return {{"type", "map"}, {"values", "string"}};
        }
        return {{"type", "record"}, {"name", unique_name(record_name(f.name))}, {"fields", fields(f.fields, where)}};
      case Type::kArray:
        if (f.items.empty()) {
          not_carried(where, "an array without declared items is an array of strings in Avro");
          return {{"type", "array"}, {"items", "string"}};
        }
        return {{"type", "array"}, {"items", type(f.items.front(), where + "[]")}};
      case Type::kAny:
      default:
        not_carried(where, "any value is a union of Avro's primitive types");
        return Json::array({"boolean", "long", "double", "string"});
    }
  }

  // Avro's int: exactly the 32-bit range, as an imported int declares it.
  static bool int_range(const Field& f) {
    return f.type == Type::kInteger && f.min && f.max && !f.exclusive_min && !f.exclusive_max &&
           f.min->text == "-2147483648" && f.max->text == "2147483647";
  }

  // What a field checks beyond its type: Avro cannot say it.
  void checks(const Field& f, const std::string& where) {
    std::vector<std::string> said;
    auto add = [&](bool present, const char* name) {
      if (present) said.emplace_back(name);
    };
    add((f.min || f.exclusive_min) && !int_range(f), "min");
    add((f.max || f.exclusive_max) && !int_range(f), "max");
    add(f.min_length || f.max_length, "length");
    add(f.min_items || f.max_items || f.unique_items, "items bounds");
    add(f.pattern || !f.pattern_list.empty() || !f.not_patterns.empty(), "pattern");
    add(f.format && f.format->text != "uuid" && f.type != Type::kTimestamp && f.type != Type::kDate, "format");
    add(f.multiple_of.has_value(), "multiple_of");
    add(f.const_value.has_value(), "const");
    add(f.unique, "unique");
    add(f.enum_values && f.type != Type::kString, "enum");
    add(f.enum_values && f.type == Type::kString &&
            !std::all_of(f.enum_values->begin(), f.enum_values->end(),
                         [](const Scalar& s) { return avro_name(s.text); }),
        "enum (values that are not Avro names)");
    if (!said.empty()) {
      std::string list;
      for (const std::string& s : said) list += (list.empty() ? "" : ", ") + s;
      not_carried(where, list + " (Avro has types, not checks)");
    }
  }

  std::vector<std::string>& not_carried_;
  std::set<std::string> used_;
};

}  // namespace

std::string to_avro(const Contract& c, std::vector<std::string>& not_carried) {
  Json out = Json::object();
  out["type"] = "record";
  const std::size_t dot = c.dataset.rfind('.');
  const std::string last = dot == std::string::npos ? c.dataset : c.dataset.substr(dot + 1);
  Writer writer(not_carried);
  out["name"] = writer.unique_name(avro_name(last) ? last : record_name(last));
  if (dot != std::string::npos) out["namespace"] = c.dataset.substr(0, dot);
  if (!c.description.empty()) out["doc"] = c.description;
  out["fields"] = writer.fields(c.fields, "");
  if (c.additional_fields == AdditionalFields::kReject) {
    not_carried.emplace_back("additional_fields: reject (Avro readers drop unknown fields)");
  }
  not_carried_by_record_schemas(c, not_carried);
  return out.dump(2) + "\n";
}

}  // namespace dq::spec
