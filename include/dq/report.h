// Report: what a batch or a stream of records did against a contract.
//
// The JSON form has fixed top-level keys (schemas/report.schema.json):
// ok, contract{dataset,version}, records{total,valid,invalid,malformed},
// rules[], expectations[], drift[], malformed[].
// records.total == valid + invalid + malformed, always.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dq/contract.h"
#include "dq/drift.h"
#include "dq/export.h"
#include "dq/monitor.h"
#include "dq/profile.h"
#include "dq/validator.h"

namespace dq {

struct ReportOptions {
  std::size_t max_samples_per_rule = 5;    // failing examples kept per check
  std::size_t max_malformed_samples = 20;  // malformed examples kept
  // Compute a Profile in the same pass (Report::profile). Contracts with
  // expectations, drift, monitors or an SLA are always profiled.
  bool profile = false;
  ProfileOptions profile_options;
  // The profile `drift` compares against; without one, drift checks are
  // reported as skipped.
  std::shared_ptr<const Profile> baseline;
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
  bool ok = true;  // failed within `mostly` tolerance (warnings always ok)
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
  // Records holding a value recovered by a `coerce:` of the contract; a
  // part of valid + invalid, not a bucket of its own.
  std::uint64_t coerced = 0;
};

// A dataset-level expectation (or `unique: true`) over the whole report.
struct ExpectationResult {
  std::string id;
  std::string metric;
  std::string field;  // "" for dataset metrics
  // false: the metric is undefined. A statistic (mean, stddev, min, max,
  // median, quantile) of no values fails unless the expectation says
  // `allow_empty: true`; a rate of no rows passes.
  bool has_value = false;
  double value = 0;  // times: µs since the epoch (timestamps), days (dates)
  std::optional<double> min, max;
  Severity severity = Severity::kError;
  bool ok = true;
  // distinct_values and most_common_value: the values that break the set
  // ("unexpected: x, y; missing: z"); distribution tests: the statistic and
  // the categories or bins that weigh most; or why the metric could not be known.
  std::string detail;
  // unique, increasing, decreasing: the first records that break it.
  std::vector<Sample> samples;
};

struct FreshnessResult {
  std::string field;
  bool has_value = false;      // false: no timestamp in the data
  std::int64_t latest = 0;     // µs since the epoch
  std::int64_t delay = 0;      // µs between the latest value and the check
  std::int64_t max_delay = 0;  // µs
  bool ok = true;
};

struct DQ_EXPORT Report {
  bool ok = true;
  std::string dataset, version;
  RecordCounts records;
  std::vector<RuleSummary> rules;  // checks that failed at least once, in contract order
  std::vector<MalformedSample> malformed;
  std::vector<ExpectationResult> expectations;  // every expectation, in contract order
  std::vector<DriftResult> drift;               // every drift check, in contract order
  std::vector<MonitorResult> monitors;          // filled by run_monitors (dq/monitor.h)
  std::map<std::string, double> metrics;        // this run's values of the metrics monitors watch
  std::optional<FreshnessResult> freshness;     // the contract's sla.freshness
  std::shared_ptr<const Profile> profile;       // when profiled (ReportOptions::profile), all fields

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
class DQ_EXPORT ReportBuilder {
 public:
  explicit ReportBuilder(Contract contract, ReportOptions options = {});
  ~ReportBuilder();
  ReportBuilder(ReportBuilder&&) noexcept;
  ReportBuilder& operator=(ReportBuilder&&) noexcept;

  void add(const Verdict& verdict, const RecordPosition& where);
  // Whether this builder profiles the records its engines walk.
  bool profiling() const;
  // Adds another builder's counts (records must not overlap).
  void merge(const ReportBuilder& other);
  // Adds the part of the input that follows this builder's: `next` numbered
  // its records from 1, and they come after this builder's records, so the
  // merged report equals one builder that read both parts in order.
  void append(const ReportBuilder& next);
  // The builder's whole state (counts, failures and samples per check,
  // malformed samples, and the statistics behind expectations and drift,
  // exact sets included) as bytes, so parts of a run built in other
  // processes can be shipped, rebuilt with from_state over the same contract
  // and options, and merged. kInvalidData when `state` is not a state of
  // this contract.
  std::string save_state() const;
  static Result<ReportBuilder> from_state(Contract contract, ReportOptions options, std::string_view state);
  const RecordCounts& counts() const;
  // The report so far: counts, rules, and the dataset-level sections
  // (expectations, drift against the baseline, freshness) over every record
  // added. Monitors need a history: see run_monitors.
  Report finish() const;

 private:
  struct Impl;
  friend struct ReportAccess;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dq
