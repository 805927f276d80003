// The dataset sections: expectations, drift, monitors and the SLA.
#include <cctype>

#include "base/figure.h"
#include "compile/compiler.h"

namespace dq::compiling {

// ---- later sections: structure and references ---------------------------
bool Compiler::field_exists(const std::string& dotted) const {
  const Program& p = *program_;
  int node = 0;
  std::size_t start = 0;
  while (start <= dotted.size()) {
    std::size_t dot = dotted.find('.', start);
    std::string key = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    int found = -1;
    for (int c : p.nodes[node].children) {
      if (p.nodes[c].key == key) found = c;
    }
    if (found < 0) return false;
    node = found;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
  return false;
}

void Compiler::check_field_ref(const std::string& field, Span at, const char* where) {
  if (!field.empty() && !field_exists(field)) {
    diags_.error(at, std::string(where) + " names unknown field '" + field + "'");
  }
}

void Compiler::check_sections() {
  const spec::Contract& c = program_->spec;
  compile_expectations(c);
  if (c.drift) compile_drift(*c.drift);
  for (const spec::Monitor& m : c.monitors) compile_monitor(m);
  if (c.sla) compile_sla(*c.sla);
  if (c.grading) compile_grading(*c.grading);
}

// The profiled field a dotted path names (an error, and -1, when none).
int Compiler::profiled_field(const std::string& path, Span at, const std::string& where) {
  const Program& p = *program_;
  for (std::size_t i = 0; i < p.profiled.size(); ++i) {
    if (p.nodes[static_cast<std::size_t>(p.profiled[i].node)].schema_path == path) return static_cast<int>(i);
  }
  const bool in_array = std::any_of(p.nodes.begin(), p.nodes.end(), [&](const Node& n) {
    std::string plain = n.schema_path;
    for (std::size_t k; (k = plain.find("[]")) != std::string::npos;) plain.erase(k, 2);
    return plain == path && n.schema_path != path;
  });
  if (in_array) {
    diags_.error(at, where + " names field '" + path + "', which is inside an array (not profiled)");
  } else {
    std::vector<std::string> names;
    for (const auto& f : p.profiled) names.push_back(p.nodes[static_cast<std::size_t>(f.node)].schema_path);
    diags_.error(at, where + " names unknown field '" + path + "'" + spec::did_you_mean(path, names));
  }
  return -1;
}

Type Compiler::field_type(int field) const {
  return program_->nodes[static_cast<std::size_t>(program_->profiled[static_cast<std::size_t>(field)].node)].type;
}

std::optional<double> Compiler::number_setting(const Scalar& s, Type type, const std::string& what) {
  auto v = constant(s, type, what);
  if (!v) return std::nullopt;
  return v->kind == Kind::kInt || v->kind == Kind::kTimestamp || v->kind == Kind::kDate ? static_cast<double>(v->i)
                                                                                        : v->d;
}

void Compiler::compile_expectations(const spec::Contract& c) {
  std::map<std::string, int> conditions;  // `when` text -> index into Program::conditions
  for (const auto& e : c.expectations) {
    Program::Expectation x;
    x.metric = e.metric;
    x.severity = e.severity;
    x.allow_empty = e.allow_empty;
    x.strict = e.strict;
    const std::string what = "expectation '" + (e.name.empty() ? e.metric : e.name) + "'";
    const spec::MetricTraits* traits = spec::metric_traits(e.metric);
    if (traits == nullptr) continue;  // the loader said so
    if (e.allow_empty && !traits->statistic) {
      diags_.error(e.span, what +
                               ": 'allow_empty' applies to statistics of values (mean, stddev, min, max, "
                               "median, quantile, distribution tests), not to '" +
                               e.metric + "'");
    }
    if (!e.fields.empty() && e.metric != "unique") {
      diags_.error(e.span, what + ": 'fields' goes with metric unique (several fields that are unique together)");
      continue;
    }
    if (traits->field && e.field.empty()) {
      diags_.error(e.span, what + " (" + e.metric + ") needs a 'field'");
      continue;
    }
    if (e.metric == "unique" && e.field.empty() == e.fields.empty()) {
      diags_.error(e.span, what + " (unique) needs 'field: f' or 'fields: [a, b]', one of them");
      continue;
    }
    if (!e.field.empty()) {
      x.field = profiled_field(e.field, e.span, what);
      if (x.field < 0) continue;
    }
    bool fields_ok = true;
    for (const std::string& f : e.fields) {
      const int index = profiled_field(f, e.span, what);
      if (index < 0)
        fields_ok = false;
      else
        x.fields.push_back(index);
    }
    if (!fields_ok) continue;
    if (e.metric == "unique" && x.fields.empty()) x.fields.push_back(x.field);
    if (e.strict && e.metric != "increasing" && e.metric != "decreasing") {
      diags_.error(e.span, what + ": 'strict' goes with increasing and decreasing");
    }
    const std::string key_text = e.fields.empty() ? e.field : join(e.fields, ",");
    x.id = !e.name.empty() ? e.name : key_text.empty() ? e.metric : e.metric + "(" + key_text + ")";
    if (e.when) {
      if (traits->whole_input) {
        diags_.error(e.when->span,
                     what + ": 'when' narrows statistics of records; '" + e.metric + "' counts the whole input");
      } else if (auto it = conditions.find(e.when->text); it != conditions.end()) {
        x.condition = it->second;
      } else {
        ExprCode code;
        if (compile_expr(*e.when, code, "expectation 'when'")) {
          x.condition = static_cast<int>(program_->conditions.size());
          conditions[e.when->text] = x.condition;
          program_->conditions.push_back(std::move(code));
        }
      }
    }
    // Thresholds of min, max and value on times are times; the rest are numbers.
    Type threshold_type = Type::kNumber;
    if (x.field >= 0) {
      const Type t = field_type(x.field);
      const bool numeric = t == Type::kInteger || t == Type::kNumber;
      const bool temporal = t == Type::kTimestamp || t == Type::kDate;
      if ((traits->numeric && !numeric) || (traits->ordered && !numeric && !temporal)) {
        diags_.error(e.span, what + ": metric '" + e.metric + "' needs a " +
                                 (traits->ordered ? "numeric or time" : "numeric") + " field, and '" + e.field +
                                 "' is " + spec::type_name(t));
        continue;
      }
      if (temporal && (e.metric == "min" || e.metric == "max" || e.metric == "value")) threshold_type = t;
    }
    if (e.min) x.min = number_setting(*e.min, threshold_type, what + " 'min'");
    if (e.max) x.max = number_setting(*e.max, threshold_type, what + " 'max'");
    if (e.between) {
      x.min = number_setting(e.between->first, threshold_type, what + " 'between'");
      x.max = number_setting(e.between->second, threshold_type, what + " 'between'");
    }
    if ((e.metric == "unique" || e.metric == "increasing" || e.metric == "decreasing" || e.metric == "columns") &&
        (e.min || e.max || e.between)) {
      diags_.error(e.span, what + ": metric '" + e.metric + "' takes no bounds" +
                               (e.metric == "columns" ? " (it takes 'in', 'contains', 'equals' or 'ordered')"
                                                      : " (a share of values goes in 'mostly')"));
    }
    compile_set(e, x, what, traits->set);
    if (x.min && x.max && *x.min > *x.max) {
      const Scalar& upper = e.between ? e.between->second : *e.max;
      diags_.error(upper.span, what + " can never pass: its minimum " + describe_number(*x.min) +
                                   " is above its maximum " + describe_number(*x.max));
    }
    if (e.mostly) {
      if (!traits->mostly) {
        diags_.error(e.mostly->span, what +
                                         ": 'mostly' applies to metrics value, unique, increasing and "
                                         "decreasing (the share of values that pass)");
      } else if (auto m = number_setting(*e.mostly, Type::kNumber, what + " 'mostly'")) {
        if (*m < 0 || *m > 1) diags_.error(e.mostly->span, "'mostly' must be between 0 and 1");
        x.mostly = *m;
      }
    }
    if (e.sigma && e.metric != "outlier_share") diags_.error(e.sigma->span, what + ": 'sigma' goes with outlier_share");
    if (e.metric == "outlier_share" && e.sigma) {
      x.sigma = number_setting(*e.sigma, Type::kNumber, what + " 'sigma'").value_or(3);
      if (!(x.sigma > 0)) diags_.error(e.sigma->span, "'sigma' must be above 0");
    }
    if (e.metric == "quantile") {
      // `quantile: 0.95` is read by the loader as an unknown-key-free scalar.
      x.quantile = e.quantile ? number_setting(*e.quantile, Type::kNumber, what + " 'quantile'").value_or(0.5) : 0.5;
      if (!e.quantile) diags_.error(e.span, what + " (quantile) needs 'quantile: q' with q in 0..1");
      if (x.quantile < 0 || x.quantile > 1) diags_.error(e.quantile->span, "'quantile' must be between 0 and 1");
    }
    compile_partition(e, x, what);
    compile_distribution(e, x, what);
    if (x.condition >= 0 || e.metric == "increasing" || e.metric == "decreasing" || x.fields.size() > 1) {
      program_->walk_for_expectations = true;
    }
    program_->expectations.push_back(std::move(x));
  }
  // `unique: true` is an expectation too: no value repeats within the
  // batch (or within the field's `mostly`).
  for (std::size_t i = 0; i < program_->profiled.size(); ++i) {
    const Node& n = program_->nodes[static_cast<std::size_t>(program_->profiled[i].node)];
    auto unique = unique_fields_.find(n.schema_path);
    if (unique == unique_fields_.end()) continue;
    Program::Expectation x;
    x.id = n.schema_path + ".unique";
    x.metric = "unique";
    x.field = static_cast<int>(i);
    x.fields = {x.field};
    x.severity = n.severity;
    x.mostly = unique->second;
    program_->expectations.push_back(std::move(x));
  }
}

std::string Compiler::join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : separator) + part;
  return out;
}

// in / contains / equals / ordered: distinct_values and most_common_value
// (a field's values), columns (the input's columns).
void Compiler::compile_set(const spec::Expectation& e, Program::Expectation& x, const std::string& what,
                           bool takes_set) {
  if (!takes_set && e.set_mode.empty()) return;
  if (!takes_set) {
    diags_.error(e.span, what +
                             ": 'in', 'contains', 'equals' and 'ordered' go with distinct_values, "
                             "most_common_value and columns");
    return;
  }
  if (e.set_mode.empty() || (e.metric == "most_common_value" && e.set_mode != "in") ||
      (e.set_mode == "ordered" && e.metric != "columns")) {
    diags_.error(e.span, what + (e.metric == "most_common_value" ? " needs 'in: [...]'"
                                 : e.metric == "columns" ? " needs 'in', 'contains', 'equals' or 'ordered' with a list"
                                                         : " needs 'in', 'contains' or 'equals' with a list"));
    return;
  }
  x.set_mode = e.set_mode;
  if (e.metric == "columns") {
    for (const Scalar& v : e.set) x.set_texts.push_back(v.text);
    return;
  }
  if (x.field < 0) return;
  const Type t = field_type(x.field);
  if (t != Type::kString && t != Type::kBoolean && t != Type::kInteger && t != Type::kNumber) {
    diags_.error(e.span, what + ": metric '" + e.metric + "' needs a string, boolean or numeric field, and '" +
                             e.field + "' is " + spec::type_name(t));
  }
  for (const Scalar& v : e.set) {
    x.set_texts.push_back(v.text);
    if (t == Type::kInteger || t == Type::kNumber) {
      if (auto number = number_setting(v, Type::kNumber, what + " set value")) x.set_numbers.push_back(*number);
    }
  }
}

// chi_square (categories) and kl_divergence (categories or bins): the
// declared distribution, checked as Great Expectations checks a partition
// object: one weight per category or bin, none negative, summing to 1.
void Compiler::compile_partition(const spec::Expectation& e, Program::Expectation& x, const std::string& what) {
  const bool wants = e.metric == "chi_square" || e.metric == "kl_divergence";
  if (!e.partition) {
    if (wants)
      diags_.error(e.span, what + " (" + e.metric + ") needs a 'partition' with 'values' (or 'bins') and 'weights'");
    return;
  }
  const spec::Expectation::Partition& part = *e.partition;
  if (!wants) {
    diags_.error(part.span, what + ": 'partition' goes with chi_square and kl_divergence");
    return;
  }
  if (part.values.empty() == part.bins.empty()) {
    diags_.error(part.span, what + ": a partition has 'values' (categories) or 'bins' (edges), one of them");
    return;
  }
  if (e.metric == "chi_square" && !part.bins.empty()) {
    diags_.error(part.span, what + ": chi_square compares category counts; its partition takes 'values'");
    return;
  }
  if (e.metric == "chi_square" && part.values.size() < 2) {
    diags_.error(part.span, what + ": chi_square needs two categories or more (one leaves no degree of freedom)");
    return;
  }
  const Type t = x.field >= 0 ? field_type(x.field) : Type::kAny;
  const bool numeric = t == Type::kInteger || t == Type::kNumber;
  if (!part.bins.empty() && !numeric) {
    diags_.error(part.span, what + ": 'bins' need a numeric field, and '" + e.field + "' is " + spec::type_name(t));
    return;
  }
  if (!part.values.empty() && !numeric && t != Type::kString && t != Type::kBoolean) {
    diags_.error(part.span, what + ": categories need a string, boolean or numeric field, and '" + e.field + "' is " +
                                spec::type_name(t));
    return;
  }
  for (const Scalar& v : part.values) {
    x.partition_texts.push_back(v.text);
    if (numeric) {
      if (auto n = number_setting(v, Type::kNumber, what + " partition value")) x.partition_numbers.push_back(*n);
    }
  }
  for (const Scalar& b : part.bins) {
    auto edge = number_setting(b, Type::kNumber, what + " bin edge");
    if (!edge) continue;
    if (!x.bins.empty() && !(*edge > x.bins.back())) {
      diags_.error(b.span, what + ": bin edges must increase, and " + b.text + " does not");
    }
    x.bins.push_back(*edge);
  }
  double total = 0;
  for (const Scalar& w : part.weights) {
    auto weight = number_setting(w, Type::kNumber, what + " weight");
    if (!weight) continue;
    if (*weight < 0) diags_.error(w.span, "a weight must not be negative");
    x.weights.push_back(*weight);
    total += *weight;
  }
  const std::size_t wanted =
      part.values.empty() ? (part.bins.size() < 2 ? 1 : part.bins.size() - 1) : part.values.size();
  if (!part.bins.empty() && part.bins.size() < 2) diags_.error(part.span, what + ": 'bins' needs two edges or more");
  if (x.weights.size() != wanted) {
    diags_.error(part.span, what + ": the partition has " + std::to_string(wanted) +
                                (part.values.empty() ? " bins" : " values") + " and " +
                                std::to_string(part.weights.size()) + " weights");
  }
  if (!part.tail_weights.empty()) {
    if (part.bins.empty() || part.tail_weights.size() != 2) {
      diags_.error(part.span, what + ": 'tail_weights' go with bins, two of them [below, above]");
    } else {
      x.tail_below = number_setting(part.tail_weights[0], Type::kNumber, what + " tail weight").value_or(0);
      x.tail_above = number_setting(part.tail_weights[1], Type::kNumber, what + " tail weight").value_or(0);
      if (x.tail_below < 0 || x.tail_above < 0) diags_.error(part.span, "a tail weight must not be negative");
      total += x.tail_below + x.tail_above;
    }
  }
  if (part.tail_weight_holdout) {
    x.tail_weight_holdout =
        number_setting(*part.tail_weight_holdout, Type::kNumber, what + " 'tail_weight_holdout'").value_or(0);
    if (x.tail_weight_holdout < 0 || x.tail_weight_holdout > 1) {
      diags_.error(part.tail_weight_holdout->span, "'tail_weight_holdout' must be between 0 and 1");
    }
    if (!part.tail_weights.empty()) {
      diags_.error(part.tail_weight_holdout->span,
                   what + ": 'tail_weight_holdout' and 'tail_weights' exclude each other");
    }
  }
  if (std::fabs(total - 1) > 1e-6) {
    diags_.error(part.span, what + ": the partition's weights add up to " + figure(total) + ", not 1");
  }
}

// ks: a named parametric distribution with its parameters.
void Compiler::compile_distribution(const spec::Expectation& e, Program::Expectation& x, const std::string& what) {
  if (!e.distribution) {
    if (e.metric == "ks") diags_.error(e.span, what + " (ks) needs 'distribution: {name: normal, mean: m, stddev: s}'");
    return;
  }
  const spec::Expectation::Distribution& d = *e.distribution;
  if (e.metric != "ks") {
    diags_.error(d.span, what + ": 'distribution' goes with ks");
    return;
  }
  static const std::map<std::string, std::vector<std::string>> kParams = {
      {"normal", {"mean", "stddev"}}, {"uniform", {"min", "max"}}, {"exponential", {"rate"}}};
  auto known = kParams.find(d.name);
  if (known == kParams.end()) {
    diags_.error(d.span, what + ": unknown distribution '" + d.name + "' (normal, uniform, exponential)" +
                             spec::did_you_mean(d.name, {"normal", "uniform", "exponential"}));
    return;
  }
  x.distribution = d.name;
  for (const std::string& name : known->second) {
    auto it = d.params.find(name);
    if (it == d.params.end()) {
      diags_.error(d.span, what + ": the " + d.name + " distribution needs '" + name + "'");
      return;
    }
    auto v = number_setting(it->second, Type::kNumber, what + " '" + name + "'");
    if (!v) return;
    x.distribution_params.push_back(*v);
  }
  for (const auto& [name, value] : d.params) {
    if (std::find(known->second.begin(), known->second.end(), name) == known->second.end()) {
      diags_.error(value.span, what + ": the " + d.name + " distribution has no parameter '" + name + "'" +
                                   spec::did_you_mean(name, known->second));
    }
  }
  const std::vector<double>& p = x.distribution_params;
  if ((d.name == "normal" && !(p[1] > 0)) || (d.name == "exponential" && !(p[0] > 0))) {
    diags_.error(d.span, what + ": the " + d.name + " distribution's " + (d.name == "normal" ? "stddev" : "rate") +
                             " must be above 0");
  }
  if (d.name == "uniform" && !(p[1] > p[0])) diags_.error(d.span, what + ": a uniform distribution needs min < max");
}

void Compiler::compile_drift(const spec::Drift& d) {
  if (d.min_rows) {
    if (auto v = number_setting(*d.min_rows, Type::kInteger, "drift 'min_rows'")) {
      if (*v < 0) diags_.error(d.min_rows->span, "'min_rows' must not be negative");
      program_->drift_min_rows = static_cast<std::uint64_t>(std::max(0.0, *v));
    }
  }
  for (const spec::DriftField& f : d.fields) {
    Program::DriftCheck x;
    x.field = profiled_field(f.field, f.span, "drift");
    const std::optional<DriftMethod> method = drift_method(f.method);  // the loader named a wrong one
    if (x.field < 0 || !method) continue;
    x.method = *method;
    const Type t = field_type(x.field);
    const bool numeric = t == Type::kInteger || t == Type::kNumber || t == Type::kArray;
    const bool categorical = t == Type::kString || t == Type::kBoolean;
    using M = DriftMethod;
    const bool distribution = x.method == M::kPsi || x.method == M::kJs || x.method == M::kLinf;
    const bool needs_numbers = x.method == M::kKs || x.method == M::kWasserstein || x.method == M::kMeanShift;
    if ((distribution && !numeric && !categorical) || (needs_numbers && !numeric)) {
      diags_.error(f.span,
                   "drift method '" + f.method + "' does not apply to '" + f.field + "' (" + spec::type_name(t) + ")");
      continue;
    }
    const std::string what = "drift of '" + f.field + "'";
    if (f.warn) x.warn = number_setting(*f.warn, Type::kNumber, what + " 'warn'");
    if (f.fail) x.fail = number_setting(*f.fail, Type::kNumber, what + " 'fail'");
    if (!f.warn && !f.fail) diags_.error(f.span, what + " needs 'warn' or 'fail' (or both)");
    if (f.bins) {
      auto b = number_setting(*f.bins, Type::kInteger, what + " 'bins'");
      if (b && (*b < 2 || *b > 1000)) diags_.error(f.bins->span, "'bins' must be between 2 and 1000");
      if (b) x.bins = static_cast<int>(*b);
    }
    program_->drift.push_back(x);
  }
}

void Compiler::compile_monitor(const spec::Monitor& m) {
  static const std::set<std::string> kDataset = {"row_count",       "valid_count",  "invalid_count",
                                                 "malformed_count", "invalid_rate", "malformed_rate"};
  static const std::set<std::string> kField = {
      "null_rate", "null_count", "distinct_count", "duplicate_count", "mean", "stddev", "min", "max", "sum", "drift"};
  Program::MonitorCheck x;
  x.metric = m.metric;
  x.method = monitor_method(m.method).value_or(MonitorMethod::kThreshold);  // the loader named a wrong one
  x.severity = m.severity;
  x.id = !m.name.empty() ? m.name : m.metric + ":" + m.method;
  const std::size_t open = m.metric.find('(');
  x.name = m.metric.substr(0, open);
  if (open == std::string::npos) {
    if (!kDataset.count(m.metric) && !m.metric.empty()) {
      std::vector<std::string> names(kDataset.begin(), kDataset.end());
      for (const auto& f : kField) names.push_back(f + "(field)");
      diags_.error(m.span, "unknown monitor metric '" + m.metric + "'" + spec::did_you_mean(m.metric, names));
    }
  } else {
    const std::string name = m.metric.substr(0, open);
    if (!kField.count(name) || m.metric.back() != ')') {
      diags_.error(m.span,
                   "unknown monitor metric '" + m.metric + "' (field metrics: " +
                       "null_rate, null_count, distinct_count, duplicate_count, mean, stddev, min, max, sum, drift)");
    } else {
      const std::string path = m.metric.substr(open + 1, m.metric.size() - open - 2);
      x.field = profiled_field(path, m.span, "monitor");
      if (x.field >= 0 && name == "drift") {
        bool declared = false;
        for (const auto& d : program_->spec.drift ? program_->spec.drift->fields : std::vector<spec::DriftField>{}) {
          declared |= d.field == path;
        }
        if (!declared) diags_.error(m.span, "monitor metric '" + m.metric + "' needs a drift check of '" + path + "'");
      }
    }
  }
  for (const auto& [key, scalar] : m.settings) {
    if (auto v = number_setting(scalar, Type::kNumber, "monitor '" + x.id + "' '" + key + "'")) {
      x.settings.numbers[key] = *v;
    }
  }
  for (const auto& season : m.seasons) {
    if (!season.text.empty() && std::isalpha(static_cast<unsigned char>(season.text[0]))) {
      x.settings.calendar_seasons.push_back(season.text);  // a word: monitor_settings_problem names the known ones
    } else if (auto v = number_setting(season, Type::kInteger, "monitor '" + x.id + "' season")) {
      x.settings.seasons.push_back(*v);
    }
  }
  x.settings.direction = m.direction == "up"     ? MonitorDirection::kUp
                         : m.direction == "down" ? MonitorDirection::kDown
                                                 : MonitorDirection::kBoth;
  if (monitor_method(m.method)) {
    const std::string problem = monitor_settings_problem(x.method, x.settings);
    if (!problem.empty()) diags_.error(m.span, "monitor '" + x.id + "': " + problem);
  }
  program_->monitors.push_back(std::move(x));
}

void Compiler::compile_sla(const spec::Sla& sla) {
  if (sla.freshness_field.empty()) return;
  program_->freshness_field = profiled_field(sla.freshness_field, sla.span, "sla.freshness");
  if (program_->freshness_field >= 0 && field_type(program_->freshness_field) != Type::kTimestamp) {
    diags_.error(sla.span, "sla.freshness needs a timestamp field, and '" + sla.freshness_field + "' is " +
                               spec::type_name(field_type(program_->freshness_field)));
  }
  if (!sla.freshness_max_delay) {
    diags_.error(sla.span, "sla.freshness needs 'max_delay' (e.g. 15m, 2h, 1d)");
    return;
  }
  auto delay = parse_duration(sla.freshness_max_delay->text);
  if (!delay) {
    diags_.error(sla.freshness_max_delay->span, "'max_delay' must be a duration such as 90s, 15m, 2h or 1d, not '" +
                                                    sla.freshness_max_delay->text + "'");
    return;
  }
  program_->freshness_max_delay = *delay;
}

// "90s", "15m", "2h", "1d" -> µs.
std::optional<std::int64_t> Compiler::parse_duration(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  std::int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1000000; break;
    case 'm': unit = 60000000; break;
    case 'h': unit = 3600000000LL; break;
    case 'd': unit = 86400000000LL; break;
    default: return std::nullopt;
  }
  std::int64_t n = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9' || n > 1000000000) return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n * unit;
}

}  // namespace dq::compiling
