// The library's access to a ReportBuilder's profiler: the engines feed it
// records as they walk them (see ProfileScope).
#pragma once

#include "dq/report.h"

namespace dq {

class Profiler;

struct ReportAccess {
  static Profiler* profiler(ReportBuilder& report);  // null when the report does not profile
};

}  // namespace dq
