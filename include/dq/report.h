// Report: what a batch or a stream of records did against a contract.
//
// The JSON form has fixed top-level keys (schemas/report.schema.json):
// ok, contract{dataset,version}, records{total,valid,invalid,malformed},
// rules[], expectations[], drift[], malformed[].
// records.total == valid + invalid + malformed, always.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dq/contract.h"
#include "dq/validator.h"

namespace dq {

struct ReportOptions {
  std::size_t max_samples_per_rule = 5;   // failing examples kept per check
  std::size_t max_malformed_samples = 20; // malformed examples kept
};

struct Sample {
  std::uint64_t record = 0;  // 1-based record number in the input
  std::uint64_t line = 0;    // 1-based line where the record starts
  std::string path;
  std::string value;
  std::string message;
};

struct RuleSummary {
  std::string id;
  std::string path;
  Severity severity = Severity::kError;
  std::uint64_t failed = 0;  // records failing this check (a record counts once)
  double mostly = 1.0;
  bool ok = true;            // failed within `mostly` tolerance (warnings always ok)
  std::vector<Sample> samples;
};

struct MalformedSample {
  std::uint64_t record = 0;
  std::uint64_t line = 0;
  std::uint64_t offset = 0;  // byte offset of the error in the input
  std::string message;
};

struct RecordCounts {
  std::uint64_t total = 0, valid = 0, invalid = 0, malformed = 0;
};

struct Report {
  bool ok = true;
  std::string dataset, version;
  RecordCounts records;
  std::vector<RuleSummary> rules;  // checks that failed at least once, in contract order
  std::vector<MalformedSample> malformed;

  std::string to_json(int indent = 2) const;
  std::string to_text() const;   // for a terminal
  std::string to_junit() const;  // JUnit XML: one test case per check
};

// Where a record came from, for samples and malformed messages.
struct RecordPosition {
  std::uint64_t record = 0;  // 1-based
  std::uint64_t line = 0;    // 1-based line of the record's first byte
  std::uint64_t offset = 0;  // byte offset of the record's first byte
};

// Accumulates verdicts into a Report. Not thread-safe; reports of several
// builders over one contract merge with merge().
class ReportBuilder {
 public:
  explicit ReportBuilder(Contract contract, ReportOptions options = {});
  ~ReportBuilder();
  ReportBuilder(ReportBuilder&&) noexcept;
  ReportBuilder& operator=(ReportBuilder&&) noexcept;

  void add(const Verdict& verdict, const RecordPosition& where);
  // Adds another builder's counts (records must not overlap).
  void merge(const ReportBuilder& other);
  const RecordCounts& counts() const;
  Report finish() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dq
