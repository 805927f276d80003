// dq: data contracts, compiled and enforced in-process. The umbrella header.
#pragma once

#include "dq/arrow.h"        // IWYU pragma: export
#include "dq/contract.h"     // IWYU pragma: export
#include "dq/drift.h"        // IWYU pragma: export
#include "dq/governance.h"   // IWYU pragma: export
#include "dq/grade.h"        // IWYU pragma: export
#include "dq/host_value.h"   // IWYU pragma: export
#include "dq/monitor.h"      // IWYU pragma: export
#include "dq/profile.h"      // IWYU pragma: export
#include "dq/report.h"       // IWYU pragma: export
#include "dq/status.h"       // IWYU pragma: export
#include "dq/stream.h"       // IWYU pragma: export
#include "dq/stream_gate.h"  // IWYU pragma: export
#include "dq/validator.h"    // IWYU pragma: export
#include "dq/version.h"      // IWYU pragma: export
