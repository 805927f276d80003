// Reading a rejects file back (InputFormat::kRejects): each line's raw
// record is validated again, as JSON or, when the line carries its CSV
// header, as a CSV row, so a run can be repeated after a contract fix.
#pragma once

#include <cstdio>

#include "dq/stream.h"

namespace dq {

// Records keep their line in the rejects file as their position. A line that
// is not a rejects record is counted malformed.
Status validate_rejects(Validator& validator, std::FILE* file, const StreamOptions& options, ReportBuilder& report);

}  // namespace dq
