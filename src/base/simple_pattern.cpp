#include "base/simple_pattern.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstring>

namespace dq {
namespace {

constexpr unsigned kUnbounded = UINT_MAX;

bool is_ascii_punct(char c) { return c > 0 && std::ispunct(static_cast<unsigned char>(c)); }

// Reads one class escape (\d, \w) or escaped punctuation into `set`.
bool read_escape(char c, std::bitset<256>& set) {
  if (c == 'd') {
    for (char d = '0'; d <= '9'; ++d) set.set(static_cast<unsigned char>(d));
    return true;
  }
  if (c == 'w') {
    for (int x = 0; x < 128; ++x) {
      if (std::isalnum(x) || x == '_') set.set(static_cast<unsigned>(x));
    }
    return true;
  }
  if (is_ascii_punct(c)) {
    set.set(static_cast<unsigned char>(c));
    return true;
  }
  return false;
}

bool read_number(std::string_view p, std::size_t& i, unsigned& out) {
  std::size_t start = i;
  unsigned long v = 0;
  while (i < p.size() && p[i] >= '0' && p[i] <= '9' && i - start < 4) v = v * 10 + static_cast<unsigned>(p[i++] - '0');
  out = static_cast<unsigned>(v);
  return i > start && (i >= p.size() || p[i] < '0' || p[i] > '9');
}

}  // namespace

std::optional<SimplePattern> SimplePattern::compile(std::string_view p) {
  if (p.empty() || p[0] != '^') return std::nullopt;
  SimplePattern out;
  std::size_t i = 1;
  while (i < p.size()) {
    char c = p[i];
    if (c == '$' && i + 1 == p.size()) {
      out.anchored_end_ = true;
      break;
    }
    // A non-capturing group of one step, '(?:[a-z-]{0,38})', is that step.
    const bool group = p.compare(i, 3, "(?:") == 0;
    if (group) {
      i += 3;
      if (i >= p.size()) return std::nullopt;
      c = p[i];
    }
    Step step;
    if (c == '\\') {
      if (i + 1 >= p.size() || !read_escape(p[i + 1], step.set)) return std::nullopt;
      i += 2;
    } else if (c == '[') {
      ++i;
      if (i < p.size() && p[i] == '^') return std::nullopt;  // negated classes match non-ASCII code points
      bool closed = false;
      while (i < p.size()) {
        char a = p[i];
        if (a == ']' && !step.set.none()) {
          closed = true;
          ++i;
          break;
        }
        if (a == '\\') {
          if (i + 1 >= p.size() || !read_escape(p[i + 1], step.set)) return std::nullopt;
          i += 2;
          continue;
        }
        if (a == '[' || static_cast<unsigned char>(a) >= 0x80 || a < 0x20) return std::nullopt;
        if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
          char b = p[i + 2];
          if (b == '\\' || static_cast<unsigned char>(b) >= 0x80 || b < a) return std::nullopt;
          for (int x = a; x <= b; ++x) step.set.set(static_cast<unsigned>(x));
          i += 3;
        } else {
          step.set.set(static_cast<unsigned char>(a));
          ++i;
        }
      }
      if (!closed) return std::nullopt;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == ':' || c == '/' ||
               c == '@' || c == '#' || c == '=' || c == '!' || c == '%' || c == '&' || c == ',' || c == ';' ||
               c == '<' || c == '>' || c == '\'' || c == '"' || c == '~' || c == ' ') {
      if (static_cast<unsigned char>(c) >= 0x80) return std::nullopt;
      step.set.set(static_cast<unsigned char>(c));
      ++i;
    } else {
      return std::nullopt;  // '.', '(', '|', '$' inside, quantifier without operand, ...
    }
    if (i < p.size()) {
      char q = p[i];
      if (q == '?')
        step.min = 0, step.max = 1, ++i;
      else if (q == '*')
        step.min = 0, step.max = kUnbounded, ++i;
      else if (q == '+')
        step.min = 1, step.max = kUnbounded, ++i;
      else if (q == '{') {
        ++i;
        if (!read_number(p, i, step.min)) return std::nullopt;
        step.max = step.min;
        if (i < p.size() && p[i] == ',') {
          ++i;
          if (i < p.size() && p[i] == '}') {
            step.max = kUnbounded;
          } else if (!read_number(p, i, step.max) || step.max < step.min) {
            return std::nullopt;
          }
        }
        if (i >= p.size() || p[i] != '}') return std::nullopt;
        ++i;
      }
      if (i < p.size() && (p[i] == '?' || p[i] == '+' || p[i] == '*' || p[i] == '{'))
        return std::nullopt;  // lazy, possessive
    }
    if (group) {
      if (i >= p.size() || p[i] != ')') return std::nullopt;
      ++i;
      if (i < p.size() && (p[i] == '?' || p[i] == '+' || p[i] == '*' || p[i] == '{'))
        return std::nullopt;  // a quantified group
    }
    out.steps_.push_back(step);
  }
  if (out.steps_.empty()) return std::nullopt;
  // Greedy is exact only if a variable step can't eat what a later step
  // needs: it must be disjoint from each following step up to and including
  // the next one that must match at least once.
  for (std::size_t k = 0; k < out.steps_.size(); ++k) {
    const Step& s = out.steps_[k];
    if (s.min == s.max) continue;
    for (std::size_t j = k + 1; j < out.steps_.size(); ++j) {
      if ((s.set & out.steps_[j].set).any()) return std::nullopt;
      if (out.steps_[j].min > 0) break;
    }
  }
  // Every step a fixed count and the end anchored: one class per position.
  if (out.anchored_end_ &&
      std::all_of(out.steps_.begin(), out.steps_.end(), [](const Step& s) { return s.min == s.max; })) {
    for (const Step& s : out.steps_) {
      for (unsigned k = 0; k < s.min; ++k) {
        for (unsigned byte = 0; byte < 256; ++byte) out.positions_.push_back(s.set.test(byte) ? 1 : 0);
      }
    }
    out.fixed_length_ = true;
    out.set_ranges();
  }
  return out;
}

// Each position's bytes as at most two ranges, in chunks of 16 positions;
// none when a position needs more or the length passes kVectorBytes.
void SimplePattern::set_ranges() {
  const std::size_t length = fixed_length();
  if (length == 0 || length > kVectorBytes) return;
  std::vector<Chunk> chunks((length + 15) / 16);
  for (std::size_t k = 0; k < chunks.size() * 16; ++k) {
    Chunk& chunk = chunks[k / 16];
    const std::size_t lane = k % 16;
    std::uint8_t low[2] = {0, 0}, span[2] = {255, 255};  // unused lanes allow every byte
    if (k < length) {
      const std::uint8_t* allowed = positions_.data() + k * 256;
      const std::uint8_t* end = allowed + 256;
      std::size_t ranges = 0;
      for (const std::uint8_t* first = std::find(allowed, end, 1); first != end;) {
        const std::uint8_t* past = std::find(first, end, 0);
        if (ranges == 2) return;  // a third range
        low[ranges] = static_cast<std::uint8_t>(first - allowed);
        span[ranges] = static_cast<std::uint8_t>(past - first - 1);
        ++ranges;
        first = std::find(past, end, 1);
      }
      if (ranges == 0) return;
      low[1] = low[ranges - 1], span[1] = span[ranges - 1];  // one range: tested twice
    }
    for (int r = 0; r < 2; ++r) chunk.low[r][lane] = low[r], chunk.span[r][lane] = span[r];
  }
  chunks_ = std::move(chunks);
}

bool SimplePattern::matches(std::string_view text) const {
  if (fixed_length_) {
    if (text.size() != fixed_length()) return false;
    if (!chunks_.empty()) {
      // Copied, as the text's own bytes may end where it does.
      char bytes[kVectorBytes] = {};
      std::memcpy(bytes, text.data(), text.size());
      bool all = true;
      for (std::size_t c = 0; c < chunks_.size(); ++c) all &= chunk_matches(chunks_[c], bytes + 16 * c);
      return all;
    }
    unsigned all = 1;
    for (std::size_t k = 0; k < text.size(); ++k) all &= positions_[k * 256 + static_cast<unsigned char>(text[k])];
    return all != 0;
  }
  std::size_t i = 0;
  for (const Step& step : steps_) {
    unsigned count = 0;
    while (count < step.max && i < text.size() && step.set.test(static_cast<unsigned char>(text[i]))) ++i, ++count;
    if (count < step.min) return false;
  }
  return !anchored_end_ || i == text.size();
}

}  // namespace dq
