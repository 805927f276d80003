// A contract written as ODCS v3.1 (to_odcs): natively where ODCS has the
// concept, the rest in dq's own form under customProperties.
#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "spec/odcs.h"
#include "spec/writer.h"
#include "spec/yaml_nodes.h"

namespace dq::spec {
namespace {

bool plain_number(const std::optional<Scalar>& s) {
  if (!s || s->quoted || s->is_param()) return false;
  YAML::Node n(s->text);
  return number_of(n).has_value();
}
bool plain_count(const std::optional<Scalar>& s) {
  return plain_number(s) && s->text.find_first_not_of("0123456789") == std::string::npos;
}

// Whether a `unique` expectation over several fields covers `field` (a
// top-level one: `expectations` are the contract's, empty below the top).
bool unique_together(const std::string& field, const std::vector<Expectation>& expectations) {
  for (const Expectation& e : expectations) {
    if (e.metric == "unique" && std::find(e.fields.begin(), e.fields.end(), field) != e.fields.end()) return true;
  }
  return false;
}

YAML::Node odcs_property(const Field& f, bool named, const std::vector<Expectation>& expectations);

// A field's enum as ODCS's invalidValues rule with validValues, carrying the
// field's `mostly` (a percent ceiling) and severity as ODCS readers (dq too)
// take them back; undefined when ODCS cannot say it.
YAML::Node enum_rule(const Field& f) {
  YAML::Node none(YAML::NodeType::Undefined);
  if (!f.enum_values || f.enum_values->empty() || (f.mostly && !plain_number(f.mostly))) return none;
  YAML::Node q(YAML::NodeType::Map);
  q["metric"] = "invalidValues";
  for (const Scalar& v : *f.enum_values) {
    if (v.json || v.is_param()) return none;
    q["arguments"]["validValues"].push_back(scalar_node(v));
  }
  if (f.mostly) {
    YAML::Node m(f.mostly->text);
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.15g", (1.0 - *number_of(m)) * 100.0);
    q["unit"] = "percent";
    q["mustBeLessOrEqualTo"] = std::string(buffer);
  } else {
    q["mustBe"] = "0";
  }
  if (f.severity == Severity::kWarn) q["severity"] = "warning";
  return q;
}

// The field's dq form, minus what the ODCS property says natively (with its
// enum as a quality rule, `enum_native`, also its mostly and severity).
YAML::Node dq_only(const Field& f, const YAML::Node& native_options, bool enum_native) {
  YAML::Node all = field_yaml(f);
  YAML::Node rest(YAML::NodeType::Map);
  static const std::map<std::string, std::string> kNative = {{"min_length", "minLength"},
                                                             {"max_length", "maxLength"},
                                                             {"pattern", "pattern"},
                                                             {"min", "minimum"},
                                                             {"max", "maximum"},
                                                             {"exclusive_min", "exclusiveMinimum"},
                                                             {"exclusive_max", "exclusiveMaximum"},
                                                             {"min_items", "minItems"},
                                                             {"max_items", "maxItems"},
                                                             {"unique_items", "uniqueItems"},
                                                             {"format", "format"},
                                                             {"multiple_of", "multipleOf"}};
  static const std::set<std::string> kAlways = {"type",
                                                "required",
                                                "unique",
                                                "description",
                                                "title",
                                                "examples",
                                                "tags",
                                                "classification",
                                                "fields",
                                                "items",
                                                "physical_name",
                                                "physical_type",
                                                "primary_key_position",
                                                "authoritative_definitions"};
  // A union (`type: [number, string]`) or a nullable type has no logicalType
  // of its own: dq's `type` says it.
  const bool type_native = f.types.empty() && !f.null_type;
  for (auto it = all.begin(); it != all.end(); ++it) {
    const std::string key = it->first.Scalar();
    if (kAlways.count(key) && !(key == "type" && !type_native)) continue;
    if (enum_native && (key == "enum" || key == "mostly" || key == "severity")) continue;
    if (auto n = kNative.find(key); n != kNative.end() && native_options[n->second]) continue;
    rest[key] = it->second;
  }
  return rest;
}

// An array's items have no name; every other property does, even "" (JSON
// allows an empty key, and CSV headers have them).
YAML::Node odcs_property(const Field& f, bool named, const std::vector<Expectation>& expectations) {
  YAML::Node p(YAML::NodeType::Map);
  if (named) p["name"] = text_node(f.name);
  if (f.type != Type::kAny) p["logicalType"] = type_name(f.type);
  if (f.required) p["required"] = "true";
  if (f.unique) p["unique"] = "true";
  if (!f.title.empty()) p["businessName"] = text_node(f.title);
  if (!f.description.empty()) p["description"] = text_node(f.description);
  if (f.classification) p["classification"] = f.classification->text;
  if (!f.physical_name.empty()) p["physicalName"] = text_node(f.physical_name);
  if (!f.physical_type.empty()) p["physicalType"] = text_node(f.physical_type);
  if (f.primary_key_position) {
    // ODCS's primaryKey means unique (alone or with the other key fields);
    // a position dq does not check as unique stays a position only.
    if (f.unique || unique_together(f.name, expectations)) p["primaryKey"] = "true";
    p["primaryKeyPosition"] = f.primary_key_position->text;
  }
  if (f.authoritative_definitions) p["authoritativeDefinitions"] = scalar_node(*f.authoritative_definitions);
  for (const Scalar& e : f.examples) p["examples"].push_back(scalar_node(e));
  for (const std::string& t : f.tags) p["tags"].push_back(text_node(t));
  YAML::Node options(YAML::NodeType::Map);
  auto number = [&](const char* key, const std::optional<Scalar>& s, bool count) {
    if (count ? plain_count(s) : plain_number(s)) options[key] = s->text;
  };
  auto text = [&](const char* key, const std::optional<Scalar>& s) {
    if (s && !s->is_param()) options[key] = text_node(s->text);
  };
  switch (f.type) {
    case Type::kString:
      number("minLength", f.min_length, true);
      number("maxLength", f.max_length, true);
      text("pattern", f.pattern);
      if (f.format && !f.format->is_param()) text("format", f.format);
      break;
    case Type::kInteger:
    case Type::kNumber:
      number("minimum", f.min, false);
      number("maximum", f.max, false);
      number("exclusiveMinimum", f.exclusive_min, false);
      number("exclusiveMaximum", f.exclusive_max, false);
      number("multipleOf", f.multiple_of, false);
      break;
    case Type::kDate:
    case Type::kTimestamp:
      text("minimum", f.min);
      text("maximum", f.max);
      text("exclusiveMinimum", f.exclusive_min);
      text("exclusiveMaximum", f.exclusive_max);
      break;
    case Type::kArray:
      number("minItems", f.min_items, true);
      number("maxItems", f.max_items, true);
      if (f.unique_items) options["uniqueItems"] = "true";
      break;
    default: break;
  }
  if (options.size() > 0) p["logicalTypeOptions"] = options;
  if (!f.fields.empty()) {
    for (const Field& child : f.fields) p["properties"].push_back(odcs_property(child, true, {}));
  }
  if (!f.items.empty()) p["items"] = odcs_property(f.items.front(), false, {});
  const YAML::Node rule = enum_rule(f);
  if (rule.IsDefined()) p["quality"].push_back(rule);
  YAML::Node rest = dq_only(f, options, rule.IsDefined());
  if (rest.size() > 0) {
    YAML::Node cp(YAML::NodeType::Map);
    cp["property"] = "dq";
    cp["value"] = rest;
    p["customProperties"].push_back(cp);
  }
  return p;
}

// A plain number as ODCS writes it, scaled (a rate as a percent); nullopt
// for a parameter or text.
std::optional<std::string> rule_number(const std::optional<Scalar>& s, double scale) {
  if (!plain_number(s)) return std::nullopt;
  YAML::Node n(s->text);
  const double v = *number_of(n) * scale;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.15g", v);
  return std::string(buffer);
}

// An expectation as an ODCS native quality rule, where ODCS has the words
// (rowCount, nullValues, duplicateValues), so other ODCS tools see it; an
// undefined node otherwise. The dq custom property keeps the exact list.
YAML::Node native_rule(const Expectation& e) {
  static const std::map<std::string, std::pair<const char*, bool>> kMetrics = {
      {"row_count", {"rowCount", false}},
      {"null_count", {"nullValues", false}},
      {"null_rate", {"nullValues", true}},
      {"duplicate_count", {"duplicateValues", false}}};
  YAML::Node q(YAML::NodeType::Map);
  q["name"] = text_node(e.name);
  if (e.metric == "unique" && e.fields.size() > 1 && !e.when) {
    q["metric"] = "duplicateValues";
    for (const std::string& f : e.fields) q["arguments"]["properties"].push_back(text_node(f));
    q["mustBe"] = "0";
  } else {
    auto metric = kMetrics.find(e.metric);
    if (metric == kMetrics.end() || e.mostly || e.when) return YAML::Node(YAML::NodeType::Undefined);
    const bool percent = metric->second.second;
    const double scale = percent ? 100.0 : 1.0;
    q["metric"] = metric->second.first;
    if (percent) q["unit"] = "percent";
    if (e.between) {
      auto low = rule_number(e.between->first, scale), high = rule_number(e.between->second, scale);
      if (!low || !high) return YAML::Node(YAML::NodeType::Undefined);
      if (*low == *high) {
        q["mustBe"] = *low;
      } else {
        q["mustBeBetween"].push_back(*low);
        q["mustBeBetween"].push_back(*high);
      }
    } else if (e.min && e.max) {
      auto low = rule_number(e.min, scale), high = rule_number(e.max, scale);
      if (!low || !high) return YAML::Node(YAML::NodeType::Undefined);
      q["mustBeBetween"].push_back(*low);
      q["mustBeBetween"].push_back(*high);
    } else if (auto low = rule_number(e.min, scale)) {
      q["mustBeGreaterOrEqualTo"] = *low;
    } else if (auto high = rule_number(e.max, scale)) {
      q["mustBeLessOrEqualTo"] = *high;
    } else {
      return YAML::Node(YAML::NodeType::Undefined);
    }
  }
  if (e.severity == Severity::kWarn) q["severity"] = "warning";
  if (!e.description.empty()) q["description"] = text_node(e.description);
  return q;
}

}  // namespace

std::string to_odcs(const Contract& c) {
  YAML::Node out(YAML::NodeType::Map);
  out["apiVersion"] = "v3.1.0";
  out["kind"] = "DataContract";
  out["id"] = text_node(c.dataset);
  if (!c.title.empty()) out["name"] = text_node(c.title);
  out["version"] = text_node(c.version);
  out["status"] = c.status.empty() ? "active" : c.status;  // ODCS requires one
  if (!c.description.empty()) out["description"]["purpose"] = text_node(c.description);
  for (const std::string& t : c.tags) out["tags"].push_back(text_node(t));
  if (c.authoritative_definitions) out["authoritativeDefinitions"] = scalar_node(*c.authoritative_definitions);
  if (c.servers) out["servers"] = scalar_node(*c.servers);
  if (c.owner) {
    out["team"]["name"] = text_node(c.owner->team);
    if (!c.owner->contact.empty()) {
      YAML::Node m(YAML::NodeType::Map);
      m["username"] = text_node(c.owner->contact);
      m["role"] = "owner";
      out["team"]["members"].push_back(m);
    }
  }
  for (const std::string& s : c.stewards) {
    YAML::Node m(YAML::NodeType::Map);
    m["username"] = text_node(s);
    m["role"] = "steward";
    out["team"]["members"].push_back(m);
  }
  for (const std::string& consumer : c.consumers) {
    YAML::Node r(YAML::NodeType::Map);
    r["role"] = text_node(consumer);
    r["access"] = "read";
    out["roles"].push_back(r);
  }
  const std::string object = c.dataset.substr(c.dataset.rfind('.') == std::string::npos ? 0 : c.dataset.rfind('.') + 1);
  YAML::Node table(YAML::NodeType::Map);
  const bool named = c.schema_object && !c.schema_object->name.empty();
  table["name"] = text_node(named ? c.schema_object->name : object);
  if (c.schema_object && !c.schema_object->physical_name.empty()) {
    table["physicalName"] = text_node(c.schema_object->physical_name);
  }
  if (c.schema_object && !c.schema_object->physical_type.empty()) {
    table["physicalType"] = text_node(c.schema_object->physical_type);
  }
  if (c.schema_object && !c.schema_object->description.empty()) {
    table["description"] = text_node(c.schema_object->description);
  }
  table["logicalType"] = "object";
  for (const Field& f : c.fields) table["properties"].push_back(odcs_property(f, true, c.expectations));
  for (const Expectation& e : c.expectations) {
    YAML::Node rule = native_rule(e);
    if (!rule.IsDefined()) continue;
    if (e.field.empty()) {
      table["quality"].push_back(rule);
      continue;
    }
    for (std::size_t i = 0; i < c.fields.size(); ++i) {  // a top-level property's own rule
      if (c.fields[i].name == e.field) table["properties"][i]["quality"].push_back(rule);
    }
  }
  out["schema"].push_back(table);
  if (c.sla) {
    if (c.sla->freshness_max_delay && !c.sla->freshness_field.empty()) {
      const std::string& delay = c.sla->freshness_max_delay->text;
      static const std::map<char, std::string> kUnits = {
          {'s', "seconds"}, {'m', "minutes"}, {'h', "hours"}, {'d', "days"}};
      YAML::Node latency(YAML::NodeType::Map);
      latency["property"] = "latency";
      latency["value"] = delay.substr(0, delay.size() - 1);
      latency["unit"] = kUnits.count(delay.back()) ? kUnits.at(delay.back()) : std::string(1, delay.back());
      latency["element"] = text_node(object + "." + c.sla->freshness_field);
      out["slaProperties"].push_back(latency);
    }
    for (const SlaTerm& t : c.sla->terms) {
      YAML::Node term(YAML::NodeType::Map);
      term["property"] = text_node(t.property);
      term["value"] = scalar_node(t.value);
      if (!t.unit.empty()) term["unit"] = text_node(t.unit);
      if (!t.element.empty()) term["element"] = text_node(t.element);
      if (!t.driver.empty()) term["driver"] = text_node(t.driver);
      if (!t.description.empty()) term["description"] = text_node(t.description);
      out["slaProperties"].push_back(term);
    }
  }
  // What ODCS has no words for, in dq's own form.
  YAML::Node all = to_yaml(c);
  YAML::Node rest(YAML::NodeType::Map);
  for (const char* key : {"classification", "compatibility", "additional_fields", "params", "rules", "expectations",
                          "drift", "monitors", "grading"}) {
    if (has(all, key)) rest[key] = all[key];
  }
  YAML::Node cp(YAML::NodeType::Map);
  cp["property"] = "dq";
  cp["value"] = rest;
  out["customProperties"].push_back(cp);
  return emit_yaml(out);
}

}  // namespace dq::spec
