// A Data Contract Specification file read into dq's form (dcs_to_dq): the
// chosen model's fields, with `$ref`s into `definitions` merged under the
// field's own keys. Nodes are reused, so diagnostics point into the file.
#include <map>
#include <set>

#include "spec/dcs.h"
#include "spec/type_names.h"
#include "spec/yaml_nodes.h"

namespace dq::spec {
namespace {

class Importer {
 public:
  Importer(const YAML::Node& root, Diagnostics& diags) : root_(root), diags_(diags) {}

  YAML::Node contract(const std::string& selector) {
    YAML::Node out(YAML::NodeType::Map);
    out["dq"] = "1";
    const YAML::Node models = at(root_, "models");
    const std::string name = choose(models, selector);
    if (name.empty()) return out;
    const YAML::Node model = at(models, name);
    const YAML::Node info = at(root_, "info");
    out["dataset"] = name;
    if (at(info, "title").IsDefined()) out["title"] = at(info, "title");
    out["version"] = at(info, "version").IsDefined() ? at(info, "version") : YAML::Node("0.1.0");
    owner(info, out);
    if (at(model, "description").IsDefined()) {
      out["description"] = at(model, "description");
    } else if (at(info, "description").IsDefined()) {
      out["description"] = at(info, "description");
    }
    if (at(root_, "tags").IsSequence()) out["tags"] = at(root_, "tags");
    static const std::set<std::string> kRead = {"dataContractSpecification", "info", "models", "definitions", "tags"};
    for (auto it = root_.begin(); it != root_.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (!kRead.count(key)) not_carried(it->first, key, "not used by dq");
    }
    for (auto it = model.begin(); it != model.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (key != "fields" && key != "description" && key != "type" && key != "title") {
        not_carried(it->first, "models." + name + "." + key, "not used by dq");
      }
    }
    out["fields"] = fields(at(model, "fields"), "models." + name + ".fields", 0);
    return out;
  }

 private:
  void not_carried(const YAML::Node& at, const std::string& path, const std::string& what) {
    diags_.warn(span_of(at), "Data Contract Specification " + path + ": " + what);
  }

  std::string choose(const YAML::Node& models, const std::string& selector) {
    if (!models.IsMap() || models.size() == 0) {
      diags_.error(span_of(root_), "Data Contract Specification: no models to read");
      return "";
    }
    std::string names;
    for (auto it = models.begin(); it != models.end(); ++it) names += (names.empty() ? "" : ", ") + it->first.Scalar();
    if (!selector.empty()) {
      if (at(models, selector).IsDefined()) return selector;
      diags_.error(span_of(models),
                   "Data Contract Specification: no model '" + selector + "' (the models: " + names + ")");
      return "";
    }
    if (models.size() > 1) {
      diags_.error(span_of(models),
                   "Data Contract Specification: the file holds the models " + names + "; choose one as FILE#model");
      return "";
    }
    return models.begin()->first.Scalar();
  }

  void owner(const YAML::Node& info, YAML::Node& out) {
    YAML::Node owner(YAML::NodeType::Map);
    owner["team"] = at(info, "owner").IsDefined() ? at(info, "owner") : YAML::Node("TODO-owner-team");
    const YAML::Node contact = at(info, "contact");
    for (const char* key : {"email", "url", "name"}) {
      if (at(contact, key).IsScalar()) {
        owner["contact"] = at(contact, key);
        break;
      }
    }
    out["owner"] = owner;
  }

  // A field's keys with those of the definition it refers to (its own win).
  YAML::Node resolved(const YAML::Node& field, const std::string& path) {
    const YAML::Node ref = at(field, "$ref");
    if (!ref.IsDefined()) return field;
    const std::string target = text_of(ref);
    const std::string prefix = "#/definitions/";
    if (target.rfind(prefix, 0) != 0 || !at(at(root_, "definitions"), target.substr(prefix.size())).IsDefined()) {
      diags_.error(span_of(ref), "Data Contract Specification " + path + ": the reference '" + target +
                                     "' names no entry of definitions");
      return field;
    }
    YAML::Node merged(YAML::NodeType::Map);
    const YAML::Node definition = at(at(root_, "definitions"), target.substr(prefix.size()));
    for (auto it = definition.begin(); it != definition.end(); ++it) merged[it->first] = it->second;
    for (auto it = field.begin(); it != field.end(); ++it) {
      if (it->first.Scalar() != "$ref") merged[it->first] = it->second;
    }
    return merged;
  }

  YAML::Node fields(const YAML::Node& node, const std::string& path, int depth) {
    YAML::Node out(YAML::NodeType::Map);
    if (!node.IsMap()) {
      if (node.IsDefined()) diags_.error(span_of(node), "Data Contract Specification " + path + " must be a mapping");
      return out;
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string name = it->first.Scalar();
      out[name] = field(resolved(it->second, path + "." + name), path + "." + name, depth);
    }
    return out;
  }

  YAML::Node field(const YAML::Node& in, const std::string& path, int depth) {
    YAML::Node f(YAML::NodeType::Map);
    const std::string declared = text_of(at(in, "type"));
    std::string type = declared.empty() ? "any" : dq_type_of(declared);
    if (type.empty()) {
      if (declared == "bytes" || declared == "time") {
        type = "string";
        not_carried(at(in, "type"), path, "type " + declared + " is checked as a string");
      } else if (declared == "map") {
        type = "object";
        not_carried(at(in, "type"), path, "a map's keys and values are not checked by dq");
      } else if (declared == "null") {
        type = "any";
        f["const"] = YAML::Node(YAML::NodeType::Null);
      } else {
        diags_.error(span_of(at(in, "type")),
                     "Data Contract Specification " + path + ": unknown type '" + declared + "'");
        type = "any";
      }
    }
    f["type"] = type;
    static const std::map<std::string, std::string> kSame = {{"required", "required"},
                                                             {"unique", "unique"},
                                                             {"minLength", "min_length"},
                                                             {"maxLength", "max_length"},
                                                             {"pattern", "pattern"},
                                                             {"minimum", "min"},
                                                             {"maximum", "max"},
                                                             {"exclusiveMinimum", "exclusive_min"},
                                                             {"exclusiveMaximum", "exclusive_max"},
                                                             {"enum", "enum"},
                                                             {"description", "description"},
                                                             {"title", "title"},
                                                             {"pii", "pii"},
                                                             {"tags", "tags"},
                                                             {"examples", "examples"}};
    static const std::set<std::string> kFormats = {"email",     "uri",  "uuid", "date",
                                                   "date-time", "ipv4", "ipv6", "hostname"};
    static const std::set<std::string> kClassifications = {"public", "internal", "confidential", "restricted"};
    static const std::set<std::string> kQuiet = {"type", "$ref", "domain", "name", "precision", "scale"};
    for (auto it = in.begin(); it != in.end(); ++it) {
      const std::string key = it->first.Scalar();
      const YAML::Node v = it->second;
      if (auto same = kSame.find(key); same != kSame.end()) {
        f[same->second] = v;
      } else if (key == "example") {
        f["examples"].push_back(v);
      } else if (key == "primaryKey" || key == "primary") {
        if (text_of(v) == "true") {
          f["required"] = "true";
          f["unique"] = "true";
        }
      } else if (key == "format") {
        if (kFormats.count(text_of(v))) {
          f["format"] = v;
        } else {
          not_carried(v, path, "the format '" + text_of(v) + "' is not checked by dq");
        }
      } else if (key == "classification") {
        if (kClassifications.count(text_of(v))) {
          f["classification"] = v;
        } else {
          not_carried(v, path,
                      "classification '" + text_of(v) +
                          "' is not one of dq's (public, internal, "
                          "confidential, restricted)");
        }
      } else if (key == "fields") {
        if (depth > 32) {
          diags_.error(span_of(v), "Data Contract Specification " + path + ": nested deeper than 32");
        } else {
          f["fields"] = fields(v, path + ".fields", depth + 1);
        }
      } else if (key == "items") {
        f["items"] = field(resolved(v, path + ".items"), path + ".items", depth + 1);
      } else if (!kQuiet.count(key)) {
        not_carried(it->first, path + "." + key, "not used by dq");
      }
    }
    return f;
  }

  const YAML::Node root_;
  Diagnostics& diags_;
};

}  // namespace

bool is_dcs(const YAML::Node& root) { return at(root, "dataContractSpecification").IsDefined(); }

YAML::Node dcs_to_dq(const YAML::Node& root, const std::string& model, Diagnostics& diagnostics) {
  return Importer(root, diagnostics).contract(model);
}

}  // namespace dq::spec
