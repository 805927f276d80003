// Spec: a contract as written, in plain structs with source positions.
// The loader fills it from YAML; the compiler and (later) governance tools
// read it. Nothing here is resolved: `$params` are still names.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dq/status.h"

namespace dq::spec {

struct Span {
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based
};

// A YAML scalar as written. `quoted` scalars are always strings; a plain
// scalar starting with `$` names a parameter.
struct Scalar {
  std::string text;
  Span span;
  bool quoted = false;
  bool json = false;  // `text` is a JSON array or object (an `enum` or `const` value written as YAML)
  bool is_param() const { return !quoted && text.size() > 1 && text[0] == '$'; }
  std::string param_name() const { return text.substr(1); }
};

enum class Type { kString, kInteger, kNumber, kBoolean, kTimestamp, kDate, kObject, kArray, kAny };
enum class AdditionalFields { kAllow, kWarn, kReject };

const char* type_name(Type type);
std::string type_with_article(Type type);  // "an integer", "a string"

struct Field {
  std::string name;
  Span span;               // of the key
  Type type = Type::kAny;  // kAny for a union
  // `type: [integer, string]`: the union's types (two or more, without null); empty otherwise.
  std::vector<Type> types;
  bool null_type = false;  // `null` is one of the types written: a required field may be null
  bool required = false;
  bool required_present = false;  // `required: present`: present, and may be null
  std::optional<Scalar> min, max, exclusive_min, exclusive_max;
  std::optional<Scalar> min_length, max_length, min_items, max_items;
  bool unique_items = false;
  bool unique = false;
  std::optional<Scalar> pattern;     // one pattern
  std::vector<Scalar> pattern_list;  // `pattern: [a, b]`: several, by `match`
  std::optional<Scalar> match;       // any (default) | all
  std::vector<Scalar> not_patterns;  // `not_pattern`: none may match
  std::optional<Scalar> multiple_of;
  std::optional<Scalar> format;    // a named format, or a strftime layout for timestamps
  std::optional<Scalar> unit;      // timestamps given as epoch numbers: s, ms, us, ns
  std::optional<Scalar> timezone;  // timestamps without an offset: UTC, +02:00
  std::optional<std::vector<Scalar>> enum_values;
  Span enum_span;
  std::optional<Scalar> const_value;  // one allowed value, of any JSON type
  Severity severity = Severity::kError;
  std::optional<Scalar> mostly;
  std::string description;
  std::string title;             // a business name for documentation
  std::vector<Scalar> examples;  // sample values for documentation
  std::vector<std::string> tags;
  bool pii = false;
  std::optional<Scalar> classification;
  std::optional<AdditionalFields> additional_fields;  // objects; inherits when unset
  // Opt-in recoveries of malformed values: "numeric_string" (numbers and
  // integers), "boolean_string" (booleans), or a strftime layout (timestamps
  // and dates). Each recovered value is reported as coerced.
  std::vector<Scalar> coerce;
  std::vector<Field> fields;       // type object
  std::vector<Field> json_fields;  // type string: the string holds a JSON object with these fields
  std::vector<Field> items;        // type array: exactly one element when set
  // Where the field is stored (ODCS's physicalName, physicalType,
  // primaryKeyPosition, authoritativeDefinitions): carried for round trips
  // and docs, never checked.
  std::string physical_name, physical_type;
  std::optional<Scalar> primary_key_position;
  std::optional<Scalar> authoritative_definitions;  // a JSON list of {type, url}
};

struct Param {
  std::string name;
  Span span;
  Type type = Type::kString;
  std::optional<Scalar> default_value;
  std::string description;
  // What a run may set: bounds (integer, number, date, timestamp params) and
  // allowed values (`enum`), checked on the default and on every value given.
  std::optional<Scalar> min, max;
  std::vector<Scalar> allowed;
};
// What a run may set, as a reader says it: "1 to 500", "at least 1", "one of eu, us" ("" when any value goes).
std::string param_limits_text(const Param& p);

struct Rule {
  std::string name;
  Span span;
  std::optional<Scalar> when;
  Scalar check;
  Severity severity = Severity::kError;
  std::string description;
  std::optional<Scalar> mostly;  // in reports: the share of records it applies to that must pass
};

struct Owner {
  std::string team;
  std::string contact;
  Span span;
};

// Dataset-level sections: the statistics engine (src/profile) runs them.
struct Expectation {
  std::string name, metric, field, description;
  Span span;
  std::optional<Scalar> min, max, mostly, quantile;
  std::optional<Scalar> sigma;  // outlier_share: how many standard deviations from the mean
  std::optional<std::pair<Scalar, Scalar>> between;
  Severity severity = Severity::kError;
  bool allow_empty = false;  // a statistic of no values passes instead of failing
  // distinct_values / most_common_value / columns: the set, and how it must hold (in,
  // contains, equals; `ordered` for columns).
  std::string set_mode;
  std::vector<Scalar> set;
  std::vector<std::string> fields;  // unique: several fields together (`fields: [a, b]`)
  std::optional<Scalar> when;       // the statistic is over the records where it holds
  bool strict = false;              // increasing / decreasing: no two equal neighbours
  // chi_square and kl_divergence: the declared distribution (Great
  // Expectations' partition object): `values` (categories) or `bins` (edges),
  // with one weight per value or bin; kl_divergence also takes tail weights.
  struct Partition {
    std::vector<Scalar> values, bins, weights, tail_weights;
    std::optional<Scalar> tail_weight_holdout;
    Span span;
  };
  std::optional<Partition> partition;
  // ks: a named parametric distribution and its parameters.
  struct Distribution {
    std::string name;  // normal (mean, stddev), uniform (min, max), exponential (rate)
    std::map<std::string, Scalar> params;
    Span span;
  };
  std::optional<Distribution> distribution;
};
struct DriftField {
  std::string field, method;
  Span span;
  std::optional<Scalar> warn, fail, bins;
};
struct Drift {
  std::string baseline;
  std::optional<Scalar> min_rows;
  std::vector<DriftField> fields;
  Span span;
};
struct Monitor {
  std::string metric, method;
  Span span;
  std::map<std::string, Scalar> settings;  // sigma, max, min, max_increase, ...
  std::vector<Scalar> seasons;             // season lengths in points (robust, auto)
  std::string direction;                   // up, down, both ("" = both)
  std::string name;
  Severity severity = Severity::kError;
};
// An SLA term beyond freshness (retention, frequency, availability...), kept
// as written (ODCS slaProperties) for documentation and review.
struct SlaTerm {
  std::string property;
  Scalar value;
  std::string unit, element, driver, description;
  Span span;
};
struct Sla {
  std::string freshness_field;
  std::optional<Scalar> freshness_max_delay;
  std::vector<SlaTerm> terms;
  Span span;
};
struct Grading {
  std::vector<Scalar> key;
  std::optional<Scalar> filter;
  std::vector<std::pair<std::string, Scalar>> measures;
  struct Tier {
    std::string name;
    std::optional<Scalar> when;
    Span span;
  };
  std::vector<Tier> tiers;
  std::vector<Scalar> output;        // extra columns: field paths
  std::vector<Scalar> export_tiers;  // tier names, or one $param holding a comma-separated list
  Span span;
};

// The stored object a contract describes (ODCS's schema object): carried for
// round trips and docs.
struct SchemaObject {
  std::string name, physical_name, physical_type, description;
};

struct Contract {
  std::string file;
  int format_version = 0;
  std::string dataset, version, title, description;
  Span dataset_span, version_span;
  std::optional<Owner> owner;
  std::vector<std::string> stewards, consumers, tags;
  std::optional<Scalar> classification;
  std::string compatibility = "backward";
  AdditionalFields additional_fields = AdditionalFields::kAllow;
  std::vector<Param> params;
  std::vector<Field> fields;
  std::vector<Rule> rules;
  std::vector<Expectation> expectations;
  std::optional<Drift> drift;
  std::vector<Monitor> monitors;
  std::optional<Sla> sla;
  std::optional<Grading> grading;
  // Governance metadata carried for round trips and docs, never checked.
  std::string status;  // proposed, draft, active, deprecated, retired... ("" when not said: active)
  std::optional<SchemaObject> schema_object;
  std::optional<Scalar> servers;                    // a JSON list: where the data lives
  std::optional<Scalar> authoritative_definitions;  // a JSON list of {type, url}
};

}  // namespace dq::spec
