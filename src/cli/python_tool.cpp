#include "python_tool.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

namespace dq_cli {

CLI::App* add_python_tool(CLI::App& parent, const std::string& name, const std::string& description, PythonTool& tool) {
  CLI::App* command = parent.add_subcommand(name, description);
  command->prefix_command();  // every argument after the name belongs to the program
  command->allow_extras();
  command->set_help_flag();  // --help too: the program prints its own options
  command->callback([command, &tool] { tool.args = command->remaining(); });
  return command;
}

int run_python_tool(const PythonTool& tool) {
  const char* chosen = std::getenv("DQ_PYTHON");
  const std::string python = chosen != nullptr && *chosen != '\0' ? chosen : "python3";
  std::vector<std::string> words = {python, "-m", tool.module};
  words.insert(words.end(), tool.args.begin(), tool.args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());  // no shell: the words are passed as they are
  std::cerr << "dq: cannot start " << python << " -m " << tool.module << ": " << std::strerror(errno)
            << " (this command runs the Python package: pip install '.[web]' or '.[beam]'; $DQ_PYTHON chooses the "
               "interpreter)\n";
  return 2;
}

}  // namespace dq_cli
