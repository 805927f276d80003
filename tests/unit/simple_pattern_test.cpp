// The fast matcher answers exactly as RE2 on every pattern it accepts.
#include "base/simple_pattern.h"

#include <re2/re2.h>

#include <catch2/catch.hpp>
#include <random>

TEST_CASE("simple patterns are recognized, anything else is left to RE2") {
  for (const char* p : {"^evt_[0-9a-f]{16}$", "^[A-Z]{2}$", "^SKU-[A-Z]{4}-\\d{4}$", "^[a-z]+$", "^ab?c*$",
                        "^[0-9]{1,20}$", "^\\w+@", "^x{2,}-y$", "^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$", "^(?:a)b$"}) {
    INFO(p);
    CHECK(dq::SimplePattern::compile(p).has_value());
  }
  for (const char* p :
       {"[0-9]+", "^(a|b)$", "^a.b$", "^[^a]$", "^a*a$", "^[a-z]+[0-9a-f]$", "^a*b?a$", "(?i)^a$", "^é$", "^a{2}?$",
        "^\\s$", "^a$b", "^(?:ab)$", "^(?:a)+$", "^(?:a|b)$", "^(?:a$", "^(?:)$", "^(a)$"}) {
    INFO(p);
    CHECK_FALSE(dq::SimplePattern::compile(p).has_value());
  }
  // Up to 16 fixed positions of at most two byte ranges each: the column kernels' vector form.
  CHECK(dq::SimplePattern::compile("^evt_[0-9a-f]{12}$")->has_ranges());
  CHECK_FALSE(dq::SimplePattern::compile("^[0-9a-fA-F]{4}$")->has_ranges());
  CHECK_FALSE(dq::SimplePattern::compile("^[0-9]{17}$")->has_ranges());
}

TEST_CASE("simple patterns agree with RE2--PartialMatch on mutations of matching strings") {
  const std::pair<const char*, const char*> cases[] = {
      {"^evt_[0-9a-f]{16}$", "evt_0123456789abcdef"},
      {"^[A-Z]{3}-[0-9]{6}$", "ABC-123456"},
      {"^[a-c]+-?[0-2]*$", "abc-012"},
      {"^a{2,3}b", "aab"},
      {"^[ab]*c+$", "abcc"},
      {"^x?y?z?$", "xz"},
      {"^\\d{1,3}\\.\\d{1,3}$", "12.345"},
      {"^[a-c_-]+$", "a_b-c"},
      {"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$", "octo-cat9"},
      {"^(?:x)y?(?:[0-2]{2,3})$", "xy012"},
      // Fixed lengths, judged 16 positions at a time up to 64.
      {"^[0-9a-f]{40}$", "0123456789abcdef0123456789abcdef01234567"},
      {"^[0-9a-fA-F]{4}-[0-9a-z]{3}$", "09aF-0z9"},
      {"^[a-z0-9]{64}$", "z0z0z0z0z0z0z0z0z0z0z0z0z0z0z0z0z0z0z0z0z0z0z0z0z0z0z0z0z0z0z0z0"},
      {"^[a-z0-9]{65}$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}};
  std::mt19937 rng(7);
  // With the neighbours of the classes' ends ('/', ':', '`', 'g', '@', 'G', '{').
  const std::string alphabet = "abcxyzABCXYZ0123456789_-.evt\xc3\xa9/:`g@G{";
  for (const auto& [p, example] : cases) {
    auto simple = dq::SimplePattern::compile(p);
    REQUIRE(simple);
    RE2 re(p);
    REQUIRE(re.ok());
    int matched = 0, rejected = 0;
    for (int i = 0; i < 20000; ++i) {
      std::string s = example;
      for (unsigned edits = rng() % 3; edits > 0; --edits) {
        std::size_t at = s.empty() ? 0 : rng() % s.size();
        char c = alphabet[rng() % alphabet.size()];
        switch (rng() % 3) {
          case 0:
            if (!s.empty()) s[at] = c;
            break;
          case 1: s.insert(s.begin() + static_cast<long>(at), c); break;
          default:
            if (!s.empty()) s.erase(at, 1);
        }
      }
      bool expected = RE2::PartialMatch(s, re);
      (expected ? matched : rejected)++;
      INFO(p << " on '" << s << "'");
      REQUIRE(simple->matches(s) == expected);
      // In place, with 64 readable bytes after the text that are not its own.
      std::string padded = s + std::string(64, '7');
      REQUIRE(simple->matches_padded(std::string_view(padded.data(), s.size())) == expected);
    }
    CHECK(matched > 100);
    CHECK(rejected > 100);
  }
}
