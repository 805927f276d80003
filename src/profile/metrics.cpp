#include "profile/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

namespace dq {

std::optional<double> metric_value(std::string_view metric, int field, double parameter, const RecordCounts& counts,
                                   const Profiler* profiler) {
  const auto rate = [](std::uint64_t part, std::uint64_t whole) -> std::optional<double> {
    if (whole == 0) return std::nullopt;
    return static_cast<double>(part) / static_cast<double>(whole);
  };
  if (metric == "row_count") return static_cast<double>(counts.total);
  if (metric == "valid_count") return static_cast<double>(counts.valid);
  if (metric == "invalid_count") return static_cast<double>(counts.invalid);
  if (metric == "malformed_count") return static_cast<double>(counts.malformed);
  if (metric == "invalid_rate") return rate(counts.invalid + counts.malformed, counts.total);
  if (metric == "malformed_rate") return rate(counts.malformed, counts.total);
  if (profiler == nullptr || field < 0) return std::nullopt;
  const FieldProfile& f = profiler->profile().fields[static_cast<std::size_t>(field)];
  if (metric == "null_rate") return rate(f.nulls, f.count);
  if (metric == "null_count") return static_cast<double>(f.nulls);
  if (metric == "distinct_ratio") {  // distinct values over values (GE's proportion of unique values)
    const Profiler::Exact* e = profiler->exact_for(field);
    if (e == nullptr || e->values == 0) return std::nullopt;
    return static_cast<double>(e->hashes.size()) / static_cast<double>(e->values);
  }
  if (metric == "distinct_count" || metric == "duplicate_count") {
    double distinct, values;
    if (const Profiler::Exact* e = profiler->exact_for(field)) {
      distinct = static_cast<double>(e->hashes.size());
      values = static_cast<double>(e->values);
    } else {
      distinct = std::round(f.distinct.estimate());
      values = static_cast<double>(f.values);
    }
    return metric == "distinct_count" ? distinct : std::max(0.0, values - distinct);
  }
  if (metric == "value") {
    for (const Profiler::InRange& r : profiler->in_range()) {
      if (r.field == field) return rate(r.passed, r.checked);
    }
    return std::nullopt;
  }
  if (metric == "sum") return f.values == 0 ? 0.0 : f.mean * static_cast<double>(f.values);
  if (f.values == 0) return std::nullopt;
  if (metric == "mean") return f.mean;
  // The sample standard deviation (n - 1, as pandas): undefined for one value.
  if (metric == "stddev") return f.values < 2 ? std::nullopt : std::optional<double>(std::sqrt(f.variance()));
  if (metric == "min") return f.min;
  if (metric == "max") return f.max;
  if (metric == "quantile" || metric == "median") return f.quantile(parameter);
  if (metric == "outlier_share") {
    // The share of values farther than `sigma` sample standard deviations
    // from the mean (Great Expectations' z-score expectation), exact while
    // the field keeps its values; unknown past that.
    if (f.values < 2 || f.exact_overflow || f.exact_values.size() != f.values) return std::nullopt;
    const double sd = std::sqrt(f.variance());
    if (!(sd > 0)) return 0.0;
    std::uint64_t outliers = 0;
    for (double x : f.exact_values) outliers += std::fabs(x - f.mean) / sd > parameter;
    return static_cast<double>(outliers) / static_cast<double>(f.values);
  }
  return std::nullopt;
}

namespace {

std::string listed(const std::vector<std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size() && i < 10; ++i) out += (i ? ", " : "") + values[i];
  if (values.size() > 10) out += ", ... (" + std::to_string(values.size()) + " in all)";
  return out;
}

// distinct_values (in / contains / equals a set) and most_common_value (in a
// set), from the field's exact values: its value table (strings, booleans)
// or its exact numbers. Sets out the offending count, or why it is unknown.
void check_set(const Program::Expectation& e, const FieldProfile& f, ExpectationResult& r) {
  r.has_value = false;
  r.ok = false;
  std::vector<std::pair<std::string, std::uint64_t>> observed;  // value text, count
  std::vector<double> numbers;
  const bool numeric = f.type == "integer" || f.type == "number";
  if (numeric) {
    if (f.exact_overflow || f.exact_values.size() != f.values) {
      r.detail = "more than " + std::to_string(FieldProfile::kExactValues) + " values: the distinct values are not known";
      return;
    }
    std::map<double, std::uint64_t> counts;
    for (double x : f.exact_values) ++counts[x];
    for (const auto& [x, n] : counts) {
      char buffer[32];
      auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, x);
      observed.push_back({std::string(buffer, end), n});
      numbers.push_back(x);
    }
  } else {
    if (f.values_overflow) {
      r.detail = "more distinct values than the profile keeps (max_values): the distinct values are not known";
      return;
    }
    for (const auto& [value, n] : f.value_counts) observed.push_back({value, n});
  }
  auto in_set = [&](std::size_t i) {
    if (numeric) return std::count(e.set_numbers.begin(), e.set_numbers.end(), numbers[i]) > 0;
    return std::count(e.set_texts.begin(), e.set_texts.end(), observed[i].first) > 0;
  };
  std::vector<std::string> unexpected, missing;
  if (e.metric == "most_common_value") {
    if (observed.empty()) {
      r.ok = e.allow_empty;
      r.detail = "no values";
      return;
    }
    std::uint64_t top = 0;
    for (const auto& o : observed) top = std::max(top, o.second);
    for (std::size_t i = 0; i < observed.size(); ++i) {
      if (observed[i].second == top && !in_set(i)) unexpected.push_back(observed[i].first);
    }
  } else {
    if (e.set_mode != "contains") {
      for (std::size_t i = 0; i < observed.size(); ++i) {
        if (!in_set(i)) unexpected.push_back(observed[i].first);
      }
    }
    if (e.set_mode != "in") {
      for (std::size_t k = 0; k < e.set_texts.size(); ++k) {
        bool seen = false;
        for (std::size_t i = 0; i < observed.size() && !seen; ++i) {
          seen = numeric ? k < e.set_numbers.size() && numbers[i] == e.set_numbers[k] : observed[i].first == e.set_texts[k];
        }
        if (!seen) missing.push_back(e.set_texts[k]);
      }
    }
  }
  r.has_value = true;
  r.value = static_cast<double>(unexpected.size() + missing.size());
  r.ok = r.value == 0;
  if (!unexpected.empty()) r.detail = (e.metric == "most_common_value" ? "most common, not in the set: " : "not in the set: ") + listed(unexpected);
  if (!missing.empty()) r.detail += (r.detail.empty() ? "" : "; ") + std::string("missing: ") + listed(missing);
}

}  // namespace

std::vector<ExpectationResult> evaluate_expectations(const Program& program, const RecordCounts& counts,
                                                     const Profiler* profiler) {
  std::vector<ExpectationResult> out;
  for (const Program::Expectation& e : program.expectations) {
    ExpectationResult r;
    r.id = e.id;
    r.metric = e.metric;
    r.severity = e.severity;
    if (e.field >= 0) r.field = program.nodes[static_cast<std::size_t>(program.profiled[static_cast<std::size_t>(e.field)].node)].schema_path;
    if (!e.set_mode.empty()) {
      if (profiler != nullptr && e.field >= 0) {
        check_set(e, profiler->profile().fields[static_cast<std::size_t>(e.field)], r);
      }
      out.push_back(std::move(r));
      continue;
    }
    std::optional<double> value =
        metric_value(e.metric, e.field, e.metric == "outlier_share" ? e.sigma : e.quantile, counts, profiler);
    if (e.metric == "value") {
      // The share of non-null values in range, against `mostly`; no values passes.
      r.min = e.mostly;
      r.has_value = value.has_value();
      r.value = value.value_or(0);
      r.ok = !value || *value >= e.mostly;
    } else {
      r.min = e.min;
      r.max = e.max;
      r.has_value = value.has_value();
      r.value = value.value_or(0);
      // A statistic of no values fails, as in Great Expectations, unless the
      // expectation allows it; other undefined metrics (a rate of no rows) pass.
      const bool statistic = e.metric == "mean" || e.metric == "stddev" || e.metric == "min" || e.metric == "max" ||
                             e.metric == "median" || e.metric == "quantile" || e.metric == "distinct_ratio" ||
                             e.metric == "outlier_share";
      r.ok = !value ? !statistic || e.allow_empty
                    : (!e.min || *value >= *e.min) && (!e.max || *value <= *e.max);
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::optional<FreshnessResult> check_freshness(const Program& program, const Profile& profile, std::int64_t now_micros) {
  if (program.freshness_field < 0) return std::nullopt;
  const FieldProfile& f = profile.fields[static_cast<std::size_t>(program.freshness_field)];
  FreshnessResult r;
  r.field = f.path;
  r.max_delay = program.freshness_max_delay;
  r.has_value = f.values > 0;
  if (r.has_value) {
    r.latest = static_cast<std::int64_t>(f.max);
    r.delay = now_micros - r.latest;
    r.ok = r.delay <= r.max_delay;
  } else {
    r.ok = false;  // nothing arrived: as stale as it gets
  }
  return r;
}

std::map<std::string, double> monitored_metrics(const Program& program, const RecordCounts& counts,
                                                const Profiler* profiler, const std::vector<DriftResult>& drift) {
  std::map<std::string, double> out;
  for (const Program::MonitorCheck& m : program.monitors) {
    if (m.name == "drift") {
      const std::string& path = program.nodes[static_cast<std::size_t>(program.profiled[static_cast<std::size_t>(m.field)].node)].schema_path;
      for (const DriftResult& d : drift) {
        if (d.field == path && d.status != "skipped") out[m.metric] = d.value;
      }
    } else if (auto v = metric_value(m.name, m.field, 0.5, counts, profiler)) {
      out[m.metric] = *v;
    }
  }
  return out;
}

}  // namespace dq
