// An Avro schema read into dq's form (avro_to_dq). Named types (records,
// enums, fixed) are registered by their full names as they are defined, and a
// reference to one is its definition again; a record that refers to itself
// cannot be a finite dq contract and is refused.
#include <algorithm>
#include <map>
#include <set>

#include "spec/avro.h"
#include "spec/yaml_nodes.h"

namespace dq::spec {
namespace {

class Importer {
 public:
  explicit Importer(Diagnostics& diags) : diags_(diags) {}

  YAML::Node contract(const YAML::Node& root) {
    YAML::Node out(YAML::NodeType::Map);
    out["dq"] = "1";
    if (text_of(at(root, "type")) != "record" || !at(root, "fields").IsSequence()) {
      diags_.error(span_of(root), "Avro: a schema of records is a record with fields, not " + describe(root));
      return out;
    }
    const std::string ns = text_of(root["namespace"]);
    const std::string name = text_of(root["name"]);
    out["dataset"] = ns.empty() ? (name.empty() ? std::string("imported") : name) : ns + "." + name;
    out["version"] = "0.1.0";
    YAML::Node owner(YAML::NodeType::Map);
    owner["team"] = "TODO-owner-team";  // lint's owner-contact flags it until a person fills it
    out["owner"] = owner;
    if (root["doc"].IsDefined()) out["description"] = root["doc"];
    const std::string full = full_name(name, ns);
    named_[full] = root;
    resolving_.push_back(full);
    out["fields"] = fields(root, ns.empty() ? namespace_of(full) : ns, "");
    resolving_.pop_back();
    return out;
  }

 private:
  static std::string describe(const YAML::Node& node) {
    if (node.IsScalar()) return "'" + node.Scalar() + "'";
    if (node.IsSequence()) return "a union";
    return text_of(at(node, "type")).empty() ? std::string(node_kind(node)) : "a " + text_of(at(node, "type"));
  }

  static std::string full_name(const std::string& name, const std::string& ns) {
    return name.find('.') != std::string::npos || ns.empty() ? name : ns + "." + name;
  }
  static std::string namespace_of(const std::string& full) {
    const std::size_t dot = full.rfind('.');
    return dot == std::string::npos ? "" : full.substr(0, dot);
  }

  void not_carried(const YAML::Node& at, const std::string& path, const std::string& what) {
    diags_.warn(span_of(at), "Avro " + (path.empty() ? std::string("schema") : path) + ": " + what);
  }

  YAML::Node fields(const YAML::Node& record, const std::string& ns, const std::string& path) {
    YAML::Node out(YAML::NodeType::Map);
    for (const auto& f : at(record, "fields")) {
      const std::string name = text_of(f["name"]);
      const std::string here = path.empty() ? name : path + "." + name;
      if (name.empty()) {
        diags_.error(span_of(f), "Avro " + (path.empty() ? std::string("record") : path) + ": a field needs a name");
        continue;
      }
      bool nullable = false;
      YAML::Node field = type(f["type"], ns, here, nullable);
      // A field may be missing when it has a default (readers fill it in) or
      // when null is one of its types (null is absence to dq).
      const bool has_default = f["default"].IsDefined();
      if (!has_default && !nullable) field["required"] = "true";
      std::string doc = text_of(f["doc"]);
      if (has_default && !f["default"].IsNull()) {
        doc += std::string(doc.empty() ? "" : " ") + "(Avro default: " + YAML::Dump(f["default"]) + ")";
      }
      if (!doc.empty()) field["description"] = doc;
      for (const char* ignored : {"aliases", "order"}) {
        if (f[ignored].IsDefined()) not_carried(f[ignored], here, std::string("'") + ignored + "' is not used by dq");
      }
      out[name] = field;
    }
    return out;
  }

  // The dq field (type and checks) for an Avro type; `nullable` when null is
  // one of its values.
  YAML::Node type(const YAML::Node& t, const std::string& ns, const std::string& path, bool& nullable) {
    YAML::Node f(YAML::NodeType::Map);
    // A named type is expanded at each use: bound what types used many times over can grow to.
    if (++types_ > kMaxTypes) {
      if (types_ == kMaxTypes + 1) {
        diags_.error(span_of(t), "Avro " + path + ": expands to more than " + std::to_string(kMaxTypes) + " types");
      }
      return any();
    }
    if (t.IsSequence()) return union_of(t, ns, path, nullable);
    if (t.IsScalar()) {
      const std::string& name = t.Scalar();
      if (name == "null") {
        nullable = true;
        f["type"] = "any";
        f["const"] = YAML::Node(YAML::NodeType::Null);
      } else if (name == "boolean") {
        f["type"] = "boolean";
      } else if (name == "int") {
        f["type"] = "integer";
        f["min"] = "-2147483648";
        f["max"] = "2147483647";
      } else if (name == "long") {
        f["type"] = "integer";
      } else if (name == "float" || name == "double") {
        f["type"] = "number";
      } else if (name == "string") {
        f["type"] = "string";
      } else if (name == "bytes") {
        f["type"] = "string";
        not_carried(t, path, "bytes are checked as a string (their JSON encoding)");
      } else {
        return reference(t, ns, path, nullable);
      }
      return f;
    }
    if (!t.IsMap()) {
      diags_.error(span_of(t), "Avro " + path + ": a type is a name, a union or an object, not " + node_kind(t));
      return any();
    }
    const std::string kind = text_of(t["type"]);
    if (!text_of(t["logicalType"]).empty()) return logical(t, ns, path, nullable);
    if (kind == "record" || kind == "error") {
      const std::string full = define(t, ns);
      resolving_.push_back(full);
      f["type"] = "object";
      if (t["doc"].IsDefined() && t["doc"].IsScalar()) f["description"] = t["doc"];
      f["fields"] = fields(t, namespace_of(full), path);
      resolving_.pop_back();
    } else if (kind == "enum") {
      define(t, ns);
      f["type"] = "string";
      if (!at(t, "symbols").IsSequence()) {
        diags_.error(span_of(t), "Avro " + path + ": an enum needs a list of symbols");
        return any();
      }
      f["enum"] = t["symbols"];
    } else if (kind == "array") {
      f["type"] = "array";
      bool ignored = false;
      f["items"] = type(at(t, "items"), ns, path + "[]", ignored);
    } else if (kind == "map") {
      f["type"] = "object";
      not_carried(t, path, "a map's values are not checked by dq (its keys are free)");
    } else if (kind == "fixed") {
      define(t, ns);
      f["type"] = "string";
      if (!at(t, "size").IsScalar()) {
        diags_.error(span_of(t), "Avro " + path + ": a fixed type needs a size");
        return any();
      }
      f["min_length"] = t["size"];
      f["max_length"] = t["size"];
      not_carried(t, path, "fixed bytes are checked as a string of their size (their JSON encoding)");
    } else {
      bool inner_nullable = false;
      if (!at(t, "type").IsDefined()) {
        diags_.error(span_of(t), "Avro " + path + ": a type object needs a 'type'");
        return any();
      }
      YAML::Node inner = type(t["type"], ns, path, inner_nullable);  // {"type": "string"}
      nullable = nullable || inner_nullable;
      return inner;
    }
    return f;
  }

  YAML::Node logical(const YAML::Node& t, const std::string& ns, const std::string& path, bool& nullable) {
    const std::string logical_type = text_of(t["logicalType"]);
    const std::string base = text_of(t["type"]);
    YAML::Node f(YAML::NodeType::Map);
    static const std::map<std::string, std::string> kUnits = {
        {"timestamp-millis", "ms"},       {"timestamp-micros", "us"},       {"timestamp-nanos", "ns"},
        {"local-timestamp-millis", "ms"}, {"local-timestamp-micros", "us"}, {"local-timestamp-nanos", "ns"}};
    if (auto unit = kUnits.find(logical_type); unit != kUnits.end() && base == "long") {
      f["type"] = "timestamp";
      f["unit"] = unit->second;
      return f;
    }
    if (logical_type == "uuid" && base == "string") {
      f["type"] = "string";
      f["format"] = "uuid";
      return f;
    }
    YAML::Node plain(YAML::NodeType::Map);
    for (auto it = t.begin(); it != t.end(); ++it) {
      if (it->first.Scalar() != "logicalType") plain[it->first] = it->second;
    }
    f = type(plain.size() == 1 ? plain["type"] : plain, ns, path, nullable);
    if (logical_type == "date" || logical_type == "time-millis" || logical_type == "time-micros") {
      not_carried(t["logicalType"], path,
                  "logicalType " + logical_type + " is checked as its " + base + " (dq's dates and times are text)");
    } else if (logical_type == "decimal") {
      not_carried(t["logicalType"], path, "logicalType decimal is not checked (its bytes have no JSON form here)");
      return any();
    } else {
      not_carried(t["logicalType"], path, "logicalType " + logical_type + " is checked as its " + base);
    }
    return f;
  }

  YAML::Node union_of(const YAML::Node& members, const std::string& ns, const std::string& path, bool& nullable) {
    std::vector<YAML::Node> kinds;
    for (const auto& m : members) {
      bool member_null = false;
      YAML::Node f = type(m, ns, path, member_null);
      if (member_null && f["const"].IsDefined()) {  // the null member
        nullable = true;
        continue;
      }
      nullable = nullable || member_null;
      kinds.push_back(f);
    }
    if (kinds.empty()) return type(YAML::Node("null"), ns, path, nullable);
    if (kinds.size() == 1) return kinds.front();
    // Several types: a dq union when each is a different JSON type and only
    // one carries checks of its own (a record's fields, an enum's symbols).
    YAML::Node f(YAML::NodeType::Map);
    std::set<std::string> seen;
    int with_checks = 0;
    for (const YAML::Node& k : kinds) {
      std::string name = text_of(k["type"]);
      if (name == "timestamp") name = "integer";  // an epoch number
      if (!seen.insert(name).second) {
        not_carried(members, path, "a union of two " + name + " types cannot be said in dq; any value is accepted");
        return any();
      }
      if (k.size() > 1) ++with_checks;
    }
    if (seen.count("integer") && seen.count("number")) {
      not_carried(members, path, "a union of int and float types is checked as a number");
      seen.erase("integer");
    }
    if (with_checks > 1) {
      not_carried(members, path, "a union of several types with checks cannot be said in dq; only the types are");
    }
    for (const YAML::Node& k : kinds) {
      if (k.size() > 1 && with_checks == 1) {
        for (auto it = k.begin(); it != k.end(); ++it) {
          if (it->first.Scalar() != "type") f[it->first] = it->second;
        }
      }
    }
    for (const char* name : {"integer", "number", "string", "boolean", "object", "array"}) {
      if (seen.count(name)) f["type"].push_back(name);
    }
    return f;
  }

  YAML::Node reference(const YAML::Node& t, const std::string& ns, const std::string& path, bool& nullable) {
    const std::string& name = t.Scalar();
    std::string full = full_name(name, ns);
    if (!named_.count(full)) full = name;
    if (!named_.count(full)) {
      diags_.error(span_of(t), "Avro " + path + ": unknown type '" + name + "'");
      return any();
    }
    if (std::find(resolving_.begin(), resolving_.end(), full) != resolving_.end()) {
      diags_.error(span_of(t), "Avro " + path + ": the record '" + full +
                                   "' contains itself; dq contracts describe finite records");
      return any();
    }
    const YAML::Node& definition = named_.at(full);
    const std::string kind = text_of(definition["type"]);
    resolving_.push_back(full);
    YAML::Node f = kind == "record" || kind == "error" ? record_again(definition, full, path)
                                                       : type(definition, namespace_of(full), path, nullable);
    resolving_.pop_back();
    return f;
  }

  YAML::Node record_again(const YAML::Node& definition, const std::string& full, const std::string& path) {
    YAML::Node f(YAML::NodeType::Map);
    f["type"] = "object";
    if (definition["doc"].IsDefined() && definition["doc"].IsScalar()) f["description"] = definition["doc"];
    f["fields"] = fields(definition, namespace_of(full), path);
    return f;
  }

  std::string define(const YAML::Node& t, const std::string& ns) {
    const std::string own_ns = t["namespace"].IsDefined() ? text_of(t["namespace"]) : ns;
    const std::string full = full_name(text_of(t["name"]), own_ns);
    named_[full] = t;
    return full;
  }

  static YAML::Node any() {
    YAML::Node f(YAML::NodeType::Map);
    f["type"] = "any";
    return f;
  }

  static constexpr int kMaxTypes = 20000;
  int types_ = 0;
  Diagnostics& diags_;
  std::map<std::string, YAML::Node> named_;
  std::vector<std::string> resolving_;  // the records being read, for cycles
};

}  // namespace

bool is_avro(const YAML::Node& root) {
  return text_of(at(root, "type")) == "record" && at(root, "fields").IsSequence() && !at(root, "dq").IsDefined();
}

YAML::Node avro_to_dq(const YAML::Node& root, Diagnostics& diagnostics) { return Importer(diagnostics).contract(root); }

}  // namespace dq::spec
