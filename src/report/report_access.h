// The library's access to a ReportBuilder's profiler: the engines feed it
// records as they walk them (see ProfileScope).
#pragma once

#include "dq/report.h"

namespace dq {

class Profiler;

struct ReportAccess {
  static Profiler* profiler(ReportBuilder& report);  // null when the report does not profile
  // Adds `records` valid records that no check reads again (screened rows).
  static void add_valid(ReportBuilder& report, std::uint64_t records);
  // A builder with `report`'s contract and options and nothing added.
  static ReportBuilder empty_like(const ReportBuilder& report);
  // Adds `from` to `into`, its samples' record numbers shifted by `record_shift`.
  static void merge(ReportBuilder& into, const ReportBuilder& from, std::uint64_t record_shift);
};

}  // namespace dq
