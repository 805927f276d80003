// Commands that are the Python package's programs: `dq serve` (dq.web) and
// `dq beam template` (dq.beam_template). The command line starts them with
// the arguments given, so both front ends offer the same tools.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace dq_cli {

struct PythonTool {
  std::string module;             // run as `python -m MODULE`
  std::vector<std::string> args;  // passed on as they are
};

// Adds subcommand `name` to `parent`; every argument after it (--help too)
// belongs to the Python program.
CLI::App* add_python_tool(CLI::App& parent, const std::string& name, const std::string& description, PythonTool& tool);
// Replaces this process with `$DQ_PYTHON -m MODULE ARGS` (python3 by
// default); returns only when that cannot start (2).
int run_python_tool(const PythonTool& tool);

}  // namespace dq_cli
