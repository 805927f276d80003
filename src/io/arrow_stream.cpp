// Arrow input: batches and streams of them (the Arrow C data and stream
// interfaces) read into a report. Each batch is imported and bound once
// (engine/columns.h), screened a column at a time where it can be, and the
// rest walked row by row by the columnar engine.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "dq/arrow.h"
#include "engine/columnar.h"
#include "engine/walk_state.h"
#include "profile/profiler.h"
#include "report/report_access.h"

namespace dq {

namespace {

// A batch is validated a window of rows at a time: each window imported,
// screened and walked while its columns are still in the caches. A 64k-row
// batch of ten columns is several MB: imported whole and then screened, the
// second read came back from memory (8k-row windows ran 30% faster).
constexpr std::int64_t kWindowRows = 8192;

Status validate_rows(Validator& validator, const ArrowSchema& schema, const ArrowArray& batch, ReportBuilder& report,
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

// Whether a batch's windows can be cut from its children: a struct batch
// without nulls of its own whose children are there and long enough, and
// whose dictionaries are small (anything else is imported whole, where its
// flaws are reported).
bool windows_apply(const ArrowSchema& schema, const ArrowArray& batch) {
  if (batch.length <= kWindowRows || batch.null_count != 0 || batch.offset < 0 || batch.n_children <= 0 ||
      batch.children == nullptr || schema.format == nullptr || std::string_view(schema.format) != "+s") {
    return false;
  }
  for (std::int64_t c = 0; c < batch.n_children; ++c) {
    const ArrowArray* child = batch.children[c];
    if (child == nullptr || child->offset < 0 || child->length < batch.offset + batch.length) return false;
    // A dictionary's values are judged once per window: a large one, once per batch.
    if (child->dictionary != nullptr && child->dictionary->length > kWindowRows / 8) return false;
  }
  return true;
}

// A window's arrays are views: the batch keeps ownership of what they share.
void release_view(ArrowArray* view) { view->release = nullptr; }

}  // namespace

Status validate_arrow(Validator& validator, const ArrowSchema& schema, const ArrowArray& batch, ReportBuilder& report,
                      const ArrowOptions& options) {
  if (!windows_apply(schema, batch)) return validate_rows(validator, schema, batch, report, options);
  // A window is the batch with each child sliced (offset and length: the
  // buffers are shared), the batch's own offset folded into the children's.
  std::vector<ArrowArray> children(static_cast<std::size_t>(batch.n_children));
  std::vector<ArrowArray*> pointers(children.size());
  for (std::int64_t start = 0; start < batch.length; start += kWindowRows) {
    const std::int64_t rows = std::min(kWindowRows, batch.length - start);
    for (std::size_t c = 0; c < children.size(); ++c) {
      const ArrowArray& child = *batch.children[c];
      children[c] = child;
      children[c].offset = child.offset + batch.offset + start;
      children[c].length = rows;
      children[c].null_count = child.null_count == 0 ? 0 : -1;  // -1: unknown, the bitmap is read
      children[c].release = release_view;
      pointers[c] = &children[c];
    }
    ArrowArray window = batch;
    window.offset = 0;
    window.length = rows;
    window.children = pointers.data();
    window.release = release_view;
    ArrowOptions window_options = options;
    window_options.first_record += static_cast<std::uint64_t>(start);
    if (Status st = validate_rows(validator, schema, window, report, window_options); !st.ok()) {
      // A flaw of the data is reported as in the whole batch (its row numbers).
      const Program& program = ContractAccess::program(validator.contract());
      Result<Column> whole = import_batch(schema, batch, program.limits.max_depth);
      return whole.ok() ? st : whole.status();
    }
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
