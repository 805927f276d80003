// Validating columnar data given through the Arrow C Data Interface: record
// batches from pyarrow, pandas, polars, DuckDB or any producer, read in
// place (no copy, no Arrow library linked).
//
// The columnar engine runs the very checks of the record engine, so a row
// gets the verdict its JSON form would get: a row is a record whose keys are
// the batch's columns, a null cell is a key with a null value, a timestamp
// column holds instants (shown in RFC 3339), a date column dates.
//
// Types: bool, int8..int64, uint8..uint64, float32/64, utf8, large_utf8,
// utf8_view, timestamp (s, ms, us, ns; any time zone), date32/64, struct,
// list, large_list, and dictionary-encoded values of those. Timestamps are
// kept to the microsecond. A column whose type cannot hold the contract's
// type at its path, an unsupported type, or an inconsistent layout (negative
// lengths, decreasing offsets, offsets past a child, missing buffers,
// dictionary indices out of range) is a kInvalidData Status naming the
// column and its Arrow format; no row of that batch is counted then.
#pragma once

#include <cstdint>
#include <functional>

#include "dq/arrow_abi.h"
#include "dq/export.h"
#include "dq/report.h"
#include "dq/stream.h"

namespace dq {

struct ArrowOptions {
  std::uint64_t first_record = 1;  // the number of the batch's first row in reports (1-based)
  // Called for each row that is not valid; RecordEvent::raw is empty.
  std::function<void(const RecordEvent&)> on_reject;
};

// Validates every row of one record batch (a struct array, format "+s", with
// its schema). Nothing is released: the caller keeps ownership of both.
DQ_EXPORT Status validate_arrow(Validator& validator, const ArrowSchema& schema, const ArrowArray& batch,
                                ReportBuilder& report, const ArrowOptions& options = {});

// Validates every batch of a stream, numbering rows across batches, and
// releases each batch; the stream itself stays the caller's to release. A
// producer error is a kIoError Status with the producer's message.
DQ_EXPORT Status validate_arrow_stream(Validator& validator, ArrowArrayStream& stream, ReportBuilder& report,
                                       const ArrowOptions& options = {});

}  // namespace dq
