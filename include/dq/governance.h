// Governance tools over contract files (dq or ODCS): export to the other
// format, review a change (diff), check house policy (lint), and render a
// page for reviewers (docs). They read contracts as written: `$params` stay
// names, nothing is compiled for data.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dq/contract.h"
#include "dq/export.h"
#include "dq/status.h"
#include "dq/stream.h"

namespace dq {

// The formats contracts are read from and written to. dq reads every one
// wherever it takes a contract path, telling them apart by content (ODCS by
// `apiVersion` and `kind`, a JSON Schema by `$schema`, Avro by a record with
// `fields` or the .avsc extension, a Data Contract Specification file by
// `dataContractSpecification`, dbt by `version: 2` with models, protobuf by
// the .proto extension). A path may choose one object of a file that holds
// several: `schema.yml#orders`, `events.proto#RideEvent`.
// docs/interop.md. Export writes dq, ODCS, JSON Schema and Avro.
enum class ContractFormat { kDq, kOdcs, kJsonSchema, kAvro, kDcs, kDbt, kProtobuf };

// "jsonschema" -> kJsonSchema, as the command line and Python name formats
// (dq, odcs, jsonschema, avro, protobuf, dbt, dcs); nullopt for another name.
DQ_EXPORT std::optional<ContractFormat> contract_format_named(const std::string& name);

// A contract file written in `format`, plus the warnings reading it gave
// (source parts dq does not use) and what the target format cannot say.
struct ExportedContract {
  std::string text;
  std::vector<Diagnostic> warnings;
  std::vector<std::string> not_carried;  // "rules: expressions across fields"
};
DQ_EXPORT Result<ExportedContract> export_contract(const std::string& path, ContractFormat format);

// A file in `from` (a JSON Schema without `$schema`, say) read as a contract
// and written in dq's format; each construct not carried is a warning.
DQ_EXPORT Result<ExportedContract> import_contract(const std::string& path, ContractFormat from);

// ---- dq diff ----

enum class ChangeLevel { kInfo, kWarning, kBreaking };
DQ_EXPORT const char* change_level_name(ChangeLevel level);  // "info", "warning", "breaking"

struct Change {
  ChangeLevel level = ChangeLevel::kInfo;
  std::string path;      // "fields.amount", "rules.shipped_has_date", "owner"
  std::string kind;      // "field_removed", "max_tightened", "enum_values_removed", ...
  std::string message;   // "max lowered from 100000 to 5000"
  bool narrows = false;  // the new contract rejects data the old accepted
  bool widens = false;   // the new contract accepts data the old rejected
  int old_line = 0, new_line = 0;
};

struct DQ_EXPORT ContractDiff {
  std::string old_file, new_file, dataset, old_version, new_version;
  std::string compatibility;  // the new contract's mode: backward, forward, full, none
  bool major_bumped = false;
  std::vector<Change> changes;  // in contract order

  std::size_t count(ChangeLevel level) const;
  // Breaking changes without a major version bump: `dq diff` exits 1.
  bool blocks() const { return count(ChangeLevel::kBreaking) > 0 && !major_bumped; }
  std::string to_text() const;
  std::string to_markdown() const;  // a pull-request comment
  std::string to_json() const;
};

// Classifies every change from `old_path` to `new_path` (either may be ODCS)
// under the new contract's compatibility mode:
//   backward: data valid under the old contract stays valid (new readers
//             read old data), so a narrowing change is breaking;
//   forward:  data valid under the new contract is valid under the old (old
//             readers read new data), so a widening change is breaking;
//   full:     both; none: nothing is breaking (changes are warnings).
DQ_EXPORT Result<ContractDiff> diff_contracts(const std::string& old_path, const std::string& new_path);

// ---- policy lint ----

// House rules for `dq lint`, by rule id: each "error", "warn" or "off". A
// finding can be silenced on its line (or the line above) with a comment
// `# dq-lint: disable=rule-id[,rule-id]`, or in the whole file with
// `# dq-lint: disable-file=rule-id`.
struct DQ_EXPORT Policy {
  std::map<std::string, Severity> rules;          // rules left out are off
  std::string dataset_pattern;                    // RE2 the dataset id must match ("" = any)
  std::string id_fields = "(^|_)(id|uuid|key)$";  // RE2 over field names that hold ids

  static Policy defaults();
  // A YAML policy file: {policy: 1, rules: {rule-id: error|warn|off}, dataset_pattern, id_fields}.
  static Result<Policy> load_file(const std::string& path);
  // Every rule id with its default severity and what it checks.
  static const std::vector<std::pair<std::string, std::string>>& catalog();
};

// lint_file plus the policy's findings (Diagnostic::rule names the rule).
DQ_EXPORT Result<std::vector<Diagnostic>> lint_file(const std::string& path, const Params& params,
                                                    const Policy& policy);

// ---- dq docs ----

enum class DocsFormat { kMarkdown, kHtml };
// A page for reviewers: owner and consumers, the field table, rules,
// expectations, drift, grading and SLA; with `previous_path`, the changes
// since that version. HTML is one self-contained file (inline CSS, no links
// to fetch).
DQ_EXPORT Result<std::string> contract_docs(const std::string& path, DocsFormat format,
                                            const std::string& previous_path = "");

// ---- catalog ----

// A declared param as a run form shows it (`type`: string, integer, number,
// boolean, timestamp, date).
struct ContractParam {
  std::string name, type, default_value;
  bool has_default = false;
  std::string description;
  std::string min, max;              // as written ("" when none)
  std::vector<std::string> allowed;  // `enum`
};

// What a catalog lists about a contract and a run form needs, read as written
// (any format dq reads). `status` is "active" when the contract does not say.
struct DQ_EXPORT ContractSummary {
  std::string file, dataset, version, title, description, status, owner_team, owner_contact;
  std::vector<std::string> stewards, consumers, tags;
  std::string classification, compatibility;
  std::vector<ContractParam> params;
  std::size_t fields = 0;  // top-level fields
  bool has_grading = false, has_drift = false;
  std::string drift_baseline;  // as written, relative to the contract file
  struct Monitor {
    std::string metric, method, direction;
    std::map<std::string, std::string> settings;  // as written
    std::vector<std::string> seasons;
  };
  std::vector<Monitor> monitors;

  std::string to_json() const;
};
// kInvalidContract (with its diagnostics) when the contract cannot load.
DQ_EXPORT Result<ContractSummary> describe_contract(const std::string& path);

// ---- dq infer ----

// How close an inferred contract sits to its sample: `loose` widens ranges and
// lengths most and states fewer shapes, `strict` states what it saw.
enum class Strictness { kLoose, kNormal, kStrict };

struct InferOptions {
  std::string dataset;       // "" : inferred.dataset
  std::uint64_t sample = 0;  // read at most this many records (0: all)
  Strictness strictness = Strictness::kNormal;
  InputFormat format = InputFormat::kAuto;  // kAuto: .csv is CSV, else NDJSON or a JSON array
  std::string baseline;  // the drift baseline's path, as the contract will name it ("" : no drift section)
};

struct InferredContract {
  std::string yaml;  // the commented contract
  std::uint64_t records = 0, malformed = 0;
  std::vector<std::string> malformed_samples;  // "file:line: why", the first few
};

// Infers a contract from sample data (NDJSON, JSON arrays, CSV) in one pass.
// Malformed records are counted, never inferred from; no records at all is
// kInvalidArgument. The result always loads; it validates every record it
// was inferred from.
// What new data asks of an existing dq contract (`dq infer --update`): bounds
// widened, enum values added, new fields declared optional where undeclared
// keys are refused — each a patch of the contract's own text, so comments and
// layout stay — and fields the data no longer has, reported and left declared.
struct ContractUpdate {
  std::string yaml;                  // the proposed contract (the old text when nothing changes)
  std::vector<std::string> changes;  // one line per change, with its evidence
  std::uint64_t records = 0, malformed = 0;
};
DQ_EXPORT Result<ContractUpdate> update_contract(const std::string& contract_path,
                                                 const std::vector<std::string>& paths,
                                                 const InferOptions& options = {});

DQ_EXPORT Result<InferredContract> infer_contract(const std::vector<std::string>& paths,
                                                  const InferOptions& options = {});

}  // namespace dq
