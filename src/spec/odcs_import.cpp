// ODCS v3 read into dq's form (odcs_to_dq): a YAML tree built from the ODCS
// document's own nodes, so the loader's diagnostics point into the ODCS file.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "spec/odcs.h"
#include "spec/writer.h"
#include "spec/yaml_nodes.h"

namespace dq::spec {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string number_text(double value) {
  if (std::floor(value) == value && std::fabs(value) < 1e15) return std::to_string(static_cast<long long>(value));
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.15g", value);
  return buffer;
}

// A JDK DateTimeFormatter pattern as a strftime layout ("yyyy-MM-dd HH:mm:ss"
// -> "%Y-%m-%d %H:%M:%S"); nullopt when it uses a letter dq does not parse.
std::optional<std::string> strftime_layout(const std::string& java) {
  static const std::vector<std::pair<std::string, std::string>> kTokens = {
      {"yyyy", "%Y"}, {"uuuu", "%Y"}, {"MM", "%m"},  {"dd", "%d"}, {"HH", "%H"}, {"mm", "%M"},
      {"ss", "%S"},   {"XXX", "%z"},  {"xxx", "%z"}, {"Z", "%z"},  {"X", "%z"}};
  std::string out;
  for (std::size_t i = 0; i < java.size();) {
    if (java[i] == '\'') {  // a quoted literal
      std::size_t end = java.find('\'', i + 1);
      if (end == std::string::npos) return std::nullopt;
      out += java.substr(i + 1, end - i - 1);
      i = end + 1;
      continue;
    }
    bool matched = false;
    for (const auto& [token, layout] : kTokens) {
      if (java.compare(i, token.size(), token) == 0) {
        out += layout;
        i += token.size();
        matched = true;
        break;
      }
    }
    if (matched) continue;
    if (std::isalpha(static_cast<unsigned char>(java[i]))) return std::nullopt;
    out += java[i] == '%' ? "%%" : std::string(1, java[i]);
    ++i;
  }
  return out;
}

// Parts of the document dq does not use, gathered per path so that a list of
// a hundred properties gives one warning, not a hundred.
class Ignored {
 public:
  void add(const std::string& path, const std::string& key, Span at) {
    auto [it, fresh] = items_.try_emplace(path, Entry{at, {}});
    if (std::find(it->second.keys.begin(), it->second.keys.end(), key) == it->second.keys.end()) {
      it->second.keys.push_back(key);
    }
    if (fresh) order_.push_back(path);
  }
  void report(Diagnostics& diags) const {
    for (const std::string& path : order_) {
      const Entry& e = items_.at(path);
      std::string keys;
      for (const auto& k : e.keys) keys += (keys.empty() ? "" : ", ") + k;
      diags.warn(e.at, "ODCS " + (path.empty() ? std::string("contract") : path) + ": not used by dq: " + keys);
    }
  }

 private:
  struct Entry {
    Span at;
    std::vector<std::string> keys;
  };
  std::map<std::string, Entry> items_;
  std::vector<std::string> order_;
};

class Translator {
 public:
  Translator(Diagnostics& diags, std::string selector) : diags_(diags), selector_(std::move(selector)) {}

  YAML::Node contract(const YAML::Node& root) {
    YAML::Node out(YAML::NodeType::Map);
    out["dq"] = "1";
    YAML::Node dq_section;
    for (auto it = root.begin(); it != root.end(); ++it) {
      const std::string key = it->first.Scalar();
      const YAML::Node v = it->second;  // a copy: `it->` yields a temporary
      if (key == "apiVersion") {
        if (text_of(v).rfind("v3", 0) != 0) {
          diags_.warn(span_of(v), "ODCS apiVersion '" + text_of(v) + "': dq reads ODCS v3.x");
        }
      } else if (key == "kind") {
        if (text_of(v) != "DataContract") {
          diags_.error(span_of(v), "ODCS kind must be DataContract, not '" + text_of(v) + "'");
        }
      } else if (key == "id") {
        out["dataset"] = v;
      } else if (key == "name") {
        out["title"] = v;
      } else if (key == "version" || key == "tags") {
        out[key] = v;
      } else if (key == "status") {
        out["status"] = v;
      } else if (key == "servers") {
        out["servers"] = v;
      } else if (key == "authoritativeDefinitions") {
        out["authoritative_definitions"] = v;
      } else if (key == "description") {
        description(v, out);
      } else if (key == "team") {
        team(v, out);
      } else if (key == "roles") {
        roles(v, out);
      } else if (key == "schema") {
        schema(v, out);
      } else if (key == "slaProperties" || key == "slaDefaultElement") {
        // after the schema: latency resolves against its fields
      } else if (key == "customProperties") {
        dq_section = custom_properties(v, "customProperties");
      } else {
        ignored_.add("", key, span_of(it->first));
      }
    }
    if (!has(out, "dataset") && root["name"]) out["dataset"] = root["name"];
    default_object_name(out);
    if (root["slaProperties"]) sla(root["slaProperties"], root["slaDefaultElement"], out);
    if (!has(out, "fields")) out["fields"] = YAML::Node(YAML::NodeType::Map);
    if (!expectations_.IsNull() && expectations_.size() > 0) out["expectations"] = expectations_;
    merge(out, dq_section, "customProperties");
    ignored_.report(diags_);
    return out;
  }

 private:
  // A `dq` custom property holds dq keys the ODCS form lacks; they join the
  // translated mapping (a key present both ways is an error, not a choice).
  void merge(YAML::Node& out, const YAML::Node& section, const std::string& path) {
    if (!section) return;
    for (auto it = section.begin(); it != section.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (key == "expectations" && has(out, "expectations")) {
        // dq's own list is complete; native quality rules were its mirror.
        out["expectations"] = it->second;
        continue;
      }
      if (has(out, key) && key != "dq") {
        diags_.error(span_of(it->first), "ODCS " + path + ": dq key '" + key + "' is also given natively");
        continue;
      }
      out.force_insert(YAML::Node(it->first), YAML::Node(it->second));
    }
  }

  YAML::Node custom_properties(const YAML::Node& list, const std::string& path) {
    YAML::Node section;
    if (!list.IsSequence()) return section;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const YAML::Node& cp = list[i];
      std::string name = text_of(cp["property"]);
      if (name == "dq") {
        if (cp["value"].IsMap()) {
          section = cp["value"];
        } else {
          diags_.error(span_of(cp), "ODCS " + path + "[" + std::to_string(i) + "]: the dq property holds a mapping");
        }
      } else {
        ignored_.add(path, name.empty() ? "(unnamed)" : name, span_of(cp));
      }
    }
    return section;
  }

  void description(const YAML::Node& v, YAML::Node& out) {
    if (v.IsScalar()) {
      out["description"] = v;
      return;
    }
    if (!v.IsMap()) return;
    std::string text;
    for (auto it = v.begin(); it != v.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (key == "purpose") {
        text = text_of(it->second) + text;
      } else if (key == "usage" || key == "limitations") {
        text += std::string(text.empty() ? "" : "\n\n") + (key == "usage" ? "Usage: " : "Limitations: ") +
                text_of(it->second);
      } else {
        ignored_.add("description", key, span_of(it->first));
      }
    }
    if (!text.empty()) out["description"] = text_node(text);
  }

  void team(const YAML::Node& v, YAML::Node& out) {
    YAML::Node owner(YAML::NodeType::Map);
    YAML::Node members;
    if (v.IsMap()) {
      for (auto it = v.begin(); it != v.end(); ++it) {
        const std::string key = it->first.Scalar();
        if (key == "name") {
          owner["team"] = it->second;
        } else if (key == "members") {
          members = it->second;
        } else {
          ignored_.add("team", key, span_of(it->first));
        }
      }
    } else if (v.IsSequence()) {
      members = v;  // the v3.0 form: a list of members
    }
    YAML::Node stewards(YAML::NodeType::Sequence);
    if (members.IsSequence()) {
      for (const auto& m : members) {
        for (auto it = m.begin(); it != m.end(); ++it) {
          const std::string key = it->first.Scalar();
          if (key != "username" && key != "role" && key != "dateOut" && key != "dateIn" &&
              key != "replacedByUsername") {
            ignored_.add("team.members[*]", key, span_of(it->first));
          }
        }
        if (m["dateOut"]) continue;  // a former member
        if (lower(text_of(m["role"])).find("owner") != std::string::npos && !has(owner, "contact")) {
          owner["contact"] = m["username"];
        } else if (m["username"]) {
          stewards.push_back(m["username"]);
        }
      }
    }
    if (has(owner, "team")) {
      out["owner"] = owner;
    } else {
      diags_.warn(span_of(v), "ODCS team has no name: the contract has no owner");
    }
    if (stewards.size() > 0) out["stewards"] = stewards;
  }

  void roles(const YAML::Node& v, YAML::Node& out) {
    if (!v.IsSequence()) return;
    YAML::Node consumers(YAML::NodeType::Sequence);
    for (const auto& r : v) {
      for (auto it = r.begin(); it != r.end(); ++it) {
        const std::string key = it->first.Scalar();
        // Read access is what a consumer has; anything else is not modelled.
        if (key != "role" && !(key == "access" && text_of(it->second) == "read")) {
          ignored_.add("roles[*]", key, span_of(it->first));
        }
      }
      if (r["role"]) consumers.push_back(r["role"]);
    }
    if (consumers.size() > 0) out["consumers"] = consumers;
  }

  void schema(const YAML::Node& v, YAML::Node& out) {
    if (!v.IsSequence()) {
      diags_.error(span_of(v), "ODCS schema must be a list of objects");
      return;
    }
    if (v.size() == 0) return;
    // One schema object is one record shape: FILE#name chooses among several.
    std::string names;
    std::size_t chosen = v.size();
    for (std::size_t i = 0; i < v.size(); ++i) {
      names += (names.empty() ? "'" : ", '") + text_of(at(v[i], "name")) + "'";
      if (v.size() == 1 || (!selector_.empty() && text_of(at(v[i], "name")) == selector_)) chosen = i;
    }
    if (chosen == v.size()) {
      diags_.error(span_of(v), selector_.empty()
                                   ? "ODCS schema holds several objects (" + names + "); choose one as FILE#name"
                                   : "ODCS schema has no object '" + selector_ + "' (the objects: " + names + ")");
      return;
    }
    object_path_ = "schema[" + std::to_string(chosen) + "]";
    const YAML::Node& object = v[chosen];
    YAML::Node fields(YAML::NodeType::Map);
    YAML::Node dq_section;
    YAML::Node kept(YAML::NodeType::Map);  // the object's own description, for round trips and docs
    static const std::map<std::string, std::string> kKept = {{"name", "name"},
                                                             {"physicalName", "physical_name"},
                                                             {"physicalType", "physical_type"},
                                                             {"description", "description"}};
    for (auto it = object.begin(); it != object.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (key == "properties") {
        fields = properties(it->second, object_path_ + ".properties");
      } else if (key == "quality") {
        quality(it->second, object_path_ + ".quality", "", nullptr);
      } else if (kKept.count(key)) {
        kept[kKept.at(key)] = it->second;
      } else if (key == "customProperties") {
        dq_section = custom_properties(it->second, object_path_ + ".customProperties");
      } else if (!(key == "logicalType" && text_of(it->second) == "object")) {
        ignored_.add(object_path_, key, span_of(it->first));
      }
    }
    if (kept.size() > 0) out["schema_object"] = kept;
    primary_key(fields);
    out["fields"] = fields;
    if (dq_section) merge(out, dq_section, object_path_ + ".customProperties");
  }

  // The schema object's name is the dataset's last dotted part unless said
  // otherwise (to_odcs writes it so): only a different name is kept.
  static void default_object_name(YAML::Node& out) {
    if (!has(out, "schema_object") || !has(out["schema_object"], "name") || !has(out, "dataset")) return;
    const std::string dataset = text_of(out["dataset"]);
    const std::string implied = dataset.substr(dataset.rfind('.') == std::string::npos ? 0 : dataset.rfind('.') + 1);
    if (text_of(out["schema_object"]["name"]) != implied) return;
    out["schema_object"].remove("name");
    if (out["schema_object"].size() == 0) out.remove("schema_object");
  }

  // A primary key's values are unique: one key field is `unique`, several
  // are unique together (each alone may repeat).
  void primary_key(YAML::Node& fields) {
    std::vector<std::pair<std::string, double>> keys = primary_keys_;
    if (keys.size() == 1) {
      fields[keys.front().first]["unique"] = "true";
    } else if (keys.size() > 1) {
      std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
      YAML::Node e(YAML::NodeType::Map);
      e["name"] = "primary_key";
      e["metric"] = "unique";
      for (const auto& k : keys) e["fields"].push_back(k.first);
      expectations_.push_back(e);
    }
  }

  YAML::Node properties(const YAML::Node& list, const std::string& path) {
    YAML::Node fields(YAML::NodeType::Map);
    if (!list.IsSequence()) {
      diags_.error(span_of(list), "ODCS " + path + " must be a list");
      return fields;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      const YAML::Node& p = list[i];
      if (!p["name"].IsScalar()) {
        diags_.error(span_of(p), "ODCS " + path + "[" + std::to_string(i) + "] needs a 'name'");
        continue;
      }
      const std::string where = path + "[" + std::to_string(i) + "] '" + text_of(p["name"]) + "'";
      fields.force_insert(p["name"], property(p, path + "[*]", where, text_of(p["name"])));
    }
    return fields;
  }

  // `group` names every property of one list (for metadata dq ignores);
  // `where` names this one.
  YAML::Node property(const YAML::Node& p, const std::string& group, const std::string& where,
                      const std::string& field) {
    YAML::Node f(YAML::NodeType::Map);
    std::string type = text_of(p["logicalType"]);
    if (type.empty()) {
      f["type"] = p["properties"] ? "object" : p["items"] ? "array" : "any";
    } else if (type == "time") {
      diags_.warn(span_of(p["logicalType"]),
                  "ODCS " + where + ": logicalType time is checked as a string (dq has no time type)");
      f["type"] = "string";
    } else {
      f["type"] = p["logicalType"];
    }
    if (!field.empty() && (type == "timestamp" || type == "date")) temporal_fields_[field] = type;
    YAML::Node dq_section;
    for (auto it = p.begin(); it != p.end(); ++it) {
      const std::string key = it->first.Scalar();
      const YAML::Node v = it->second;  // a copy: `it->` yields a temporary
      if (key == "name" || key == "logicalType") continue;
      if (key == "logicalTypeOptions") {
        options(v, type, where + ".logicalTypeOptions", f);
      } else if (key == "required" || key == "unique" || key == "description" || key == "examples" || key == "tags") {
        f[key] = v;
      } else if (key == "businessName") {
        f["title"] = v;
      } else if (key == "primaryKey") {
        if (text_of(v) == "true") {
          // Without a position, keys count in property order.
          if (!p["primaryKeyPosition"]) f["primary_key_position"] = std::to_string(primary_keys_.size() + 1);
          if (group == object_path_ + ".properties[*]") {  // the object's own properties form its key
            primary_keys_.emplace_back(field, number_of(p["primaryKeyPosition"]).value_or(primary_keys_.size() + 1));
          }
        }
      } else if (key == "primaryKeyPosition") {
        if (number_of(v).value_or(-1) >= 0) f["primary_key_position"] = v;  // ODCS writes -1 for "not a key"
      } else if (key == "physicalName") {
        physical_names_[text_of(v)] = field;
        f["physical_name"] = v;
      } else if (key == "physicalType") {
        f["physical_type"] = v;
      } else if (key == "authoritativeDefinitions") {
        f["authoritative_definitions"] = v;
      } else if (key == "classification") {
        static const std::set<std::string> kLevels = {"public", "internal", "confidential", "restricted"};
        std::string level = lower(text_of(v));
        if (kLevels.count(level)) {
          f["classification"] = level == text_of(v) ? v : YAML::Node(level);
        } else {
          diags_.warn(span_of(v), "ODCS " + where + ": classification '" + text_of(v) +
                                      "' is not one of public, internal, confidential, restricted; not used");
        }
      } else if (key == "items") {
        f["items"] = property(v, group + ".items", where + ".items", field + "[]");
      } else if (key == "properties") {
        f["fields"] = properties(v, where + ".properties");
      } else if (key == "quality") {
        quality(v, where + ".quality", field, &f);
      } else if (key == "customProperties") {
        dq_section = custom_properties(v, where + ".customProperties");
      } else {
        ignored_.add(group, key, span_of(it->first));
      }
    }
    if (has(f, "required_fields")) {  // from an object's logicalTypeOptions.required
      YAML::Node names = f["required_fields"];
      f.remove("required_fields");
      if (!has(f, "fields")) f["fields"] = YAML::Node(YAML::NodeType::Map);
      YAML::Node fields = f["fields"];
      for (const auto& name : names) {
        if (!has(fields, name.Scalar())) {
          YAML::Node any(YAML::NodeType::Map);
          any["type"] = "any";
          fields.force_insert(YAML::Node(name), any);
        }
        fields[name.Scalar()]["required"] = "true";
      }
    }
    // dq's own `type` (a union, a nullable type) refines the logicalType it
    // includes, or says what a property without one holds.
    if (dq_section && dq_section["type"] && (type.empty() || refines(dq_section["type"], type))) f.remove("type");
    if (dq_section) merge(f, dq_section, where + ".customProperties");
    return f;
  }

  static bool refines(const YAML::Node& dq_type, const std::string& logical_type) {
    if (!dq_type.IsSequence()) return false;
    for (const auto& t : dq_type) {
      if (t.IsScalar() && t.Scalar() == logical_type) return true;
    }
    return false;
  }

  void options(const YAML::Node& v, const std::string& type, const std::string& path, YAML::Node& f) {
    static const std::map<std::string, std::string> kKeys = {{"minLength", "min_length"},
                                                             {"maxLength", "max_length"},
                                                             {"pattern", "pattern"},
                                                             {"minimum", "min"},
                                                             {"maximum", "max"},
                                                             {"exclusiveMinimum", "exclusive_min"},
                                                             {"exclusiveMaximum", "exclusive_max"},
                                                             {"minItems", "min_items"},
                                                             {"maxItems", "max_items"},
                                                             {"uniqueItems", "unique_items"},
                                                             {"multipleOf", "multiple_of"}};
    static const std::set<std::string> kStringFormats = {"email", "uri",  "uuid",      "hostname",
                                                         "ipv4",  "ipv6", "date-time", "date"};
    if (!v.IsMap()) return;
    for (auto it = v.begin(); it != v.end(); ++it) {
      const std::string key = it->first.Scalar();
      const YAML::Node value = it->second;  // a copy: `it->` yields a temporary
      if (type == "time") {
        ignored_.add(path, key, span_of(it->first));
      } else if (auto k = kKeys.find(key); k != kKeys.end()) {
        f[k->second] = value;
      } else if (key == "format" && type == "string") {
        if (kStringFormats.count(text_of(value))) {
          f["format"] = value;
        } else {
          ignored_.add(path, "format '" + text_of(value) + "'", span_of(it->first));
        }
      } else if (key == "format" && (type == "date" || type == "timestamp")) {
        auto layout = strftime_layout(text_of(value));
        if (!layout) {
          diags_.warn(span_of(value), "ODCS " + path + ": format '" + text_of(value) +
                                          "' uses a pattern letter dq does not parse; values use the default layout");
        } else if (*layout != "%Y-%m-%d") {
          f["format"] = *layout;
        }
      } else if (key == "defaultTimezone") {
        std::string zone = text_of(value);
        if (zone == "UTC" || zone == "Etc/UTC" || zone == "Z") {
          f["timezone"] = "UTC";
        } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
          f["timezone"] = value;
        } else {
          diags_.warn(span_of(value), "ODCS " + path + ": defaultTimezone '" + zone +
                                          "' is not a fixed offset; dq reads timestamps without an offset as UTC");
        }
      } else if (key == "required" && type == "object" && value.IsSequence()) {
        f["required_fields"] = value;
      } else {
        ignored_.add(path, key, span_of(it->first));
      }
    }
  }

  // ODCS library quality rules become dq expectations (and an enum for
  // invalidValues with validValues); sql, custom and text rules are warnings.
  void quality(const YAML::Node& list, const std::string& path, const std::string& field, YAML::Node* f) {
    if (!list.IsSequence()) return;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const YAML::Node& q = list[i];
      const std::string where = path + "[" + std::to_string(i) + "]";
      std::string type = text_of(q["type"]);
      std::string metric = text_of(q["metric"]);
      if (metric.empty()) metric = text_of(q["rule"]);
      if (type.empty()) type = "library";
      if (type != "library") {
        diags_.warn(span_of(q), "ODCS " + where + ": " + type + " quality rules are not run by dq" +
                                    (type == "sql" ? " (SQL runs against a database)" : ""));
        continue;
      }
      for (auto it = q.begin(); it != q.end(); ++it) {
        const std::string key = it->first.Scalar();
        static const std::set<std::string> kUsed = {"type", "metric",   "rule",        "unit",
                                                    "name", "severity", "description", "arguments"};
        if (!kUsed.count(key) && key.rfind("must", 0) != 0) ignored_.add(path + "[*]", key, span_of(it->first));
      }
      const bool percent = lower(text_of(q["unit"])) == "percent";
      std::string op;
      YAML::Node bound;
      for (const char* name : {"mustBe", "mustNotBe", "mustBeGreaterThan", "mustBeGreaterOrEqualTo", "mustBeLessThan",
                               "mustBeLessOrEqualTo", "mustBeBetween", "mustNotBeBetween"}) {
        if (q[name]) op = name, bound = q[name];
      }
      if (metric == "invalidValues") {
        invalid_values(q, where, f, op, bound, percent);
        continue;
      }
      if (metric == "duplicateValues" && field.empty() && q["arguments"] && q["arguments"]["properties"].IsSequence()) {
        // A table's duplicates over several properties together: dq's
        // compound unique, when none may repeat.
        auto limit = number_of(bound);
        const bool none_allowed = !percent && limit &&
                                  ((op == "mustBe" && *limit == 0) || (op == "mustBeLessThan" && *limit == 1) ||
                                   (op == "mustBeLessOrEqualTo" && *limit == 0));
        if (!none_allowed) {
          diags_.warn(span_of(q), "ODCS " + where +
                                      ": duplicateValues over several properties is run by dq only "
                                      "as mustBe 0 rows (unique together)");
          continue;
        }
        YAML::Node e(YAML::NodeType::Map);
        e["name"] = q["name"] ? q["name"] : YAML::Node("unique_together");
        e["metric"] = "unique";
        e["fields"] = q["arguments"]["properties"];
        severity(q, e);
        if (q["description"]) e["description"] = q["description"];
        expectations_.push_back(e);
        continue;
      }
      std::string dq_metric = metric == "rowCount"          ? "row_count"
                              : metric == "nullValues"      ? (percent ? "null_rate" : "null_count")
                              : metric == "missingValues"   ? (percent ? "null_rate" : "null_count")
                              : metric == "duplicateValues" ? (percent ? "" : "duplicate_count")
                                                            : "";
      if (dq_metric.empty()) {
        diags_.warn(span_of(q), "ODCS " + where + ": metric '" + metric + "'" + (percent ? " in percent" : "") +
                                    " is not run by dq");
        continue;
      }
      if (metric == "missingValues" && q["arguments"]) {
        diags_.warn(span_of(q["arguments"]), "ODCS " + where +
                                                 ": dq counts nulls as missing; the listed missing "
                                                 "values are not counted");
      }
      YAML::Node e(YAML::NodeType::Map);
      e["name"] = q["name"] ? q["name"] : YAML::Node((field.empty() ? "rows" : field) + "_" + dq_metric);
      e["metric"] = dq_metric;
      if (dq_metric != "row_count") e["field"] = field;
      if (!bounds(e, op, bound, percent, !percent, where, span_of(q))) continue;
      severity(q, e);
      if (q["description"]) e["description"] = q["description"];
      expectations_.push_back(e);
    }
  }

  void invalid_values(const YAML::Node& q, const std::string& where, YAML::Node* f, const std::string& op,
                      const YAML::Node& bound, bool percent) {
    const YAML::Node& args = q["arguments"];
    auto limit = number_of(bound);
    bool none_allowed = !percent && limit &&
                        ((op == "mustBe" && *limit == 0) || (op == "mustBeLessThan" && *limit == 1) ||
                         (op == "mustBeLessOrEqualTo" && *limit == 0));
    bool some_allowed = percent && limit && (op == "mustBeLessOrEqualTo" || op == "mustBe" || op == "mustBeLessThan");
    if (!f || !args || (!args["validValues"] && !args["pattern"]) || (!none_allowed && !some_allowed)) {
      diags_.warn(span_of(q), "ODCS " + where +
                                  ": invalidValues is run by dq only with arguments validValues or "
                                  "pattern, and mustBe 0 rows or a percent ceiling");
      return;
    }
    if (args["validValues"]) (*f)["enum"] = args["validValues"];
    if (args["pattern"]) (*f)["pattern"] = args["pattern"];
    if (some_allowed) (*f)["mostly"] = number_text(1.0 - *limit / 100.0);
    severity(q, *f);
  }

  // Sets min/max/between on expectation `e` from an ODCS operator. Counts
  // are integers, so strict bounds become inclusive ones exactly.
  bool bounds(YAML::Node& e, const std::string& op, const YAML::Node& bound, bool percent, bool counts,
              const std::string& where, Span at) {
    auto scaled = [&](const YAML::Node& n) -> std::optional<std::string> {
      auto value = number_of(n);
      if (!value) return std::nullopt;
      return number_text(percent ? *value / 100.0 : *value);
    };
    auto fail = [&](const std::string& why) {
      diags_.warn(at, "ODCS " + where + ": " + why + "; the rule is not run by dq");
      return false;
    };
    if (op.empty()) return fail("no mustBe... operator");
    if (op == "mustNotBe" || op == "mustNotBeBetween") return fail(op + " has no dq equivalent");
    if (op == "mustBeBetween") {
      if (!bound.IsSequence() || bound.size() != 2 || !scaled(bound[0]) || !scaled(bound[1])) {
        return fail("mustBeBetween needs two numbers");
      }
      e["between"].push_back(*scaled(bound[0]));
      e["between"].push_back(*scaled(bound[1]));
      return true;
    }
    auto value = number_of(bound);
    if (!value) return fail(op + " needs a number");
    double v = percent ? *value / 100.0 : *value;
    const bool strict = op == "mustBeGreaterThan" || op == "mustBeLessThan";
    if (strict && !counts) {
      diags_.warn(at, "ODCS " + where + ": " + op + " on a rate is checked inclusively by dq");
    }
    if (strict && counts) v += op == "mustBeGreaterThan" ? 1 : -1;
    if (op == "mustBe") {
      e["between"].push_back(number_text(v));
      e["between"].push_back(number_text(v));
    } else {
      e[op.find("Greater") != std::string::npos ? "min" : "max"] = number_text(v);
    }
    return true;
  }

  static void severity(const YAML::Node& q, YAML::Node& out) {
    std::string s = lower(text_of(q["severity"]));
    if (!s.empty() && s != "error") out["severity"] = "warn";
  }

  // ODCS slaProperties: a latency on a timestamp field is dq's freshness
  // check; every other term is kept for documentation and review.
  void sla(const YAML::Node& list, const YAML::Node& default_element, YAML::Node& out) {
    if (!list.IsSequence()) return;
    YAML::Node sla(YAML::NodeType::Map);
    for (std::size_t i = 0; i < list.size(); ++i) {
      const YAML::Node& s = list[i];
      const std::string where = "slaProperties[" + std::to_string(i) + "]";
      std::string property = text_of(s["property"]);
      std::string element = s["element"] ? text_of(s["element"]) : text_of(default_element);
      if ((property == "latency" || property == "freshness") && !has(sla, "freshness")) {
        std::string column = element.substr(element.rfind('.') == std::string::npos ? 0 : element.rfind('.') + 1);
        std::string field = physical_names_.count(column) ? physical_names_[column] : column;
        std::string unit = duration_unit(text_of(s["unit"]));
        auto amount = number_of(s["value"]);
        if (temporal_fields_[field] == "timestamp" && !unit.empty() && amount && *amount == std::floor(*amount)) {
          YAML::Node fresh(YAML::NodeType::Map);
          fresh["field"] = field;
          fresh["max_delay"] = number_text(*amount) + unit;
          sla["freshness"] = fresh;
          continue;
        }
        diags_.warn(span_of(s), "ODCS " + where + ": latency on '" + element +
                                    "' is kept as an SLA term, not checked (dq checks freshness on a timestamp field, "
                                    "in whole s, m, h or d)");
      }
      YAML::Node term(YAML::NodeType::Map);
      for (auto it = s.begin(); it != s.end(); ++it) {
        const std::string key = it->first.Scalar();
        if (key == "property" || key == "value" || key == "unit" || key == "element" || key == "driver" ||
            key == "description") {
          term[key] = it->second;
        } else {
          ignored_.add("slaProperties[*]", key, span_of(it->first));
        }
      }
      sla["terms"].push_back(term);
    }
    if (sla.size() > 0) out["sla"] = sla;
  }

  static std::string duration_unit(const std::string& unit) {
    std::string u = lower(unit);
    if (u == "s" || u == "sec" || u == "second" || u == "seconds") return "s";
    if (u == "m" || u == "min" || u == "minute" || u == "minutes") return "m";
    if (u == "h" || u == "hr" || u == "hour" || u == "hours") return "h";
    if (u == "d" || u == "day" || u == "days") return "d";
    return "";
  }

  Diagnostics& diags_;
  std::string selector_;                                      // the schema object chosen by FILE#name
  std::string object_path_ = "schema[0]";                     // where the chosen object is, for messages
  std::vector<std::pair<std::string, double>> primary_keys_;  // (field, position) of primaryKey: true
  Ignored ignored_;
  YAML::Node expectations_{YAML::NodeType::Sequence};
  std::map<std::string, std::string> physical_names_;   // physicalName -> field
  std::map<std::string, std::string> temporal_fields_;  // field -> date | timestamp
};

}  // namespace

bool is_odcs(const YAML::Node& root) { return root.IsMap() && root["apiVersion"] && root["kind"] && !root["dq"]; }

YAML::Node odcs_to_dq(const YAML::Node& root, const std::string& selector, Diagnostics& diagnostics) {
  return Translator(diagnostics, selector).contract(root);
}

}  // namespace dq::spec
