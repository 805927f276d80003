// Drift: how far the distribution of a field moved from a baseline profile.
//
// Methods (value ranges; thresholds `warn`/`fail` compare with the value):
//   psi              Population Stability Index, Σ (c−b)·ln(c/b) over bins;
//                    an empty bin counts as 0.0001 of its side (as Evidently).
//   js               Jensen–Shannon divergence, log base 2, in [0, 1]; no
//                    smoothing (0·log 0 = 0). Its square root is the JS distance
//                    that scipy and Evidently print.
//   linf             L∞: the largest change of one category's share (TFDV);
//                    numbers: the largest gap between the two CDFs.
//   ks               Kolmogorov–Smirnov statistic D = sup |F_b − F_c| (detail
//                    gives the asymptotic p-value).
//   wasserstein      W1 = ∫ |F_b − F_c| dx, divided by the baseline's standard
//                    deviation (Evidently's normed form).
//   null_rate_delta  |null rate now − null rate in the baseline|.
//   mean_shift       |mean now − baseline mean| / baseline standard deviation.
// Bins: categories are the values of both tables; numbers use `bins`
// equal-frequency bins of the baseline, cut at ValueSketch bucket bounds (so
// both sides count every bin exactly; the outer bins are open-ended). CDFs
// are compared at every bucket bound (1.6% resolution).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dq/contract.h"
#include "dq/export.h"
#include "dq/profile.h"

namespace dq {

// One bin or value whose share moved, baseline vs current (fractions).
struct DriftMover {
  std::string bin;  // "[12.5, 18)" for numbers, the value for categories
  double baseline = 0, current = 0;
};

struct DriftResult {
  std::string field;
  std::string method;
  double value = 0;
  std::string status;  // "ok", "warn", "fail", or "skipped" (see detail)
  std::optional<double> warn, fail;
  std::string detail;              // why skipped; extra figures (p-value, null rates)
  std::vector<DriftMover> movers;  // the bins that moved most, largest first
  std::uint64_t baseline_rows = 0, current_rows = 0;
};

struct DriftMeasure {
  bool ok = false;  // false: not measurable, see `why`
  double value = 0;
  double p_value = -1;             // ks only
  std::string why;                 // when not ok: the reason; else extra figures ("mean 2.7 -> 3.1")
  std::vector<DriftMover> movers;  // largest change first, at most 3
};

// The bins psi and js compare, as shares of each side: the values of both
// category tables, or the baseline's equal-frequency numeric bins. For plots.
struct DriftBins {
  std::vector<std::string> labels;
  std::vector<double> baseline, current;
};
DQ_EXPORT Result<DriftBins> drift_bins(const FieldProfile& baseline, const FieldProfile& current, int bins = 10);

// One field's drift by one method, without thresholds.
DQ_EXPORT DriftMeasure measure_drift(const FieldProfile& baseline, const FieldProfile& current, std::string_view method,
                                     int bins = 10);

// Every drift check of the contract, with its status: "skipped" when the
// current data has fewer than `min_rows` rows or the method cannot apply
// (a category table dropped for high cardinality, no values).
DQ_EXPORT std::vector<DriftResult> check_drift(const Contract& contract, const Profile& baseline,
                                               const Profile& current);

// The results as the JSON array a report's "drift" holds.
DQ_EXPORT std::string drift_to_json(const std::vector<DriftResult>& results, int indent = -1);

}  // namespace dq
