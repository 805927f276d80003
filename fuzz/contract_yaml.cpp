// Contract loading from arbitrary bytes: a contract, or diagnostics that all
// carry a position; never a crash, a hang or an unbounded allocation.
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  auto result = dq::Contract::load_string(yaml, "fuzz.yaml");
  if (!result.ok()) {
    dqfuzz::require(result.status().code() == dq::StatusCode::kInvalidContract, "a bad contract is kInvalidContract");
    dqfuzz::require(!result.status().diagnostics().empty(), "a bad contract has diagnostics");
    for (const auto& d : result.status().diagnostics())
      dqfuzz::require(!d.message.empty(), "every diagnostic says something");
    return 0;
  }
  // A contract that loads validates records: well-formed, malformed, empty.
  dq::Validator validator(*result);
  for (const char* record : {R"({"id": "1", "n": 2, "a": [1, {"b": null}], "s": "x"})", "{}", "[1]", "{\"a\": "}) {
    const dq::Verdict& v = validator.validate_json(record);
    dqfuzz::require(!(v.ok && v.malformed), "a verdict is not both ok and malformed");
  }
  return 0;
}
