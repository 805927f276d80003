// Contract files as the governance tools read them: the Spec as written,
// checked like `dq lint` (params may be missing, so the compiler runs too),
// with the source text.
#pragma once

#include <string>
#include <vector>

#include "dq/status.h"
#include "spec/loader.h"
#include "spec/spec.h"

namespace dq {

struct ReadContract {
  spec::Contract spec;
  std::string text;                  // the file's bytes (suppression comments)
  std::vector<Diagnostic> findings;  // errors and warnings, sorted
};

// kIoError when unreadable. Otherwise ok, with `findings`; `spec` is usable
// only when no finding is an error (kInvalidContract is returned then when
// `require_valid`).
Result<ReadContract> read_contract(const std::string& path, bool require_valid,
                                   spec::SourceFormat format = spec::SourceFormat::kAuto);

}  // namespace dq
