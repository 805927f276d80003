// CSV input: rows parsed by libcsv, gathered into columnar batches of text
// cells, validated by the columnar engine (see dq/stream.h for the rules).
#pragma once

#include <cstdio>

#include "dq/stream.h"

namespace dq {

Status validate_csv(Validator& validator, std::FILE* file, const StreamOptions& options, ReportBuilder& report);

}  // namespace dq
