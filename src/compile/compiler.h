// The compiler's class, private to src/compile/: one class, a file per
// concern (DuckDB's binder is laid out this way): compiler.cpp runs it and
// resolves $params; fields.cpp builds the node tree and its checks;
// patterns.cpp compiles patterns and formats; expressions.cpp types rules and
// resolves field paths; sections.cpp the dataset sections (expectations,
// drift, monitors, SLA); grading.cpp the grader's measures and tiers.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "base/json_equal.h"
#include "base/timestamps.h"
#include "compile/program.h"
#include "spec/diagnostics.h"
#include "spec/metrics.h"

namespace dq::compiling {

using spec::ExprOp;
using spec::Scalar;
using spec::Span;
using spec::Type;
using Kind = Value::Kind;

inline constexpr const char* kLayoutDirectives = "%Y %m %d %H %M %S %f %z %a %b %%";

inline const char* etype_name(EType t) {
  switch (t) {
    case EType::kBool: return "boolean";
    case EType::kInt: return "integer";
    case EType::kNumber: return "number";
    case EType::kString: return "string";
    case EType::kTimestamp: return "timestamp";
    case EType::kDate: return "date";
    case EType::kDuration: return "duration";
    case EType::kNull: return "null";
    case EType::kArray: return "array";
    case EType::kObject: return "object";
    case EType::kAny: return "any";
    case EType::kList: return "list";
  }
  return "?";
}

inline EType etype_of(Type t) {
  switch (t) {
    case Type::kString: return EType::kString;
    case Type::kInteger: return EType::kInt;
    case Type::kNumber: return EType::kNumber;
    case Type::kBoolean: return EType::kBool;
    case Type::kTimestamp: return EType::kTimestamp;
    case Type::kDate: return EType::kDate;
    case Type::kObject: return EType::kObject;
    case Type::kArray: return EType::kArray;
    case Type::kAny: return EType::kAny;
  }
  return EType::kAny;
}

inline EType etype_of(Kind k) {
  switch (k) {
    case Kind::kBool: return EType::kBool;
    case Kind::kInt: return EType::kInt;
    case Kind::kNumber: return EType::kNumber;
    case Kind::kString: return EType::kString;
    case Kind::kTimestamp: return EType::kTimestamp;
    case Kind::kDate: return EType::kDate;
    case Kind::kDuration: return EType::kDuration;
    default: return EType::kNull;
  }
}

inline std::string plural(std::uint64_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

inline bool is_numeric(EType t) { return t == EType::kInt || t == EType::kNumber; }

// Parses a JSON-style number literal: integers stay exact.
inline std::optional<Value> parse_number(std::string_view text) {
  Value v;
  std::int64_t i = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
  if (ec == std::errc() && end == text.data() + text.size()) {
    v.kind = Kind::kInt;
    v.i = i;
    return v;
  }
  double d = 0;
  auto [end2, ec2] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec2 != std::errc() || end2 != text.data() + text.size() || !std::isfinite(d)) return std::nullopt;
  v.kind = Kind::kNumber;
  v.d = d;
  return v;
}

class Compiler {
 public:
  Compiler(spec::Diagnostics& diags, const Params& params, bool params_may_be_missing)
      : diags_(diags), overrides_(params), params_may_be_missing_(params_may_be_missing) {}

  std::shared_ptr<Program> run(spec::Contract contract, const Limits& limits);

 private:
  // ---- params (compiler.cpp) ----------------------------------------------
  void resolve_params();
  // Reports min/max/enum that cannot mean anything for the param's type; true when they are usable.
  bool check_param_limits(const spec::Param& p);
  // "" when `value` is within the param's min, max and enum; else why not ("below its min 1").
  std::string param_outside(const spec::Param& p, const Value& value);
  Value zero_of(Type t);
  std::optional<Value> parse_typed(std::string_view text, Type type);
  std::string_view intern(std::string_view text);
  // A constraint value: a literal or a $param, as the field's type wants it.
  std::optional<Value> constant(const Scalar& s, Type type, const std::string& what);
  std::vector<std::string> param_names() const;

  // ---- fields (fields.cpp) -------------------------------------------------
  int add_check(const std::string& path, const std::string& kind, Severity severity, double mostly,
                std::string message);
  void build_object(int node_index, const std::vector<spec::Field>& fields, const std::string& path);
  // The engine's view of each object's children (ChildKey, required bits) and of
  // whether a node checks its value past its type, once the tree is final.
  void lay_out_objects();
  static std::string describe_number(double x);
  static std::string describe(const Value& v);
  void set_bound(Bound& b, const std::optional<Scalar>& s, bool exclusive, const spec::Field& f,
                 const std::string& path, const char* key, const char* symbol, double mostly);
  std::optional<std::uint64_t> count_value(const std::optional<Scalar>& s, const spec::Field& f, const char* key);
  // `mostly` < 1: the field's checks from `first_check` on ('required' apart)
  // pass in a report by the share of non-null values; `required` by the
  // share of records with the field present (a group of its own).
  void group_mostly(Node& n, int first_check, double mostly);
  // `type: [a, b]`: one node for the union (presence, enum, const) whose
  // alternatives, one per type, hold the checks that apply to that type; a
  // value is checked by the alternative of its JSON type (JSON Schema's rule).
  int build_union(const spec::Field& f, const std::string& path, spec::AdditionalFields inherited);
  int build_field(const spec::Field& f, const std::string& path, spec::AdditionalFields inherited);

  // ---- patterns and formats (patterns.cpp) ---------------------------------
  // Every RE2 of a contract (patterns, not_pattern, matches()) under one documented budget.
  static std::shared_ptr<const RE2> compile_regex(const std::string& text);
  void compile_pattern(const Scalar& s, const spec::Field& f, const std::string& path, double mostly, Node& n);
  // Compiles each pattern of a list; false when one does not compile.
  bool compile_regexes(const std::vector<Scalar>& list, const spec::Field& f, const std::string& key,
                       std::vector<std::shared_ptr<const RE2>>& out);
  // One RE2 that matches where any of `compiled` does (unanchored, as each is).
  static std::shared_ptr<const RE2> alternation(const std::vector<std::shared_ptr<const RE2>>& compiled);
  static std::string slashed(const std::vector<Scalar>& list, const char* joiner);
  // `pattern: [a, b]`: `match: any` (default) folds into one alternation,
  // `match: all` keeps each, and both report as the field's `pattern` check.
  void compile_pattern_list(const spec::Field& f, const std::string& path, double mostly, Node& n);
  void compile_format(const spec::Field& f, const std::string& path, double mostly, Node& n);

  // ---- fields, continued (fields.cpp) --------------------------------------
  void compile_coerce(const spec::Field& f, const std::string& path, Node& n);
  // `enum` and `const` (a list of one). Scalar fields compare typed values
  // (numbers by value, times as instants); `any`, object and array fields
  // compare any JSON value structurally (JSON Schema's equality).
  void compile_values(const spec::Field& f, const std::vector<Scalar>& values, const std::string& keyword,
                      const std::string& path, double mostly, Node& n);

  // ---- expressions and rules (expressions.cpp) -----------------------------
  struct ExprSource {
    const Scalar* scalar;
    Span at(int offset) const {
      Span s = scalar->span;
      s.column += offset + (scalar->quoted ? 1 : 0);
      return s;
    }
  };

  // Finds (or makes) the node a path names, and its capture slot.
  int resolve_path(const std::vector<spec::PathStep>& path, const ExprSource& src, int offset, EType& type);
  int indexed_node(int array, std::uint64_t index);
  int clone(int node);
  // In a tier, a path names a measure; its slot indexes the measure values.
  template <class Fail>
  EType measure_path(const spec::ExprNode& e, int index, ExprCode& code, Fail&& fail) {
    std::vector<std::string> names;
    for (std::size_t m = 0; m < measures_in_scope_->size(); ++m) {
      const Program::Measure& measure = (*measures_in_scope_)[m];
      names.push_back(measure.name);
      if (measure.name == e.text) {
        code.nodes[static_cast<std::size_t>(index)].slot = static_cast<int>(m);
        code.nodes[static_cast<std::size_t>(index)].name = e.text;
        return measure.type;
      }
    }
    return fail("unknown measure '" + e.text + "' (a tier compares measures and $params)" +
                spec::did_you_mean(e.text, names));
  }

  bool compile_expr(const Scalar& scalar, ExprCode& code, const char* role);
  static bool comparable(EType a, EType b);
  // Gives string constants the type of the other side when it is a
  // timestamp or a date: created_at >= "2026-01-01T00:00:00Z".
  bool coerce_constant(ExprCode& code, int node, EType want, const ExprSource& src, int offset, bool& reported);
  EType type_node(const spec::Expr& expr, int index, const ExprSource& src, ExprCode& code, bool& ok);
  void compile_rule(const spec::Rule& rule);
  // Gives every field outside arrays a capture slot, parents before children.
  void plan_profile(int object, int parent);

  // ---- dataset sections (sections.cpp) -------------------------------------
  bool field_exists(const std::string& dotted) const;
  void check_field_ref(const std::string& field, Span at, const char* where);
  void check_sections();

  // ---- grading (grading.cpp) -----------------------------------------------
  void compile_grading(const spec::Grading& spec);
  static bool is_identifier(const std::string& name);
  // A key or output column: a declared scalar field outside arrays. Keys
  // must be required all the way down: a record without its key can't be
  // graded, so it is invalid (and goes to the rejects) rather than lost.
  std::optional<Program::Grading::Column> grading_column(const Scalar& s, const char* role, bool key);
  // Where the top-level keyword `where` starts in a measure, or npos.
  static std::size_t find_where(std::string_view text);
  // `where_texts`: the trimmed `where` of each measure compiled so far (""
  // for none), to find measures that share one.
  void compile_measure(const std::string& name, const Scalar& text, Program::Grading& g,
                       std::vector<std::string>& where_texts);
  // `export`: tier names, or one $param holding them comma-separated ("" = every tier).
  void compile_export(const std::vector<Scalar>& listed, Program::Grading& g);

  // ---- dataset sections, continued (sections.cpp) --------------------------
  // The profiled field a dotted path names (an error, and -1, when none).
  int profiled_field(const std::string& path, Span at, const std::string& where);
  Type field_type(int field) const;
  std::optional<double> number_setting(const Scalar& s, Type type, const std::string& what);
  void compile_expectations(const spec::Contract& c);
  static std::string join(const std::vector<std::string>& parts, const char* separator);
  // in / contains / equals / ordered: distinct_values and most_common_value
  // (a field's values), columns (the input's columns).
  void compile_set(const spec::Expectation& e, Program::Expectation& x, const std::string& what, bool takes_set);
  // chi_square (categories) and kl_divergence (categories or bins): the
  // declared distribution, checked as Great Expectations checks a partition
  // object: one weight per category or bin, none negative, summing to 1.
  void compile_partition(const spec::Expectation& e, Program::Expectation& x, const std::string& what);
  // ks: a named parametric distribution with its parameters.
  void compile_distribution(const spec::Expectation& e, Program::Expectation& x, const std::string& what);
  void compile_drift(const spec::Drift& d);
  void compile_monitor(const spec::Monitor& m);
  void compile_sla(const spec::Sla& sla);
  // "90s", "15m", "2h", "1d" -> µs.
  static std::optional<std::int64_t> parse_duration(std::string_view text);

  spec::Diagnostics& diags_;
  const std::vector<Program::Measure>* measures_in_scope_ = nullptr;  // set while compiling tiers
  const Params& overrides_;
  bool params_may_be_missing_;
  std::shared_ptr<Program> program_;
  std::map<std::string, std::pair<Value, Type>> params_;
  std::map<std::string, double> unique_fields_;  // schema paths with `unique: true`, and their `mostly`
};

}  // namespace dq::compiling
