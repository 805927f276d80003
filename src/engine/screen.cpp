// The registry of linked screens, looked up by the fingerprint of the text a
// program generates (so a screen is only taken by programs it was made for).
#include "engine/screen.h"

#include <mutex>
#include <utility>
#include <vector>

#include "codegen/screen_source.h"

namespace dq {

namespace {

struct Registry {
  std::mutex mutex;
  std::vector<std::pair<std::uint64_t, Screen>> screens;
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

ScreenRegistration::ScreenRegistration(std::uint64_t fingerprint, Screen screen) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.screens.emplace_back(fingerprint, screen);
}

bool screens_linked() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  return !r.screens.empty();
}

Screen find_screen(const Program& program) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (r.screens.empty()) return nullptr;  // most programs: nothing to generate
  // Set when the contract was loaded; generated now for a program loaded
  // before its screen was (a library opened later).
  const std::uint64_t fingerprint =
      program.screen_fingerprint != 0 ? program.screen_fingerprint : screen_source(program).fingerprint;
  for (const auto& [print, screen] : r.screens) {
    if (print == fingerprint) return screen;
  }
  return nullptr;
}

}  // namespace dq
