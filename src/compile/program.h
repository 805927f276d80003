// Program: a contract compiled for the engines. Flat, immutable, shared by
// every thread (Contract holds a shared_ptr<const Program>).
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/decimal.h"
#include "base/formats.h"
#include "base/simple_pattern.h"
#include "base/time_zone.h"
#include "dq/contract.h"
#include "spec/diagnostics.h"
#include "spec/expression.h"
#include "spec/methods.h"
#include "spec/spec.h"

namespace dq {

// A value seen by expressions and constant checks. Strings point into the
// record being validated or into Program::strings (constants).
struct Value {
  enum class Kind : std::uint8_t {
    kAbsent,
    kNull,
    kBool,
    kInt,
    kNumber,
    kString,
    kTimestamp,
    kDate,
    kDuration,
    kArray,
    kObject
  };
  Kind kind = Kind::kAbsent;
  bool b = false;
  std::int64_t i = 0;  // kInt, kTimestamp (µs), kDate (days), kDuration (µs), kArray (length)
  double d = 0;        // kNumber
  std::string_view s;  // kString

  bool is_null() const { return kind == Kind::kAbsent || kind == Kind::kNull; }
  bool numeric() const { return kind == Kind::kInt || kind == Kind::kNumber; }
  double as_double() const { return kind == Kind::kInt ? static_cast<double>(i) : d; }
};

// The static type of an expression.
enum class EType : std::uint8_t {
  kBool,
  kInt,
  kNumber,
  kString,
  kTimestamp,
  kDate,
  kDuration,
  kNull,
  kArray,
  kObject,
  kAny,
  kList
};

struct ExprCode {
  struct Node {
    spec::ExprOp op;
    EType type;
    std::vector<int> args;
    Value constant;                      // literals and params, resolved at compile time
    int slot = -1;                       // kPath: where the engine captured the value
    std::string name;                    // kCall: function name
    std::shared_ptr<const RE2> pattern;  // matches(): the compiled pattern
    TimeZone zone;                       // year(), month(), ...: the zone of the timestamp's field (UTC for now())
    std::int64_t unit = 0;               // date_diff(): µs (timestamps) or days (dates) per unit
  };
  std::vector<Node> nodes;
  int root = -1;
  bool uses_now = false;
};

enum class CheckKind : std::uint8_t {
  kType,
  kRequired,
  kMin,
  kMax,
  kMinLength,
  kMaxLength,
  kMinItems,
  kMaxItems,
  kUniqueItems,
  kPattern,
  kFormat,
  kEnum,
  kAdditional,
  kRule,
};

struct Bound {
  bool set = false;
  bool exclusive = false;
  Value value;  // kInt, kNumber, kTimestamp or kDate
  int check = -1;
};

// How a timestamp is read from JSON.
struct TimeInput {
  std::string layout;     // strftime layout; "" = RFC 3339
  std::int64_t unit = 0;  // epoch numbers: µs per unit (s=1e6, ms=1e3, us=1); 0 = strings only
  bool unit_ns = false;   // nanoseconds divide instead
  TimeZone zone;          // for times without an offset (and Arrow timestamps without a zone)
};

// A declared key laid out for the record engine's lookup: its first 16 bytes,
// zero-padded, as two words, so a key of up to 16 bytes compares in two loads
// without touching its node (longer ones compare bytewise).
struct ChildKey {
  std::uint64_t words[2] = {0, 0};
  std::uint32_t length = 0;
  int node = -1;
};

struct Node {
  // What the record engine reads of every scalar, together at the front: a
  // node is over 800 bytes, and a field read at each end costs a cache line.
  spec::Type type = spec::Type::kAny;
  // A check on the value past its type (lengths, patterns, format, enum,
  // bounds, step, json_fields): set as the program is laid out, so a field
  // with none is passed in one test.
  bool value_checks = false;
  int slot = -1;            // capture this value for expressions
  int mostly_field = -1;    // index into Program::mostly_fields
  std::string key;          // the key in its parent object
  std::string schema_path;  // "customer.country", "items[].qty"
  bool required = false;
  bool nullable = false;  // a required value may be null (`required: present`, or null among the types)
  Severity severity = Severity::kError;
  // A union (`type: [integer, string]`): per type, the node whose checks
  // apply to values of that type; `type` is kAny.
  std::vector<std::pair<spec::Type, int>> alternatives;

  int type_check = -1;
  int required_check = -1;  // checked by the parent object
  Bound lo, hi;
  std::optional<Decimal> multiple_of;  // numbers: an exact decimal step
  int multiple_of_check = -1;
  std::uint64_t min_length = 0, max_length = UINT64_MAX;
  int min_length_check = -1, max_length_check = -1;
  std::shared_ptr<const RE2> pattern;
  std::optional<SimplePattern> simple_pattern;  // same answers as `pattern`, without RE2's machinery
  int pattern_check = -1;
  // `pattern: [..]` with `match: all` (each must match; `any` folds into `pattern`).
  std::vector<std::shared_ptr<const RE2>> all_patterns;
  std::shared_ptr<const RE2> not_pattern;  // `not_pattern`, its list folded into one alternation
  // `json_fields`: the object node the string's JSON content is checked against.
  int json_object = -1;
  int json_check = -1;
  int not_pattern_check = -1;
  std::optional<Format> format;
  int format_check = -1;
  TimeInput time;
  // `enum` or `const` (the check's id says which): typed values for scalar
  // fields, canonical JSON texts (sorted) for any, object and array fields.
  std::vector<Value> enum_values;
  std::vector<std::string> enum_json;
  int enum_check = -1;

  // Objects: children by key, in contract order; the same children as the
  // engine looks keys up, and a bit per child that is required (child k is
  // bit k % 64 of word k / 64: presence is checked as a bitmask).
  std::vector<int> children;
  std::vector<ChildKey> child_keys;
  std::vector<std::uint64_t> required_children;
  spec::AdditionalFields additional = spec::AdditionalFields::kAllow;
  int additional_check = -1;

  // Arrays.
  int items = -1;
  std::uint64_t min_items = 0, max_items = UINT64_MAX;
  int min_items_check = -1, max_items_check = -1;
  bool unique_items = false;
  int unique_items_check = -1;
  // Element-specific copies of `items` that capture values for expressions
  // (a rule mentions items[0].qty): index -> node.
  std::vector<std::pair<std::uint64_t, int>> indexed;

  // `required` with `mostly`: its own entry in Program::mostly_fields, counted
  // once per record whose parent object is present.
  int required_mostly_field = -1;
  // Objects: those entries of the children, in child order.
  std::vector<int> required_mostly;

  // Opt-in coercions (`coerce:`): a recovered value is checked as if it had
  // been written right, and reported through `coerce_check` (a warning).
  bool coerce_numeric = false;              // "$1,250,000" -> 1250000
  bool coerce_boolean = false;              // "true", "no", "1" -> a boolean
  std::vector<std::string> coerce_layouts;  // other layouts of a timestamp or date
  int coerce_check = -1;
};

struct CompiledRule {
  ExprCode when;  // root -1: always applies
  ExprCode check;
  int check_id = -1;
  int mostly_field = -1;  // `mostly` < 1: its Program::mostly_fields entry, counted where the rule applies
};

struct Program {
  spec::Contract spec;
  std::vector<CheckInfo> checks;
  std::vector<std::string> check_messages;  // the fixed message of each check
  std::vector<Node> nodes;                  // nodes[0] is the record (an object)
  std::vector<CompiledRule> rules;
  int slot_count = 0;
  // For each field with `mostly` < 1: its checks (`required` apart), whose pass
  // rate is over the field's non-null values.
  std::vector<std::vector<int>> mostly_fields;
  // Fields profiled in the same pass as validation: every declared field not
  // inside an array, in contract order. Each has a capture slot, so a walked
  // record leaves its values where the profiler reads them.
  struct ProfiledField {
    int node = -1;
    int parent = -1;  // index into `profiled` of the enclosing object; -1 = the record
  };
  std::vector<ProfiledField> profiled;

  // Dataset-level sections, thresholds resolved ($params, types). Times are
  // compared as numbers: µs since the epoch (timestamps), days (dates).
  struct Expectation {
    std::string id;      // the name, or "metric(field)"; "field.unique" for `unique: true`
    std::string metric;  // as in the contract
    int field = -1;      // index into `profiled`; -1 for dataset metrics
    double quantile = 0.5;
    double sigma = 3;  // outlier_share
    std::optional<double> min, max;
    double mostly = 1.0;  // metric `value`: the fraction of non-null values that must be in range
    Severity severity = Severity::kError;
    bool allow_empty = false;  // a statistic of no values passes (else it fails)
    // distinct_values (in, contains, equals) and most_common_value (in): the set as texts
    // (strings, booleans) and as numbers (numeric fields).
    std::string set_mode;
    std::vector<std::string> set_texts;
    std::vector<double> set_numbers;
    std::vector<int> fields;  // unique: the fields of the key (one or several), indexes into `profiled`
    int condition = -1;       // `when`: index into `conditions`; -1 = every record
    bool strict = false;      // increasing / decreasing
    // chi_square and kl_divergence: the declared partition. Categories as
    // texts (and numbers for numeric fields), or bin edges; one weight each.
    std::vector<std::string> partition_texts;
    std::vector<double> partition_numbers, bins, weights;
    double tail_below = 0, tail_above = 0;  // kl_divergence: expected weight outside the bins
    double tail_weight_holdout = 0;         // weight set aside for unexpected values
    // ks: a parametric distribution and its parameters, in order
    // (normal: mean, stddev; uniform: min, max; exponential: rate).
    std::string distribution;
    std::vector<double> distribution_params;
  };
  std::vector<Expectation> expectations;
  // The `when` conditions of expectations (one per distinct text): the
  // statistics of an expectation with a condition come from the records
  // where it holds.
  std::vector<ExprCode> conditions;
  // Some expectation reads records in input order (increasing, decreasing)
  // or per record (a condition): tables are walked row by row, not screened.
  bool walk_for_expectations = false;
  struct DriftCheck {
    int field = -1;
    DriftMethod method = DriftMethod::kPsi;
    std::optional<double> warn, fail;
    int bins = 10;
  };
  std::vector<DriftCheck> drift;
  std::uint64_t drift_min_rows = 0;
  struct MonitorCheck {
    std::string id;      // the name, or "metric:method"
    std::string metric;  // "row_count", "null_rate(email)", "drift(amount)"
    std::string name;    // the metric without its field: "null_rate"
    int field = -1;      // index into `profiled` of the field in parentheses
    MonitorMethod method = MonitorMethod::kThreshold;
    MonitorSettings settings;
    Severity severity = Severity::kError;
  };
  std::vector<MonitorCheck> monitors;
  // The batch grader's section, compiled: measures over records, tiers over
  // measures (a tier's paths name measures; ExprCode slots index them).
  struct Measure {
    enum class Kind : std::uint8_t { kCount, kSum, kMean, kMin, kMax, kDistinct };
    std::string name;
    Kind kind = Kind::kCount;
    ExprCode arg;              // root -1: count()
    ExprCode where;            // root -1: every record
    EType type = EType::kInt;  // of the result
    // An earlier measure (among the first 64) with the same `where` text,
    // whose answer for the record is reused; -1: evaluate this one's.
    int same_where_as = -1;
  };
  struct Grading {
    struct Column {
      std::string name;  // the field path
      int slot = -1;
    };
    std::vector<Column> key;
    ExprCode filter;  // root -1: every valid record
    std::vector<Measure> measures;
    struct Tier {
      std::string name;
      ExprCode when;  // root -1: the default tier
      bool exported = true;
    };
    std::vector<Tier> tiers;
    std::vector<Column> output;
  };
  std::optional<Grading> grading;
  int freshness_field = -1;                                       // index into `profiled`
  std::int64_t freshness_max_delay = 0;                           // µs
  std::vector<std::pair<std::string, std::string>> param_values;  // every param as used, in contract order
  std::deque<std::string> strings;                                // storage for constant strings
  Limits limits;
  std::vector<Diagnostic> warnings;
  // The hash of the text codegen/ generates for this program, set at load
  // when screens are linked (engine/screen.h finds a program's screen by it).
  std::uint64_t screen_fingerprint = 0;
};

// The compiled program behind a public Contract, for the library's stages.
struct ContractAccess {
  static const Program& program(const Contract& contract) { return *contract.program_; }
};

// Compiles a parsed contract with run-time parameter values. Every problem
// goes to `diagnostics`; returns null when there were errors.
std::shared_ptr<Program> compile(spec::Contract contract, const Params& params, const Limits& limits,
                                 spec::Diagnostics& diagnostics, bool params_may_be_missing = false);

}  // namespace dq
