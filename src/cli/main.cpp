// The dq command line. Exit codes: 0 passed, 1 data failed the contract (for
// lint: errors found), 2 could not run.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "dq/dq.h"

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

int run_lint(const std::vector<std::string>& contracts, const std::vector<std::string>& raw_params) {
  dq::Params params;
  if (!parse_params(raw_params, params)) return kCannotRun;
  int exit_code = kPassed;
  std::size_t errors = 0, warnings = 0;
  for (const std::string& path : contracts) {
    auto findings = dq::lint_file(path, params);
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
  std::cerr << contracts.size() << " contract" << (contracts.size() == 1 ? "" : "s") << ": " << errors
            << " error" << (errors == 1 ? "" : "s") << ", " << warnings << " warning" << (warnings == 1 ? "" : "s")
            << "\n";
  return exit_code;
}

struct ValidateArgs {
  std::string contract;
  std::vector<std::string> data;
  std::string format = "text";
  std::string input_format = "auto";
  std::string rejects;
  std::string output;
  std::vector<std::string> params;
  std::size_t max_samples = 5;
  bool quiet = false;
};

int run_validate(const ValidateArgs& args) {
  dq::LoadOptions load;
  if (!parse_params(args.params, load.params)) return kCannotRun;
  auto contract = dq::Contract::load_file(args.contract, load);
  if (!contract.ok()) {
    std::cerr << "dq: " << contract.status().to_string() << "\n";
    return kCannotRun;
  }
  for (const dq::Diagnostic& w : contract->warnings()) std::cerr << w.to_string() << "\n";

  std::ofstream rejects;
  if (!args.rejects.empty()) {
    rejects.open(args.rejects, std::ios::binary | std::ios::trunc);
    if (!rejects) {
      std::cerr << "dq: cannot write rejects file '" << args.rejects << "'\n";
      return kCannotRun;
    }
  }
  const bool progress = !args.quiet && isatty(STDERR_FILENO);
  dq::Validator validator(*contract);
  dq::ReportBuilder builder(*contract, dq::ReportOptions{args.max_samples, 20});
  for (const std::string& path : args.data) {
    dq::StreamOptions options;
    options.source_name = path == "-" ? "<stdin>" : path;
    options.format = args.input_format == "ndjson" ? dq::InputFormat::kNdjson
                     : args.input_format == "json" ? dq::InputFormat::kJsonArray
                     : args.input_format == "csv"  ? dq::InputFormat::kCsv
                                                   : dq::InputFormat::kAuto;
    if (rejects.is_open()) {
      options.on_reject = [&](const dq::RecordEvent& event) {
        rejects << dq::reject_line(event, options.source_name) << '\n';
      };
    }
    if (progress) {
      options.on_progress = [&](std::uint64_t records, std::uint64_t bytes) {
        std::fprintf(stderr, "\r%s: %llu records, %.1f MB", options.source_name.c_str(),
                     static_cast<unsigned long long>(records), static_cast<double>(bytes) / 1e6);
      };
    }
    std::FILE* file = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
    if (!file) {
      std::cerr << "dq: cannot open data file '" << path << "'\n";
      return kCannotRun;
    }
    dq::Status status = dq::validate_stream(validator, file, options, builder);
    if (file != stdin) std::fclose(file);
    if (progress) std::fprintf(stderr, "\r\033[K");
    if (!status.ok()) {
      std::cerr << "dq: " << status.message() << "\n";
      return kCannotRun;
    }
  }
  if (rejects.is_open()) {
    rejects.flush();
    if (!rejects) {
      std::cerr << "dq: writing rejects file '" << args.rejects << "' failed\n";
      return kCannotRun;
    }
  }
  dq::Report report = builder.finish();
  std::string rendered = args.format == "json"    ? report.to_json() + "\n"
                         : args.format == "junit" ? report.to_junit()
                                                  : report.to_text();
  if (args.output.empty()) {
    std::cout << rendered;
  } else {
    std::ofstream out(args.output, std::ios::binary | std::ios::trunc);
    out << rendered;
    if (!out) {
      std::cerr << "dq: cannot write report '" << args.output << "'\n";
      return kCannotRun;
    }
  }
  return report.ok ? kPassed : kFailed;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"dq: data contracts, compiled and enforced"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("dq 0.1.0"));

  std::vector<std::string> lint_contracts, lint_params;
  CLI::App* lint = app.add_subcommand("lint", "Check contract files: schema, regexes, expressions");
  lint->add_option("contracts", lint_contracts, "Contract files")->required();
  lint->add_option("--param", lint_params, "Set a contract param: name=value");

  ValidateArgs v;
  CLI::App* validate = app.add_subcommand("validate", "Validate data files against a contract");
  validate->add_option("-c,--contract", v.contract, "Contract file")->required();
  validate->add_option("data", v.data, "NDJSON, JSON or CSV files; - for stdin")->required();
  validate->add_option("--format", v.format, "Report format")->check(CLI::IsMember({"text", "json", "junit"}));
  validate->add_option("--input-format", v.input_format, "Input format")
      ->check(CLI::IsMember({"auto", "ndjson", "json", "csv"}));
  validate->add_option("--rejects", v.rejects, "Write each failing record and its reasons here (NDJSON)");
  validate->add_option("-o,--output", v.output, "Write the report here instead of stdout");
  validate->add_option("--param", v.params, "Set a contract param: name=value");
  validate->add_option("--max-samples", v.max_samples, "Failing examples kept per check");
  validate->add_flag("-q,--quiet", v.quiet, "No progress output");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return e.get_exit_code() == 0 ? code : kCannotRun;
  }
  if (lint->parsed()) return run_lint(lint_contracts, lint_params);
  return run_validate(v);
}
