// dq infer --update: what new data asks of an existing contract. The data is
// read into shapes as for inference; each declared field is held against
// its shape, and every change is a patch of the contract's own text (so its
// comments and layout stay): a bound widened, enum values added, a new
// optional field declared where undeclared keys are refused. Fields the data
// no longer has are reported, not removed.
#include <algorithm>
#include <cmath>
#include <map>

#include "dq/governance.h"
#include "infer/shapes.h"
#include "spec/loader.h"

namespace dq {
namespace inferring {
namespace {

struct Patch {
  int line = 0;    // 1-based
  int column = 0;  // 1-based; 0: insert whole lines before `line`
  std::size_t length = 0;
  std::string text;
};

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      if (start < text.size()) lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string apply_patches(const std::string& text, std::vector<Patch> patches) {
  std::vector<std::string> lines = split_lines(text);
  // Last first, so earlier positions stay valid; insertions after edits on one line.
  std::stable_sort(patches.begin(), patches.end(), [](const Patch& a, const Patch& b) {
    return a.line != b.line ? a.line > b.line : a.column > b.column;
  });
  for (const Patch& p : patches) {
    const auto index = static_cast<std::size_t>(p.line - 1);
    if (p.column == 0) {
      lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(std::min(index, lines.size())), p.text);
      continue;
    }
    if (index >= lines.size() || static_cast<std::size_t>(p.column - 1) > lines[index].size()) continue;
    lines[index].replace(static_cast<std::size_t>(p.column - 1), p.length, p.text);
  }
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

// The length a scalar takes in the source: its text, with quotes when quoted.
std::size_t source_length(const spec::Scalar& s, const std::vector<std::string>& lines) {
  if (!s.quoted) return s.text.size();
  const auto index = static_cast<std::size_t>(s.span.line - 1);
  if (index >= lines.size()) return s.text.size() + 2;
  const std::string& line = lines[index];
  const auto start = static_cast<std::size_t>(s.span.column - 1);
  if (start >= line.size()) return s.text.size() + 2;
  const char quote = line[start];
  for (std::size_t i = start + 1; i < line.size(); ++i) {
    if (line[i] == quote) {
      if (quote == '\'' && i + 1 < line.size() && line[i + 1] == '\'') {
        ++i;
        continue;
      }
      if (quote == '"' && line[i - 1] == '\\') continue;
      return i - start + 1;
    }
  }
  return s.text.size() + 2;
}

struct Updater {
  const Settings& settings;
  const std::vector<std::string>& lines;
  std::uint64_t records;
  std::vector<Patch> patches;
  std::vector<std::string> changes;

  void bound(const spec::Field& f, const Node& n, const std::string& path, bool lower) {
    const std::optional<spec::Scalar>& s = lower ? f.min : f.max;
    if (!s || s->is_param() || s->quoted || n.integers + n.numbers == 0) return;
    char* end = nullptr;
    const double old = std::strtod(s->text.c_str(), &end);
    if (end == s->text.c_str()) return;
    const bool integer = f.type == spec::Type::kInteger;
    const double observed = lower ? n.min : n.max;
    if (lower ? observed >= old : observed <= old) return;
    std::string text;
    if (integer) {
      text = int_text(lower ? n.int_min : n.int_max);
    } else {
      text = number_text(observed);
    }
    patches.push_back({s->span.line, s->span.column, source_length(*s, lines), text});
    changes.push_back(path + (lower ? ".min: " : ".max: ") + s->text + " -> " + text + " (the new data has " + text +
                      ")");
  }

  void enum_values(const spec::Field& f, const Node& n, const std::string& path) {
    if (!f.enum_values || f.enum_values->empty() || n.values_overflow) return;
    const bool strings = f.type == spec::Type::kString;
    std::vector<std::string> added;
    for (const auto& [value, count] : n.values) {
      bool known = false;
      for (const spec::Scalar& e : *f.enum_values) known = known || e.text == value;
      if (!known && (strings ? n.strings > 0 : true)) added.push_back(value);
    }
    if (added.empty()) return;
    const spec::Scalar& last = f.enum_values->back();
    const spec::Scalar& first = f.enum_values->front();
    std::string shown;
    for (const std::string& v : added) shown += (shown.empty() ? "" : ", ") + (strings ? yaml_quoted(v) : v);
    if (first.span.line == last.span.line || f.enum_span.line == last.span.line) {  // [a, b]: extend the list
      patches.push_back(
          {last.span.line, last.span.column + static_cast<int>(source_length(last, lines)), 0, ", " + shown});
    } else {  // a block list: one "- value" line each, under the last one
      const std::string indent(static_cast<std::size_t>(std::max(0, last.span.column - 3)), ' ');
      for (auto it = added.rbegin(); it != added.rend(); ++it) {
        patches.push_back({last.span.line + 1, 0, 0, indent + "- " + (strings ? yaml_quoted(*it) : *it)});
      }
    }
    changes.push_back(path + ".enum: new values " + shown + " (" + std::to_string(added.size()) +
                      " the contract does not list)");
  }

  // Whether a field's key sits inside a flow mapping (`{a: .., b: ..}`).
  bool written_inline(const spec::Field& f) const {
    const auto index = static_cast<std::size_t>(f.span.line - 1);
    if (index >= lines.size()) return true;
    const std::string& line = lines[index];
    std::size_t i = std::min(line.size(), static_cast<std::size_t>(std::max(0, f.span.column - 1)));
    while (i > 0 && (line[i - 1] == ' ' || line[i - 1] == '\'' || line[i - 1] == '"')) --i;
    return i > 0 && (line[i - 1] == '{' || line[i - 1] == ',');
  }

  // Where a new key of this mapping goes: before the first line after the
  // last key's block that is indented less than the keys.
  int insertion_line(const std::vector<spec::Field>& fields) const {
    const spec::Field& last = fields.back();
    const int column = last.span.column;
    std::size_t i = static_cast<std::size_t>(last.span.line);  // the line after the key (0-based index)
    for (; i < lines.size(); ++i) {
      const std::string& l = lines[i];
      const std::size_t first = l.find_first_not_of(' ');
      if (first == std::string::npos || l[first] == '#') continue;
      if (static_cast<int>(first) + 1 <= column - 1 || static_cast<int>(first) + 1 < column) break;
    }
    // Step back over blank lines and comments that belong to what follows.
    while (i > static_cast<std::size_t>(last.span.line) && lines[i - 1].find_first_not_of(' ') == std::string::npos)
      --i;
    return static_cast<int>(i) + 1;
  }

  void object(const std::vector<spec::Field>& fields, const Node& n, const std::string& path, bool refuses_extra,
              std::uint64_t parent_objects) {
    for (const spec::Field& f : fields) {
      const std::string at = path.empty() ? f.name : path + "." + f.name;
      auto it = n.index.find(f.name);
      if (it == n.index.end() || n.children[it->second]->present == 0) {
        changes.push_back(at + ": not in the new data (" + with_commas(parent_objects) +
                          " objects could hold it); left declared");
        continue;
      }
      const Node& c = *n.children[it->second];
      if (f.types.empty()) {
        bound(f, c, at, true);
        bound(f, c, at, false);
        enum_values(f, c, at);
      }
      if (f.type == spec::Type::kObject && !f.fields.empty()) {
        const bool refuses =
            f.additional_fields ? *f.additional_fields != spec::AdditionalFields::kAllow : refuses_extra;
        object(f.fields, c, at, refuses, c.objects);
      }
    }
    if (!refuses_extra || fields.empty()) return;
    // New keys where undeclared ones are refused: declare them, optional.
    const spec::Field& last = fields.back();
    if (last.span.line <= 0) return;
    const bool inline_fields = written_inline(last);
    const int depth = std::max(0, (last.span.column - 1) / 2);
    for (const auto& child : n.children) {
      bool declared = false;
      for (const spec::Field& f : fields) declared = declared || f.name == child->name;
      if (declared) continue;
      const std::string at = path.empty() ? child->name : path + "." + child->name;
      if (inline_fields) {  // `fields: {a: ..., b: ...}`: a block cannot go there
        changes.push_back(at + ": a new field (" + with_commas(child->present) + " of " + with_commas(parent_objects) +
                          "); declare it by hand (these fields are written inline)");
        continue;
      }
      Writer w{settings, records, {}, {}, {}, {}};
      w.never_required = true;
      w.field(*child, depth, parent_objects, "");
      std::string block = w.out;
      if (!block.empty() && block.back() == '\n') block.pop_back();
      const int line = insertion_line(fields);
      patches.push_back({line, 0, 0,
                         std::string(static_cast<std::size_t>(depth) * 2, ' ') + "# new in the data (" +
                             with_commas(child->present) + " of " + with_commas(parent_objects) + "): optional\n" +
                             block});
      changes.push_back(at + ": a new field, declared optional (" + with_commas(child->present) + " of " +
                        with_commas(parent_objects) + ")");
    }
  }
};

}  // namespace
}  // namespace inferring

Result<ContractUpdate> update_contract(const std::string& contract_path, const std::vector<std::string>& paths,
                                       const InferOptions& options) {
  using namespace inferring;
  Result<std::string> text = spec::read_contract_file(contract_path);
  if (!text.ok()) return text.status();
  const spec::ContractPath where = spec::split_contract_path(contract_path);
  spec::Diagnostics diags(where.file);
  std::optional<spec::Contract> old = spec::parse_contract(*text, diags, spec::SourceFormat::kAuto, where.selector);
  if (!old || diags.has_errors()) {
    return Status(StatusCode::kInvalidContract, "'" + contract_path + "' does not load", diags.sorted());
  }
  if (text->find("\ndq:") == std::string::npos && text->rfind("dq:", 0) != 0) {
    return Status(StatusCode::kInvalidArgument,
                  "--update edits dq contracts; write this one as dq first (dq export --to dq)");
  }
  Reader reader;
  reader.limit = options.sample;
  if (Status st = reader.read(paths, options.format); !st.ok()) return st;
  if (reader.records == 0) return Status(StatusCode::kInvalidArgument, "no records in the new data");
  const Settings settings = settings_for(options.strictness);
  const std::vector<std::string> lines = split_lines(*text);
  Updater u{settings, lines, reader.records, {}, {}};
  u.object(old->fields, reader.root, "", old->additional_fields != spec::AdditionalFields::kAllow, reader.records);
  ContractUpdate out;
  out.records = reader.records;
  out.malformed = reader.malformed;
  out.changes = u.changes;
  out.yaml = u.patches.empty() ? *text : apply_patches(*text, u.patches);
  return out;
}

}  // namespace dq
