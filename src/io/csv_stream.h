// CSV input: rows parsed by libcsv, gathered into columnar batches of text
// cells, validated by the columnar engine (see dq/stream.h for the rules).
#pragma once

#include <cstdio>
#include <vector>

#include "dq/stream.h"

namespace dq {

// `positions`, when given, are the records' positions to report instead of
// the ones read (rows of a rejects file keep their line in that file).
Status validate_csv(Validator& validator, std::FILE* file, const StreamOptions& options, ReportBuilder& report,
                    const std::vector<RecordPosition>* positions = nullptr);

}  // namespace dq
