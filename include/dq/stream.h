// Validating a stream of records: NDJSON, one JSON array, or CSV, from a
// file or stdin, in constant memory (bounded by Limits::max_record_bytes).
//
// CSV: the header row names the columns, which map to top-level fields.
// Cells are typed by the contract: a cell of an integer or number field that
// reads as a JSON number is that number, of a boolean field `true`/`false` a
// boolean; an empty unquoted cell is null; anything else is a string (so
// "12x" in an integer field is a type violation). A row with a different
// number of cells than the header, or whose quotes do not parse, is malformed
// with its line. Rows are validated in columnar batches.
//
// A record that does not parse is counted `malformed`, with its line and byte
// offset, and the stream goes on: total == valid + invalid + malformed.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "dq/export.h"
#include "dq/report.h"

namespace dq {

enum class InputFormat {
  kAuto,       // by extension (.ndjson/.jsonl vs .json), else by the first byte ('[' = array)
  kNdjson,     // one JSON document per line; blank lines are skipped
  kJsonArray,  // JSON values one after another; each element of a top-level array is a record
  kCsv,        // RFC 4180 CSV with a header row (kAuto picks it for .csv files)
  kRejects,    // a rejects file (reject_line): each record's raw bytes, validated again
};

// One record as read, with its verdict; for rejects files and callbacks.
struct RecordEvent {
  std::string_view raw;  // the record's bytes as they were in the input ("" for Arrow rows)
  RecordPosition where;
  const Verdict& verdict;
  std::string_view csv_header = {};  // a CSV record's header line, so a reject can be read again
};

struct StreamOptions {
  InputFormat format = InputFormat::kAuto;
  ReportOptions report;
  std::string source_name;  // for messages; defaults to the path or "<stdin>"
  // Called for each record that is not valid (invalid or malformed).
  std::function<void(const RecordEvent&)> on_reject;
  // Called for each valid record.
  std::function<void(const RecordEvent&)> on_accept;
  // Called every `progress_every` records with the records and bytes read so far.
  std::function<void(std::uint64_t records, std::uint64_t bytes)> on_progress;
  std::uint64_t progress_every = 100000;
  // Threads validating NDJSON (0: one per core). Blocks of lines go to the
  // threads and their reports merge in input order, so the report and the
  // callbacks' order equal a single-threaded run; callbacks run on the
  // calling thread. JSON arrays and CSV are read by one thread.
  unsigned threads = 1;
};

// One line of a rejects file: the record's raw bytes ("raw", a JSON string;
// "raw_base64" instead when the bytes are not UTF-8), the CSV header line for
// CSV rows ("csv_header"), and why it was rejected, so it can be audited and
// reprocessed (InputFormat::kRejects reads such a file). No trailing newline.
DQ_EXPORT std::string reject_line(const RecordEvent& event, const std::string& source);

// Validates every record of `path` ("-" is stdin). An unreadable file is an
// kIoError status; bad records are data in the Report.
DQ_EXPORT Result<Report> validate_file(const Contract& contract, const std::string& path,
                                       const StreamOptions& options = {});

// Validates records held in memory, each one whole JSON document (queue
// messages, the elements of a Beam bundle), into `report`. Records are
// numbered after those the report already holds (line and offset 0), and
// `on_record`, when set, sees each with its verdict.
DQ_EXPORT void validate_records(Validator& validator, const std::vector<std::string_view>& records,
                                ReportBuilder& report, const std::function<void(const RecordEvent&)>& on_record = {});

// Validates every record read from `file` (not closed). Several inputs can
// share one builder, so a report covers all of them.
DQ_EXPORT Status validate_stream(Validator& validator, std::FILE* file, const StreamOptions& options,
                                 ReportBuilder& report);

}  // namespace dq
