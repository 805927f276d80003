// A dbt schema.yml read into dq's form (dbt_to_dq): the chosen model's (or
// source table's) columns, their data types, and the generic tests dq checks
// per record or per dataset. Nodes are reused, so diagnostics point into the
// file.
#include <set>
#include <vector>

#include "spec/dbt.h"
#include "spec/type_names.h"
#include "spec/yaml_nodes.h"

namespace dq::spec {
namespace {

struct Model {
  YAML::Node node;
  std::string name, path;  // "orders", "models[0]" or "sources[0].tables[1]"
};

class Importer {
 public:
  explicit Importer(Diagnostics& diags) : diags_(diags) {}

  YAML::Node contract(const YAML::Node& root, const std::string& selector) {
    YAML::Node out(YAML::NodeType::Map);
    out["dq"] = "1";
    std::vector<Model> models;
    const YAML::Node list = at(root, "models");
    for (std::size_t i = 0; list.IsSequence() && i < list.size(); ++i) {
      models.push_back({list[i], text_of(at(list[i], "name")), "models[" + std::to_string(i) + "]"});
    }
    const YAML::Node sources = at(root, "sources");
    for (std::size_t i = 0; sources.IsSequence() && i < sources.size(); ++i) {
      const YAML::Node tables = at(sources[i], "tables");
      for (std::size_t j = 0; tables.IsSequence() && j < tables.size(); ++j) {
        models.push_back({tables[j], text_of(at(tables[j], "name")),
                          "sources[" + std::to_string(i) + "].tables[" + std::to_string(j) + "]"});
      }
    }
    const Model* model = choose(root, models, selector);
    if (model == nullptr) return out;
    const YAML::Node m = model->node;
    out["dataset"] = model->name;
    out["version"] = "0.1.0";
    YAML::Node owner(YAML::NodeType::Map);
    const YAML::Node meta_owner = at(at(m, "meta"), "owner");
    owner["team"] = meta_owner.IsScalar() ? meta_owner : YAML::Node("TODO-owner-team");
    out["owner"] = owner;
    if (at(m, "description").IsDefined()) out["description"] = at(m, "description");
    const YAML::Node enforced = at(at(at(m, "config"), "contract"), "enforced");
    // An enforced dbt contract fails the build on any column it does not declare.
    if (text_of(enforced) == "true") out["additional_fields"] = "reject";
    for (const char* tests : {"tests", "data_tests"}) {
      for (const auto& t : at(m, tests)) not_carried(t, model->path + "." + tests, "the test " + test_name(t));
    }
    YAML::Node fields(YAML::NodeType::Map);
    const YAML::Node columns = at(m, "columns");
    for (std::size_t i = 0; columns.IsSequence() && i < columns.size(); ++i) {
      const YAML::Node c = columns[i];
      const std::string name = text_of(at(c, "name"));
      const std::string path = model->path + ".columns[" + std::to_string(i) + "] '" + name + "'";
      if (name.empty()) {
        diags_.error(span_of(c), "dbt " + path + ": a column needs a name");
        continue;
      }
      fields[name] = column(c, path);
    }
    out["fields"] = fields;
    return out;
  }

 private:
  void not_carried(const YAML::Node& at, const std::string& path, const std::string& what) {
    diags_.warn(span_of(at), "dbt " + path + ": " + what + " is not carried by dq");
  }

  static std::string test_name(const YAML::Node& t) {
    if (t.IsScalar()) return "'" + t.Scalar() + "'";
    if (t.IsMap() && t.size() > 0) return "'" + t.begin()->first.Scalar() + "'";
    return "entry";
  }

  const Model* choose(const YAML::Node& root, const std::vector<Model>& models, const std::string& selector) {
    std::string names;
    for (const Model& m : models) names += (names.empty() ? "" : ", ") + m.name;
    if (models.empty()) {
      diags_.error(span_of(root), "dbt: the file declares no models or source tables");
      return nullptr;
    }
    if (!selector.empty()) {
      for (const Model& m : models) {
        if (m.name == selector) return &m;
      }
      diags_.error(span_of(root), "dbt: no model '" + selector + "' (the models: " + names + ")");
      return nullptr;
    }
    if (models.size() > 1) {
      diags_.error(span_of(root), "dbt: the file declares the models " + names + "; choose one as FILE#model");
      return nullptr;
    }
    return &models.front();
  }

  YAML::Node column(const YAML::Node& c, const std::string& path) {
    YAML::Node f(YAML::NodeType::Map);
    const std::string declared = text_of(at(c, "data_type"));
    std::string type = declared.empty() ? "any" : dq_type_of(declared);
    if (type.empty()) {
      not_carried(at(c, "data_type"), path, "data_type '" + declared + "' (no dq type says it; any value)");
      type = "any";
    }
    f["type"] = type;
    if (at(c, "description").IsDefined()) f["description"] = at(c, "description");
    if (at(c, "tags").IsSequence()) f["tags"] = at(c, "tags");
    for (const auto& k : at(c, "constraints")) {
      const std::string kind = text_of(at(k, "type"));
      if (kind == "not_null" || kind == "primary_key") f["required"] = "true";
      if (kind == "unique" || kind == "primary_key") f["unique"] = "true";
      if (kind != "not_null" && kind != "unique" && kind != "primary_key") {
        not_carried(k, path + ".constraints", "the constraint '" + kind + "'");
      }
    }
    for (const char* tests : {"tests", "data_tests"}) {
      for (const auto& t : at(c, tests)) test(t, path + "." + tests, f);
    }
    return f;
  }

  void test(const YAML::Node& t, const std::string& path, YAML::Node& f) {
    const std::string name = t.IsScalar() ? t.Scalar() : t.IsMap() && t.size() > 0 ? t.begin()->first.Scalar() : "";
    const YAML::Node args = t.IsMap() && t.size() > 0 ? t.begin()->second : YAML::Node();
    // dbt 1.8 nests a test's arguments under `arguments:`.
    const YAML::Node params = at(args, "arguments").IsDefined() ? at(args, "arguments") : args;
    if (at(params, "where").IsDefined() || at(at(params, "config"), "where").IsDefined() ||
        at(params, "row_condition").IsDefined()) {
      not_carried(t, path, "the test " + test_name(t) + " on some rows only (a where or row_condition)");
      return;
    }
    // dbt_utils and dbt_expectations say the common per-value checks too.
    const std::string strip = name.substr(name.find('.') + 1);
    if (name == "not_null" || strip == "expect_column_values_to_not_be_null") {
      f["required"] = "true";
    } else if (name == "unique" || strip == "expect_column_values_to_be_unique") {
      f["unique"] = "true";
    } else if (name == "accepted_values" && at(params, "values").IsSequence()) {
      f["enum"] = at(params, "values");
    } else if (strip == "expect_column_values_to_be_in_set" && at(params, "value_set").IsSequence()) {
      f["enum"] = at(params, "value_set");
    } else if (name == "dbt_utils.accepted_range" || strip == "expect_column_values_to_be_between") {
      // accepted_range bounds are inclusive unless `inclusive: false`; dbt_expectations' unless `strictly: true`.
      const bool strict = text_of(at(params, "inclusive")) == "false" || text_of(at(params, "strictly")) == "true";
      if (at(params, "min_value").IsScalar()) f[strict ? "exclusive_min" : "min"] = at(params, "min_value");
      if (at(params, "max_value").IsScalar()) f[strict ? "exclusive_max" : "max"] = at(params, "max_value");
    } else if (strip == "expect_column_value_lengths_to_be_between") {
      if (at(params, "min_value").IsScalar()) f["min_length"] = at(params, "min_value");
      if (at(params, "max_value").IsScalar()) f["max_length"] = at(params, "max_value");
    } else if (strip == "expect_column_values_to_match_regex" && at(params, "regex").IsScalar()) {
      f["pattern"] = at(params, "regex");
    } else if (name == "relationships") {
      not_carried(t, path, "the test 'relationships' (a foreign key into another dataset)");
    } else {
      not_carried(t, path, "the test " + test_name(t));
    }
  }

  Diagnostics& diags_;
};

}  // namespace

bool is_dbt(const YAML::Node& root) {
  return root.IsMap() && text_of(at(root, "version")) == "2" &&
         (at(root, "models").IsSequence() || at(root, "sources").IsSequence());
}

YAML::Node dbt_to_dq(const YAML::Node& root, const std::string& model, Diagnostics& diagnostics) {
  return Importer(diagnostics).contract(root, model);
}

}  // namespace dq::spec
