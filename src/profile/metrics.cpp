#include "profile/metrics.h"

#include <cmath>

namespace dq {

std::optional<double> metric_value(std::string_view metric, int field, double quantile, const RecordCounts& counts,
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
  if (metric == "quantile" || metric == "median") return f.quantile(quantile);
  return std::nullopt;
}

std::vector<ExpectationResult> evaluate_expectations(const Program& program, const RecordCounts& counts,
                                                     const Profiler* profiler) {
  std::vector<ExpectationResult> out;
  for (const Program::Expectation& e : program.expectations) {
    ExpectationResult r;
    r.id = e.id;
    r.metric = e.metric;
    r.severity = e.severity;
    if (e.field >= 0) r.field = program.nodes[static_cast<std::size_t>(program.profiled[static_cast<std::size_t>(e.field)].node)].schema_path;
    std::optional<double> value = metric_value(e.metric, e.field, e.quantile, counts, profiler);
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
                             e.metric == "median" || e.metric == "quantile";
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
