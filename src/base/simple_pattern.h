// An exact matcher for the simplest anchored patterns, which is most ID
// patterns: '^evt_[0-9a-f]{16}$', '^[A-Z]{2}$', '^SKU-[A-Z]{4}-\d{4}$'.
//
// It accepts a sequence of steps, each a literal ASCII character, an ASCII
// class ([a-z0-9_-], \d, \w) or an escaped ASCII punctuation, with an
// optional count ({n}, {n,m}, ?, *, +), possibly alone in a non-capturing
// group ('(?:[a-z-]{0,38})'), starting with '^' and optionally ending with
// '$'. A step with a variable count must be followed by a step whose
// characters it cannot match, so greedy matching never needs to backtrack.
// Anything else (other groups, alternation, '.', negated classes, non-ASCII,
// flags) is not simple, and RE2 runs it. On the patterns it accepts, it
// answers exactly as RE2::PartialMatch (tested against RE2).
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

  // Whether the pattern matches one length only ('^[A-Z]{3}-[0-9]{6}$'), and
  // that length: column kernels judge such a column without the rows' path.
  bool has_fixed_length() const { return fixed_length_; }
  std::size_t fixed_length() const { return positions_.size() / 256; }

  // A fixed-length pattern of at most 16 positions, each at most two byte
  // ranges ([A-Z], \d, '-', [0-9a-f]): `matches_16` judges the text in the
  // first fixed_length() of 16 readable bytes at p with a few vector
  // instructions (only when has_ranges()). matches() takes the same path
  // for fixed lengths up to 64.
  bool has_ranges() const { return !chunks_.empty() && fixed_length() <= 16; }
  bool matches_16(const char* p) const { return chunk_matches(chunks_[0], p); }
  // matches(), for text followed by readable bytes up to 64 past its start
  // (simdjson's padded string buffer): ranges are judged in place, no copy.
  bool matches_padded(std::string_view text) const {
    if (!fixed_length_ || chunks_.empty()) return matches(text);
    if (text.size() != fixed_length()) return false;
    bool all = true;
    for (std::size_t c = 0; c < chunks_.size(); ++c) all &= chunk_matches(chunks_[c], text.data() + 16 * c);
    return all;
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
  // Sixteen positions: a byte fails one where byte - low > span (unsigned)
  // for both of its ranges. A position of one range repeats it; unused
  // lanes allow every byte (span 255).
  struct Chunk {
    Bytes16 low[2], span[2];
  };
  static bool chunk_matches(const Chunk& c, const char* p) {
    Bytes16 x;
    std::memcpy(&x, p, 16);
    const auto outside = ((x - c.low[0]) > c.span[0]) & ((x - c.low[1]) > c.span[1]);
    std::uint64_t words[2];
    std::memcpy(words, &outside, 16);
    return (words[0] | words[1]) == 0;
  }
  static constexpr std::size_t kVectorBytes = 64;
  void set_ranges();
  std::vector<Chunk> chunks_;  // a fixed length up to kVectorBytes in ranges: a chunk per 16 positions
};

}  // namespace dq
