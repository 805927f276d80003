#include "profile/distributions.h"

#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>
#include <limits>

namespace dq {

double chi_square_p_value(double statistic, double dof) {
  if (!(statistic < std::numeric_limits<double>::infinity())) return 0;
  if (statistic <= 0) return 1;
  return boost::math::cdf(boost::math::complement(boost::math::chi_squared_distribution<double>(dof), statistic));
}

double distribution_cdf(const std::string& name, const std::vector<double>& params, double x) {
  if (name == "normal") return 0.5 * std::erfc(-(x - params[0]) / (params[1] * std::sqrt(2.0)));
  if (name == "uniform") return std::clamp((x - params[0]) / (params[1] - params[0]), 0.0, 1.0);
  return x <= 0 ? 0.0 : -std::expm1(-params[0] * x);  // exponential
}

double ks_statistic(const std::vector<double>& sorted, const std::string& name, const std::vector<double>& params) {
  const double n = static_cast<double>(sorted.size());
  double d = 0;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const double f = distribution_cdf(name, params, sorted[i]);
    d = std::max({d, static_cast<double>(i + 1) / n - f, f - static_cast<double>(i) / n});
  }
  return d;
}

namespace {

// Square matrices with a power-of-ten exponent beside them, so the n-th
// power neither overflows nor underflows.
using Matrix = std::vector<double>;

Matrix multiply(const Matrix& a, const Matrix& b, int m) {
  Matrix c(static_cast<std::size_t>(m) * m, 0.0);
  for (int i = 0; i < m; ++i) {
    for (int k = 0; k < m; ++k) {
      const double x = a[static_cast<std::size_t>(i) * m + k];
      if (x == 0) continue;
      for (int j = 0; j < m; ++j) c[static_cast<std::size_t>(i) * m + j] += x * b[static_cast<std::size_t>(k) * m + j];
    }
  }
  return c;
}

void power(const Matrix& a, int ea, Matrix& v, int& ev, int m, std::uint64_t n) {
  if (n == 1) {
    v = a;
    ev = ea;
    return;
  }
  power(a, ea, v, ev, m, n / 2);
  Matrix b = multiply(v, v, m);
  int eb = 2 * ev;
  if (n % 2 == 1) {
    v = multiply(a, b, m);
    ev = ea + eb;
  } else {
    v = std::move(b);
    ev = eb;
  }
  if (v[static_cast<std::size_t>(m / 2) * m + m / 2] > 1e140) {
    for (double& x : v) x *= 1e-140;
    ev += 140;
  }
}

// P(D_n < d), Marsaglia, Tsang and Wang's method: the (k, k) entry of the
// n-th power of an m x m matrix, with their closed form far in the tail.
double kolmogorov_cdf(std::uint64_t count, double d) {
  const double n = static_cast<double>(count);
  const double s = d * d * n;
  if (s > 7.24 || (s > 3.76 && count > 99)) return 1 - 2 * std::exp(-(2.000071 + 0.331 / std::sqrt(n) + 1.409 / n) * s);
  const int k = static_cast<int>(n * d) + 1;
  const int m = 2 * k - 1;
  const double h = k - n * d;
  Matrix hm(static_cast<std::size_t>(m) * m);
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < m; ++j) hm[static_cast<std::size_t>(i) * m + j] = i - j + 1 < 0 ? 0 : 1;
  }
  for (int i = 0; i < m; ++i) {
    hm[static_cast<std::size_t>(i) * m] -= std::pow(h, i + 1);
    hm[static_cast<std::size_t>(m - 1) * m + i] -= std::pow(h, m - i);
  }
  hm[static_cast<std::size_t>(m - 1) * m] += 2 * h - 1 > 0 ? std::pow(2 * h - 1, m) : 0;
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < m; ++j) {
      for (int g = 1; g <= i - j + 1; ++g) hm[static_cast<std::size_t>(i) * m + j] /= g;
    }
  }
  Matrix q;
  int eq = 0;
  power(hm, 0, q, eq, m, count);
  double p = q[static_cast<std::size_t>(k - 1) * m + (k - 1)];
  for (std::uint64_t i = 1; i <= count; ++i) {
    p = p * static_cast<double>(i) / n;
    if (p < 1e-140) {
      p *= 1e140;
      eq -= 140;
    }
  }
  return p * std::pow(10.0, eq);
}

// Kolmogorov's limiting distribution: P(K > lambda).
double kolmogorov_survival(double lambda) {
  if (lambda < 0.2) return 1;
  double sum = 0;
  for (int j = 1; j <= 100; ++j) {
    const double term = std::exp(-2.0 * j * j * lambda * lambda);
    sum += (j % 2 == 1 ? term : -term);
    if (term < 1e-17) break;
  }
  return std::clamp(2 * sum, 0.0, 1.0);
}

}  // namespace

double ks_p_value(double d, std::uint64_t n) {
  if (n == 0) return 1;
  if (d <= 0) return 1;
  if (d >= 1) return 0;
  if (n <= 1000) return std::clamp(1 - kolmogorov_cdf(n, d), 0.0, 1.0);
  // Kolmogorov's limit at a corrected argument (J. Vrbik, "Small-sample
  // corrections to Kolmogorov-Smirnov test statistic", 2018): within 3e-5 of
  // the exact value past n = 1000.
  const double root = std::sqrt(static_cast<double>(n));
  return kolmogorov_survival(root * d + 1 / (6 * root) + (root * d - 1) / (4 * static_cast<double>(n)));
}

}  // namespace dq
