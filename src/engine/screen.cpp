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

Screen find_screen(const Program& program) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (r.screens.empty()) return nullptr;  // most programs: nothing to generate
  const std::uint64_t fingerprint = screen_source(program).fingerprint;
  for (const auto& [print, screen] : r.screens) {
    if (print == fingerprint) return screen;
  }
  return nullptr;
}

}  // namespace dq
