// CSV input: any bytes after a fixed header or none; every row counted once
// (valid, invalid or malformed with its line), never a crash.
#include <cstdio>

#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::FILE* file = fmemopen(const_cast<std::uint8_t*>(data), size, "rb");
  if (file == nullptr) return 0;
  dq::Validator validator(dqfuzz::flat_contract());
  dq::ReportBuilder report(dqfuzz::flat_contract());
  dq::StreamOptions options;
  options.format = dq::InputFormat::kCsv;
  options.source_name = "fuzz.csv";
  std::uint64_t rejected = 0, accepted = 0;
  options.on_reject = [&](const dq::RecordEvent& e) {
    ++rejected;
    dqfuzz::require(!e.verdict.ok, "a rejected row is not ok");
  };
  options.on_accept = [&](const dq::RecordEvent& e) {
    ++accepted;
    dqfuzz::require(e.verdict.ok, "an accepted row is ok");
  };
  const dq::Status status = dq::validate_stream(validator, file, options, report);
  std::fclose(file);
  const dq::RecordCounts& c = report.counts();
  dqfuzz::require_reconciled(c);
  if (status.ok()) {
    dqfuzz::require(accepted == c.valid, "every valid row reached on_accept");
    dqfuzz::require(rejected == c.invalid + c.malformed, "every other row reached on_reject");
  } else {
    dqfuzz::require(!status.message().empty(), "a failed stream says why");
  }
  return 0;
}
