// Screens: programs generated per contract (src/codegen, `dq codegen`) that
// walk a record with the contract's keys, types and checks laid out as
// straight-line code, and answer one question: is the record clean? A clean
// record leaves the walk state exactly as the walker would (the same capture
// slots, no violation), so the Validator finishes it as it finishes a walk
// (rules, counts); any other record, or any doubt, is walked again from the
// start by the walker, which writes every message. A screen may therefore
// refuse what it does not expect; it must never pass what the walker flags.
//
// The generated code compiles against this header with the library's own
// build (dq_add_screen in CMake) and registers itself when linked: a
// Validator whose compiled program generates the same text takes it.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/words16.h"
#include "compile/program.h"
#include "engine/simdjson_source.h"
#include "engine/walker.h"

namespace dq {

// True when the record under `root` is clean; the walk state then holds what
// the walker would have left (rules not yet run).
using Screen = bool (*)(od::object& root, SimdjsonSource& source, Walker<SimdjsonSource>& walker, WalkState& state);

// Made once per generated screen, at static initialisation.
struct ScreenRegistration {
  ScreenRegistration(std::uint64_t fingerprint, Screen screen);
};

// Whether any screen is linked in.
bool screens_linked();
// The linked screen generated from a program like this one, or null.
Screen find_screen(const Program& program);

// Turns a Validator's screen off or on (on by default when one is linked):
// benchmarks and the differential tests compare it with the walker.
void use_screen(Validator& validator, bool on);
// Whether `validator` has a screen it uses, and how many records it passed.
bool has_screen(Validator& validator);
std::uint64_t screened_records(Validator& validator);

// What the generated code calls: each the walker's own test, in a form that
// takes constants.
namespace screen {

// A declared key: up to 16 bytes as two words, zero past its end (Words16),
// compared with the input's first `size` bytes; longer ones bytewise.
// Declared keys hold no quote or backslash (the compiler checks).
struct Key {
  std::uint64_t w0, w1;
  std::uint32_t size;
  std::string_view text;
};

DQ_ALWAYS_INLINE bool key_is(od::field& field, const char* raw, const Key& key) {
  if (key.size > 16) return field.key().unsafe_is_equal(key.text);
  // Safe to read 16 bytes: simdjson's input padding follows every record.
  const Words16 w = Words16::load(raw, key.size);
  return w.w0 == key.w0 && w.w1 == key.w1 && raw[key.size] == '"';
}

// The declared key matching the field as written, the hint tried first
// (records list keys in one order); `count` when none does.
DQ_ALWAYS_INLINE std::size_t find_key(od::field& field, const Key* keys, std::size_t count, std::size_t hint) {
  const char* raw = reinterpret_cast<const char*>(field.key().raw());
  if (hint < count && key_is(field, raw, keys[hint])) return hint;
  for (std::size_t k = 0; k < count; ++k) {
    if (key_is(field, raw, keys[k])) return k;
  }
  return count;
}

// A key declared nowhere as written, in an object that allows others: the
// value is skipped as the walker skips it (the key unescaped, so a broken
// escape is refused as there). A key that names a declared one once
// unescaped is left to the walker (false).
inline bool skip_undeclared(od::field& field, od::value& value, const Key* keys, std::size_t count,
                            Walker<SimdjsonSource>& walker) {
  std::string_view text;
  if (field.unescaped_key().get(text) != simdjson::SUCCESS) return false;
  for (std::size_t k = 0; k < count; ++k) {
    if (keys[k].text == text) return false;
  }
  return walker.skip(value);
}

// A value that is not of the field's type: clean only when null and allowed.
DQ_ALWAYS_INLINE bool null_allowed(od::value& value) {
  bool is_null = false;
  return value.is_null().get(is_null) == simdjson::SUCCESS && is_null;
}

// A string member of an enum, up to 16 bytes.
DQ_ALWAYS_INLINE bool same(const Words16& text, std::size_t size, std::uint64_t w0, std::uint64_t w1,
                           std::size_t member_size) {
  return (text.w0 == w0) & (text.w1 == w1) & (size == member_size);
}

}  // namespace screen

}  // namespace dq
