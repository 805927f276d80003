// The columnar engine: the record engine's walker over the rows of an
// imported batch (engine/columns.h), so both engines share every check and
// every message.
#pragma once

#include <cstdint>
#include <vector>

#include "compile/program.h"
#include "dq/validator.h"
#include "engine/columns.h"

namespace dq {

// Validates row `row` of `batch` (a struct Column, imported and bound). The
// reference stays valid until the validator's next call.
const Verdict& validate_row(Validator& validator, const Column& batch, std::int64_t row);

// The rows of `batch` (imported and bound) that no check can fail, found a
// column at a time: 1 = certainly valid. Empty when the batch cannot be
// screened (rules, `mostly`, null rows, expectations that read every record).
std::vector<std::uint8_t> screen_rows(const Column& batch, const Program& program);

}  // namespace dq
