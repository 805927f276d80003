// Validation of an in-memory nlohmann::json value (the same engine and
// verdicts as JSON bytes; no serialization round trip).
#pragma once

#include <nlohmann/json.hpp>

#include "dq/export.h"
#include "dq/validator.h"

namespace dq {

// Validates `record` with `validator`; the reference stays valid until the
// validator's next call. Numbers keep nlohmann's types: an integer-valued
// double such as 3.0 counts as an integer, as it does in JSON text.
DQ_EXPORT const Verdict& validate(Validator& validator, const nlohmann::json& record);

}  // namespace dq
