// Exact decimal numbers for `multiple_of`: a JSON number's text read as
// digits × 10^exponent, so 0.3 is a multiple of 0.1 (binary doubles say no).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace dq {

struct Decimal {
  std::uint64_t digits = 0;  // at most 19 significant digits
  int exponent = 0;          // value = ±digits × 10^exponent
  bool negative = false;

  // JSON's number grammar (also "1.50", "2e-3"); nullopt past 19 significant digits.
  static std::optional<Decimal> parse(std::string_view text);
  // The shortest decimal that reads back as `x` (std::to_chars), exact for integers.
  static Decimal of(double x);
  static Decimal of(std::int64_t x);
};

// Whether `value` is an integer multiple of `step` (step > 0), exactly.
bool is_multiple_of(const Decimal& value, const Decimal& step);

}  // namespace dq
