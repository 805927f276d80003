// `dq serve`: the self-service page, which is the Python package's web
// application (dq.web); this command starts it with the same arguments.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace dq_cli {

struct ServeArgs {
  std::vector<std::string> args;  // passed to `python -m dq.web` as they are
};

// Adds `serve` to `app`; returns the subcommand.
CLI::App* add_serve_command(CLI::App& app, ServeArgs& args);
// Replaces this process with `$DQ_PYTHON -m dq.web ARGS` (python3 by default);
// returns only when that cannot start (2).
int run_serve(const ServeArgs& args);

}  // namespace dq_cli
