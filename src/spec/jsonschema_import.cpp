// JSON Schema read into dq's form (json_schema_to_dq). A schema is first
// flattened: `$ref`s resolved, `allOf` merged as the conjunction it is, and
// `anyOf`/`oneOf` of schemas of different types turned into one union (dq's
// checks apply per type, as JSON Schema's do). The flat schema is then
// written as a dq field. Nodes are reused, so the loader's diagnostics point
// into the schema file.
#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <set>

#include "spec/jsonschema.h"
#include "spec/yaml_nodes.h"

namespace dq::spec {
namespace {

constexpr int kMaxDepth = 64;
// References are expanded where they are used: a schema whose references
// double at each level would expand without end, so expansion is bounded.
constexpr int kMaxSchemas = 20000;

// A keyword the schema gave (a default-constructed node is null, not undefined).
bool given(const YAML::Node& node) { return node.IsDefined() && !node.IsNull(); }

bool is_true(const YAML::Node& node) { return node.IsScalar() && node.Tag() != "!" && node.Scalar() == "true"; }
bool is_false(const YAML::Node& node) { return node.IsScalar() && node.Tag() != "!" && node.Scalar() == "false"; }

// RFC 6901: "~1" is "/", "~0" is "~"; a URI fragment may also %-escape.
std::string pointer_token(const std::string& raw) {
  std::string decoded;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size() && std::isxdigit(static_cast<unsigned char>(raw[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(raw[i + 2]))) {
      decoded += static_cast<char>(std::stoi(raw.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      decoded += raw[i];
    }
  }
  std::string out;
  for (std::size_t i = 0; i < decoded.size(); ++i) {
    if (decoded[i] == '~' && i + 1 < decoded.size() && (decoded[i + 1] == '0' || decoded[i + 1] == '1')) {
      out += decoded[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      out += decoded[i];
    }
  }
  return out;
}

std::string escape_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

// The JSON types a keyword constrains (it ignores values of other types).
const std::map<std::string, std::set<std::string>>& keyword_types() {
  static const std::map<std::string, std::set<std::string>> kTypes = {
      {"minimum", {"integer", "number"}},
      {"maximum", {"integer", "number"}},
      {"exclusiveMinimum", {"integer", "number"}},
      {"exclusiveMaximum", {"integer", "number"}},
      {"multipleOf", {"integer", "number"}},
      {"minLength", {"string"}},
      {"maxLength", {"string"}},
      {"pattern", {"string"}},
      {"format", {"string"}},
      {"minItems", {"array"}},
      {"maxItems", {"array"}},
      {"uniqueItems", {"array"}},
  };
  return kTypes;
}

// Keywords that describe and never constrain: dropped without a word.
bool annotation_only(const std::string& key) {
  static const std::set<std::string> kKeys = {"$schema",         "$id",           "$comment",       "$defs",
                                              "definitions",     "$anchor",       "$dynamicAnchor", "default",
                                              "readOnly",        "writeOnly",     "deprecated",     "contentMediaType",
                                              "contentEncoding", "contentSchema", "$vocabulary"};
  return kKeys.count(key) > 0;
}

const std::vector<std::string> kAllTypes = {"object", "array", "string", "number", "boolean", "null"};

bool overlaps(const std::string& a, const std::string& b) {
  return a == b || (a == "integer" && b == "number") || (a == "number" && b == "integer");
}

// A schema with its references resolved and `allOf`/`anyOf`/`oneOf` folded in.
struct Flat {
  bool any_type = true;
  std::vector<std::string> types;        // JSON Schema names, when !any_type
  std::map<std::string, YAML::Node> kw;  // value keywords by their JSON Schema name
  std::vector<YAML::Node> patterns;      // every `pattern` that applies (all must match)
  std::vector<std::pair<std::string, std::shared_ptr<Flat>>> properties;
  std::vector<std::string> required;
  bool closed = false;  // additionalProperties: false
  std::shared_ptr<Flat> items;
  YAML::Node title, description, examples;

  bool has_type(const std::string& t) const {
    return any_type || std::any_of(types.begin(), types.end(), [&](const std::string& x) { return overlaps(x, t); });
  }
  std::shared_ptr<Flat> property(const std::string& name) const {
    for (const auto& [key, flat] : properties) {
      if (key == name) return flat;
    }
    return nullptr;
  }
  // Whether a check applies to some types only (enum and const apply to all).
  bool type_specific() const {
    return kw.size() > kw.count("enum") + kw.count("const") || !patterns.empty() || !properties.empty() ||
           !required.empty() || closed || items;
  }
};

class Importer {
 public:
  Importer(const YAML::Node& root, Diagnostics& diags) : root_(root), diags_(diags) {
    // Up to draft-07, `$ref` stands alone: keywords beside it are ignored.
    const std::string draft = text_of(root_["$schema"]);
    for (const char* old : {"draft-03", "draft-04", "draft-06", "draft-07"}) {
      if (draft.find(old) != std::string::npos) ref_overrides_ = true;
    }
  }

  YAML::Node contract(const std::string& dataset) {
    YAML::Node out(YAML::NodeType::Map);
    out["dq"] = "1";
    const std::string id = text_of(root_["$id"]);
    std::string name = dataset;
    if (root_.IsMap() && !text_of(root_["title"]).empty()) {
      name = text_of(root_["title"]);
    } else if (!id.empty()) {
      name = id.substr(id.find_last_of('/') + 1);
      name = name.substr(0, name.find('.'));
    }
    out["dataset"] = name.empty() ? std::string("imported") : name;
    out["version"] = "0.1.0";
    YAML::Node owner(YAML::NodeType::Map);
    owner["team"] = "TODO-owner-team";  // lint's owner-contact flags it until a person fills it
    out["owner"] = owner;
    const Flat flat = flatten(root_, "", 0);
    if (!flat.any_type && !flat.has_type("object")) {
      diags_.error(span_of(root_["type"]),
                   "JSON Schema: the root describes " + join_types(flat.types) + ", but records are objects");
      return out;
    }
    if (!flat.any_type && flat.types.size() > 1) {
      diags_.warn(span_of(root_["type"]), "JSON Schema: records are objects; the root's other types (" +
                                              join_types(flat.types) + ") are not used");
    }
    if (given(flat.description)) out["description"] = flat.description;
    if (flat.closed) out["additional_fields"] = "reject";
    out["fields"] = fields(flat, "", flat.closed);
    return out;
  }

 private:
  static std::string join_types(const std::vector<std::string>& types) {
    std::string out;
    for (const auto& t : types) out += (out.empty() ? "" : ", ") + t;
    return out;
  }

  void not_carried(const YAML::Node& at, const std::string& pointer, const std::string& what) {
    diags_.warn(span_of(at), "JSON Schema " + (pointer.empty() ? std::string("#") : "#" + pointer) + ": " + what);
  }

  // ---- flattening ----

  Flat flatten(const YAML::Node& schema, const std::string& pointer, int depth) {
    Flat flat;
    if (gave_up_) return flat;
    if (++schemas_ > kMaxSchemas || depth > kMaxDepth) {
      // One message: past a limit the rest of the schema is not read.
      gave_up_ = true;
      diags_.error(span_of(schema), "JSON Schema #" + pointer + ": " +
                                        (depth > kMaxDepth ? "nested deeper than " + std::to_string(kMaxDepth)
                                                           : "expands to more than " + std::to_string(kMaxSchemas) +
                                                                 " schemas (references used many times over)"));
      return flat;
    }
    if (is_true(schema)) return flat;
    if (is_false(schema)) {
      not_carried(schema, pointer, "the schema `false` (nothing is valid) cannot be said in dq");
      return flat;
    }
    if (!schema.IsMap()) {
      diags_.error(span_of(schema),
                   "JSON Schema #" + pointer + ": a schema is an object or a boolean, not " + node_kind(schema));
      return flat;
    }
    if (ref_overrides_ && schema["$ref"].IsDefined()) return reference(schema["$ref"], pointer + "/$ref", depth);
    std::vector<Flat> conjuncts;  // $ref, allOf and the unions, merged after the schema's own keywords
    for (auto it = schema.begin(); it != schema.end(); ++it) {
      const std::string key = it->first.Scalar();
      const YAML::Node v = it->second;
      const std::string here = pointer + "/" + escape_token(key);
      if (key == "type") {
        read_type(v, here, flat);
      } else if (key == "properties") {
        if (!v.IsMap()) {
          diags_.error(span_of(v), "JSON Schema #" + here + ": properties must be an object");
          continue;
        }
        for (auto p = v.begin(); p != v.end(); ++p) {
          const std::string name = p->first.Scalar();
          flat.properties.emplace_back(
              name, std::make_shared<Flat>(flatten(p->second, here + "/" + escape_token(name), depth + 1)));
        }
      } else if (key == "required") {
        if (v.IsSequence()) {
          for (const auto& name : v) flat.required.push_back(text_of(name));
        } else if (!is_false(v)) {
          not_carried(v, here, "draft-03 `required: true` is not read (list the names in the parent's `required`)");
        }
      } else if (key == "additionalProperties") {
        if (is_false(v)) {
          flat.closed = true;
        } else if (!is_true(v) && !(v.IsMap() && v.size() == 0)) {
          not_carried(v, here, "a schema for additional properties cannot be said in dq (only allow or reject)");
        }
      } else if (key == "items") {
        if (v.IsSequence()) {
          not_carried(v, here, "`items` as a list (a tuple) cannot be said in dq");
        } else {
          flat.items = std::make_shared<Flat>(flatten(v, here, depth + 1));
        }
      } else if (key == "pattern") {
        flat.patterns.push_back(v);
      } else if (keyword_types().count(key) || key == "enum" || key == "const") {
        if (key == "exclusiveMinimum" || key == "exclusiveMaximum") {
          if (is_false(v)) continue;  // draft-04's boolean form, off
        }
        flat.kw[key] = v;
      } else if (key == "title") {
        flat.title = v;
      } else if (key == "description") {
        flat.description = v;
      } else if (key == "examples") {
        flat.examples = v;
      } else if (key == "$ref") {
        conjuncts.push_back(reference(v, here, depth));
      } else if (key == "allOf") {
        if (!v.IsSequence()) {
          diags_.error(span_of(v), "JSON Schema #" + here + ": allOf must be a list");
          continue;
        }
        for (std::size_t i = 0; i < v.size(); ++i) {
          conjuncts.push_back(flatten(v[i], here + "/" + std::to_string(i), depth + 1));
        }
      } else if (key == "anyOf" || key == "oneOf") {
        conjuncts.push_back(unite(v, here, key, depth));
      } else if (!annotation_only(key)) {
        not_carried(it->first, here, "`" + key + "` cannot be said in dq");
      }
    }
    draft4_exclusive(flat);
    for (const Flat& c : conjuncts) merge(flat, c, pointer, schema);
    return flat;
  }

  void read_type(const YAML::Node& v, const std::string& here, Flat& flat) {
    static const std::set<std::string> kNames = {"object", "array", "string", "number", "integer", "boolean", "null"};
    std::vector<YAML::Node> names;
    if (v.IsSequence()) {
      for (const auto& n : v) names.push_back(n);
    } else {
      names.push_back(v);
    }
    flat.any_type = false;
    for (const auto& n : names) {
      const std::string name = text_of(n);
      if (name == "any") {  // draft-03
        flat.any_type = true;
        flat.types.clear();
        return;
      }
      if (!kNames.count(name)) {
        diags_.error(span_of(n), "JSON Schema #" + here + ": unknown type '" + name + "'");
        continue;
      }
      if (std::find(flat.types.begin(), flat.types.end(), name) == flat.types.end()) flat.types.push_back(name);
    }
  }

  // draft-04: `exclusiveMinimum: true` makes `minimum` strict.
  static void draft4_exclusive(Flat& flat) {
    for (const auto& [strict, bound] :
         {std::pair<std::string, std::string>{"exclusiveMinimum", "minimum"}, {"exclusiveMaximum", "maximum"}}) {
      auto it = flat.kw.find(strict);
      if (it == flat.kw.end() || !is_true(it->second)) continue;
      auto b = flat.kw.find(bound);
      if (b == flat.kw.end()) {
        flat.kw.erase(it);
      } else {
        it->second = b->second;
        flat.kw.erase(b);
      }
    }
  }

  Flat reference(const YAML::Node& ref, const std::string& here, int depth) {
    const std::string target = text_of(ref);
    if (target.empty() || target[0] != '#') {
      not_carried(ref, here, "the reference '" + target + "' is not local (only '#...' references are followed)");
      return {};
    }
    if (std::find(resolving_.begin(), resolving_.end(), target) != resolving_.end()) {
      diags_.error(span_of(ref), "JSON Schema #" + here + ": the reference '" + target +
                                     "' is recursive; dq contracts describe finite records");
      return {};
    }
    YAML::Node node = root_;  // a handle; lookups below go through const references
    std::string pointer = target.substr(1);
    if (!pointer.empty() && pointer[0] != '/') {
      not_carried(ref, here, "the reference '" + target + "' names an anchor (only JSON pointers are followed)");
      return {};
    }
    std::size_t start = 1;
    while (start <= pointer.size() && !pointer.empty()) {
      const std::size_t end = std::min(pointer.find('/', start), pointer.size());
      const std::string token = pointer_token(pointer.substr(start, end - start));
      const YAML::Node& here_node = node;
      if (here_node.IsMap() && here_node[token].IsDefined()) {
        node.reset(here_node[token]);
      } else if (here_node.IsSequence() && !token.empty() && token.size() < 9 &&
                 token.find_first_not_of("0123456789") == std::string::npos && std::stoul(token) < here_node.size()) {
        node.reset(here_node[std::stoul(token)]);
      } else {
        diags_.error(span_of(ref), "JSON Schema #" + here + ": the reference '" + target + "' points nowhere");
        return {};
      }
      start = end + 1;
    }
    resolving_.push_back(target);
    Flat flat = flatten(node, pointer, depth + 1);
    resolving_.pop_back();
    return flat;
  }

  // anyOf / oneOf whose branches have types no other branch has: a union,
  // each branch's checks applying to its own types as they do in dq.
  Flat unite(const YAML::Node& list, const std::string& here, const std::string& key, int depth) {
    if (!list.IsSequence() || list.size() == 0) {
      diags_.error(span_of(list), "JSON Schema #" + here + ": " + key + " must be a non-empty list");
      return {};
    }
    std::vector<Flat> branches;
    for (std::size_t i = 0; i < list.size(); ++i) {
      branches.push_back(flatten(list[i], here + "/" + std::to_string(i), depth + 1));
    }
    if (branches.size() == 1) return branches.front();
    Flat out;
    out.any_type = false;
    for (const Flat& b : branches) {
      if (b.any_type) {
        not_carried(list, here, key + " of schemas that do not each name their types cannot be said in dq");
        return {};
      }
      for (const std::string& t : b.types) {
        if (std::any_of(out.types.begin(), out.types.end(), [&](const std::string& x) { return overlaps(x, t); })) {
          not_carried(list, here, key + " of schemas whose types overlap (" + t + ") cannot be said in dq");
          return {};
        }
      }
      if (b.kw.count("enum") || b.kw.count("const")) {
        not_carried(list, here, key + " of schemas with enum or const cannot be said in dq");
        return {};
      }
      out.types.insert(out.types.end(), b.types.begin(), b.types.end());
      // The branches have disjoint types, so their type-specific checks never meet.
      for (const auto& [k, v] : b.kw) out.kw[k] = v;
      out.patterns.insert(out.patterns.end(), b.patterns.begin(), b.patterns.end());
      if (b.has_type("object")) {
        out.properties = b.properties;
        out.required = b.required;
        out.closed = b.closed;
      }
      if (b.has_type("array")) out.items = b.items;
    }
    return out;
  }

  // `into` and `other` both hold: the conjunction, said once.
  void merge(Flat& into, const Flat& other, const std::string& pointer, const YAML::Node& at) {
    if (into.any_type) {
      into.any_type = other.any_type;
      into.types = other.types;
    } else if (!other.any_type) {
      std::vector<std::string> both;
      for (const std::string& t : into.types) {
        for (const std::string& u : other.types) {
          if (!overlaps(t, u)) continue;
          const std::string narrower = t == "integer" || u == "integer" ? "integer" : t;
          if (std::find(both.begin(), both.end(), narrower) == both.end()) both.push_back(narrower);
        }
      }
      if (both.empty()) not_carried(at, pointer, "allOf of schemas with no type in common (nothing is valid)");
      into.types = both;
    }
    for (const auto& [key, value] : other.kw) {
      auto it = into.kw.find(key);
      if (it == into.kw.end()) {
        into.kw[key] = value;
        continue;
      }
      if (YAML::Dump(it->second) == YAML::Dump(value)) continue;
      const auto a = number_of(it->second), b = number_of(value);
      const bool lower_bound = key == "minimum" || key == "exclusiveMinimum" || key == "minLength" || key == "minItems";
      const bool upper_bound = key == "maximum" || key == "exclusiveMaximum" || key == "maxLength" || key == "maxItems";
      if (a && b && lower_bound) {
        if (*b > *a) it->second = value;
      } else if (a && b && upper_bound) {
        if (*b < *a) it->second = value;
      } else if (key == "uniqueItems") {
        if (is_true(value)) it->second = value;
      } else {
        not_carried(value, pointer, "two different `" + key + "` in allOf cannot be said in dq");
      }
    }
    into.patterns.insert(into.patterns.end(), other.patterns.begin(), other.patterns.end());
    if ((into.closed && !other.properties.empty()) || (other.closed && !into.properties.empty())) {
      not_carried(at, pointer,
                  "additionalProperties: false next to properties from another allOf branch is not said the "
                  "same way in dq (JSON Schema only counts its own branch's properties)");
    }
    into.closed = into.closed || other.closed;
    for (const auto& [name, flat] : other.properties) {
      if (auto mine = into.property(name)) {
        auto both = std::make_shared<Flat>(*mine);
        merge(*both, *flat, pointer + "/properties/" + escape_token(name), at);
        for (auto& p : into.properties) {
          if (p.first == name) p.second = both;
        }
      } else {
        into.properties.emplace_back(name, flat);
      }
    }
    for (const std::string& r : other.required) {
      if (std::find(into.required.begin(), into.required.end(), r) == into.required.end()) into.required.push_back(r);
    }
    if (other.items) {
      if (into.items) {
        auto both = std::make_shared<Flat>(*into.items);
        merge(*both, *other.items, pointer + "/items", at);
        into.items = both;
      } else {
        into.items = other.items;
      }
    }
    if (!given(into.title)) into.title = other.title;
    if (!given(into.description)) into.description = other.description;
  }

  // ---- writing dq ----

  // dq's additional_fields is inherited by nested objects; JSON Schema's
  // additionalProperties is not: `closed` is what the fields inherit.
  YAML::Node fields(const Flat& object, const std::string& pointer, bool closed) {
    YAML::Node out(YAML::NodeType::Map);
    for (const auto& [name, flat] : object.properties) {
      const bool required = std::find(object.required.begin(), object.required.end(), name) != object.required.end();
      out[name] = field(*flat, pointer + "/properties/" + escape_token(name), required, closed);
    }
    for (const std::string& name : object.required) {
      if (object.property(name)) continue;
      YAML::Node any(YAML::NodeType::Map);
      any["type"] = "any";
      any["required"] = "present";
      out[name] = any;
    }
    return out;
  }

  YAML::Node field(const Flat& flat, const std::string& pointer, bool required, bool inherited_closed) {
    YAML::Node f(YAML::NodeType::Map);
    std::vector<std::string> types = flat.types;
    if (flat.any_type && (flat.kw.count("enum") || flat.kw.count("const"))) {
      types = value_types(flat.kw.count("enum") ? flat.kw.at("enum")
                                                : YAML::Node(std::vector<YAML::Node>{flat.kw.at("const")}));
    } else if (flat.any_type && flat.type_specific()) {
      types = kAllTypes;  // each check applies to its own type
    }
    const bool has_number = std::find(types.begin(), types.end(), "number") != types.end();
    types.erase(
        std::remove_if(types.begin(), types.end(), [&](const std::string& t) { return has_number && t == "integer"; }),
        types.end());
    bool nullable = std::find(types.begin(), types.end(), "null") != types.end();
    std::vector<std::string> non_null;
    for (const std::string& t : types) {
      if (t != "null") non_null.push_back(t);
    }
    // An optional dq field may be null already (null is absence): `[T, null]`
    // on an optional property says no more than T, and reads back as it.
    YAML::Node allowed = flat.kw.count("enum") ? flat.kw.at("enum") : YAML::Node();
    // Listed values without null refuse null, whatever the type says.
    const YAML::Node listed = given(allowed)           ? allowed
                              : flat.kw.count("const") ? YAML::Node(std::vector<YAML::Node>{flat.kw.at("const")})
                                                       : YAML::Node();
    const bool lists_null = std::any_of(listed.begin(), listed.end(), [](const YAML::Node& v) { return v.IsNull(); });
    if (nullable && listed.IsSequence() && !lists_null && !non_null.empty()) {
      nullable = false;
      types = non_null;
    }
    if (!required && nullable && !non_null.empty()) {
      nullable = false;
      types = non_null;
      if (allowed.IsSequence()) allowed = without_null(allowed);
    }
    // A string that is an RFC 3339 date-time (or full-date) and nothing more
    // is dq's timestamp (or date): compared as a time, profiled as one.
    const std::string format = flat.kw.count("format") ? text_of(flat.kw.at("format")) : "";
    const bool plain_string = non_null == std::vector<std::string>{"string"} && flat.patterns.empty() &&
                              !flat.kw.count("minLength") && !flat.kw.count("maxLength") && !flat.kw.count("enum") &&
                              !flat.kw.count("const");
    const std::string temporal = !plain_string           ? ""
                                 : format == "date-time" ? "timestamp"
                                 : format == "date"      ? "date"
                                                         : "";
    if (!temporal.empty()) {
      for (auto& t : types) t = t == "string" ? temporal : t;
      non_null = {temporal};
    }
    if (flat.any_type && types.empty()) {
      f["type"] = "any";
    } else if (non_null.empty()) {
      f["type"] = "any";  // only null: `const: null` says it
      if (!flat.kw.count("const") && !flat.kw.count("enum")) f["const"] = YAML::Node(YAML::NodeType::Null);
    } else if (non_null.size() == 1 && !nullable) {
      f["type"] = non_null.front();
    } else {
      for (const std::string& t : types) f["type"].push_back(t);
    }
    // `required: true` refuses null unless the type lists it; a property of
    // any type may be present and null.
    if (required) f["required"] = non_null.empty() ? "present" : "true";
    if (given(flat.title)) f["title"] = flat.title;
    if (given(flat.description)) f["description"] = flat.description;
    if (flat.examples.IsSequence() &&
        std::all_of(flat.examples.begin(), flat.examples.end(), [](const YAML::Node& e) { return e.IsScalar(); })) {
      f["examples"] = flat.examples;
    }
    bounds(flat, "minimum", "exclusiveMinimum", "min", "exclusive_min", true, f);
    bounds(flat, "maximum", "exclusiveMaximum", "max", "exclusive_max", false, f);
    static const std::vector<std::pair<std::string, std::string>> kSame = {
        {"multipleOf", "multiple_of"}, {"minLength", "min_length"}, {"maxLength", "max_length"},
        {"minItems", "min_items"},     {"maxItems", "max_items"},   {"const", "const"}};
    for (const auto& [from, to] : kSame) {
      if (auto it = flat.kw.find(from); it != flat.kw.end()) f[to] = it->second;
    }
    if (allowed.IsSequence() && allowed.size() == 1 && !flat.kw.count("const")) {
      f["const"] = allowed[0];
    } else if (given(allowed)) {
      f["enum"] = allowed;
    }
    if (auto it = flat.kw.find("uniqueItems"); it != flat.kw.end() && is_true(it->second)) f["unique_items"] = "true";
    if (auto it = flat.kw.find("format"); it != flat.kw.end() && temporal.empty()) {
      static const std::set<std::string> kFormats = {"email",     "uri",  "uuid", "date",
                                                     "date-time", "ipv4", "ipv6", "hostname"};
      if (kFormats.count(text_of(it->second))) {
        f["format"] = it->second;
      } else {
        not_carried(it->second, pointer + "/format", "the format '" + text_of(it->second) + "' is not checked by dq");
      }
    }
    if (flat.patterns.size() == 1) {
      f["pattern"] = flat.patterns.front();
    } else if (flat.patterns.size() > 1) {
      for (const YAML::Node& p : flat.patterns) f["pattern"].push_back(p);
      f["match"] = "all";
    }
    if (std::find(types.begin(), types.end(), "object") != types.end()) {
      if (flat.closed != inherited_closed) f["additional_fields"] = flat.closed ? "reject" : "allow";
      if (!flat.properties.empty() || !flat.required.empty()) f["fields"] = fields(flat, pointer, flat.closed);
    }
    if (flat.items && std::find(types.begin(), types.end(), "array") != types.end()) {
      f["items"] = field(*flat.items, pointer + "/items", false, inherited_closed);
    }
    return f;
  }

  // The JSON types of listed values: what an enum or const alone allows.
  static std::vector<std::string> value_types(const YAML::Node& values) {
    std::vector<std::string> types;
    auto add = [&](const std::string& t) {
      if (std::find(types.begin(), types.end(), t) == types.end()) types.push_back(t);
    };
    for (const auto& v : values) {
      if (v.IsNull()) {
        add("null");
      } else if (v.IsMap()) {
        add("object");
      } else if (v.IsSequence()) {
        add("array");
      } else if (v.Tag() == "!") {
        add("string");
      } else if (v.Scalar() == "true" || v.Scalar() == "false") {
        add("boolean");
      } else if (auto n = number_of(v)) {
        add("number");
      } else {
        add("string");
      }
    }
    return types;
  }

  static YAML::Node without_null(const YAML::Node& list) {
    YAML::Node out(YAML::NodeType::Sequence);
    for (const auto& v : list) {
      if (!v.IsNull()) out.push_back(v);
    }
    return out.size() > 0 ? out : list;
  }

  // dq takes one lower (and one upper) bound per field: the tighter of the
  // inclusive and the strict one JSON Schema may both give.
  static void bounds(const Flat& flat, const std::string& inclusive, const std::string& strict,
                     const char* dq_inclusive, const char* dq_strict, bool lower, YAML::Node& f) {
    auto i = flat.kw.find(inclusive);
    auto s = flat.kw.find(strict);
    if (i != flat.kw.end() && s != flat.kw.end()) {
      const auto a = number_of(i->second), b = number_of(s->second);
      const bool strict_tighter = a && b && (lower ? *b >= *a : *b <= *a);
      if (strict_tighter) {
        f[dq_strict] = s->second;
      } else {
        f[dq_inclusive] = i->second;
      }
      return;
    }
    if (i != flat.kw.end()) f[dq_inclusive] = i->second;
    if (s != flat.kw.end()) f[dq_strict] = s->second;
  }

  const YAML::Node root_;
  Diagnostics& diags_;
  bool ref_overrides_ = false;
  int schemas_ = 0;                     // schemas flattened, references counted at each use
  bool gave_up_ = false;                // a limit was passed (and said once)
  std::vector<std::string> resolving_;  // the references being followed, for cycles
};

}  // namespace

bool is_json_schema(const YAML::Node& root) {
  return root.IsMap() && text_of(root["$schema"]).find("json-schema.org") != std::string::npos;
}

YAML::Node json_schema_to_dq(const YAML::Node& root, const std::string& dataset, Diagnostics& diagnostics) {
  return Importer(root, diagnostics).contract(dataset);
}

}  // namespace dq::spec
