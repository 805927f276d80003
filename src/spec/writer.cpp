#include "spec/writer.h"

#include <algorithm>

namespace dq::spec {
namespace {

const char* additional_name(AdditionalFields a) {
  return a == AdditionalFields::kReject ? "reject" : a == AdditionalFields::kWarn ? "warn" : "allow";
}

void put(YAML::Node& map, const char* key, const std::optional<Scalar>& value) {
  if (value) map[key] = scalar_node(*value);
}
void put(YAML::Node& map, const char* key, const std::string& text) {
  if (!text.empty()) map[key] = text_node(text);
}
void put(YAML::Node& map, const char* key, const std::vector<std::string>& list) {
  if (list.empty()) return;
  YAML::Node seq(YAML::NodeType::Sequence);
  for (const auto& item : list) seq.push_back(text_node(item));
  map[key] = seq;
}
void put(YAML::Node& map, const char* key, const std::vector<Scalar>& list) {
  if (list.empty()) return;
  YAML::Node seq(YAML::NodeType::Sequence);
  for (const auto& item : list) seq.push_back(scalar_node(item));
  map[key] = seq;
}
std::vector<std::string> texts(const std::vector<Scalar>& list) {
  std::vector<std::string> out;
  for (const Scalar& s : list) out.push_back(s.text);
  return out;
}
// Expressions, patterns and names: only their text matters, however quoted.
void put_text(YAML::Node& map, const char* key, const std::optional<Scalar>& value) {
  if (value) map[key] = text_node(value->text);
}
void put_flag(YAML::Node& map, const char* key, bool value) {
  if (value) map[key] = "true";
}
void put_severity(YAML::Node& map, Severity severity) {
  if (severity == Severity::kWarn) map["severity"] = to_string(severity);
}

bool is_flat(const YAML::Node& node) {
  std::size_t chars = 0;
  if (node.IsSequence()) {
    for (const auto& item : node) {
      if (!item.IsScalar()) return false;
      chars += item.Scalar().size() + 2;
    }
    return chars < 72;
  }
  if (node.IsMap()) {
    if (node.size() > 6) return false;
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!it->second.IsScalar() && !(it->second.IsSequence() && is_flat(it->second))) return false;
      if (it->second.IsScalar() && it->second.Scalar().find('\n') != std::string::npos) return false;
      chars += it->first.Scalar().size() + 2 + (it->second.IsScalar() ? it->second.Scalar().size() : 24);
    }
    return chars < 72;
  }
  return true;
}

void emit(YAML::Emitter& out, const YAML::Node& node, bool flow) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      if (node.Tag() == "!") out << YAML::DoubleQuoted;
      out << node.Scalar();
      break;
    case YAML::NodeType::Sequence: {
      bool here = flow || is_flat(node);
      out << (here ? YAML::Flow : YAML::Block) << YAML::BeginSeq;
      for (const auto& item : node) emit(out, item, here);
      out << YAML::EndSeq;
      break;
    }
    case YAML::NodeType::Map: {
      bool here = flow || is_flat(node);
      out << (here ? YAML::Flow : YAML::Block) << YAML::BeginMap;
      for (auto it = node.begin(); it != node.end(); ++it) {
        out << YAML::Key;
        emit(out, it->first, here);
        out << YAML::Value;
        emit(out, it->second, here);
      }
      out << YAML::EndMap;
      break;
    }
    default: out << YAML::Null;
  }
}

}  // namespace

YAML::Node scalar_node(const Scalar& scalar) {
  // A plain null stays null (the emitter would quote the word "null").
  if (!scalar.quoted && (scalar.text == "null" || scalar.text == "~")) return YAML::Node(YAML::NodeType::Null);
  if (scalar.json) return YAML::Load(scalar.text);  // JSON is YAML: quoted strings stay strings
  YAML::Node node(scalar.text);
  if (scalar.quoted) node.SetTag("!");
  return node;
}

YAML::Node text_node(const std::string& text) {
  YAML::Node node(text);
  // Quoted when a YAML 1.1 reader (PyYAML, many tools) would read the plain
  // scalar as something else: null, a boolean, a number, a date.
  static const std::vector<std::string> kWords = {"~", "null", "true", "false", "yes", "no", "on", "off", "y", "n"};
  std::string lowered;
  for (char c : text) lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::size_t digit = text.find_first_of("0123456789");
  const bool numeric_start = digit != std::string::npos && text.find_first_not_of("+-.") == digit && digit <= 1;
  if (text.empty() || numeric_start || std::find(kWords.begin(), kWords.end(), lowered) != kWords.end()) {
    node.SetTag("!");
  }
  return node;
}

YAML::Node field_yaml(const Field& f) {
  YAML::Node m(YAML::NodeType::Map);
  if (!f.types.empty() || f.null_type) {
    YAML::Node list(YAML::NodeType::Sequence);
    if (f.types.empty()) list.push_back(type_name(f.type));
    for (Type t : f.types) list.push_back(type_name(t));
    if (f.null_type) list.push_back("null");
    m["type"] = list;
  } else {
    m["type"] = type_name(f.type);
  }
  if (f.required_present) {
    m["required"] = "present";
  } else {
    put_flag(m, "required", f.required);
  }
  put_flag(m, "unique", f.unique);
  put(m, "min", f.min);
  put(m, "max", f.max);
  put(m, "exclusive_min", f.exclusive_min);
  put(m, "exclusive_max", f.exclusive_max);
  put(m, "multiple_of", f.multiple_of);
  put(m, "min_length", f.min_length);
  put(m, "max_length", f.max_length);
  put(m, "min_items", f.min_items);
  put(m, "max_items", f.max_items);
  put_flag(m, "unique_items", f.unique_items);
  put_text(m, "pattern", f.pattern);
  put(m, "pattern", texts(f.pattern_list));
  put_text(m, "match", f.match);
  put(m, "not_pattern", texts(f.not_patterns));
  put_text(m, "format", f.format);
  put_text(m, "unit", f.unit);
  put_text(m, "timezone", f.timezone);
  if (f.enum_values) put(m, "enum", *f.enum_values);
  put(m, "const", f.const_value);
  put(m, "coerce", f.coerce);
  put_severity(m, f.severity);
  put(m, "mostly", f.mostly);
  put_flag(m, "pii", f.pii);
  put_text(m, "classification", f.classification);
  if (f.additional_fields) m["additional_fields"] = additional_name(*f.additional_fields);
  put(m, "title", f.title);
  put(m, "description", f.description);
  put(m, "examples", f.examples);
  put(m, "tags", f.tags);
  put(m, "physical_name", f.physical_name);
  put(m, "physical_type", f.physical_type);
  put(m, "primary_key_position", f.primary_key_position);
  put(m, "authoritative_definitions", f.authoritative_definitions);
  if (!f.fields.empty()) {
    YAML::Node fields(YAML::NodeType::Map);
    for (const Field& child : f.fields) fields[child.name] = field_yaml(child);
    m["fields"] = fields;
  }
  if (!f.json_fields.empty()) {
    YAML::Node fields(YAML::NodeType::Map);
    for (const Field& child : f.json_fields) fields[child.name] = field_yaml(child);
    m["json_fields"] = fields;
  }
  if (!f.items.empty()) m["items"] = field_yaml(f.items.front());
  return m;
}

YAML::Node params_yaml(const std::vector<Param>& params) {
  YAML::Node out(YAML::NodeType::Map);
  for (const Param& p : params) {
    YAML::Node m(YAML::NodeType::Map);
    m["type"] = type_name(p.type);
    put(m, "default", p.default_value);
    put(m, "min", p.min);
    put(m, "max", p.max);
    put(m, "enum", p.allowed);
    put(m, "description", p.description);
    out[p.name] = m;
  }
  return out;
}

YAML::Node rule_yaml(const Rule& r) {
  YAML::Node m(YAML::NodeType::Map);
  m["name"] = text_node(r.name);
  put_text(m, "when", r.when);
  m["check"] = text_node(r.check.text);
  put_severity(m, r.severity);
  put(m, "mostly", r.mostly);
  put(m, "description", r.description);
  return m;
}

YAML::Node expectation_yaml(const Expectation& e) {
  YAML::Node m(YAML::NodeType::Map);
  put(m, "name", e.name);
  m["metric"] = e.metric;
  put(m, "field", e.field);
  put(m, "fields", e.fields);
  put_text(m, "when", e.when);
  put(m, "quantile", e.quantile);
  put(m, "sigma", e.sigma);
  put_flag(m, "strict", e.strict);
  put_flag(m, "allow_empty", e.allow_empty);
  if (e.partition) {
    YAML::Node p(YAML::NodeType::Map);
    put(p, "values", e.partition->values);
    put(p, "bins", e.partition->bins);
    put(p, "weights", e.partition->weights);
    put(p, "tail_weights", e.partition->tail_weights);
    put(p, "tail_weight_holdout", e.partition->tail_weight_holdout);
    m["partition"] = p;
  }
  if (e.distribution) {
    YAML::Node d(YAML::NodeType::Map);
    d["name"] = e.distribution->name;
    for (const auto& [key, value] : e.distribution->params) d[key] = scalar_node(value);
    m["distribution"] = d;
  }
  if (!e.set_mode.empty()) put(m, e.set_mode.c_str(), e.set);
  put(m, "min", e.min);
  put(m, "max", e.max);
  if (e.between) {
    YAML::Node b(YAML::NodeType::Sequence);
    b.push_back(scalar_node(e.between->first));
    b.push_back(scalar_node(e.between->second));
    m["between"] = b;
  }
  put(m, "mostly", e.mostly);
  put_severity(m, e.severity);
  put(m, "description", e.description);
  return m;
}

YAML::Node drift_yaml(const Drift& d) {
  YAML::Node m(YAML::NodeType::Map);
  put(m, "baseline", d.baseline);
  put(m, "min_rows", d.min_rows);
  if (!d.fields.empty()) {
    YAML::Node fields(YAML::NodeType::Map);
    for (const DriftField& f : d.fields) {
      YAML::Node fm(YAML::NodeType::Map);
      put(fm, "method", f.method);
      put(fm, "warn", f.warn);
      put(fm, "fail", f.fail);
      put(fm, "bins", f.bins);
      fields[f.field] = fm;
    }
    m["fields"] = fields;
  }
  return m;
}

YAML::Node monitor_yaml(const Monitor& mon) {
  YAML::Node m(YAML::NodeType::Map);
  put(m, "name", mon.name);
  m["metric"] = text_node(mon.metric);
  m["method"] = mon.method;
  for (const auto& [key, value] : mon.settings) m[key] = scalar_node(value);
  if (!mon.seasons.empty()) {
    YAML::Node seasons(YAML::NodeType::Sequence);
    for (const Scalar& season : mon.seasons) seasons.push_back(scalar_node(season));
    seasons.SetStyle(YAML::EmitterStyle::Flow);
    m["seasons"] = seasons;
  }
  put(m, "direction", mon.direction);
  put_severity(m, mon.severity);
  return m;
}

std::vector<std::string> monitor_settings_text(const Monitor& mon) {
  std::vector<std::string> out;
  for (const auto& [key, value] : mon.settings) out.push_back(key + " " + value.text);
  if (!mon.seasons.empty()) {
    std::string seasons;
    for (const Scalar& season : mon.seasons) seasons += (seasons.empty() ? "" : ", ") + season.text;
    out.push_back("seasons [" + seasons + "]");
  }
  if (!mon.direction.empty()) out.push_back("direction " + mon.direction);
  return out;
}

YAML::Node grading_yaml(const Grading& g) {
  YAML::Node m(YAML::NodeType::Map);
  if (g.key.size() == 1) {
    m["key"] = text_node(g.key.front().text);
  } else {
    put(m, "key", g.key);
  }
  put_text(m, "filter", g.filter);
  YAML::Node measures(YAML::NodeType::Map);
  for (const auto& [name, expr] : g.measures) measures[name] = text_node(expr.text);
  if (measures.size() > 0) m["measures"] = measures;
  YAML::Node tiers(YAML::NodeType::Sequence);
  for (const auto& t : g.tiers) {
    YAML::Node tm(YAML::NodeType::Map);
    tm["name"] = text_node(t.name);
    put_text(tm, "when", t.when);
    tiers.push_back(tm);
  }
  m["tiers"] = tiers;
  put(m, "output", g.output);
  put(m, "export", g.export_tiers);
  return m;
}

YAML::Node to_yaml(const Contract& c) {
  YAML::Node m(YAML::NodeType::Map);
  m["dq"] = "1";
  m["dataset"] = text_node(c.dataset);
  m["version"] = text_node(c.version);
  put(m, "title", c.title);
  put(m, "description", c.description);
  if (c.owner) {
    YAML::Node owner(YAML::NodeType::Map);
    owner["team"] = text_node(c.owner->team);
    put(owner, "contact", c.owner->contact);
    m["owner"] = owner;
  }
  put(m, "stewards", c.stewards);
  put(m, "consumers", c.consumers);
  put(m, "tags", c.tags);
  put_text(m, "classification", c.classification);
  if (c.status != "active") put(m, "status", c.status);  // active is what a contract without one is
  if (c.schema_object) {
    YAML::Node o(YAML::NodeType::Map);
    put(o, "name", c.schema_object->name);
    put(o, "physical_name", c.schema_object->physical_name);
    put(o, "physical_type", c.schema_object->physical_type);
    put(o, "description", c.schema_object->description);
    m["schema_object"] = o;
  }
  put(m, "servers", c.servers);
  put(m, "authoritative_definitions", c.authoritative_definitions);
  m["compatibility"] = c.compatibility;
  m["additional_fields"] = additional_name(c.additional_fields);
  if (!c.params.empty()) m["params"] = params_yaml(c.params);
  YAML::Node fields(YAML::NodeType::Map);
  for (const Field& f : c.fields) fields[f.name] = field_yaml(f);
  m["fields"] = fields;
  if (!c.rules.empty()) {
    for (const Rule& r : c.rules) m["rules"].push_back(rule_yaml(r));
  }
  for (const Expectation& e : c.expectations) m["expectations"].push_back(expectation_yaml(e));
  if (c.drift) m["drift"] = drift_yaml(*c.drift);
  for (const Monitor& mon : c.monitors) m["monitors"].push_back(monitor_yaml(mon));
  if (c.sla) {
    YAML::Node sla(YAML::NodeType::Map);
    if (!c.sla->freshness_field.empty() || c.sla->freshness_max_delay) {
      YAML::Node fresh(YAML::NodeType::Map);
      put(fresh, "field", c.sla->freshness_field);
      put(fresh, "max_delay", c.sla->freshness_max_delay);
      sla["freshness"] = fresh;
    }
    for (const SlaTerm& t : c.sla->terms) {
      YAML::Node tm(YAML::NodeType::Map);
      tm["property"] = text_node(t.property);
      tm["value"] = scalar_node(t.value);
      put(tm, "unit", t.unit);
      put(tm, "element", t.element);
      put(tm, "driver", t.driver);
      put(tm, "description", t.description);
      sla["terms"].push_back(tm);
    }
    m["sla"] = sla;
  }
  if (c.grading) m["grading"] = grading_yaml(*c.grading);
  return m;
}

std::string emit_yaml(const YAML::Node& node) {
  YAML::Emitter out;
  out.SetIndent(2);
  emit(out, node, false);
  return std::string(out.c_str()) + "\n";
}

void not_carried_by_record_schemas(const Contract& c, std::vector<std::string>& not_carried) {
  not_carried.emplace_back("version, owner and the other governance keys: a record schema has no words for them");
  if (!c.rules.empty()) not_carried.emplace_back("rules: expressions across fields");
  if (!c.expectations.empty() || c.drift || !c.monitors.empty() || c.sla || c.grading) {
    not_carried.emplace_back("expectations, drift, monitors, sla and grading: checks of a dataset, not of a record");
  }
}

}  // namespace dq::spec
