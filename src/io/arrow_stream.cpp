// Arrow input: batches and streams of them (the Arrow C data and stream
// interfaces) read into a report. Each batch is imported and bound once
// (engine/columns.h), screened a column at a time where it can be, and the
// rest walked row by row by the columnar engine.
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "dq/arrow.h"
#include "engine/columnar.h"
#include "engine/walk_state.h"
#include "profile/profiler.h"
#include "report/report_access.h"

namespace dq {

Status validate_arrow(Validator& validator, const ArrowSchema& schema, const ArrowArray& batch, ReportBuilder& report,
                      const ArrowOptions& options) {
  const Program& program = ContractAccess::program(validator.contract());
  Result<Column> imported = import_batch(schema, batch, program.limits.max_depth);
  if (!imported.ok()) return imported.status();
  const Column& columns = *imported;
  if (Status st = bind_columns(columns, program); !st.ok()) return st;
  std::vector<std::string> names;
  for (const Column& c : columns.children) names.push_back(c.name);
  ReportAccess::set_columns(report, names);
  Profiler* profiler = ReportAccess::profiler(report);
  SinkScope profiling(validator, profiler);
  const std::vector<std::uint8_t> valid = screen_rows(columns, program);
  // Walked rows are profiled as they are walked; screened rows column at a time.
  if (profiler != nullptr && !valid.empty()) profiler->add_screened(columns, valid);
  for (std::int64_t row = 0; row < columns.length; ++row) {
    if (!valid.empty() && valid[static_cast<std::size_t>(row)]) {
      // A run of screened rows is counted at once.
      std::int64_t end = row + 1;
      while (end < columns.length && valid[static_cast<std::size_t>(end)]) ++end;
      ReportAccess::add_valid(report, static_cast<std::uint64_t>(end - row));
      row = end - 1;
      continue;
    }
    const RecordPosition where{options.first_record + static_cast<std::uint64_t>(row), 0, 0};
    const Verdict& verdict = validate_row(validator, columns, row);
    report.add(verdict, where);
    if (!verdict.ok && options.on_reject) options.on_reject(RecordEvent{{}, where, verdict});
  }
  return {};
}

Status validate_arrow_stream(Validator& validator, ArrowArrayStream& stream, ReportBuilder& report,
                             const ArrowOptions& options) {
  if (stream.release == nullptr) return Status(StatusCode::kInvalidArgument, "the Arrow stream was already released");
  auto producer_error = [&](int code) {
    const char* why = stream.get_last_error ? stream.get_last_error(&stream) : nullptr;
    return Status(StatusCode::kIoError, std::string("the Arrow stream failed: ") + (why ? why : std::strerror(code)));
  };
  ArrowSchema schema{};
  if (int code = stream.get_schema(&stream, &schema); code != 0) return producer_error(code);
  ArrowOptions batch_options = options;
  Status status;
  while (true) {
    ArrowArray batch{};
    if (int code = stream.get_next(&stream, &batch); code != 0) {
      status = producer_error(code);
      break;
    }
    if (batch.release == nullptr) break;  // the end of the stream
    status = validate_arrow(validator, schema, batch, report, batch_options);
    batch_options.first_record += static_cast<std::uint64_t>(batch.length);
    batch.release(&batch);
    if (!status.ok()) break;
  }
  schema.release(&schema);
  return status;
}

}  // namespace dq
