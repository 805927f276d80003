// Dataset metrics (row_count, null_rate(field), ...) over a report's counts
// and profile, and what reads them: expectations, the freshness SLA, and the
// values monitors watch.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compile/program.h"
#include "dq/report.h"
#include "profile/profiler.h"

namespace dq {

// The value of a metric; nullopt when undefined (the mean of no values).
// `field` indexes Program::profiled (-1: a dataset metric). duplicate_count
// and distinct_count are exact when the profiler keeps the field's values,
// else estimates. `parameter`: the q of quantile, the sigma of outlier_share.
std::optional<double> metric_value(std::string_view metric, int field, double parameter, const RecordCounts& counts,
                                   const Profiler* profiler);

// The columns of a table or CSV input, in order: what column_count and
// columns read. Record inputs (JSON) have none.
struct InputColumns {
  bool known = false;
  bool differ = false;  // inputs of one report came with different columns
  std::vector<std::string> names;
};

std::vector<ExpectationResult> evaluate_expectations(const Program& program, const RecordCounts& counts,
                                                     const Profiler* profiler, const InputColumns& columns);

std::optional<FreshnessResult> check_freshness(const Program& program, const Profile& profile, std::int64_t now_micros);

// This run's value of each metric the contract's monitors watch, by name
// ("row_count", "null_rate(email)", "drift(amount)").
std::map<std::string, double> monitored_metrics(const Program& program, const RecordCounts& counts,
                                                const Profiler* profiler, const std::vector<DriftResult>& drift);

}  // namespace dq
