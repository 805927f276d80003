// The contract loader: YAML in, a spec::Contract out, with every misuse of a
// key reported at file:line:col. (Over 700 lines on purpose: one Loader walks
// the sections in the order the contract reference documents them, each
// method a section, so the reference and this file read side by side.)
#include "spec/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "base/json_equal.h"
#include "spec/avro.h"
#include "spec/dbt.h"
#include "spec/dcs.h"
#include "spec/jsonschema.h"
#include "spec/methods.h"
#include "spec/metrics.h"
#include "spec/odcs.h"
#include "spec/protobuf.h"
#include "spec/yaml_nodes.h"

namespace dq::spec {
namespace {

// Budgets for a contract's YAML, aliases expanded (docs/reliability.md).
constexpr std::size_t kMaxContractDepth = 64;
constexpr std::size_t kMaxContractNodes = 1000000;

// Reads one YAML mapping: typed getters mark keys as known, and finish()
// reports every key that no getter asked for, with a did-you-mean hint.
class MapReader {
 public:
  MapReader(Diagnostics& diags, const YAML::Node& node, std::string what, std::vector<std::string> known)
      : diags_(diags), node_(node), what_(std::move(what)), known_(std::move(known)) {
    valid_ = node.IsMap();
    if (!valid_ && node.IsDefined()) {
      diags_.error(span_of(node), what_ + " must be a mapping, not " + node_kind(node));
    }
    if (valid_) {
      std::set<std::string> seen;
      for (auto it = node.begin(); it != node.end(); ++it) {
        std::string key = it->first.Scalar();
        if (!seen.insert(key).second) {
          diags_.error(span_of(it->first), "duplicate key '" + key + "' in " + what_);
        }
      }
    }
  }

  bool valid() const { return valid_; }
  const YAML::Node& node() const { return node_; }

  // The value node for `key`, or an undefined node.
  YAML::Node get(const std::string& key) const {
    if (!valid_) return YAML::Node(YAML::NodeType::Undefined);
    for (auto it = node_.begin(); it != node_.end(); ++it) {
      if (it->first.Scalar() == key) return it->second;
    }
    return YAML::Node(YAML::NodeType::Undefined);
  }
  Span key_span(const std::string& key) const {
    if (!valid_) return span_of(node_);
    for (auto it = node_.begin(); it != node_.end(); ++it) {
      if (it->first.Scalar() == key) return span_of(it->first);
    }
    return span_of(node_);
  }
  bool has(const std::string& key) const { return get(key).IsDefined(); }

  std::optional<Scalar> scalar(const std::string& key) const {
    YAML::Node value = get(key);
    if (!value.IsDefined()) return std::nullopt;
    if (!value.IsScalar()) {
      diags_.error(span_of(value), "'" + key + "' in " + what_ + " must be a scalar, not " + node_kind(value));
      return std::nullopt;
    }
    return to_scalar(value);
  }
  std::string text(const std::string& key) const {
    auto s = scalar(key);
    return s ? s->text : std::string();
  }
  std::optional<bool> boolean(const std::string& key) const {
    auto s = scalar(key);
    if (!s) return std::nullopt;
    if (!s->quoted && (s->text == "true" || s->text == "false")) return s->text == "true";
    diags_.error(s->span, "'" + key + "' must be true or false, not '" + s->text + "'");
    return std::nullopt;
  }
  // A scalar that must be one of `choices`.
  std::optional<std::string> choice(const std::string& key, const std::vector<std::string>& choices) const {
    auto s = scalar(key);
    if (!s) return std::nullopt;
    if (std::find(choices.begin(), choices.end(), s->text) != choices.end()) return s->text;
    std::string list;
    for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
    diags_.error(s->span,
                 "'" + key + "' must be one of " + list + ", not '" + s->text + "'" + did_you_mean(s->text, choices));
    return std::nullopt;
  }
  std::vector<std::string> strings(const std::string& key) const {
    std::vector<std::string> out;
    YAML::Node value = get(key);
    if (!value.IsDefined()) return out;
    if (!value.IsSequence()) {
      diags_.error(span_of(value), "'" + key + "' must be a list, not " + node_kind(value));
      return out;
    }
    for (const auto& item : value) {
      if (item.IsScalar()) {
        out.push_back(item.Scalar());
      } else {
        diags_.error(span_of(item), "items of '" + key + "' must be scalars");
      }
    }
    return out;
  }

  // Reports keys that are not in the known list.
  void finish() const {
    if (!valid_) return;
    for (auto it = node_.begin(); it != node_.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (std::find(known_.begin(), known_.end(), key) == known_.end()) {
        diags_.error(span_of(it->first), "unknown key '" + key + "' in " + what_ + did_you_mean(key, known_));
      }
    }
  }

  static Scalar to_scalar(const YAML::Node& node) {
    // yaml-cpp tags plain scalars "?" and quoted ones "!".
    bool quoted = node.Tag() == "!";
    Span span = span_of(node);
    return Scalar{node.Scalar(), span, quoted};
  }

 private:
  Diagnostics& diags_;
  YAML::Node node_;
  std::string what_;
  std::vector<std::string> known_;
  bool valid_ = false;
};

const std::vector<std::string> kTypes = {"string", "integer", "number", "boolean", "timestamp",
                                         "date",   "object",  "array",  "any"};
const std::vector<std::string> kSeverities = {"error", "warn"};
const std::vector<std::string> kAdditional = {"allow", "warn", "reject"};
const std::vector<std::string> kClassifications = {"public", "internal", "confidential", "restricted"};

Type parse_type(const std::string& text) {
  return static_cast<Type>(std::find(kTypes.begin(), kTypes.end(), text) - kTypes.begin());
}
AdditionalFields parse_additional(const std::string& text) {
  return text == "reject" ? AdditionalFields::kReject
         : text == "warn" ? AdditionalFields::kWarn
                          : AdditionalFields::kAllow;
}
Severity parse_severity(const MapReader& m) {
  auto s = m.choice("severity", kSeverities);
  return s && *s == "warn" ? Severity::kWarn : Severity::kError;
}

class Loader {
 public:
  // ODCS contracts may have no team; dq contracts must name an owner.
  Loader(Diagnostics& diags, bool owner_required) : diags_(diags), owner_required_(owner_required) {}

  Contract load(const YAML::Node& root) {
    Contract c;
    c.file = diags_.file();
    MapReader m(diags_, root, "the contract",
                {"dq",       "dataset",   "version", "title",          "description",   "owner",
                 "stewards", "consumers", "tags",    "classification", "compatibility", "additional_fields",
                 "params",   "fields",    "rules",   "expectations",   "drift",         "monitors",
                 "sla",      "grading",   "status",  "schema_object",  "servers",       "authoritative_definitions"});
    if (!m.valid()) {
      if (!root.IsDefined() || root.IsNull()) diags_.error({1, 1}, "the contract is empty");
      return c;
    }
    Span top = span_of(root);
    if (auto v = m.scalar("dq")) {
      if (v->text != "1") {
        diags_.error(v->span, "unsupported contract format version '" + v->text + "' (this dq reads format 1)");
      }
      c.format_version = 1;
    } else if (!m.has("dq")) {
      diags_.error(top, "missing required key 'dq' (the format version: dq: 1)");
    }
    require_text(m, "dataset", top, c.dataset, c.dataset_span);
    require_text(m, "version", top, c.version, c.version_span);
    c.title = m.text("title");
    c.description = m.text("description");
    if (m.has("owner")) {
      MapReader o(diags_, m.get("owner"), "owner", {"team", "contact", "name", "email"});
      c.owner = Owner{o.text("team"), o.text("contact"), m.key_span("owner")};
      if (o.valid() && c.owner->team.empty()) {
        diags_.error(span_of(m.get("owner")), "owner must name a 'team'");
      }
      o.finish();
    } else if (owner_required_) {
      diags_.error(top, "missing required key 'owner' (owner: {team: ..., contact: ...})");
    }
    c.stewards = m.strings("stewards");
    c.consumers = m.strings("consumers");
    c.tags = m.strings("tags");
    if (m.choice("classification", kClassifications)) c.classification = m.scalar("classification");
    if (auto s = m.choice("compatibility", {"backward", "forward", "full", "none"})) {
      c.compatibility = *s;
    }
    if (auto s = m.choice("additional_fields", kAdditional)) c.additional_fields = parse_additional(*s);

    load_params(m.get("params"), c);
    YAML::Node fields = m.get("fields");
    if (fields.IsDefined()) {
      c.fields = load_fields(fields, "fields");
    } else {
      diags_.error(top, "missing required key 'fields'");
    }
    load_rules(m.get("rules"), c);
    load_expectations(m.get("expectations"), c);
    load_drift(m.get("drift"), c);
    load_monitors(m.get("monitors"), c);
    load_sla(m.get("sla"), c);
    load_grading(m.get("grading"), c);
    c.status = m.text("status");
    if (m.has("schema_object")) {
      MapReader o(diags_, m.get("schema_object"), "schema_object",
                  {"name", "physical_name", "physical_type", "description"});
      c.schema_object =
          SchemaObject{o.text("name"), o.text("physical_name"), o.text("physical_type"), o.text("description")};
      o.finish();
    }
    c.servers = json_list(m.get("servers"), "servers");
    c.authoritative_definitions = json_list(m.get("authoritative_definitions"), "authoritative_definitions");
    m.finish();
    return c;
  }

 private:
  void require_text(const MapReader& m, const std::string& key, Span top, std::string& out, Span& span) {
    if (auto s = m.scalar(key)) {
      out = s->text;
      span = s->span;
      if (out.empty()) diags_.error(s->span, "'" + key + "' must not be empty");
    } else if (!m.has(key)) {
      diags_.error(top, "missing required key '" + key + "'");
    }
  }

  void load_params(const YAML::Node& node, Contract& c) {
    if (!node.IsDefined()) return;
    if (!node.IsMap()) {
      diags_.error(span_of(node), "'params' must be a mapping of name: {type, default}");
      return;
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      Param p;
      p.name = it->first.Scalar();
      p.span = span_of(it->first);
      MapReader m(diags_, it->second, "param '" + p.name + "'",
                  {"type", "default", "description", "min", "max", "enum"});
      if (auto t = m.choice("type", {"string", "integer", "number", "boolean", "timestamp", "date"})) {
        p.type = parse_type(*t);
      } else if (m.valid() && !m.has("type")) {
        diags_.error(p.span, "param '" + p.name + "' needs a 'type'");
      }
      p.default_value = m.scalar("default");
      p.description = m.text("description");
      p.min = m.scalar("min");
      p.max = m.scalar("max");
      p.allowed = scalar_list(m.get("enum"), "'enum' of param '" + p.name + "'");
      m.finish();
      c.params.push_back(std::move(p));
    }
  }

  std::vector<Field> load_fields(const YAML::Node& node, const std::string& where) {
    std::vector<Field> out;
    if (too_many_fields_) return out;
    if (!node.IsMap()) {
      diags_.error(span_of(node), "'" + where + "' must be a mapping of field name: {type, ...}");
      return out;
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      // YAML aliases can repeat a subtree exponentially: bound what is built.
      if (too_many_fields_) return out;
      if (++field_count_ > kMaxFields) {
        too_many_fields_ = true;
        diags_.error(span_of(it->first), "the contract declares more than " + std::to_string(kMaxFields) +
                                             " fields (YAML aliases repeat their subtree)");
        return out;
      }
      Field f;
      f.name = it->first.Scalar();
      f.span = span_of(it->first);
      load_field(it->second, f);
      out.push_back(std::move(f));
    }
    return out;
  }

  void load_field(const YAML::Node& node, Field& f) {
    MapReader m(diags_, node, "field '" + f.name + "'",
                {"type",
                 "required",
                 "min",
                 "max",
                 "exclusive_min",
                 "exclusive_max",
                 "min_length",
                 "max_length",
                 "min_items",
                 "max_items",
                 "unique_items",
                 "unique",
                 "pattern",
                 "not_pattern",
                 "match",
                 "format",
                 "unit",
                 "timezone",
                 "enum",
                 "const",
                 "multiple_of",
                 "severity",
                 "mostly",
                 "description",
                 "pii",
                 "classification",
                 "additional_fields",
                 "fields",
                 "json_fields",
                 "items",
                 "title",
                 "examples",
                 "tags",
                 "coerce",
                 "physical_name",
                 "physical_type",
                 "primary_key_position",
                 "authoritative_definitions"});
    if (!m.valid()) return;
    if (YAML::Node t = m.get("type"); t.IsSequence()) {
      load_type_union(t, f);
    } else if (auto name = m.choice("type", kTypes)) {
      f.type = parse_type(*name);
    } else if (!m.has("type")) {
      diags_.error(f.span, "field '" + f.name + "' needs a 'type' (" + join(kTypes) + ")");
    }
    if (auto r = m.scalar("required"); r && !r->quoted && r->text == "present") {
      f.required = f.required_present = true;
    } else {
      f.required = m.boolean("required").value_or(false);
    }
    f.min = m.scalar("min");
    f.max = m.scalar("max");
    f.exclusive_min = m.scalar("exclusive_min");
    f.exclusive_max = m.scalar("exclusive_max");
    f.min_length = m.scalar("min_length");
    f.max_length = m.scalar("max_length");
    f.min_items = m.scalar("min_items");
    f.max_items = m.scalar("max_items");
    f.unique_items = m.boolean("unique_items").value_or(false);
    f.unique = m.boolean("unique").value_or(false);
    if (YAML::Node p = m.get("pattern"); p.IsSequence()) {
      f.pattern_list = scalar_list(p, "'pattern' of field '" + f.name + "'");
      if (f.pattern_list.empty()) diags_.error(span_of(p), "'pattern' of field '" + f.name + "' lists no pattern");
    } else {
      f.pattern = m.scalar("pattern");
    }
    if (m.choice("match", {"any", "all"})) {
      f.match = m.scalar("match");
      if (f.pattern_list.empty()) {
        diags_.error(f.match->span,
                     "'match' says how a list of patterns combines; field '" + f.name + "' has no 'pattern' list");
      }
    }
    f.not_patterns = scalar_list(m.get("not_pattern"), "'not_pattern' of field '" + f.name + "'");
    f.multiple_of = m.scalar("multiple_of");
    f.format = m.scalar("format");
    f.unit = m.scalar("unit");
    f.timezone = m.scalar("timezone");
    if (YAML::Node e = m.get("enum"); e.IsDefined()) {
      f.enum_span = span_of(e);
      if (!e.IsSequence() || e.size() == 0) {
        diags_.error(span_of(e), "'enum' of field '" + f.name + "' must be a non-empty list");
      } else {
        f.enum_values.emplace();
        for (const auto& item : e) f.enum_values->push_back(json_value(item));
      }
    }
    if (YAML::Node c = m.get("const"); c.IsDefined()) {
      f.const_value = json_value(c);
      if (f.enum_values) {
        diags_.error(m.key_span("const"),
                     "field '" + f.name + "' has both 'const' and 'enum': one value or a list, not both");
      }
    }
    f.severity = parse_severity(m);
    f.mostly = m.scalar("mostly");
    f.description = m.text("description");
    f.title = m.text("title");
    f.examples = scalar_list(m.get("examples"), "'examples' of field '" + f.name + "'");
    f.tags = m.strings("tags");
    f.pii = m.boolean("pii").value_or(false);
    f.coerce = scalar_list(m.get("coerce"), "'coerce' of field '" + f.name + "'");
    f.physical_name = m.text("physical_name");
    f.physical_type = m.text("physical_type");
    f.primary_key_position = m.scalar("primary_key_position");
    if (f.primary_key_position && !number_of(m.get("primary_key_position"))) {
      diags_.error(f.primary_key_position->span, "'primary_key_position' of field '" + f.name + "' must be a number");
    }
    f.authoritative_definitions =
        json_list(m.get("authoritative_definitions"), "authoritative_definitions of field '" + f.name + "'");
    if (m.choice("classification", kClassifications)) f.classification = m.scalar("classification");
    if (auto s = m.choice("additional_fields", kAdditional)) f.additional_fields = parse_additional(*s);
    if (YAML::Node sub = m.get("fields"); sub.IsDefined()) {
      if (f.type != Type::kObject && std::count(f.types.begin(), f.types.end(), Type::kObject) == 0) {
        diags_.error(m.key_span("fields"),
                     "'fields' is only for type object (field '" + f.name + "' is " + type_name(f.type) + ")");
      }
      f.fields = load_fields(sub, f.name + ".fields");
    }
    if (YAML::Node sub = m.get("json_fields"); sub.IsDefined()) {
      if (f.type != Type::kString) {
        diags_.error(m.key_span("json_fields"), "'json_fields' is for a string that holds JSON (field '" + f.name +
                                                    "' is " + type_name(f.type) + ")");
      }
      f.json_fields = load_fields(sub, f.name + ".json_fields");
    }
    if (YAML::Node items = m.get("items"); items.IsDefined()) {
      if (f.type != Type::kArray && std::count(f.types.begin(), f.types.end(), Type::kArray) == 0) {
        diags_.error(m.key_span("items"),
                     "'items' is only for type array (field '" + f.name + "' is " + type_name(f.type) + ")");
      }
      Field item;
      item.name = f.name + "[]";
      item.span = span_of(items);
      load_field(items, item);
      f.items.push_back(std::move(item));
    }
    m.finish();
  }

  // `type: [integer, string, null]`: JSON Schema's union of types.
  void load_type_union(const YAML::Node& list, Field& f) {
    std::vector<std::string> names;
    for (const auto& item : list) {
      const Scalar s = MapReader::to_scalar(item);
      if (!item.IsScalar() && !item.IsNull()) {
        diags_.error(span_of(item), "a type in the list of field '" + f.name + "' must be a name");
        continue;
      }
      const std::string name = item.IsNull() ? "null" : s.text;
      if (name == "null") {
        f.null_type = true;
      } else if (std::find(kTypes.begin(), kTypes.end(), name) == kTypes.end()) {
        diags_.error(span_of(item),
                     "unknown type '" + name + "' in the list of field '" + f.name + "'" + did_you_mean(name, kTypes));
        continue;
      } else {
        const Type t = parse_type(name);
        if (std::find(f.types.begin(), f.types.end(), t) != f.types.end()) {
          diags_.error(span_of(item), "type '" + name + "' is listed twice for field '" + f.name + "'");
          continue;
        }
        f.types.push_back(t);
      }
      names.push_back(name);
    }
    if (f.types.empty()) {
      diags_.error(span_of(list), "the type list of field '" + f.name + "' names no type but null");
    } else if (f.types.size() == 1) {
      f.type = f.types.front();  // `[string, null]`: a string that a required field may leave null
      f.types.clear();
    } else {
      f.type = Type::kAny;
    }
  }

  void load_rules(const YAML::Node& node, Contract& c) {
    if (!node.IsDefined()) return;
    if (!node.IsSequence()) {
      diags_.error(span_of(node), "'rules' must be a list of {name, check}");
      return;
    }
    std::set<std::string> names;
    for (const auto& item : node) {
      MapReader m(diags_, item, "a rule", {"name", "when", "check", "severity", "description", "mostly"});
      if (!m.valid()) continue;
      Rule r;
      r.span = span_of(item);
      r.name = m.text("name");
      if (r.name.empty()) {
        diags_.error(r.span, "a rule needs a 'name'");
      } else if (!names.insert(r.name).second) {
        diags_.error(m.key_span("name"), "duplicate rule name '" + r.name + "'");
      }
      r.when = m.scalar("when");
      if (auto check = m.scalar("check")) {
        r.check = *check;
      } else if (!m.has("check")) {
        diags_.error(r.span, "rule '" + r.name + "' needs a 'check' expression");
      }
      r.severity = parse_severity(m);
      r.description = m.text("description");
      r.mostly = m.scalar("mostly");
      m.finish();
      c.rules.push_back(std::move(r));
    }
  }

  void load_expectations(const YAML::Node& node, Contract& c) {
    if (!node.IsDefined()) return;
    if (!node.IsSequence()) {
      diags_.error(span_of(node), "'expectations' must be a list");
      return;
    }
    for (const auto& item : node) {
      MapReader m(diags_, item, "an expectation",
                  {"name",   "metric",   "field",       "fields",   "min",         "max",       "between",
                   "mostly", "severity", "description", "quantile", "allow_empty", "in",        "contains",
                   "equals", "ordered",  "sigma",       "when",     "strict",      "partition", "distribution"});
      if (!m.valid()) continue;
      Expectation e;
      e.span = span_of(item);
      e.name = m.text("name");
      static const std::vector<std::string> kMetricNames = [] {
        std::vector<std::string> names;
        for (const MetricTraits& t : kMetrics) names.emplace_back(t.name);
        return names;
      }();
      if (auto metric = m.choice("metric", kMetricNames)) {
        e.metric = *metric;
      } else if (!m.has("metric")) {
        diags_.error(e.span, "an expectation needs a 'metric'");
      }
      e.field = m.text("field");
      e.description = m.text("description");
      e.min = m.scalar("min");
      e.max = m.scalar("max");
      e.mostly = m.scalar("mostly");
      e.quantile = m.scalar("quantile");
      e.sigma = m.scalar("sigma");
      e.allow_empty = m.boolean("allow_empty").value_or(false);
      e.strict = m.boolean("strict").value_or(false);
      e.when = m.scalar("when");
      e.fields = m.strings("fields");
      for (const char* mode : {"in", "contains", "equals", "ordered"}) {
        if (!m.has(mode)) continue;
        if (mode == std::string("equals") && m.get(mode).IsScalar()) {
          // `equals: 1200` (or a $param): a number the metric must equal.
          e.min = e.max = m.scalar(mode);
          continue;
        }
        if (!e.set_mode.empty()) {
          diags_.error(m.key_span(mode), "an expectation takes one of 'in', 'contains', 'equals' or 'ordered'");
          continue;
        }
        e.set_mode = mode;
        e.set = scalar_list(m.get(mode), std::string("'") + mode + "' of an expectation");
      }
      if (YAML::Node p = m.get("partition"); p.IsDefined()) {
        MapReader pm(diags_, p, "a partition", {"values", "bins", "weights", "tail_weights", "tail_weight_holdout"});
        if (pm.valid()) {
          Expectation::Partition part;
          part.span = span_of(p);
          part.values = scalar_list(pm.get("values"), "'values' of a partition");
          part.bins = scalar_list(pm.get("bins"), "'bins' of a partition");
          part.weights = scalar_list(pm.get("weights"), "'weights' of a partition");
          part.tail_weights = scalar_list(pm.get("tail_weights"), "'tail_weights' of a partition");
          part.tail_weight_holdout = pm.scalar("tail_weight_holdout");
          pm.finish();
          e.partition = std::move(part);
        }
      }
      if (YAML::Node d = m.get("distribution"); d.IsDefined()) {
        Expectation::Distribution dist;
        dist.span = span_of(d);
        if (d.IsScalar()) {
          dist.name = d.Scalar();
        } else if (d.IsMap()) {
          for (auto it = d.begin(); it != d.end(); ++it) {
            const std::string key = it->first.Scalar();
            if (!it->second.IsScalar()) {
              diags_.error(span_of(it->second), "'" + key + "' of a distribution must be a scalar");
            } else if (key == "name") {
              dist.name = it->second.Scalar();
            } else {
              dist.params[key] = MapReader::to_scalar(it->second);
            }
          }
        } else {
          diags_.error(dist.span, "'distribution' must be a name or a mapping {name: normal, mean: 0, stddev: 1}");
        }
        e.distribution = std::move(dist);
      }
      if (YAML::Node b = m.get("between"); b.IsDefined()) {
        if (b.IsSequence() && b.size() == 2 && b[0].IsScalar() && b[1].IsScalar()) {
          e.between = {MapReader::to_scalar(b[0]), MapReader::to_scalar(b[1])};
        } else {
          diags_.error(span_of(b), "'between' must be a list of two values [low, high]");
        }
      }
      const MetricTraits* traits = metric_traits(e.metric);
      if (!e.min && !e.max && !e.between && traits && traits->bounds && e.set_mode.empty()) {
        diags_.error(e.span, "expectation '" + e.name + "' needs 'min', 'max' or 'between'");
      }
      e.severity = parse_severity(m);
      m.finish();
      c.expectations.push_back(std::move(e));
    }
  }

  void load_drift(const YAML::Node& node, Contract& c) {
    if (!node.IsDefined()) return;
    MapReader m(diags_, node, "drift", {"baseline", "min_rows", "fields"});
    if (!m.valid()) return;
    Drift d;
    d.span = span_of(node);
    d.baseline = m.text("baseline");
    d.min_rows = m.scalar("min_rows");
    if (YAML::Node fields = m.get("fields"); fields.IsMap()) {
      for (auto it = fields.begin(); it != fields.end(); ++it) {
        DriftField f;
        f.field = it->first.Scalar();
        f.span = span_of(it->first);
        MapReader fm(diags_, it->second, "drift of '" + f.field + "'", {"method", "warn", "fail", "bins"});
        if (auto method = fm.choice("method", method_names(kDriftMethodNames))) {
          f.method = *method;
        }
        f.warn = fm.scalar("warn");
        f.fail = fm.scalar("fail");
        f.bins = fm.scalar("bins");
        fm.finish();
        d.fields.push_back(std::move(f));
      }
    } else if (fields.IsDefined()) {
      diags_.error(span_of(fields), "'drift.fields' must be a mapping of field: {method, ...}");
    }
    m.finish();
    c.drift = std::move(d);
  }

  void load_monitors(const YAML::Node& node, Contract& c) {
    if (!node.IsDefined()) return;
    if (!node.IsSequence()) {
      diags_.error(span_of(node), "'monitors' must be a list");
      return;
    }
    // Every method's numeric settings are read here; the compiler refuses
    // one that the monitor's method does not take.
    std::vector<std::string> settings = kMonitorCommonSettings;
    for (const auto& own : kMonitorMethodSettings) {
      for (const auto& key : own) {
        if (std::find(settings.begin(), settings.end(), key) == settings.end()) settings.push_back(key);
      }
    }
    for (const auto& item : node) {
      std::vector<std::string> known = {"metric", "method", "name", "severity", "seasons", "direction"};
      known.insert(known.end(), settings.begin(), settings.end());
      MapReader m(diags_, item, "a monitor", known);
      if (!m.valid()) continue;
      Monitor mon;
      mon.span = span_of(item);
      mon.metric = m.text("metric");
      if (mon.metric.empty()) diags_.error(mon.span, "a monitor needs a 'metric'");
      if (auto method = m.choice("method", method_names(kMonitorMethodNames))) {
        mon.method = *method;
      } else if (!m.has("method")) {
        diags_.error(mon.span, "a monitor needs a 'method'");
      }
      for (const auto& key : settings) {
        if (auto s = m.scalar(key)) mon.settings[key] = *s;
      }
      if (m.has("seasons")) {
        const YAML::Node seasons = m.get("seasons");
        if (seasons.IsSequence()) {
          for (const auto& season : seasons) {
            if (season.IsScalar()) {
              mon.seasons.push_back(MapReader::to_scalar(season));
            } else {
              diags_.error(span_of(season), "items of 'seasons' must be numbers of points");
            }
          }
        } else {
          diags_.error(span_of(seasons), "'seasons' must be a list of season lengths in points, e.g. [288, 2016]");
        }
      }
      if (auto direction = m.choice("direction", {"up", "down", "both"})) mon.direction = *direction;
      mon.name = m.text("name");
      mon.severity = parse_severity(m);
      m.finish();
      c.monitors.push_back(std::move(mon));
    }
  }

  void load_sla(const YAML::Node& node, Contract& c) {
    if (!node.IsDefined()) return;
    MapReader m(diags_, node, "sla", {"freshness", "terms"});
    if (!m.valid()) return;
    Sla sla;
    sla.span = span_of(node);
    if (m.has("freshness")) {
      MapReader f(diags_, m.get("freshness"), "sla.freshness", {"field", "max_delay"});
      sla.freshness_field = f.text("field");
      sla.freshness_max_delay = f.scalar("max_delay");
      f.finish();
    }
    if (YAML::Node terms = m.get("terms"); terms.IsSequence()) {
      for (const auto& item : terms) {
        MapReader t(diags_, item, "an SLA term", {"property", "value", "unit", "element", "driver", "description"});
        if (!t.valid()) continue;
        SlaTerm term{t.text("property"), t.scalar("value").value_or(Scalar{}),
                     t.text("unit"),     t.text("element"),
                     t.text("driver"),   t.text("description"),
                     span_of(item)};
        if (term.property.empty())
          diags_.error(term.span, "an SLA term needs a 'property' (retention, frequency, ...)");
        t.finish();
        sla.terms.push_back(std::move(term));
      }
    } else if (terms.IsDefined()) {
      diags_.error(span_of(terms), "'sla.terms' must be a list of {property, value, unit}");
    }
    m.finish();
    c.sla = std::move(sla);
  }

  // A scalar or a list of scalars.
  // An `enum` or `const` value: any JSON value. Scalars stay as written (the
  // compiler reads them by the field's type); a YAML mapping or sequence
  // becomes its JSON text.
  // A list kept as JSON for round trips (servers, authoritative definitions).
  std::optional<Scalar> json_list(const YAML::Node& node, const std::string& what) {
    if (!node.IsDefined()) return std::nullopt;
    if (!node.IsSequence()) {
      diags_.error(span_of(node), "'" + what + "' must be a list");
      return std::nullopt;
    }
    return json_value(node);
  }

  Scalar json_value(const YAML::Node& node) {
    if (node.IsScalar()) return MapReader::to_scalar(node);
    if (node.IsNull()) return Scalar{"null", span_of(node), false};
    return Scalar{yaml_to_json(node).dump(), span_of(node), false, true};
  }

  static nlohmann::json yaml_to_json(const YAML::Node& node) {
    if (node.IsMap()) {
      nlohmann::json out = nlohmann::json::object();
      for (auto it = node.begin(); it != node.end(); ++it) out[it->first.Scalar()] = yaml_to_json(it->second);
      return out;
    }
    if (node.IsSequence()) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : node) out.push_back(yaml_to_json(item));
      return out;
    }
    if (!node.IsScalar()) return nullptr;
    if (node.Tag() == "!") return node.Scalar();  // quoted: always a string
    return plain_scalar_json(node.Scalar());
  }

  std::vector<Scalar> scalar_list(const YAML::Node& node, const std::string& what) {
    std::vector<Scalar> out;
    if (!node.IsDefined()) return out;
    if (node.IsScalar()) {
      out.push_back(MapReader::to_scalar(node));
    } else if (node.IsSequence()) {
      for (const auto& item : node) {
        if (item.IsScalar()) {
          out.push_back(MapReader::to_scalar(item));
        } else {
          diags_.error(span_of(item), what + " lists scalars only");
        }
      }
    } else {
      diags_.error(span_of(node), what + " must be a value or a list of values");
    }
    return out;
  }

  void load_grading(const YAML::Node& node, Contract& c) {
    if (!node.IsDefined()) return;
    MapReader m(diags_, node, "grading", {"key", "filter", "measures", "tiers", "output", "export"});
    if (!m.valid()) return;
    Grading g;
    g.span = span_of(node);
    if (YAML::Node key = m.get("key"); key.IsScalar()) {
      g.key.push_back(MapReader::to_scalar(key));
    } else if (key.IsSequence()) {
      for (const auto& k : key) g.key.push_back(MapReader::to_scalar(k));
    } else {
      diags_.error(g.span, "grading needs a 'key' (a field path or a list of them)");
    }
    g.filter = m.scalar("filter");
    g.output = scalar_list(m.get("output"), "grading 'output'");
    g.export_tiers = scalar_list(m.get("export"), "grading 'export'");
    if (YAML::Node measures = m.get("measures"); measures.IsMap()) {
      for (auto it = measures.begin(); it != measures.end(); ++it) {
        if (it->second.IsScalar()) {
          g.measures.emplace_back(it->first.Scalar(), MapReader::to_scalar(it->second));
        } else {
          diags_.error(span_of(it->second), "a measure is an expression such as sum(amount)");
        }
      }
    } else if (measures.IsDefined()) {
      diags_.error(span_of(measures), "'measures' must be a mapping of name: expression");
    }
    if (YAML::Node tiers = m.get("tiers"); tiers.IsSequence()) {
      for (const auto& t : tiers) {
        MapReader tm(diags_, t, "a tier", {"name", "when", "description"});
        Grading::Tier tier{tm.text("name"), tm.scalar("when"), span_of(t)};
        if (tm.valid() && tier.name.empty()) diags_.error(tier.span, "a tier needs a 'name'");
        tm.finish();
        g.tiers.push_back(std::move(tier));
      }
    } else if (tiers.IsDefined()) {
      diags_.error(span_of(tiers), "'tiers' must be a list of {name, when}");
    }
    m.finish();
    c.grading = std::move(g);
  }

  static std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
    return out;
  }

  static constexpr std::size_t kMaxFields = 10000;
  Diagnostics& diags_;
  bool owner_required_;
  std::size_t field_count_ = 0;
  bool too_many_fields_ = false;
};

// The YAML document as the loader will walk it, aliases expanded: too deep
// (an alias may even refer to its own ancestor, a cycle) or too large (each
// alias repeats its whole subtree, so a few kilobytes can expand to billions
// of nodes) is refused before anything recurses into it.
bool within_limits(const YAML::Node& root, Diagnostics& diags) {
  std::vector<std::pair<YAML::Node, std::size_t>> pending{{root, 1}};
  std::size_t visited = 0;
  while (!pending.empty()) {
    auto [node, depth] = pending.back();
    pending.pop_back();
    if (depth > kMaxContractDepth) {
      diags.error(span_of(node), "the contract nests deeper than " + std::to_string(kMaxContractDepth) +
                                     " levels (or a YAML alias refers to its own ancestor)");
      return false;
    }
    if (++visited > kMaxContractNodes) {
      diags.error(span_of(node), "the contract expands to more than " + std::to_string(kMaxContractNodes) +
                                     " YAML nodes (YAML aliases repeat their subtree)");
      return false;
    }
    if (node.IsMap()) {
      for (auto it = node.begin(); it != node.end(); ++it) {
        pending.emplace_back(it->first, depth + 1);
        pending.emplace_back(it->second, depth + 1);
      }
    } else if (node.IsSequence()) {
      for (auto it = node.begin(); it != node.end(); ++it) pending.emplace_back(*it, depth + 1);
    }
  }
  return true;
}

// "schemas/order.schema.json" -> "order": a dataset name for formats without one.
std::string file_stem(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') + 1);
  return name.substr(0, name.find('.'));
}

}  // namespace

ContractPath split_contract_path(const std::string& path) {
  const std::size_t hash = path.rfind('#');
  if (hash == std::string::npos || std::ifstream(path).good()) return {path, ""};
  return {path.substr(0, hash), path.substr(hash + 1)};
}

Result<std::string> read_contract_file(const std::string& path) {
  std::ifstream in(split_contract_path(path).file, std::ios::binary);
  if (!in) return Status(StatusCode::kIoError, "cannot read contract '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<Contract> parse_contract(std::string_view yaml, Diagnostics& diagnostics, SourceFormat format,
                                       const std::string& selector) {
  if (yaml.size() > kMaxContractBytes) {
    diagnostics.error({1, 1}, "contract is larger than 4 MiB");
    return std::nullopt;
  }
  const std::string& file = diagnostics.file();
  auto ends_with = [&](const std::string& extension) {
    return file.size() > extension.size() &&
           file.compare(file.size() - extension.size(), extension.size(), extension) == 0;
  };
  if (format == SourceFormat::kProtobuf || (format == SourceFormat::kAuto && ends_with(".proto"))) {
    // Not YAML: protobuf's compiler reads it.
    YAML::Node translated = protobuf_to_dq(yaml, selector, diagnostics);
    if (diagnostics.has_errors() && !at(translated, "fields").IsDefined()) return std::nullopt;
    return Loader(diagnostics, false).load(translated);
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::ParserException& e) {
    diagnostics.error({e.mark.line + 1, e.mark.column + 1}, "invalid YAML: " + e.msg);
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    diagnostics.error({1, 1}, std::string("invalid YAML: ") + e.what());
    return std::nullopt;
  }
  if (!within_limits(root, diagnostics)) return std::nullopt;
  try {
    if (format == SourceFormat::kAuto) {
      format = is_odcs(root)                         ? SourceFormat::kOdcs
               : is_json_schema(root)                ? SourceFormat::kJsonSchema
               : ends_with(".avsc") || is_avro(root) ? SourceFormat::kAvro
               : is_dcs(root)                        ? SourceFormat::kDcs
               : is_dbt(root)                        ? SourceFormat::kDbt
                                                     : SourceFormat::kDq;
    }
    const bool holds_several = format == SourceFormat::kOdcs || format == SourceFormat::kDcs ||
                               format == SourceFormat::kDbt;  // (and .proto, above)
    if (!selector.empty() && !holds_several) {
      diagnostics.error({1, 1}, "the selector '#" + selector +
                                    "' chooses among the objects of an ODCS, dbt, Data "
                                    "Contract Specification or .proto file; this file describes one record shape");
      return std::nullopt;
    }
    if (format == SourceFormat::kDq || format == SourceFormat::kAuto) return Loader(diagnostics, true).load(root);
    YAML::Node translated;
    switch (format) {
      case SourceFormat::kOdcs: translated = odcs_to_dq(root, selector, diagnostics); break;
      case SourceFormat::kJsonSchema:
        translated = json_schema_to_dq(root, file_stem(diagnostics.file()), diagnostics);
        break;
      case SourceFormat::kAvro: translated = avro_to_dq(root, diagnostics); break;
      case SourceFormat::kDcs: translated = dcs_to_dq(root, selector, diagnostics); break;
      default: translated = dbt_to_dq(root, selector, diagnostics); break;
    }
    // A translation that could not choose or read its object has said why.
    if (diagnostics.has_errors() && !at(translated, "fields").IsDefined()) return std::nullopt;
    return Loader(diagnostics, false).load(translated);
  } catch (const YAML::Exception& e) {
    // yaml-cpp throws on malformed node access; nothing may escape the loader.
    diagnostics.error({e.mark.line + 1, e.mark.column + 1}, std::string("invalid contract: ") + e.msg);
    return std::nullopt;
  }
}

}  // namespace dq::spec
