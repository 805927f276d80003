// Generated screens: fixed contracts with their screens linked in, fuzzed
// JSON. A Validator that takes the screen and one that only walks give the
// same verdict (validity, violations with paths, messages and values, the
// malformed reason and offset), the same `mostly` observations and the same
// captured values, for every input.
#include "engine/screen.h"

#include <string>

#include "../tests/unit/walk_description.h"
#include "fuzz.h"

namespace {

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
  const std::string walked = dq_test::describe_walk(pair.walked.validate_json(json), pair.walked);
  const std::string screened = dq_test::describe_walk(pair.screened.validate_json(json), pair.screened);
  if (walked != screened) {
    std::fprintf(stderr, "walked:\n%s\nscreened:\n%s\n", walked.c_str(), screened.c_str());
    dqfuzz::require(false, "the screen leaves what the walker leaves");
  }
  return 0;
}
