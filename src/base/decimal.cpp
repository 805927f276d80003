#include "base/decimal.h"

#include <charconv>
#include <cmath>

namespace dq {

std::optional<Decimal> Decimal::parse(std::string_view t) {
  Decimal d;
  std::size_t i = 0;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) d.negative = t[i++] == '-';
  int significant = 0, fraction = 0;
  bool any = false, point = false;
  for (; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    any = true;
    if (point) ++fraction;
    if (d.digits == 0 && c == '0') continue;  // leading zeros
    if (++significant > 19) return std::nullopt;
    d.digits = d.digits * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (!any) return std::nullopt;
  long exponent = 0;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    const char* first = t.data() + i + 1;
    if (first < t.data() + t.size() && *first == '+') ++first;
    auto [end, ec] = std::from_chars(first, t.data() + t.size(), exponent);
    if (ec != std::errc() || end != t.data() + t.size() || exponent > 100000 || exponent < -100000) return std::nullopt;
    i = t.size();
  }
  if (i != t.size()) return std::nullopt;
  d.exponent = static_cast<int>(exponent) - fraction;
  // Trailing zeros move into the exponent: 1.50 is 15 × 10^-1.
  while (d.digits != 0 && d.digits % 10 == 0) d.digits /= 10, ++d.exponent;
  if (d.digits == 0) d.exponent = 0, d.negative = false;
  return d;
}

Decimal Decimal::of(double x) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, x);
  return parse(std::string_view(buffer, static_cast<std::size_t>(end - buffer))).value_or(Decimal{});
}

Decimal Decimal::of(std::int64_t x) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, x);
  return *parse(std::string_view(buffer, static_cast<std::size_t>(end - buffer)));
}

namespace {

__extension__ typedef unsigned __int128 Wide;  // products of two residues below 2^64

// (a × 10^k) mod m, for any k >= 0, without overflow.
std::uint64_t times_power_of_ten_mod(std::uint64_t a, long k, std::uint64_t m) {
  Wide result = a % m, base = 10 % m;
  for (; k > 0; k >>= 1) {
    if (k & 1) result = result * base % m;
    base = base * base % m;
  }
  return static_cast<std::uint64_t>(result);
}

}  // namespace

bool is_multiple_of(const Decimal& value, const Decimal& step) {
  if (value.digits == 0) return true;
  if (step.digits == 0) return false;
  const long shift = static_cast<long>(value.exponent) - step.exponent;
  // Both are normalized (no trailing zeros in the digits): when the step's
  // last digit sits left of the value's, value / step = v / (s × 10^k) needs
  // 10 to divide v, which it does not.
  return shift >= 0 && times_power_of_ten_mod(value.digits, shift, step.digits) == 0;
}

}  // namespace dq
