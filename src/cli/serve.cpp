#include "serve.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

namespace dq_cli {

CLI::App* add_serve_command(CLI::App& app, ServeArgs& args) {
  CLI::App* serve =
      app.add_subcommand("serve",
                         "The self-service web page and JSON API over a contracts folder (runs python -m dq.web; "
                         "see its --help)");
  serve->prefix_command();  // every argument after `serve` belongs to dq.web
  serve->allow_extras();
  serve->set_help_flag();  // --help too: dq.web prints its own options
  serve->callback([serve, &args] { args.args = serve->remaining(); });
  return serve;
}

int run_serve(const ServeArgs& args) {
  const char* chosen = std::getenv("DQ_PYTHON");
  const std::string python = chosen != nullptr && *chosen != '\0' ? chosen : "python3";
  std::vector<std::string> words = {python, "-m", "dq.web"};
  words.insert(words.end(), args.args.begin(), args.args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());  // no shell: the words are passed as they are
  std::cerr << "dq serve: cannot start " << python << ": " << std::strerror(errno)
            << " (dq serve runs the Python package: pip install '.[web]'; $DQ_PYTHON chooses the interpreter)\n";
  return 2;
}

}  // namespace dq_cli
