// Every expectation metric and what it asks of a contract: one row a metric.
// The loader reads the names (with a did-you-mean hint), the compiler the
// rest; a new metric is a new row here and its value in profile/metrics.cpp.
#pragma once

#include <string_view>

namespace dq::spec {

struct MetricTraits {
  std::string_view name;
  bool field;        // measures a field (`field:` required)
  bool numeric;      // of a numeric field
  bool ordered;      // of a numeric or time field
  bool set;          // takes in / contains / equals (/ ordered for columns) instead of bounds
  bool statistic;    // a statistic of values: no values fails unless `allow_empty`
  bool whole_input;  // counts the whole input: `when` cannot narrow it
  bool mostly;       // takes `mostly`: the share of values that must pass
  bool bounds;       // needs min, max, between or equals (or, where `set`, a set)
};

// clang-format off
inline constexpr MetricTraits kMetrics[] = {
  // name                field  numeric ordered set    stat   whole  mostly bounds
  {"row_count",          false, false,  false,  false, false, false, false, true},
  {"valid_count",        false, false,  false,  false, false, true,  false, true},
  {"invalid_count",      false, false,  false,  false, false, true,  false, true},
  {"malformed_count",    false, false,  false,  false, false, true,  false, true},
  {"invalid_rate",       false, false,  false,  false, false, true,  false, true},
  {"malformed_rate",     false, false,  false,  false, false, true,  false, true},
  {"null_rate",          true,  false,  false,  false, false, false, false, true},
  {"null_count",         true,  false,  false,  false, false, false, false, true},
  {"duplicate_count",    true,  false,  false,  false, false, false, false, true},
  {"distinct_count",     true,  false,  false,  false, false, false, false, true},
  {"distinct_ratio",     true,  false,  false,  false, true,  false, false, true},
  {"mean",               true,  true,   false,  false, true,  false, false, true},
  {"stddev",             true,  true,   false,  false, true,  false, false, true},
  {"sum",                true,  true,   false,  false, false, false, false, true},
  {"median",             true,  true,   false,  false, true,  false, false, true},
  {"quantile",           true,  true,   false,  false, true,  false, false, true},
  {"outlier_share",      true,  true,   false,  false, true,  false, false, true},
  {"min",                true,  false,  true,   false, true,  false, false, true},
  {"max",                true,  false,  true,   false, true,  false, false, true},
  {"value",              true,  false,  true,   false, false, false, true,  true},
  {"distinct_values",    true,  false,  false,  true,  false, false, false, true},
  {"most_common_value",  true,  false,  false,  true,  true,  false, false, true},
  {"unique",             false, false,  false,  false, false, false, true,  false},
  {"increasing",         true,  false,  true,   false, false, false, true,  false},
  {"decreasing",         true,  false,  true,   false, false, false, true,  false},
  {"chi_square",         true,  false,  false,  false, true,  false, false, true},
  {"kl_divergence",      true,  false,  false,  false, true,  false, false, true},
  {"ks",                 true,  true,   false,  false, true,  false, false, true},
  {"column_count",       false, false,  false,  false, false, true,  false, true},
  {"columns",            false, false,  false,  true,  false, true,  false, false},
};
// clang-format on

// The row of `name`, or null for an unknown metric.
inline const MetricTraits* metric_traits(std::string_view name) {
  for (const MetricTraits& m : kMetrics) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

}  // namespace dq::spec
