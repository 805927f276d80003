// The columnar engine: the record engine's walker over the rows of an
// imported batch (engine/columns.h), so both engines share every check and
// every message.
#pragma once

#include "dq/validator.h"
#include "engine/columns.h"

namespace dq {

// Validates row `row` of `batch` (a struct Column, imported and bound). The
// reference stays valid until the validator's next call.
const Verdict& validate_row(Validator& validator, const Column& batch, std::int64_t row);

}  // namespace dq
