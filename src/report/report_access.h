// The library's access to a ReportBuilder's profiler: the engines feed it
// records as they walk them (see ProfileScope).
#pragma once

#include <string>
#include <vector>

#include "dq/report.h"

namespace dq {

class Profiler;

struct ReportAccess {
  static Profiler* profiler(ReportBuilder& report);  // null when the report does not profile
  // Adds `records` valid records that no check reads again (screened rows).
  static void add_valid(ReportBuilder& report, std::uint64_t records);
  // A builder with `report`'s contract and options and nothing added.
  static ReportBuilder empty_like(const ReportBuilder& report);
  // The next record to be walked is number `record` (a stream gate numbers
  // messages across its lanes).
  static void next_record(ReportBuilder& report, std::uint64_t record);
  // The columns of a table or CSV input (its header), for column_count and columns.
  static void set_columns(ReportBuilder& report, const std::vector<std::string>& names);
  // Adds `from` to `into`, its samples' record numbers shifted by `record_shift`.
  // `ordered` false: `from` was read at the same time as `into` (a gate's
  // lanes), so its records have no order with `into`'s and order
  // expectations say so.
  static void merge(ReportBuilder& into, const ReportBuilder& from, std::uint64_t record_shift, bool ordered = true);
};

}  // namespace dq
