// BatchGrader: the batch grader. Reads records (NDJSON, JSON, CSV or a
// rejects file), validates each, sets every failing record aside with its raw
// bytes and reasons (the rejects file), aggregates the valid ones per entity
// (the contract's `grading.key`), assigns each entity the first tier whose
// `when` holds, and writes the graded export.
//
// Every number reconciles (GradeRun::reconciled):
//   rows read = valid + invalid + malformed;  valid = filtered + graded;
//   entities = the sum of the entities of every tier.
//
// Memory: the input streams in constant memory; what grows is the per-entity
// state (the key, one accumulator per measure, the distinct values of
// distinct() measures, the output columns), bounded by
// GradeOptions::max_state_bytes. Going past the bound stops the run with
// kLimitExceeded, naming the record and the entity count; nothing is
// written half-graded.
//
// Not thread-safe: one BatchGrader per run. The Contract may be shared.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dq/contract.h"
#include "dq/report.h"
#include "dq/stream.h"

namespace dq {

struct GradeOptions {
  InputFormat format = InputFormat::kAuto;  // of every input
  std::string output;   // the graded export: ".csv" writes CSV, anything else NDJSON; "" = none
  std::string rejects;  // every invalid or malformed record, as reject_line() writes it; "" = none
  std::size_t max_state_bytes = std::size_t{4} << 30;  // the per-entity state budget (4 GiB)
  ReportOptions report;  // the validation report over every record read
  // Called every `progress_every` records with the records and bytes read so far.
  std::function<void(std::uint64_t records, std::uint64_t bytes)> on_progress;
  std::uint64_t progress_every = 1000000;
};

// One cell of the graded table. Timestamps and dates are RFC 3339 strings.
struct GradeCell {
  enum class Kind : std::uint8_t { kNull, kBool, kInt, kNumber, kString };
  Kind kind = Kind::kNull;
  bool b = false;
  std::int64_t i = 0;
  double d = 0;
  std::string s;
};

struct GradeRows {
  std::uint64_t read = 0, valid = 0, invalid = 0, malformed = 0;
  std::uint64_t coerced = 0;   // records holding a value recovered by `coerce:` (part of valid + invalid)
  std::uint64_t filtered = 0;  // valid records the grading filter left out
  std::uint64_t graded = 0;    // valid records aggregated into an entity
};

struct GradeInput {
  std::string path;  // as given ("-" = stdin)
  std::uint64_t bytes = 0;
  std::string sha256;        // of the bytes read
  std::uint64_t records = 0;
};

struct GradeTier {
  std::string name;
  std::uint64_t entities = 0;
  bool exported = true;  // the grading's `export` keeps it
};

// What one run did: the run report.
struct GradeRun {
  std::string dataset, version;
  std::vector<std::pair<std::string, std::string>> params;  // every declared param, as used
  std::vector<GradeInput> inputs;
  GradeRows rows;
  std::uint64_t entities = 0;
  std::vector<GradeTier> tiers;  // in contract order
  // The export: key columns, "tier", the measures, the output columns; one
  // row per entity of an exported tier, in tier order, then by key.
  std::vector<std::string> columns;
  std::vector<std::vector<GradeCell>> table;
  std::string output, rejects;  // paths written ("" = none)
  std::uint64_t rejects_written = 0;
  std::uint64_t state_bytes = 0, state_limit = 0;  // per-entity state used, and its bound
  double seconds = 0;
  Report validation;  // counts, failed checks with samples, expectations

  // Whether rows, records and entities all add up (see the header comment).
  bool reconciled() const;
  std::string to_json(int indent = 2) const;
  std::string to_text() const;  // a readable summary
};

class BatchGrader {
 public:
  // kInvalidArgument when the contract has no `grading` section.
  static Result<BatchGrader> create(const Contract& contract, GradeOptions options = {});
  ~BatchGrader();
  BatchGrader(BatchGrader&&) noexcept;
  BatchGrader& operator=(BatchGrader&&) noexcept;

  // Reads one input ("-" is stdin). kIoError when it cannot be read or a
  // rejects file cannot be written; kLimitExceeded past max_state_bytes.
  // After an error the grader only reports it again.
  Status add_file(const std::string& path);
  Status add_stream(std::FILE* file, const std::string& source_name);

  // Assigns tiers and writes the export; call once, after the inputs.
  Result<GradeRun> finish();

  struct Impl;

 private:
  explicit BatchGrader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dq
