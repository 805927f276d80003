// The C++ source of a screen (engine/screen.h) for a compiled program: each
// declared object a function whose field loop matches the contract's keys as
// constant words, each scalar's type and checks straight-line code; what it
// does not lay out (unions, `mostly`, coercions, structural enums, unique
// items) it hands to the walker. The text reads the program's values (bounds,
// patterns, zones, limits) at run time and decides only the code's shape, so
// any program that generates the same text may use it: its fingerprint is a
// hash of the text.
#pragma once

#include <cstdint>
#include <string>

#include "compile/program.h"

namespace dq {

struct ScreenSource {
  std::string text;  // a C++ translation unit that registers the screen when linked
  std::uint64_t fingerprint = 0;
};

ScreenSource screen_source(const Program& program);

}  // namespace dq
