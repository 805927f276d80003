// Tests of a sample against a declared distribution: the p-values of
// Pearson's chi-square and of the one-sample Kolmogorov-Smirnov test, and the
// distributions' CDFs. scipy.stats is the reference these agree with.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dq {

// P(X >= statistic) for X ~ chi-square with `dof` degrees of freedom
// (scipy.stats.chisquare's p-value); 0 for an infinite statistic.
double chi_square_p_value(double statistic, double dof);

// The CDF of a named distribution (normal: mean, stddev; uniform: min, max;
// exponential: rate) at x.
double distribution_cdf(const std::string& name, const std::vector<double>& params, double x);

// The two-sided Kolmogorov-Smirnov statistic D of sorted values against a CDF.
double ks_statistic(const std::vector<double>& sorted, const std::string& name, const std::vector<double>& params);

// P(D_n >= d), scipy.stats.kstest's two-sided p-value: exact (Marsaglia,
// Tsang and Wang 2003) up to n = 1000, then Kolmogorov's limit with Vrbik's
// small-sample correction (within 3e-5 of the exact value).
double ks_p_value(double d, std::uint64_t n);

}  // namespace dq
