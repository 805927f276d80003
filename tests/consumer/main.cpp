// Loads a contract given on the command line and validates two records.
#include <dq/dq.h>

#include <iostream>

static_assert(DQ_VERSION_MAJOR >= 0 && DQ_VERSION_MINOR >= 0 && DQ_VERSION_PATCH >= 0, "dq/version.h is installed");

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto contract = dq::Contract::load_file(argv[1]);
  if (!contract.ok()) {
    std::cerr << contract.status().to_string() << "\n";
    return 2;
  }
  dq::Validator validator(*contract);
  const dq::Verdict& bad = validator.validate_json(R"({"id": "x"})");
  bool bad_rejected = !bad.ok;
  std::cout << "dq " << DQ_VERSION_STRING << ": dataset " << contract->dataset() << ", violations "
            << bad.violations.size() << "\n";
  return bad_rejected ? 0 : 1;
}
