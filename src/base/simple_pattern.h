// An exact matcher for the simplest anchored patterns, which is most ID
// patterns: '^evt_[0-9a-f]{16}$', '^[A-Z]{2}$', '^SKU-[A-Z]{4}-\d{4}$'.
//
// It accepts a sequence of steps, each a literal ASCII character, an ASCII
// class ([a-z0-9_-], \d, \w) or an escaped ASCII punctuation, with an
// optional count ({n}, {n,m}, ?, *, +), starting with '^' and optionally
// ending with '$'. A step with a variable count must be followed by a step
// whose characters it cannot match, so greedy matching never needs to
// backtrack. Anything else (groups, alternation, '.', negated classes,
// non-ASCII, flags) is not simple, and RE2 runs it. On the patterns it
// accepts, it answers exactly as RE2::PartialMatch (tested against RE2).
#pragma once

#include <bitset>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

namespace dq {

class SimplePattern {
 public:
  static std::optional<SimplePattern> compile(std::string_view pattern);
  bool matches(std::string_view text) const;

  // A pattern of one length only ('^[A-Z]{3}-[0-9]{6}$'): that length, and
  // per position 256 bytes (1 = the byte may stand there), for column
  // kernels that judge many values in one loop. Null when lengths vary.
  const std::uint8_t* fixed_table() const { return fixed_length_ ? positions_.data() : nullptr; }
  std::size_t fixed_length() const { return positions_.size() / 256; }

  // A fixed-length pattern of at most 16 positions, each one byte range
  // ([A-Z], \d, '-'): `matches_16` judges the text in the first
  // fixed_length() of 16 readable bytes at p with a few vector instructions
  // (byte - low > span, unsigned, fails the position; unused lanes span 255).
  bool has_ranges() const { return has_ranges_; }
  bool matches_16(const char* p) const {
    Bytes16 x;
    std::memcpy(&x, p, 16);
    const auto outside = (x - range_low_) > range_span_;
    std::uint64_t words[2];
    std::memcpy(words, &outside, 16);
    return (words[0] | words[1]) == 0;
  }

 private:
  struct Step {
    std::bitset<256> set;
    unsigned min = 1, max = 1;
  };
  std::vector<Step> steps_;
  bool anchored_end_ = false;
  // '^[A-Z]{3}-[0-9]{6}$': the class at each position of the only length
  // that matches, 256 bytes per position.
  bool fixed_length_ = false;
  std::vector<std::uint8_t> positions_;
  using Bytes16 = std::uint8_t __attribute__((vector_size(16)));
  bool has_ranges_ = false;
  Bytes16 range_low_{}, range_span_{};
};

}  // namespace dq
