#include "profile/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "profile/distributions.h"
#include "spec/metrics.h"

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
    return static_cast<double>(profiler->distinct(*e)) / static_cast<double>(e->values);
  }
  if (metric == "distinct_count" || metric == "duplicate_count") {
    double distinct, values;
    if (const Profiler::Exact* e = profiler->exact_for(field)) {
      distinct = static_cast<double>(profiler->distinct(*e));
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

// A field's exact distinct values with their counts: its value table
// (strings, booleans) or its exact numbers. False (with why) past what the
// profile keeps.
bool observed_values(const FieldProfile& f, std::vector<std::pair<std::string, std::uint64_t>>& observed,
                     std::vector<double>& numbers, std::string& why) {
  if (f.type == "integer" || f.type == "number") {
    if (f.exact_overflow || f.exact_values.size() != f.values) {
      why = "more than " + std::to_string(FieldProfile::kExactValues) + " values: the distinct values are not known";
      return false;
    }
    std::map<double, std::uint64_t> counts;
    for (double x : f.exact_values) ++counts[x];
    for (const auto& [x, n] : counts) {
      char buffer[32];
      auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, x);
      observed.push_back({std::string(buffer, end), n});
      numbers.push_back(x);
    }
    return true;
  }
  if (f.values_overflow) {
    why = "more distinct values than the profile keeps (max_values): the distinct values are not known";
    return false;
  }
  for (const auto& [value, n] : f.value_counts) observed.push_back({value, n});
  return true;
}

// distinct_values (in / contains / equals a set) and most_common_value (in a
// set), from the field's exact values. Sets out the offending count, or why
// it is unknown.
void check_set(const Program::Expectation& e, const FieldProfile& f, ExpectationResult& r) {
  r.has_value = false;
  r.ok = false;
  std::vector<std::pair<std::string, std::uint64_t>> observed;  // value text, count
  std::vector<double> numbers;
  const bool numeric = f.type == "integer" || f.type == "number";
  if (!observed_values(f, observed, numbers, r.detail)) return;
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
          seen = numeric ? k < e.set_numbers.size() && numbers[i] == e.set_numbers[k]
                         : observed[i].first == e.set_texts[k];
        }
        if (!seen) missing.push_back(e.set_texts[k]);
      }
    }
  }
  r.has_value = true;
  r.value = static_cast<double>(unexpected.size() + missing.size());
  r.ok = r.value == 0;
  if (!unexpected.empty())
    r.detail =
        (e.metric == "most_common_value" ? "most common, not in the set: " : "not in the set: ") + listed(unexpected);
  if (!missing.empty()) r.detail += (r.detail.empty() ? "" : "; ") + std::string("missing: ") + listed(missing);
}

}  // namespace

namespace {

std::string number_text(double x) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, x, std::chars_format::general, 6);
  return std::string(buffer, end);
}

// The share of values that may break a map expectation under `mostly`, as a
// count of the values it read (all of them without `mostly`: none).
double allowed_breaks(double mostly, std::uint64_t values) {
  return mostly >= 1 ? 0 : std::floor((1 - mostly) * static_cast<double>(values) + 1e-9);
}

// unique: every value of a key that occurs more than once is unexpected
// (Great Expectations counts each occurrence, not only the repeats).
void check_unique(const Program::Expectation& e, const Profiler::Unique& u, ExpectationResult& r) {
  std::uint64_t repeated = 0, keys = 0;
  u.keys.for_each([&](std::uint64_t, const Profiler::Unique::Seen& seen) {
    if (seen.count > 1) repeated += seen.count, ++keys;
  });
  r.has_value = true;
  r.value = static_cast<double>(repeated);
  r.max = allowed_breaks(e.mostly, u.values);
  r.ok = r.value <= *r.max;
  r.samples = u.samples;
  if (repeated > 0) {
    r.detail = std::to_string(keys) + (keys == 1 ? " value occurs" : " values occur") + " more than once, in " +
               std::to_string(repeated) + " of " + std::to_string(u.values) + " records";
  }
}

void check_order(const Program::Expectation& e, const Profiler::Order& o, ExpectationResult& r) {
  if (o.interleaved) {
    r.has_value = false;
    r.ok = false;
    r.detail =
        "no input order: the records were judged on several threads at once (judge from one thread to check "
        "order)";
    return;
  }
  r.has_value = true;
  r.value = static_cast<double>(o.breaks);
  r.max = allowed_breaks(e.mostly, o.values);
  r.ok = r.value <= *r.max;
  r.samples = o.samples;
  if (o.breaks > 0) {
    r.detail = std::to_string(o.breaks) + " of " + std::to_string(o.values) + " values out of " +
               (e.strict ? "strictly " : "") + e.metric + " order";
  }
}

// Kullback-Leibler divergence of observed from expected shares (scipy's
// entropy(pk, qk): both normalised, natural log); infinite when data falls
// where the partition expects nothing.
double kl(const std::vector<double>& observed, std::vector<double> expected) {
  double po = 0, pe = 0;
  for (double x : observed) po += x;
  for (double x : expected) pe += x;
  double sum = 0;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    const double p = observed[i] / po, q = expected[i] / pe;
    if (p == 0) continue;
    if (q == 0) return HUGE_VAL;
    sum += p * std::log(p / q);
  }
  return sum;
}

// chi_square, kl_divergence (categories or bins) and ks, against the
// declared distribution, as Great Expectations computes them with scipy.
void check_distribution(const Program::Expectation& e, const Profiler& source, int index, ExpectationResult& r) {
  r.has_value = false;
  r.ok = false;
  const FieldProfile& f = source.profile().fields[static_cast<std::size_t>(e.field)];
  double value = 0;
  std::string figures;
  if (e.metric == "ks") {
    if (f.exact_overflow || f.exact_values.size() != f.values) {
      r.detail = "more than " + std::to_string(FieldProfile::kExactValues) + " values: the sample is not kept";
      return;
    }
    if (f.values == 0) {
      r.ok = e.allow_empty;
      r.detail = "no values";
      return;
    }
    std::vector<double> sorted = f.exact_values;
    std::sort(sorted.begin(), sorted.end());
    const double d = ks_statistic(sorted, e.distribution, e.distribution_params);
    value = ks_p_value(d, sorted.size());
    figures = "D = " + number_text(d) + " over " + std::to_string(sorted.size()) + " values";
  } else if (!e.bins.empty()) {  // kl_divergence over bins
    const Profiler::Bins* bins = nullptr;
    for (const Profiler::Bins& b : source.bins()) {
      if (b.expectation == index) bins = &b;
    }
    std::vector<double> observed, expected;
    std::uint64_t n = 0;
    for (std::uint64_t c : bins->counts) observed.push_back(static_cast<double>(c)), n += c;
    if (n == 0) {
      r.ok = e.allow_empty;
      r.detail = "no values";
      return;
    }
    const bool tails = e.tail_below > 0 || e.tail_above > 0;
    expected.push_back(tails ? e.tail_below : e.tail_weight_holdout / 2);
    for (double w : e.weights) expected.push_back(w * (1 - e.tail_weight_holdout));
    expected.push_back(tails ? e.tail_above : e.tail_weight_holdout / 2);
    value = kl(observed, expected);
    figures = std::to_string(bins->counts.front()) + " below and " + std::to_string(bins->counts.back()) +
              " above the bins, of " + std::to_string(n);
  } else {  // categories: chi_square, kl_divergence
    std::vector<std::pair<std::string, std::uint64_t>> observed;
    std::vector<double> numbers;
    if (!observed_values(f, observed, numbers, r.detail)) return;
    const bool numeric = !numbers.empty() || f.type == "integer" || f.type == "number";
    std::vector<double> counts(e.partition_texts.size(), 0.0), weights = e.weights;
    std::vector<std::string> outside;
    double n = 0;
    for (std::size_t i = 0; i < observed.size(); ++i) {
      n += static_cast<double>(observed[i].second);
      std::size_t at = 0;
      while (at < e.partition_texts.size() &&
             !(numeric ? at < e.partition_numbers.size() && e.partition_numbers[at] == numbers[i]
                       : e.partition_texts[at] == observed[i].first)) {
        ++at;
      }
      if (at < counts.size()) {
        counts[at] += static_cast<double>(observed[i].second);
      } else {
        outside.push_back(observed[i].first);
        counts.push_back(static_cast<double>(observed[i].second));
      }
    }
    if (n == 0) {
      r.ok = e.allow_empty;
      r.detail = "no values";
      return;
    }
    // Values the partition does not name share tail_weight_holdout.
    if (!outside.empty()) {
      for (double& w : weights) w *= 1 - e.tail_weight_holdout;
      for (std::size_t i = 0; i < outside.size(); ++i)
        weights.push_back(e.tail_weight_holdout / static_cast<double>(outside.size()));
    }
    if (e.metric == "kl_divergence") {
      value = kl(counts, weights);
    } else {
      double statistic = 0;
      for (std::size_t i = 0; i < counts.size(); ++i) {
        const double expected = weights[i] * n;
        if (expected == 0) {
          if (counts[i] > 0) statistic = HUGE_VAL;
          continue;
        }
        statistic += (counts[i] - expected) * (counts[i] - expected) / expected;
      }
      value = chi_square_p_value(statistic, static_cast<double>(counts.size() - 1));
      figures =
          "chi-square " + number_text(statistic) + " on " + std::to_string(counts.size() - 1) + " degrees of freedom";
    }
    if (!outside.empty()) {
      std::string names;
      for (std::size_t i = 0; i < outside.size() && i < 10; ++i) names += (i ? ", " : "") + outside[i];
      if (outside.size() > 10) names += ", ... (" + std::to_string(outside.size()) + " in all)";
      figures += (figures.empty() ? "" : "; ") + std::string("values outside the partition: ") + names;
    }
  }
  r.detail = figures;
  if (!(value < HUGE_VAL)) {
    r.detail = "infinite: data where the partition expects none" + (figures.empty() ? "" : " (" + figures + ")");
    return;
  }
  r.has_value = true;
  r.value = value;
  r.min = e.min;
  r.max = e.max;
  r.ok = (!e.min || value >= *e.min) && (!e.max || value <= *e.max);
}

// column_count and columns: the input's columns, as a table or a CSV header gives them.
void check_columns(const Program::Expectation& e, const InputColumns& columns, ExpectationResult& r) {
  r.has_value = false;
  r.ok = false;
  if (!columns.known) {
    r.detail = "the input has no columns (JSON records): " + e.metric + " reads tables and CSV files";
    return;
  }
  if (columns.differ) {
    r.detail = "the inputs of this report have different columns";
    return;
  }
  const std::vector<std::string>& names = columns.names;
  r.has_value = true;
  if (e.metric == "column_count") {
    r.value = static_cast<double>(names.size());
    r.min = e.min;
    r.max = e.max;
    r.ok = (!e.min || r.value >= *e.min) && (!e.max || r.value <= *e.max);
    return;
  }
  auto has = [](const std::vector<std::string>& list, const std::string& name) {
    return std::find(list.begin(), list.end(), name) != list.end();
  };
  std::vector<std::string> unexpected, missing;
  if (e.set_mode != "contains") {
    for (const std::string& name : names) {
      if (!has(e.set_texts, name)) unexpected.push_back(name);
    }
  }
  if (e.set_mode != "in") {
    for (const std::string& name : e.set_texts) {
      if (!has(names, name)) missing.push_back(name);
    }
  }
  std::size_t misplaced = 0;
  if (e.set_mode == "ordered" && unexpected.empty() && missing.empty()) {
    for (std::size_t i = 0; i < names.size() && i < e.set_texts.size(); ++i) misplaced += names[i] != e.set_texts[i];
  }
  r.value = static_cast<double>(unexpected.size() + missing.size() + misplaced);
  r.ok = r.value == 0;
  if (!unexpected.empty()) r.detail = "not in the set: " + listed(unexpected);
  if (!missing.empty()) r.detail += (r.detail.empty() ? "" : "; ") + std::string("missing: ") + listed(missing);
  if (misplaced > 0) r.detail = "in another order: " + listed(names);
}

}  // namespace

std::vector<ExpectationResult> evaluate_expectations(const Program& program, const RecordCounts& counts,
                                                     const Profiler* profiler, const InputColumns& columns) {
  std::vector<ExpectationResult> out;
  for (std::size_t k = 0; k < program.expectations.size(); ++k) {
    const Program::Expectation& e = program.expectations[k];
    const int index = static_cast<int>(k);
    ExpectationResult r;
    r.id = e.id;
    r.metric = e.metric;
    r.severity = e.severity;
    for (int f : e.fields.empty() && e.field >= 0 ? std::vector<int>{e.field} : e.fields) {
      r.field +=
          (r.field.empty() ? "" : ",") +
          program.nodes[static_cast<std::size_t>(program.profiled[static_cast<std::size_t>(f)].node)].schema_path;
    }
    // An expectation with `when` reads the profile of the records where it holds.
    const Profiler* source = profiler != nullptr ? &profiler->for_condition(e.condition) : nullptr;
    if (e.metric == "columns" || e.metric == "column_count") {
      check_columns(e, columns, r);
    } else if (source == nullptr) {
      r.ok = false;
      r.detail = "no statistics were computed";
    } else if (e.metric == "unique") {
      for (const Profiler::Unique& u : source->unique()) {
        if (u.expectation == index) check_unique(e, u, r);
      }
    } else if (e.metric == "increasing" || e.metric == "decreasing") {
      for (const Profiler::Order& o : source->order()) {
        if (o.expectation == index) check_order(e, o, r);
      }
    } else if (e.metric == "chi_square" || e.metric == "kl_divergence" || e.metric == "ks") {
      check_distribution(e, *source, index, r);
    } else if (!e.set_mode.empty()) {
      check_set(e, source->profile().fields[static_cast<std::size_t>(e.field)], r);
    } else {
      std::optional<double> value =
          e.condition >= 0 && e.metric == "row_count"
              ? std::optional<double>(static_cast<double>(source->profile().rows))
              : metric_value(e.metric, e.field, e.metric == "outlier_share" ? e.sigma : e.quantile, counts, source);
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
        const bool statistic = spec::metric_traits(e.metric)->statistic;
        r.ok = !value ? !statistic || e.allow_empty : (!e.min || *value >= *e.min) && (!e.max || *value <= *e.max);
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::optional<FreshnessResult> check_freshness(const Program& program, const Profile& profile,
                                               std::int64_t now_micros) {
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
      const std::string& path =
          program.nodes[static_cast<std::size_t>(program.profiled[static_cast<std::size_t>(m.field)].node)].schema_path;
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
