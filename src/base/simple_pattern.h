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
#include <optional>
#include <string_view>
#include <vector>

namespace dq {

class SimplePattern {
 public:
  static std::optional<SimplePattern> compile(std::string_view pattern);
  bool matches(std::string_view text) const;

 private:
  struct Step {
    std::bitset<256> set;
    unsigned min = 1, max = 1;
  };
  std::vector<Step> steps_;
  bool anchored_end_ = false;
  // '^[A-Z]{3}-[0-9]{6}$': the class at each position of the only length that matches.
  bool fixed_length_ = false;
  std::vector<std::bitset<256>> positions_;
};

}  // namespace dq
