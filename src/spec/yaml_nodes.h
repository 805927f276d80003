// Reading YAML nodes the way every reader of contracts here does: positions
// for diagnostics, what a node is, lookups that never create a key.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

#include "spec/spec.h"

namespace dq::spec {

// The 1-based position of a node (unknown: {}).
inline Span span_of(const YAML::Node& node) {
  if (!node.IsDefined()) return {};
  YAML::Mark mark = node.Mark();
  if (mark.is_null()) return {};
  return {mark.line + 1, mark.column + 1};
}

// "a mapping", "a list", "a scalar", "null": for messages.
inline const char* node_kind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Null: return "null";
    default: return "nothing";
  }
}

// A scalar's text, or "" for anything else.
inline std::string text_of(const YAML::Node& node) {
  return node.IsDefined() && node.IsScalar() ? node.Scalar() : std::string();
}

// node[key] that never throws and never creates a key: an undefined node when
// the node is not a mapping or lacks the key, so lookups chain safely
// (yaml-cpp throws on any use of a missing key's node but IsDefined()).
inline YAML::Node at(const YAML::Node& node, const std::string& key) {
  if (!node.IsDefined() || !node.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  const YAML::Node value = node[key];
  return value.IsDefined() ? value : YAML::Node(YAML::NodeType::Undefined);
}

// Looks a key up without creating it (non-const operator[] would).
inline bool has(const YAML::Node& map, const std::string& key) { return map.IsMap() && map[key].IsDefined(); }

// A plain scalar read as a number (nullopt for text, quoted or not numeric).
inline std::optional<double> number_of(const YAML::Node& node) {
  if (!node.IsDefined() || !node.IsScalar() || node.Tag() == "!") return std::nullopt;
  try {
    std::size_t used = 0;
    double value = std::stod(node.Scalar(), &used);
    if (used == node.Scalar().size()) return value;
  } catch (...) {
  }
  return std::nullopt;
}

}  // namespace dq::spec
