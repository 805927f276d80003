// The dq command line. Exit codes: 0 passed, 1 data failed the contract (for
// lint: errors found), 2 could not run.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>

#include "dq/dq.h"
#include "monitor.h"
#include "python_tool.h"

namespace {

constexpr int kPassed = 0, kFailed = 1, kCannotRun = 2;

bool parse_params(const std::vector<std::string>& raw, dq::Params& out) {
  for (const std::string& kv : raw) {
    std::size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "dq: --param needs name=value, not '" << kv << "'\n";
      return false;
    }
    out[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return true;
}

struct LintArgs {
  std::vector<std::string> contracts, params;
  std::string policy;
  bool list_rules = false, no_policy = false;
};

int run_lint(const LintArgs& args) {
  if (args.list_rules) {
    for (const auto& [id, what] : dq::Policy::catalog()) {
      std::cout << id << std::string(id.size() < 24 ? 24 - id.size() : 1, ' ') << what << "\n";
    }
    return kPassed;
  }
  if (args.contracts.empty()) {
    std::cerr << "dq: lint needs contract files\n";
    return kCannotRun;
  }
  dq::Params params;
  if (!parse_params(args.params, params)) return kCannotRun;
  dq::Policy policy = dq::Policy::defaults();
  if (args.no_policy) policy.rules.clear();
  if (!args.policy.empty()) {
    auto loaded = dq::Policy::load_file(args.policy);
    if (!loaded.ok()) {
      std::cerr << "dq: " << loaded.status().to_string() << "\n";
      return kCannotRun;
    }
    policy = std::move(*loaded);
  }
  const std::vector<std::string>& contracts = args.contracts;
  int exit_code = kPassed;
  std::size_t errors = 0, warnings = 0;
  for (const std::string& path : contracts) {
    auto findings = dq::lint_file(path, params, policy);
    if (!findings.ok()) {
      std::cerr << "dq: " << findings.status().message() << "\n";
      exit_code = kCannotRun;
      continue;
    }
    for (const dq::Diagnostic& d : *findings) {
      std::cout << d.to_string() << "\n";
      (d.severity == dq::Severity::kError ? errors : warnings)++;
    }
  }
  if (exit_code == kPassed && errors > 0) exit_code = kFailed;
  std::cout.flush();  // the findings before the summary, when both go to one pipe
  std::cerr << contracts.size() << " contract" << (contracts.size() == 1 ? "" : "s") << ": " << errors << " error"
            << (errors == 1 ? "" : "s") << ", " << warnings << " warning" << (warnings == 1 ? "" : "s") << "\n";
  return exit_code;
}

// What validate, profile and drift share: a contract and data to read.
struct DataArgs {
  std::string contract;
  std::vector<std::string> data;
  std::string input_format = "auto";
  std::vector<std::string> params;
  std::string baseline;  // drift baseline; default: the contract's drift.baseline
  bool quiet = false;
  unsigned threads = 1;
};

struct ValidateArgs : DataArgs {
  std::string format = "text";
  std::string rejects;
  std::string output;
  std::size_t max_samples = 5;
  std::string history;  // metric history for monitors; default MetricHistory::default_path()
  bool no_history = false;
  std::string as_of;  // the data's time for the history (default: now)
};

std::optional<dq::Contract> load_contract(const DataArgs& args) {
  dq::LoadOptions load;
  if (!parse_params(args.params, load.params)) return std::nullopt;
  auto contract = dq::Contract::load_file(args.contract, load);
  if (!contract.ok()) {
    std::cerr << "dq: " << contract.status().to_string() << "\n";
    return std::nullopt;
  }
  for (const dq::Diagnostic& w : contract->warnings()) std::cerr << w.to_string() << "\n";
  return std::move(*contract);
}

// The baseline profile: --baseline, else the contract's drift.baseline
// (relative to the contract file). Null with `missing` set when there is none.
std::shared_ptr<const dq::Profile> load_baseline(const DataArgs& args, const dq::Contract& contract,
                                                 std::string& missing, bool& broken) {
  std::string path = args.baseline;
  if (path.empty() && !contract.drift_baseline().empty()) {
    path = (std::filesystem::path(args.contract).parent_path() / contract.drift_baseline()).string();
  }
  if (path.empty()) {
    missing = "no baseline: pass --baseline or set drift.baseline in the contract";
    return nullptr;
  }
  if (!std::filesystem::exists(path)) {
    missing = "baseline '" + path + "' does not exist (make it with dq profile)";
    return nullptr;
  }
  auto profile = dq::Profile::load_file(path);
  if (!profile.ok()) {
    missing = profile.status().message();
    broken = true;
    return nullptr;
  }
  return std::make_shared<const dq::Profile>(std::move(*profile));
}

dq::InputFormat input_format(const std::string& name) {
  return name == "ndjson"    ? dq::InputFormat::kNdjson
         : name == "json"    ? dq::InputFormat::kJsonArray
         : name == "csv"     ? dq::InputFormat::kCsv
         : name == "rejects" ? dq::InputFormat::kRejects
                             : dq::InputFormat::kAuto;
}

// Progress on a terminal: records and bytes so far, overwritten in place.
std::function<void(std::uint64_t, std::uint64_t)> progress_printer(const DataArgs& args, const std::string& what) {
  if (args.quiet || !isatty(STDERR_FILENO)) return {};
  return [what](std::uint64_t records, std::uint64_t bytes) {
    std::fprintf(stderr, "\r%s: %llu records, %.1f MB", what.c_str(), static_cast<unsigned long long>(records),
                 static_cast<double>(bytes) / 1e6);
  };
}

// Reads every data file into `builder`; false (after a message) when one
// cannot be read.
bool read_data(const DataArgs& args, dq::Validator& validator, dq::ReportBuilder& builder,
               const std::function<void(const dq::RecordEvent&, const std::string&)>& on_reject = {}) {
  for (const std::string& path : args.data) {
    dq::StreamOptions options;
    options.source_name = path == "-" ? "<stdin>" : path;
    options.format = input_format(args.input_format);
    options.threads = args.threads;
    if (on_reject) {
      options.on_reject = [&](const dq::RecordEvent& event) { on_reject(event, options.source_name); };
    }
    options.on_progress = progress_printer(args, options.source_name);
    std::FILE* file = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
    if (!file) {
      std::cerr << "dq: cannot open data file '" << path << "'\n";
      return false;
    }
    dq::Status status = dq::validate_stream(validator, file, options, builder);
    if (file != stdin) std::fclose(file);
    if (options.on_progress) std::fprintf(stderr, "\r\033[K");
    if (!status.ok()) {
      std::cerr << "dq: " << status.message() << "\n";
      return false;
    }
  }
  return true;
}

bool write_output(const std::string& rendered, const std::string& path) {
  if (path.empty()) {
    std::cout << rendered;
    return true;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << rendered;
  if (!out) std::cerr << "dq: cannot write '" << path << "'\n";
  return static_cast<bool>(out);
}

struct CodegenArgs : DataArgs {
  std::string output;
};

int run_codegen(const CodegenArgs& args) {
  auto contract = load_contract(args);
  if (!contract) return kCannotRun;
  return write_output(dq::screen_source(*contract), args.output) ? kPassed : kCannotRun;
}

int run_validate(const ValidateArgs& args) {
  if (!args.as_of.empty() && dq_cli::parse_utc_time(args.as_of) == 0) {
    std::cerr << "dq: --as-of needs a UTC date or time (2026-11-28 or 2026-11-28T06:00:00Z), not '" << args.as_of
              << "'\n";
    return kCannotRun;
  }
  auto contract = load_contract(args);
  if (!contract) return kCannotRun;
  dq::ReportOptions report_options;
  report_options.max_samples_per_rule = args.max_samples;
  if (!contract->drift_baseline().empty() || !args.baseline.empty()) {
    std::string missing;
    bool broken = false;
    report_options.baseline = load_baseline(args, *contract, missing, broken);
    if (broken) {
      std::cerr << "dq: " << missing << "\n";
      return kCannotRun;
    }
    if (!missing.empty()) std::cerr << "dq: drift skipped: " << missing << "\n";
  }
  std::ofstream rejects;
  if (!args.rejects.empty()) {
    rejects.open(args.rejects, std::ios::binary | std::ios::trunc);
    if (!rejects) {
      std::cerr << "dq: cannot write rejects file '" << args.rejects << "'\n";
      return kCannotRun;
    }
  }
  dq::Validator validator(*contract);
  dq::ReportBuilder builder(*contract, report_options);
  std::function<void(const dq::RecordEvent&, const std::string&)> on_reject;
  if (rejects.is_open()) {
    on_reject = [&](const dq::RecordEvent& event, const std::string& source) {
      rejects << dq::reject_line(event, source) << '\n';
    };
  }
  if (!read_data(args, validator, builder, on_reject)) return kCannotRun;
  if (rejects.is_open()) {
    rejects.flush();
    if (!rejects) {
      std::cerr << "dq: writing rejects file '" << args.rejects << "' failed\n";
      return kCannotRun;
    }
  }
  dq::Report report = builder.finish();
  if (contract->has_monitors() && !args.no_history) {
    const std::string path = args.history.empty() ? dq::MetricHistory::default_path() : args.history;
    auto history = dq::MetricHistory::open(path);
    dq::Status status = history.ok() ? dq::run_monitors(*contract, *history, report, dq_cli::parse_utc_time(args.as_of))
                                     : history.status();
    if (!status.ok()) {
      std::cerr << "dq: " << status.message() << "\n";
      return kCannotRun;
    }
  }
  std::string rendered = args.format == "json"    ? report.to_json() + "\n"
                         : args.format == "junit" ? report.to_junit()
                                                  : report.to_text();
  if (!write_output(rendered, args.output)) return kCannotRun;
  return report.ok ? kPassed : kFailed;
}

struct ProfileArgs : DataArgs {
  std::string output;
  std::size_t max_values = dq::ProfileOptions{}.max_values;
};

int run_profile(const ProfileArgs& args) {
  auto contract = load_contract(args);
  if (!contract) return kCannotRun;
  dq::ReportOptions options;
  options.profile = true;
  options.profile_options.max_values = args.max_values;
  dq::Validator validator(*contract);
  dq::ReportBuilder builder(*contract, options);
  if (!read_data(args, validator, builder)) return kCannotRun;
  dq::Report report = builder.finish();
  if (dq::Status st = report.profile->save_file(args.output); !st.ok()) {
    std::cerr << "dq: " << st.message() << "\n";
    return kCannotRun;
  }
  std::cerr << "profiled " << report.profile->rows << " of " << report.records.total << " records into " << args.output;
  if (report.records.total != report.profile->rows)
    std::cerr << " (malformed records and non-objects are not profiled)";
  std::cerr << "\n";
  return kPassed;
}

struct DriftArgs : DataArgs {
  std::string format = "text";
};

int run_drift(const DriftArgs& args) {
  auto contract = load_contract(args);
  if (!contract) return kCannotRun;
  std::string missing;
  bool broken = false;
  dq::ReportOptions options;
  options.profile = true;
  options.baseline = load_baseline(args, *contract, missing, broken);
  if (!options.baseline) {
    std::cerr << "dq: " << missing << "\n";
    return kCannotRun;
  }
  if (!contract->has_drift()) {
    std::cerr << "dq: the contract declares no drift checks (add a 'drift' section)\n";
    return kCannotRun;
  }
  dq::Validator validator(*contract);
  dq::ReportBuilder builder(*contract, options);
  if (!read_data(args, validator, builder)) return kCannotRun;
  dq::Report report = builder.finish();
  bool failed = false;
  for (const dq::DriftResult& d : report.drift) failed |= d.status == "fail";
  if (args.format == "json") {
    // The report's drift section, with the counts it is computed over.
    dq::Report only = report;
    only.rules.clear();
    only.expectations.clear();
    only.freshness.reset();
    only.malformed.clear();
    only.ok = !failed;
    std::cout << only.to_json() << "\n";
  } else {
    std::string text = report.to_text();
    const std::size_t at = text.find("\ndrift:\n");
    std::cout << (failed ? "DRIFT  " : "STABLE  ") << report.dataset << " " << report.version << ": "
              << report.profile->rows << " records against a baseline of " << options.baseline->rows << "\n";
    std::size_t end = text.find("\n\n", at + 1);
    std::cout << text.substr(at + 1, end == std::string::npos ? std::string::npos : end - at);
  }
  return failed ? kFailed : kPassed;
}

struct GradeArgs : DataArgs {
  std::string output, rejects, report, format = "text";
  std::size_t max_state_mb = 4096;
};

int run_grade(const GradeArgs& args) {
  auto contract = load_contract(args);
  if (!contract) return kCannotRun;
  dq::GradeOptions options;
  options.format = input_format(args.input_format);
  options.output = args.output;
  options.rejects = args.rejects;
  options.max_state_bytes = args.max_state_mb << 20;
  options.on_progress = progress_printer(args, "grading");
  auto grader = dq::BatchGrader::create(*contract, options);
  if (!grader.ok()) {
    std::cerr << "dq: " << grader.status().message() << "\n";
    return kCannotRun;
  }
  for (const std::string& path : args.data) {
    dq::Status status = grader->add_file(path);
    if (!status.ok()) {
      if (options.on_progress) std::fprintf(stderr, "\r\033[K");
      std::cerr << "dq: " << status.message() << "\n";
      return kCannotRun;
    }
  }
  if (options.on_progress) std::fprintf(stderr, "\r\033[K");
  auto run = grader->finish();
  if (!run.ok()) {
    std::cerr << "dq: " << run.status().message() << "\n";
    return kCannotRun;
  }
  if (!args.report.empty() && !write_output(run->to_json() + "\n", args.report)) return kCannotRun;
  if (!write_output(args.format == "json" ? run->to_json() + "\n" : run->to_text(), "")) return kCannotRun;
  if (!run->reconciled()) {
    std::cerr << "dq: the counts do not reconcile; this is a bug in dq\n";
    return kCannotRun;
  }
  return kPassed;  // rejected records are set aside and counted, not a failure of the run
}

struct DiffArgs {
  std::string old_contract, new_contract, format = "text", output;
};

int run_diff(const DiffArgs& args) {
  auto diff = dq::diff_contracts(args.old_contract, args.new_contract);
  if (!diff.ok()) {
    std::cerr << "dq: " << diff.status().to_string() << "\n";
    return kCannotRun;
  }
  std::string rendered = args.format == "json"       ? diff->to_json() + "\n"
                         : args.format == "markdown" ? diff->to_markdown()
                                                     : diff->to_text();
  if (!write_output(rendered, args.output)) return kCannotRun;
  return diff->blocks() ? kFailed : kPassed;
}

struct DocsArgs {
  std::string contract, previous, format = "markdown", output;
};

int run_docs(const DocsArgs& args) {
  auto page = dq::contract_docs(
      args.contract, args.format == "html" ? dq::DocsFormat::kHtml : dq::DocsFormat::kMarkdown, args.previous);
  if (!page.ok()) {
    std::cerr << "dq: " << page.status().to_string() << "\n";
    return kCannotRun;
  }
  return write_output(*page, args.output) ? kPassed : kCannotRun;
}

struct ExportArgs {
  std::string contract, to, output;
};

// The warnings of reading, then what the target could not say, on stderr.
int write_converted(const dq::Result<dq::ExportedContract>& converted, const std::string& output) {
  if (!converted.ok()) {
    std::cerr << "dq: " << converted.status().to_string() << "\n";
    return kCannotRun;
  }
  for (const dq::Diagnostic& w : converted->warnings) std::cerr << w.to_string() << "\n";
  for (const std::string& n : converted->not_carried) std::cerr << "not carried: " << n << "\n";
  return write_output(converted->text, output) ? kPassed : kCannotRun;
}

int run_export(const ExportArgs& args) {
  return write_converted(dq::export_contract(args.contract, *dq::contract_format_named(args.to)), args.output);
}

struct ImportArgs {
  std::string file, from, output;
};

int run_import(const ImportArgs& args) {
  return write_converted(dq::import_contract(args.file, *dq::contract_format_named(args.from)), args.output);
}

struct InferArgs {
  std::vector<std::string> data;
  std::string output, dataset, strictness = "normal", input_format = "auto", update;
  std::uint64_t sample = 0;
};

// --update: the proposed contract (to -o, else stdout), each change on
// stderr, and what dq diff says of old -> proposed. Nothing is changed in place.
int run_update(const InferArgs& args, const dq::InferOptions& options) {
  auto update = dq::update_contract(args.update, args.data, options);
  if (!update.ok()) {
    std::cerr << "dq: " << update.status().to_string() << "\n";
    return kCannotRun;
  }
  auto loaded = dq::Contract::load_string(update->yaml, args.output.empty() ? "<proposed>" : args.output);
  if (!loaded.ok()) {  // a bug in the update: say so rather than propose a contract that cannot load
    std::cerr << "dq: the proposed contract does not load:\n" << loaded.status().to_string() << "\n";
    return kCannotRun;
  }
  std::cerr << update->records << " records";
  if (update->malformed) std::cerr << " (" << update->malformed << " malformed, left out)";
  std::cerr << ": " << (update->changes.empty() ? "the contract already holds them" : "changes proposed") << "\n";
  for (const std::string& c : update->changes) std::cerr << "  " << c << "\n";
  std::string proposed = args.output;
  if (proposed.empty()) {
    proposed =
        (std::filesystem::temp_directory_path() / ("dq-proposed-" + std::to_string(::getpid()) + ".yaml")).string();
  }
  if (!write_output(update->yaml, proposed)) return kCannotRun;
  auto diff = dq::diff_contracts(args.update, proposed);
  if (args.output.empty()) {
    std::cout << update->yaml;
    std::filesystem::remove(proposed);
  }
  if (!diff.ok()) {
    std::cerr << "dq: " << diff.status().to_string() << "\n";
    return kCannotRun;
  }
  std::cerr << "\n" << diff->to_text();
  return kPassed;
}

// Writes the inferred contract and, beside it, the sample's profile as its
// drift baseline (profiled by the contract just written, so the two agree).
int run_infer(const InferArgs& args) {
  dq::InferOptions options;
  options.dataset = args.dataset;
  if (options.dataset.empty()) {
    std::string stem = std::filesystem::path(args.data.front()).stem().string();
    for (char& c : stem) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    options.dataset = stem;
  }
  options.sample = args.sample;
  options.strictness = args.strictness == "loose"    ? dq::Strictness::kLoose
                       : args.strictness == "strict" ? dq::Strictness::kStrict
                                                     : dq::Strictness::kNormal;
  options.format = args.input_format == "csv" ? dq::InputFormat::kCsv : dq::InputFormat::kAuto;
  if (!args.update.empty()) return run_update(args, options);
  std::filesystem::path baseline;
  if (!args.output.empty()) {
    baseline = std::filesystem::path(args.output).replace_extension(".profile.json");
    options.baseline = baseline.filename().string();  // drift.baseline is relative to the contract
  }
  auto inferred = dq::infer_contract(args.data, options);
  if (!inferred.ok()) {
    std::cerr << "dq: " << inferred.status().to_string() << "\n";
    return kCannotRun;
  }
  for (const std::string& m : inferred->malformed_samples) std::cerr << "malformed: " << m << "\n";
  auto contract = dq::Contract::load_string(inferred->yaml, args.output.empty() ? "<inferred>" : args.output);
  if (!contract.ok()) {  // a bug in inference: say so rather than write a contract that cannot load
    std::cerr << "dq: the inferred contract does not load:\n" << contract.status().to_string() << "\n";
    return kCannotRun;
  }
  if (!write_output(inferred->yaml, args.output)) return kCannotRun;
  std::cerr << "inferred from " << inferred->records << " records";
  if (inferred->malformed) std::cerr << " (" << inferred->malformed << " malformed, left out)";
  if (!args.output.empty()) std::cerr << " into " << args.output;
  if (!args.output.empty() && contract->has_drift()) {
    auto written = dq::Contract::load_file(args.output);
    if (!written.ok()) {
      std::cerr << "\ndq: " << written.status().to_string() << "\n";
      return kCannotRun;
    }
    dq::Profile merged;
    bool first = true;
    for (const std::string& path : args.data) {
      dq::StreamOptions so;
      so.format = options.format;
      so.report.profile = true;
      auto report = dq::validate_file(*written, path, so);
      if (!report.ok()) {
        std::cerr << "\ndq: " << report.status().to_string() << "\n";
        return kCannotRun;
      }
      if (first) {
        merged = *report->profile;
        first = false;
      } else if (dq::Status st = merged.merge(*report->profile); !st.ok()) {
        std::cerr << "\ndq: " << st.message() << "\n";
        return kCannotRun;
      }
    }
    if (dq::Status st = merged.save_file(baseline.string()); !st.ok()) {
      std::cerr << "\ndq: " << st.message() << "\n";
      return kCannotRun;
    }
    std::cerr << ", baseline " << baseline.string();
  }
  std::cerr << "\n";
  return kPassed;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"dq: data contracts, compiled and enforced"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("dq 0.1.0"));

  LintArgs li;
  CLI::App* lint = app.add_subcommand("lint", "Check contract files: schema, regexes, expressions, house policy");
  lint->add_option("contracts", li.contracts, "Contract files (dq or ODCS)");
  lint->add_option("--param", li.params, "Set a contract param: name=value");
  lint->add_option("--policy", li.policy, "Policy file (YAML): rule severities, dataset_pattern, id_fields");
  lint->add_flag("--list-rules", li.list_rules, "Print the policy rules with their default severities");
  lint->add_flag("--no-policy", li.no_policy, "Only the format, regex and expression checks");

  DiffArgs di;
  CLI::App* diff =
      app.add_subcommand("diff", "Classify every change between two contracts (exit 1: breaking without a major bump)");
  diff->add_option("old", di.old_contract, "The contract before (dq or ODCS)")->required();
  diff->add_option("new", di.new_contract, "The contract after (dq or ODCS)")->required();
  diff->add_option("--format", di.format, "Output format")->check(CLI::IsMember({"text", "markdown", "json"}));
  diff->add_option("-o,--output", di.output, "Write here instead of stdout");

  DocsArgs doc;
  CLI::App* docs =
      app.add_subcommand("docs", "Render a contract as a page for reviewers (Markdown or self-contained HTML)");
  docs->add_option("contract", doc.contract, "Contract file (dq or ODCS)")->required();
  docs->add_option("--previous", doc.previous, "An older version of the contract: adds the changes since it");
  docs->add_option("--format", doc.format, "Page format")->check(CLI::IsMember({"markdown", "html"}));
  docs->add_option("-o,--output", doc.output, "Write here instead of stdout");

  CodegenArgs cg;
  CLI::App* codegen = app.add_subcommand(
      "codegen", "Write C++ that screens clean records for a contract, to link into a service (docs/screens.md)");
  codegen->add_option("contract", cg.contract, "Contract file (dq or ODCS)")->required();
  codegen->add_option("--param", cg.params, "Set a contract param: name=value");
  codegen->add_option("-o,--output", cg.output, "Write here instead of stdout");

  ExportArgs ex;
  CLI::App* exp =
      app.add_subcommand("export", "Write a contract in another format (ODCS v3.1, JSON Schema 2020-12, Avro, or dq)");
  exp->add_option("contract", ex.contract, "Contract file (any format dq reads)")->required();
  exp->add_option("--to", ex.to, "Target format")
      ->required()
      ->check(CLI::IsMember({"odcs", "jsonschema", "avro", "dq"}));
  exp->add_option("-o,--output", ex.output, "Write here instead of stdout");

  ImportArgs im;
  CLI::App* imp = app.add_subcommand("import", "Read a schema in another format and write it as a dq contract");
  imp->add_option("file", im.file, "The schema file (FILE#name chooses a dbt or DCS model, an ODCS object)")
      ->required();
  imp->add_option("--from", im.from, "Its format")
      ->required()
      ->check(CLI::IsMember({"jsonschema", "avro", "protobuf", "dcs", "dbt", "odcs", "dq"}));
  imp->add_option("-o,--output", im.output, "Write here instead of stdout");

  InferArgs inf;
  CLI::App* infer = app.add_subcommand("infer", "Write a commented contract from sample data, for review");
  infer->add_option("data", inf.data, "NDJSON, JSON or CSV files")->required();
  infer->add_option("-o,--output", inf.output, "Write the contract here (and its drift baseline beside it)");
  infer->add_option("--dataset", inf.dataset, "The dataset id (default: the first file's name)");
  infer->add_option("--sample", inf.sample, "Read at most this many records");
  infer->add_option("--strictness", inf.strictness, "How close to the sample")
      ->check(CLI::IsMember({"loose", "normal", "strict"}));
  infer->add_option("--update", inf.update,
                    "Propose what the data asks of this existing contract (a new file; dq diff's verdict on stderr)");
  infer->add_option("--input-format", inf.input_format, "Input format")
      ->check(CLI::IsMember({"auto", "ndjson", "json", "csv"}));

  auto data_options = [](CLI::App* cmd, DataArgs& d) {
    cmd->add_option("-c,--contract", d.contract, "Contract file")->required();
    cmd->add_option("data", d.data, "NDJSON, JSON or CSV files; - for stdin")->required();
    cmd->add_option("--input-format", d.input_format, "Input format")
        ->check(CLI::IsMember({"auto", "ndjson", "json", "csv", "rejects"}));
    cmd->add_option("--param", d.params, "Set a contract param: name=value");
    cmd->add_flag("-q,--quiet", d.quiet, "No progress output");
  };
  auto threads_option = [](CLI::App* cmd, DataArgs& d) {
    cmd->add_option("-j,--threads", d.threads, "Threads validating NDJSON, 0 for one per core (same result)");
  };

  ValidateArgs v;
  CLI::App* validate = app.add_subcommand("validate", "Validate data files against a contract");
  data_options(validate, v);
  threads_option(validate, v);
  validate->add_option("--format", v.format, "Report format")->check(CLI::IsMember({"text", "json", "junit"}));
  validate->add_option("--rejects", v.rejects, "Write each failing record and its reasons here (NDJSON)");
  validate->add_option("-o,--output", v.output, "Write the report here instead of stdout");
  validate->add_option("--max-samples", v.max_samples, "Failing examples kept per check");
  validate->add_option("--baseline", v.baseline, "Baseline profile for drift (default: the contract's drift.baseline)");
  validate->add_option("--history", v.history,
                       "Metric history for monitors (default: $DQ_HISTORY or .dq/history.sqlite)");
  validate->add_flag("--no-history", v.no_history, "Do not run monitors or record this run");
  validate->add_option("--as-of", v.as_of,
                       "The data's time (UTC date or time): orders this run in the history (default: now)");

  ProfileArgs prof;
  CLI::App* profile = app.add_subcommand("profile", "Profile data files: write a baseline for drift");
  data_options(profile, prof);
  threads_option(profile, prof);
  profile->add_option("-o,--output", prof.output, "Profile file to write (JSON)")->required();
  profile->add_option("--max-values", prof.max_values, "Distinct values kept per categorical field");

  DriftArgs dr;
  CLI::App* drift =
      app.add_subcommand("drift", "Compare data files with a baseline profile (exit 1 on fail-level drift)");
  data_options(drift, dr);
  threads_option(drift, dr);
  drift->add_option("--baseline", dr.baseline, "Baseline profile (default: the contract's drift.baseline)");
  drift->add_option("--format", dr.format, "Output format")->check(CLI::IsMember({"text", "json"}));

  GradeArgs gr;
  CLI::App* grade =
      app.add_subcommand("grade", "Grade entities: validate, set rejects aside, aggregate per key, assign tiers");
  data_options(grade, gr);
  grade->add_option("-o,--output", gr.output, "The graded export (.csv for CSV, else NDJSON)");
  grade->add_option("--rejects", gr.rejects, "Write each rejected record, raw, with its reasons here (NDJSON)");
  grade->add_option("--report", gr.report, "Write the run report here (JSON)");
  grade->add_option("--format", gr.format, "Summary format on stdout")->check(CLI::IsMember({"text", "json"}));
  grade->add_option("--max-state-mb", gr.max_state_mb, "Bound on the per-entity state, in MiB");

  dq_cli::MonitorArgs mon;
  CLI::App* backtest = dq_cli::add_monitor_command(app, mon);
  dq_cli::PythonTool serve_tool{"dq.web", {}};
  CLI::App* serve = dq_cli::add_python_tool(
      app, "serve", "The self-service web page and JSON API over a contracts folder (python -m dq.web)", serve_tool);
  dq_cli::PythonTool template_tool{"dq.beam_template", {}};
  CLI::App* beam = app.add_subcommand("beam", "Apache Beam and Dataflow recipes");
  beam->require_subcommand(1);
  CLI::App* beam_template = dq_cli::add_python_tool(
      *beam, "template",
      "Write a Dataflow Flex Template for the contract's grading pipeline (python -m dq.beam_template)", template_tool);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return e.get_exit_code() == 0 ? code : kCannotRun;
  }
  if (lint->parsed()) return run_lint(li);
  if (diff->parsed()) return run_diff(di);
  if (docs->parsed()) return run_docs(doc);
  if (codegen->parsed()) return run_codegen(cg);
  if (exp->parsed()) return run_export(ex);
  if (imp->parsed()) return run_import(im);
  if (infer->parsed()) return run_infer(inf);
  if (profile->parsed()) return run_profile(prof);
  if (drift->parsed()) return run_drift(dr);
  if (grade->parsed()) return run_grade(gr);
  if (backtest->parsed()) return dq_cli::run_monitor_backtest(mon);
  if (serve->parsed()) return dq_cli::run_python_tool(serve_tool);
  if (beam_template->parsed()) return dq_cli::run_python_tool(template_tool);
  return run_validate(v);
}
