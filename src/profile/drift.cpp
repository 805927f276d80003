#include "dq/drift.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "base/figure.h"
#include "compile/program.h"

namespace dq {
namespace {

// Two distributions over the same bins, as shares of their totals.
struct Binned {
  std::vector<std::string> labels;
  std::vector<double> baseline, current;
};

bool normalize(std::vector<double>& counts) {
  double total = 0;
  for (double c : counts) total += c;
  if (total <= 0) return false;
  for (double& c : counts) c /= total;
  return true;
}

Binned categories(const FieldProfile& b, const FieldProfile& c) {
  std::map<std::string, std::pair<double, double>> both;
  for (const auto& [value, n] : b.value_counts) both[value].first = static_cast<double>(n);
  for (const auto& [value, n] : c.value_counts) both[value].second = static_cast<double>(n);
  Binned out;
  for (const auto& [value, counts] : both) {
    out.labels.push_back(value);
    out.baseline.push_back(counts.first);
    out.current.push_back(counts.second);
  }
  return out;
}

// Bins of the baseline, cut between sketch buckets: the cut points are
// ordinals, so both sides are counted exactly in the same bins.
// - about equal-frequency bins over the baseline's range;
// - a bucket holding at least 1/bins of the baseline (a point mass, such as
//   one value of a binary field) is a bin of its own, so mass moving between
//   point values shows;
// - one bin below the baseline's smallest bucket and one above its largest,
//   both empty in the baseline, so values leaving its range always show
//   (a constant field that moves, a unit change).
Binned numeric_bins(const FieldProfile& b, const FieldProfile& c, int bins) {
  const std::vector<ValueSketch::Bucket> base = b.sketch.buckets();
  std::vector<std::int64_t> cuts;  // a bin ends after this ordinal
  std::vector<double> cut_values;  // the upper bound of that bucket
  auto cut = [&](std::int64_t ordinal, double value) {
    if (cuts.empty() || cuts.back() < ordinal) cuts.push_back(ordinal), cut_values.push_back(value);
  };
  const double total = static_cast<double>(b.sketch.count());
  const double heavy = total / bins;
  cut(base.front().ordinal - 1, base.front().low);  // below the baseline
  double seen = 0;
  int next = 1;
  for (std::size_t i = 0; i < base.size(); ++i) {
    seen += static_cast<double>(base[i].count);
    const bool last = i + 1 == base.size();
    const bool point_mass = static_cast<double>(base[i].count) >= heavy;
    const bool before_point_mass = !last && static_cast<double>(base[i + 1].count) >= heavy;
    if (last || point_mass || before_point_mass || seen >= total * next / bins) {
      cut(base[i].ordinal, base[i].high);  // the last cut leaves a bin above the baseline
      while (next < bins && seen >= total * next / bins) ++next;
    }
  }
  Binned out;
  const std::size_t n = cuts.size() + 1;
  out.baseline.assign(n, 0);
  out.current.assign(n, 0);
  auto bin_of = [&](std::int64_t ordinal) {
    return static_cast<std::size_t>(std::lower_bound(cuts.begin(), cuts.end(), ordinal) - cuts.begin());
  };
  for (const auto& bucket : base) out.baseline[bin_of(bucket.ordinal)] += static_cast<double>(bucket.count);
  for (const auto& bucket : c.sketch.buckets())
    out.current[bin_of(bucket.ordinal)] += static_cast<double>(bucket.count);
  // Integers read better as the integers a bin holds: "2", "[3, 6]".
  const bool integers = b.type == "integer" || b.type == "array";
  for (std::size_t i = 0; i < n; ++i) {
    if (i == 0) {
      out.labels.push_back("< " + figure(integers ? std::ceil(cut_values[0]) : cut_values[0]));
    } else if (i + 1 == n) {
      out.labels.push_back("> " + figure(integers ? std::floor(cut_values[i - 1]) : cut_values[i - 1]));
    } else if (integers) {
      const double first = i == 1 ? std::ceil(cut_values[0]) : std::floor(cut_values[i - 1]) + 1;
      const double last = std::floor(cut_values[i]);
      out.labels.push_back(first >= last ? figure(first) : "[" + figure(first) + ", " + figure(last) + "]");
    } else {
      out.labels.push_back((i == 1 ? "[" : "(") + figure(cut_values[i - 1]) + ", " + figure(cut_values[i]) + "]");
    }
  }
  // Bins empty on both sides change no measure: only those that hold data are shown.
  Binned shown;
  for (std::size_t i = 0; i < n; ++i) {
    if (out.baseline[i] == 0 && out.current[i] == 0) continue;
    shown.labels.push_back(std::move(out.labels[i]));
    shown.baseline.push_back(out.baseline[i]);
    shown.current.push_back(out.current[i]);
  }
  return shown;
}

std::vector<DriftMover> movers(const Binned& bins) {
  std::vector<std::size_t> order(bins.labels.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    return std::fabs(bins.current[x] - bins.baseline[x]) > std::fabs(bins.current[y] - bins.baseline[y]);
  });
  std::vector<DriftMover> out;
  for (std::size_t k = 0; k < order.size() && k < 3; ++k) {
    const std::size_t i = order[k];
    if (bins.current[i] == bins.baseline[i]) break;
    out.push_back({bins.labels[i], bins.baseline[i], bins.current[i]});
  }
  return out;
}

double psi(const Binned& bins) {
  double sum = 0;
  for (std::size_t i = 0; i < bins.labels.size(); ++i) {
    const double b = bins.baseline[i] > 0 ? bins.baseline[i] : 1e-4;
    const double c = bins.current[i] > 0 ? bins.current[i] : 1e-4;
    sum += (c - b) * std::log(c / b);
  }
  return sum;
}

double js(const Binned& bins) {
  double sum = 0;
  for (std::size_t i = 0; i < bins.labels.size(); ++i) {
    const double b = bins.baseline[i], c = bins.current[i], m = (b + c) / 2;
    if (b > 0) sum += 0.5 * b * std::log2(b / m);
    if (c > 0) sum += 0.5 * c * std::log2(c / m);
  }
  return std::clamp(sum, 0.0, 1.0);
}

double linf(const Binned& bins) {
  double most = 0;
  for (std::size_t i = 0; i < bins.labels.size(); ++i)
    most = std::max(most, std::fabs(bins.current[i] - bins.baseline[i]));
  return most;
}

// Both CDFs stepped over the union of their buckets, in value order.
struct CdfStep {
  double x;       // the bucket's midpoint
  double fb, fc;  // CDFs after this bucket
};

std::vector<CdfStep> cdfs(const ValueSketch& b, const ValueSketch& c) {
  const auto bb = b.buckets(), cb = c.buckets();
  const double nb = static_cast<double>(b.count()), nc = static_cast<double>(c.count());
  std::vector<CdfStep> out;
  std::size_t i = 0, j = 0;
  double sb = 0, sc = 0;
  while (i < bb.size() || j < cb.size()) {
    std::int64_t ord = INT64_MAX;
    if (i < bb.size()) ord = bb[i].ordinal;
    if (j < cb.size()) ord = std::min(ord, cb[j].ordinal);
    double x = 0;
    if (i < bb.size() && bb[i].ordinal == ord) sb += static_cast<double>(bb[i].count), x = bb[i++].mid();
    if (j < cb.size() && cb[j].ordinal == ord) sc += static_cast<double>(cb[j].count), x = cb[j++].mid();
    out.push_back({x, sb / nb, sc / nc});
  }
  return out;
}

double ks_statistic(const std::vector<CdfStep>& steps) {
  double d = 0;
  for (const CdfStep& s : steps) d = std::max(d, std::fabs(s.fb - s.fc));
  return d;
}

// The asymptotic Kolmogorov distribution: P(K > λ) = 2 Σ (−1)^(k−1) e^(−2k²λ²).
double ks_p_value(double d, double nb, double nc) {
  const double ne = nb * nc / (nb + nc);
  const double lambda = (std::sqrt(ne) + 0.12 + 0.11 / std::sqrt(ne)) * d;
  if (lambda < 1e-3) return 1.0;
  double sum = 0;
  for (int k = 1; k <= 100; ++k) {
    const double term = std::exp(-2.0 * k * k * lambda * lambda);
    sum += (k % 2 ? 1 : -1) * term;
    if (term < 1e-12) break;
  }
  return std::clamp(2 * sum, 0.0, 1.0);
}

double wasserstein(const std::vector<CdfStep>& steps) {
  double w = 0;
  for (std::size_t k = 0; k + 1 < steps.size(); ++k) {
    w += std::fabs(steps[k].fb - steps[k].fc) * (steps[k + 1].x - steps[k].x);
  }
  return w;
}

}  // namespace

Result<DriftBins> drift_bins(const FieldProfile& b, const FieldProfile& c, int bins) {
  if (b.type != c.type) return Status(StatusCode::kInvalidArgument, "the field's types differ");
  Binned out;
  if (b.categorical()) {
    if (b.values_overflow || c.values_overflow) {
      return Status(StatusCode::kInvalidArgument, "'" + b.path + "' has too many distinct values to bin");
    }
    out = categories(b, c);
  } else if (b.numeric()) {
    if (b.values == 0) return Status(StatusCode::kInvalidArgument, "'" + b.path + "' has no values in the baseline");
    out = numeric_bins(b, c, bins);
  } else {
    return Status(StatusCode::kInvalidArgument, "'" + b.path + "' (" + b.type + ") has no distribution to bin");
  }
  normalize(out.baseline);
  normalize(out.current);
  return DriftBins{std::move(out.labels), std::move(out.baseline), std::move(out.current)};
}

namespace {

DriftMeasure measure(const FieldProfile& b, const FieldProfile& c, DriftMethod method, int bins) {
  using M = DriftMethod;
  DriftMeasure out;
  auto fail = [&](std::string why) {
    out.ok = false;
    out.why = std::move(why);
    return out;
  };
  if (b.type != c.type) return fail("the field is " + b.type + " in the baseline and " + c.type + " now");
  if (method == M::kNullRateDelta) {
    if (b.count == 0 || c.count == 0) return fail("no records with this field on one side");
    out.ok = true;
    out.value = std::fabs(c.null_rate() - b.null_rate());
    out.why = "null rate " + figure(b.null_rate()) + " -> " + figure(c.null_rate());
    return out;
  }
  if (b.values == 0 || c.values == 0) return fail(b.values == 0 ? "no values in the baseline" : "no values now");
  const double sd = std::sqrt(b.variance());
  if (method == M::kMeanShift) {
    if (!(sd > 0)) return fail("the baseline has no spread (standard deviation 0)");
    out.ok = true;
    out.value = std::fabs(c.mean - b.mean) / sd;
    out.why = "mean " + figure(b.mean) + " -> " + figure(c.mean) + ", baseline σ " + figure(sd);
    return out;
  }
  if (c.categorical()) {
    if (method != M::kPsi && method != M::kJs && method != M::kLinf) return fail(name_of(method) + " needs numbers");
    if (b.values_overflow || c.values_overflow) {
      return fail("more than " + std::to_string(std::max(b.value_counts.size(), c.value_counts.size())) +
                  " distinct values: the value table was dropped (high cardinality)");
    }
    Binned bins_ = categories(b, c);
    normalize(bins_.baseline);
    normalize(bins_.current);
    out.ok = true;
    out.value = method == M::kPsi ? psi(bins_) : method == M::kJs ? js(bins_) : linf(bins_);
    out.movers = movers(bins_);
    return out;
  }
  if (!c.numeric()) return fail("drift of " + c.type + " fields is measured by null_rate_delta only");
  if (method == M::kPsi || method == M::kJs) {
    Binned bins_ = numeric_bins(b, c, bins);
    normalize(bins_.baseline);
    normalize(bins_.current);
    out.ok = true;
    out.value = method == M::kPsi ? psi(bins_) : js(bins_);
    out.movers = movers(bins_);
    return out;
  }
  const std::vector<CdfStep> steps = cdfs(b.sketch, c.sketch);
  if (method == M::kLinf || method == M::kKs) {
    out.ok = true;
    out.value = ks_statistic(steps);
    if (method == M::kKs) {
      out.p_value = ks_p_value(out.value, static_cast<double>(b.values), static_cast<double>(c.values));
    }
    Binned bins_ = numeric_bins(b, c, bins);
    normalize(bins_.baseline);
    normalize(bins_.current);
    out.movers = movers(bins_);
    return out;
  }
  // wasserstein
  if (!(sd > 0)) return fail("the baseline has no spread (standard deviation 0)");
  out.ok = true;
  out.value = wasserstein(steps) / sd;
  Binned bins_ = numeric_bins(b, c, bins);
  normalize(bins_.baseline);
  normalize(bins_.current);
  out.movers = movers(bins_);
  return out;
}

}  // namespace

DriftMeasure measure_drift(const FieldProfile& baseline, const FieldProfile& current, std::string_view method,
                           int bins) {
  if (auto m = drift_method(method)) return measure(baseline, current, *m, bins);
  DriftMeasure out;
  out.why = "unknown drift method '" + std::string(method) + "'";
  return out;
}

std::vector<DriftResult> check_drift(const Contract& contract, const Profile& baseline, const Profile& current) {
  const Program& p = ContractAccess::program(contract);
  std::vector<DriftResult> out;
  for (const Program::DriftCheck& d : p.drift) {
    DriftResult r;
    r.field = current.fields[static_cast<std::size_t>(d.field)].path;
    r.method = name_of(d.method);
    r.warn = d.warn;
    r.fail = d.fail;
    r.baseline_rows = baseline.rows;
    r.current_rows = current.rows;
    r.status = "skipped";
    const FieldProfile* b = baseline.field(r.field);
    const FieldProfile& c = current.fields[static_cast<std::size_t>(d.field)];
    if (b == nullptr) {
      r.detail = "the baseline has no field '" + r.field + "' (made from another contract?)";
    } else if (current.rows < p.drift_min_rows) {
      r.detail =
          "fewer rows than min_rows (" + std::to_string(current.rows) + " < " + std::to_string(p.drift_min_rows) + ")";
    } else if (baseline.rows < p.drift_min_rows) {
      r.detail = "the baseline has fewer rows than min_rows (" + std::to_string(baseline.rows) + ")";
    } else {
      DriftMeasure m = measure(*b, c, d.method, d.bins);
      if (!m.ok) {
        r.detail = m.why;
      } else {
        r.value = m.value;
        r.movers = std::move(m.movers);
        r.status = d.fail && m.value >= *d.fail ? "fail" : d.warn && m.value >= *d.warn ? "warn" : "ok";
        r.detail = m.p_value >= 0 ? "p-value " + figure(m.p_value) : m.why;
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace dq
