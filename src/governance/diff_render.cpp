// dq diff's three forms: text for a terminal, Markdown for a pull-request
// comment, JSON for tools.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "dq/governance.h"
#include "governance/diff_versions.h"
#include "governance/markdown.h"

namespace dq {
namespace {

using diffing::major_of;

const char* level_icon(ChangeLevel level) {
  return level == ChangeLevel::kBreaking ? "❌" : level == ChangeLevel::kWarning ? "⚠️" : "ℹ️";
}

std::string next_major(const std::string& version) {
  int major = major_of(version);
  return major < 0 ? "a new major version" : std::to_string(major + 1) + ".0.0";
}

}  // namespace

const char* change_level_name(ChangeLevel level) {
  return level == ChangeLevel::kBreaking ? "breaking" : level == ChangeLevel::kWarning ? "warning" : "info";
}

std::size_t ContractDiff::count(ChangeLevel level) const {
  return static_cast<std::size_t>(
      std::count_if(changes.begin(), changes.end(), [&](const Change& c) { return c.level == level; }));
}

std::string ContractDiff::to_text() const {
  std::string out = "dq diff " + old_file + " → " + new_file + "\n" + dataset + " " + old_version + " → " +
                    new_version + ", compatibility " + compatibility + "\n";
  std::size_t width = 0;
  for (const Change& c : changes) width = std::max(width, c.path.size());
  for (ChangeLevel level : {ChangeLevel::kBreaking, ChangeLevel::kWarning, ChangeLevel::kInfo}) {
    for (const Change& c : changes) {
      if (c.level != level) continue;
      std::string name = change_level_name(level);
      for (char& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      out += "  " + name + std::string(10 - name.size(), ' ') + c.path + std::string(width + 2 - c.path.size(), ' ') +
             c.message;
      if (c.new_line > 0)
        out += " (line " + std::to_string(c.new_line) + ")";
      else if (c.old_line > 0)
        out += " (was line " + std::to_string(c.old_line) + ")";
      out += "\n";
    }
  }
  out += std::to_string(count(ChangeLevel::kBreaking)) + " breaking, " + std::to_string(count(ChangeLevel::kWarning)) +
         " warning, " + std::to_string(count(ChangeLevel::kInfo)) + " info";
  if (changes.empty()) out = out.substr(0, out.rfind('\n') + 1) + "no changes";
  if (blocks())
    out += ": breaking changes need a major version (" + next_major(old_version) + ")";
  else if (count(ChangeLevel::kBreaking) > 0)
    out += ": the major version was bumped";
  return out + "\n";
}

std::string ContractDiff::to_markdown() const {
  const std::size_t breaking = count(ChangeLevel::kBreaking), warnings = count(ChangeLevel::kWarning),
                    info = count(ChangeLevel::kInfo);
  std::string out = "### dq diff: `" + dataset + "` " + old_version + " → " + new_version + "\n\n";
  if (changes.empty()) return out + "✅ No changes to the contract.\n";
  if (blocks()) {
    out += "> ❌ **" + std::to_string(breaking) + " breaking change" + (breaking == 1 ? "" : "s") + "** under `" +
           compatibility + "` compatibility, and the major version was not bumped: release this as **" +
           next_major(old_version) + "** or keep the old behaviour.\n\n";
  } else if (breaking > 0) {
    out += "> ⚠️ " + std::to_string(breaking) + " breaking change" + (breaking == 1 ? "" : "s") + " under `" +
           compatibility + "` compatibility; the major version was bumped, so consumers are told.\n\n";
  } else {
    out += "> ✅ No breaking changes under `" + compatibility + "` compatibility.\n\n";
  }
  out += "**" + std::to_string(breaking) + "** breaking · **" + std::to_string(warnings) + "** warning · **" +
         std::to_string(info) + "** info\n\n";
  auto table = [&](bool want_info) {
    std::string t = "| | Where | Change |\n|---|---|---|\n";
    for (ChangeLevel level : {ChangeLevel::kBreaking, ChangeLevel::kWarning, ChangeLevel::kInfo}) {
      if ((level == ChangeLevel::kInfo) != want_info) continue;
      for (const Change& c : changes) {
        if (c.level != level) continue;
        std::string where = "`" + markdown_cell(c.path) + "`";
        if (c.new_line > 0) where += " (line " + std::to_string(c.new_line) + ")";
        t += std::string("| ") + level_icon(level) + " " + change_level_name(level) + " | " + where + " | " +
             markdown_cell(c.message) + " |\n";
      }
    }
    return t;
  };
  if (breaking + warnings > 0) out += table(false) + "\n";
  if (info > 0) {
    out += "<details><summary>" + std::to_string(info) + " informational change" + (info == 1 ? "" : "s") +
           "</summary>\n\n" + table(true) + "\n</details>\n";
  }
  return out;
}

std::string ContractDiff::to_json() const {
  nlohmann::ordered_json j;
  j["old"] = {{"file", old_file}, {"version", old_version}};
  j["new"] = {{"file", new_file}, {"version", new_version}};
  j["dataset"] = dataset;
  j["compatibility"] = compatibility;
  j["major_bumped"] = major_bumped;
  j["counts"] = {{"breaking", count(ChangeLevel::kBreaking)},
                 {"warning", count(ChangeLevel::kWarning)},
                 {"info", count(ChangeLevel::kInfo)}};
  j["blocks"] = blocks();
  j["changes"] = nlohmann::ordered_json::array();
  for (const Change& c : changes) {
    nlohmann::ordered_json x;
    x["level"] = change_level_name(c.level);
    x["path"] = c.path;
    x["kind"] = c.kind;
    x["message"] = c.message;
    x["narrows"] = c.narrows;
    x["widens"] = c.widens;
    if (c.old_line > 0) x["old_line"] = c.old_line;
    if (c.new_line > 0) x["new_line"] = c.new_line;
    j["changes"].push_back(std::move(x));
  }
  return j.dump(2);
}

}  // namespace dq
