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
#include <string_view>
#include <vector>

#include "dq/contract.h"
#include "dq/export.h"
#include "dq/report.h"
#include "dq/stream.h"

namespace dq {

struct GradeOptions {
  InputFormat format = InputFormat::kAuto;  // of every input
  std::string output;                       // the graded export: ".csv" writes CSV, anything else NDJSON; "" = none
  std::string rejects;                      // every invalid or malformed record, as reject_line() writes it; "" = none
  std::size_t max_state_bytes = std::size_t{4} << 30;  // the per-entity state budget (4 GiB)
  ReportOptions report;                                // the validation report over every record read
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
  std::string sha256;  // of the bytes read
  std::uint64_t records = 0;
};

struct GradeTier {
  std::string name;
  std::uint64_t entities = 0;
  bool exported = true;  // the grading's `export` keeps it
};

// What one run did: the run report.
struct DQ_EXPORT GradeRun {
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

class DQ_EXPORT BatchGrader {
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

 private:
  struct Impl;
  explicit BatchGrader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Grading in parts, for engines that group records by key themselves (a
// Beam combine per key, a database's GROUP BY): share() validates one record
// and, when the grading keeps it, gives its entity's key and the record's
// share of the entity's state; states of one entity merge in any order and
// grouping; finish() assigns the entity's tier and gives its row. Keys and
// states are bytes, to be shipped between workers as they are; the workers
// of one job must run one dq build (states hold native byte order and the
// hashes of distinct() values).
//
// The measures, filter, tiers and columns are BatchGrader's, and so are the
// results, with one difference: parts have no reading order, so an output
// column holds the value of the entity's record with the greatest `order`
// (an event time; ties: the greater value) where BatchGrader keeps the last
// one read. Sums of numbers agree up to floating-point rounding.
//
// Not thread-safe (it holds a Validator): one GradeParts per thread.
class DQ_EXPORT GradeParts {
 public:
  // kInvalidArgument when the contract has no `grading` section.
  static Result<GradeParts> create(const Contract& contract);
  ~GradeParts();
  GradeParts(GradeParts&&) noexcept;
  GradeParts& operator=(GradeParts&&) noexcept;

  enum class Outcome : std::uint8_t { kRejected, kFiltered, kGraded };
  // Validates one JSON record. kRejected: invalid or malformed (see
  // verdict()); kFiltered: valid, left out by the grading's filter;
  // kGraded: `key` and `state` are set.
  Outcome share(std::string_view json, std::int64_t order, std::string& key, std::string& state);
  // The verdict of the last share(), valid until the next.
  const Verdict& verdict() const;

  // One state of everything `states` held (each from share() or merge()).
  // kInvalidData when a state is not this grading's; kLimitExceeded when an
  // integer sum overflows.
  Result<std::string> merge(const std::vector<std::string_view>& states) const;

  struct Entity {
    std::size_t tier = 0;        // index into tier_names()
    bool exported = true;        // the grading's `export` keeps the tier
    std::vector<GradeCell> row;  // as columns() names them
  };
  Result<Entity> finish(std::string_view key, std::string_view state);

  // The export's columns: key columns, "tier", the measures, the output columns.
  const std::vector<std::string>& columns() const;
  const std::vector<std::string>& tier_names() const;

 private:
  struct Impl;
  explicit GradeParts(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dq
