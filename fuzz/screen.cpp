// Generated screens: fixed contracts with their screens linked in, fuzzed
// JSON. A Validator that takes the screen and one that only walks give the
// same verdict (validity, violations with paths, messages and values, the
// malformed reason and offset), the same `mostly` observations and the same
// captured values, for every input.
#include "engine/screen.h"

#include <string>

#include "engine/verdict_access.h"
#include "fuzz.h"

namespace {

std::string describe(const dq::Verdict& v, dq::Validator& validator) {
  std::string out = std::string(v.ok ? "ok" : "not ok") + (v.malformed ? " malformed " + v.error : "") + " @" +
                    std::to_string(v.error_offset) + " coerced " + std::to_string(v.coerced) + "\n";
  for (const dq::Violation& x : v.violations) out += x.path + "|" + x.rule + "|" + x.message + "|" + x.value + "\n";
  for (std::uint32_t m : dq::VerdictAccess::observed(v)) out += "observed " + std::to_string(m) + ";";
  if (v.malformed) return out;
  for (const dq::Value& slot : dq::last_walk(validator).slots) {
    out += std::to_string(static_cast<int>(slot.kind)) + ":";
    switch (slot.kind) {
      case dq::Value::Kind::kString: out += std::string(slot.s); break;
      case dq::Value::Kind::kNumber: out += std::to_string(slot.d); break;
      case dq::Value::Kind::kBool: out += slot.b ? "t" : "f"; break;
      default: out += std::to_string(slot.i);
    }
    out += ";";
  }
  return out;
}

struct Pair {
  dq::Validator screened, walked;
  explicit Pair(const char* path) : screened(load(path)), walked(load(path)) {
    dq::use_screen(walked, false);
    dqfuzz::require(dq::has_screen(screened), "the contract's screen is linked");
  }
  static dq::Contract load(const char* path) {
    auto contract = dq::Contract::load_file(std::string(DQ_SOURCE_DIR) + "/" + path);
    dqfuzz::require(contract.ok(), "a fixed fuzz contract loads");
    return std::move(*contract);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the contract; the rest is the record.
  static Pair pairs[] = {Pair("tests/unit/screens/features.yaml"), Pair("bench/contracts/flat_event.yaml"),
                         Pair("bench/contracts/github_events.yaml")};
  Pair& pair = pairs[data[0] % 3];
  const std::string_view json(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string walked = describe(pair.walked.validate_json(json), pair.walked);
  const std::string screened = describe(pair.screened.validate_json(json), pair.screened);
  if (walked != screened) {
    std::fprintf(stderr, "walked:\n%s\nscreened:\n%s\n", walked.c_str(), screened.c_str());
    dqfuzz::require(false, "the screen leaves what the walker leaves");
  }
  return 0;
}
