// dq docs: one page per contract for reviewers, as Markdown or as a
// self-contained HTML file. Both render one document model, so they always
// say the same thing.
#include <algorithm>

#include "dq/governance.h"
#include "governance/markdown.h"
#include "governance/read.h"
#include "spec/avro.h"
#include "spec/jsonschema.h"
#include "spec/odcs.h"
#include "spec/writer.h"

namespace dq {
namespace {

using spec::Field;
using spec::Scalar;

// Cell text may mark code with backticks: `^ord_[0-9a-f]{16}$`.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};
struct Section {
  std::string title;
  std::vector<std::string> paragraphs;                     // text, with `code`
  std::vector<std::pair<std::string, std::string>> facts;  // term: value
  std::vector<Table> tables;
};
struct Document {
  std::string title, subtitle;
  std::vector<Section> sections;
};

std::string code(const std::string& text) { return "`" + text + "`"; }
std::string show(const std::optional<Scalar>& s) { return s ? s->text : ""; }
std::string join(const std::vector<std::string>& items, const std::string& sep = ", ") {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

std::string constraints(const Field& f) {
  std::vector<std::string> parts;
  auto add = [&](const char* name, const std::optional<Scalar>& s) {
    if (s) parts.push_back(std::string(name) + " " + code(s->text));
  };
  if (f.unique) parts.push_back("unique");
  add("min", f.min);
  add("max", f.max);
  add("> ", f.exclusive_min);
  add("< ", f.exclusive_max);
  add("length ≥", f.min_length);
  add("length ≤", f.max_length);
  add("items ≥", f.min_items);
  add("items ≤", f.max_items);
  if (f.unique_items) parts.push_back("unique items");
  add("pattern", f.pattern);
  add("format", f.format);
  add("unit", f.unit);
  add("timezone", f.timezone);
  if (f.enum_values) {
    std::vector<std::string> values;
    for (const auto& v : *f.enum_values) values.push_back(code(v.text));
    parts.push_back("one of " + join(values));
  }
  if (f.const_value) parts.push_back("equals " + code(f.const_value->text));
  add("multiple of", f.multiple_of);
  if (!f.pattern_list.empty()) {
    std::vector<std::string> list;
    for (const auto& p : f.pattern_list) list.push_back(code(p.text));
    parts.push_back(std::string(f.match && f.match->text == "all" ? "matches all of " : "matches one of ") +
                    join(list));
  }
  if (!f.not_patterns.empty()) {
    std::vector<std::string> list;
    for (const auto& p : f.not_patterns) list.push_back(code(p.text));
    parts.push_back("matches none of " + join(list));
  }
  if (!f.coerce.empty()) {
    std::vector<std::string> c;
    for (const auto& v : f.coerce) c.push_back(code(v.text));
    parts.push_back("recovers " + join(c));
  }
  add("mostly", f.mostly);
  if (f.severity == Severity::kWarn) parts.push_back("warn only");
  return join(parts, " · ");
}

void field_rows(const Field& f, const std::string& path, Table& table) {
  std::string classification = show(f.classification);
  if (f.pii) classification += classification.empty() ? "PII" : " · PII";
  std::string description = f.description;
  if (!f.title.empty()) description = "**" + f.title + "**" + (description.empty() ? "" : ". " + description);
  if (!f.physical_name.empty() || !f.physical_type.empty()) {
    description += (description.empty() ? "" : " ") + std::string("Stored as ") +
                   code(f.physical_name.empty() ? f.name : f.physical_name) +
                   (f.physical_type.empty() ? "" : " (" + f.physical_type + ")") + ".";
  }
  if (f.primary_key_position) {
    description +=
        (description.empty() ? "" : " ") + std::string("Primary key, position ") + f.primary_key_position->text + ".";
  }
  if (!f.examples.empty()) {
    std::vector<std::string> ex;
    for (const auto& e : f.examples) ex.push_back(code(e.text));
    description += (description.empty() ? "" : " ") + std::string("Examples: ") + join(ex) + ".";
  }
  table.rows.push_back(
      {code(path), spec::type_name(f.type), f.required ? "yes" : "", constraints(f), classification, description});
  for (const Field& child : f.fields) field_rows(child, path + "." + child.name, table);
  for (const Field& item : f.items) field_rows(item, path + "[]", table);
}

Document build(const spec::Contract& c, const ContractDiff* changes) {
  Document doc;
  doc.title = c.title.empty() ? c.dataset : c.title;
  doc.subtitle = c.dataset + " · version " + c.version;

  Section about{"About", {}, {}, {}};
  if (!c.description.empty()) about.paragraphs.push_back(c.description);
  about.facts.push_back({"Dataset", code(c.dataset)});
  about.facts.push_back({"Version", c.version});
  if (c.owner) {
    about.facts.push_back({"Owner", c.owner->team + (c.owner->contact.empty() ? "" : " (" + c.owner->contact + ")")});
  } else {
    about.facts.push_back({"Owner", "none named"});
  }
  if (!c.stewards.empty()) about.facts.push_back({"Stewards", join(c.stewards)});
  about.facts.push_back({"Consumers", c.consumers.empty() ? "none named" : join(c.consumers)});
  if (c.classification) about.facts.push_back({"Classification", c.classification->text});
  about.facts.push_back({"Compatibility", c.compatibility + " (what `dq diff` calls breaking)"});
  about.facts.push_back({"Undeclared keys", c.additional_fields == spec::AdditionalFields::kReject ? "rejected"
                                            : c.additional_fields == spec::AdditionalFields::kWarn ? "warned about"
                                                                                                   : "allowed"});
  if (!c.tags.empty()) about.facts.push_back({"Tags", join(c.tags)});
  about.facts.push_back({"Status", c.status.empty() ? "active" : c.status});
  if (c.schema_object) {
    const spec::SchemaObject& o = *c.schema_object;
    std::string stored = code(o.physical_name.empty() ? (o.name.empty() ? c.dataset : o.name) : o.physical_name);
    if (!o.physical_type.empty()) stored += " (" + o.physical_type + ")";
    about.facts.push_back({"Stored as", stored});
    if (!o.description.empty()) about.paragraphs.push_back(o.description);
  }
  // Where the data lives and what defines it: carried from ODCS, shown as written.
  if (c.servers) about.facts.push_back({"Servers", code(c.servers->text)});
  if (c.authoritative_definitions) about.facts.push_back({"Definitions", code(c.authoritative_definitions->text)});
  doc.sections.push_back(about);

  Section fields{"Fields", {}, {}, {}};
  Table ft{{"Field", "Type", "Required", "Constraints", "Classification", "Description"}, {}};
  for (const Field& f : c.fields) field_rows(f, f.name, ft);
  if (ft.rows.empty())
    fields.paragraphs.push_back("The contract declares no fields.");
  else
    fields.tables.push_back(ft);
  doc.sections.push_back(fields);

  if (!c.params.empty()) {
    Section s{"Parameters", {"Set at run time with `--param name=value`; `$name` in the contract."}, {}, {}};
    Table t{{"Param", "Type", "Default", "Allowed", "Description"}, {}};
    for (const auto& p : c.params) {
      t.rows.push_back({code("$" + p.name), spec::type_name(p.type), show(p.default_value), spec::param_limits_text(p),
                        p.description});
    }
    s.tables.push_back(t);
    doc.sections.push_back(s);
  }
  if (!c.rules.empty()) {
    Section s{"Rules", {"Checked on every record; a failing error rule rejects the record."}, {}, {}};
    Table t{{"Rule", "When", "Check", "Severity", "Description"}, {}};
    for (const auto& r : c.rules) {
      t.rows.push_back({code(r.name), r.when ? code(r.when->text) : "always", code(r.check.text), to_string(r.severity),
                        r.description});
    }
    s.tables.push_back(t);
    doc.sections.push_back(s);
  }
  if (!c.expectations.empty()) {
    Section s{"Expectations", {"Checked over a batch or a stream window."}, {}, {}};
    Table t{{"Expectation", "Metric", "Field", "Bounds", "Severity"}, {}};
    auto texts = [](const std::vector<Scalar>& list) {
      std::string out;
      for (const Scalar& v : list) out += (out.empty() ? "" : ", ") + v.text;
      return out;
    };
    for (const auto& e : c.expectations) {
      std::string bounds;
      if (e.between) {
        bounds = "between " + e.between->first.text + " and " + e.between->second.text;
      } else if (e.min && e.max && e.min->text == e.max->text) {
        bounds = "= " + e.min->text;
      } else {
        if (e.min) bounds = "≥ " + e.min->text;
        if (e.max) bounds += (bounds.empty() ? "" : " and ") + std::string("≤ ") + e.max->text;
      }
      auto also = [&](const std::string& part) { bounds += (bounds.empty() ? "" : "; ") + part; };
      if (!e.set_mode.empty()) also(e.set_mode + " [" + texts(e.set) + "]");
      if (e.strict) also("strictly");
      if (e.mostly) also("mostly " + e.mostly->text);
      if (e.partition) {
        also(e.partition->values.empty()
                 ? "bins [" + texts(e.partition->bins) + "] weights [" + texts(e.partition->weights) + "]"
                 : "values [" + texts(e.partition->values) + "] weights [" + texts(e.partition->weights) + "]");
      }
      if (e.distribution) {
        std::string params;
        for (const auto& [key, value] : e.distribution->params)
          params += (params.empty() ? "" : ", ") + key + " " + value.text;
        also(e.distribution->name + " (" + params + ")");
      }
      if (e.when) also("where " + code(e.when->text));
      std::string on_fields = e.field;
      for (const std::string& f : e.fields) on_fields += (on_fields.empty() ? "" : ", ") + f;
      t.rows.push_back({code(e.name.empty() ? e.metric : e.name),
                        e.metric + (e.quantile ? "(" + e.quantile->text + ")" : ""),
                        on_fields.empty() ? "" : code(on_fields), bounds, to_string(e.severity)});
    }
    s.tables.push_back(t);
    doc.sections.push_back(s);
  }
  if (c.drift) {
    Section s{"Drift", {}, {}, {}};
    if (!c.drift->baseline.empty()) s.facts.push_back({"Baseline", code(c.drift->baseline)});
    if (c.drift->min_rows) s.facts.push_back({"Minimum rows", c.drift->min_rows->text});
    Table t{{"Field", "Method", "Warn at", "Fail at"}, {}};
    for (const auto& f : c.drift->fields) t.rows.push_back({code(f.field), f.method, show(f.warn), show(f.fail)});
    if (!t.rows.empty()) s.tables.push_back(t);
    doc.sections.push_back(s);
  }
  if (!c.monitors.empty()) {
    Section s{"Monitors", {"Anomaly detection on each metric's own history."}, {}, {}};
    Table t{{"Metric", "Method", "Settings"}, {}};
    for (const auto& m : c.monitors) {
      t.rows.push_back({code(m.metric), m.method, join(spec::monitor_settings_text(m))});
    }
    s.tables.push_back(t);
    doc.sections.push_back(s);
  }
  if (c.sla) {
    Section s{"Service levels", {}, {}, {}};
    if (!c.sla->freshness_field.empty()) {
      s.facts.push_back({"Freshness", code(c.sla->freshness_field) + " within " + show(c.sla->freshness_max_delay)});
    }
    Table t{{"Term", "Value", "Element", "Driver"}, {}};
    for (const auto& term : c.sla->terms) {
      t.rows.push_back(
          {term.property, term.value.text + (term.unit.empty() ? "" : " " + term.unit), term.element, term.driver});
    }
    if (!t.rows.empty()) s.tables.push_back(t);
    doc.sections.push_back(s);
  }
  if (c.grading) {
    const spec::Grading& g = *c.grading;
    Section s{"Grading", {}, {}, {}};
    std::vector<std::string> key;
    for (const auto& k : g.key) key.push_back(code(k.text));
    s.facts.push_back({"Entity key", join(key)});
    if (g.filter) s.facts.push_back({"Records graded", "where " + code(g.filter->text)});
    if (!g.export_tiers.empty()) {
      std::vector<std::string> ex;
      for (const auto& e : g.export_tiers) ex.push_back(code(e.text));
      s.facts.push_back({"Exported tiers", join(ex)});
    }
    Table measures{{"Measure", "Expression"}, {}};
    for (const auto& [name, expr] : g.measures) measures.rows.push_back({code(name), code(expr.text)});
    if (!measures.rows.empty()) s.tables.push_back(measures);
    Table tiers{{"Tier", "When (first match wins)"}, {}};
    for (const auto& t : g.tiers) tiers.rows.push_back({t.name, t.when ? code(t.when->text) : "otherwise"});
    s.tables.push_back(tiers);
    doc.sections.push_back(s);
  }
  if (changes) {
    Section s{"Changes since " + changes->old_version, {}, {}, {}};
    s.paragraphs.push_back(std::to_string(changes->count(ChangeLevel::kBreaking)) + " breaking, " +
                           std::to_string(changes->count(ChangeLevel::kWarning)) + " warning, " +
                           std::to_string(changes->count(ChangeLevel::kInfo)) + " info, under " +
                           changes->compatibility + " compatibility" +
                           (changes->blocks() ? "; the major version was not bumped." : "."));
    Table t{{"Level", "Where", "Change"}, {}};
    for (const Change& ch : changes->changes)
      t.rows.push_back({change_level_name(ch.level), code(ch.path), ch.message});
    if (!t.rows.empty()) s.tables.push_back(t);
    doc.sections.push_back(s);
  }
  return doc;
}

std::string render_markdown(const Document& doc) {
  std::string out = "# " + doc.title + "\n\n_" + doc.subtitle + "_\n";
  for (const Section& s : doc.sections) {
    out += "\n## " + s.title + "\n\n";
    for (const auto& p : s.paragraphs) out += p + "\n\n";
    for (const auto& [term, value] : s.facts) out += "- **" + term + "**: " + value + "\n";
    if (!s.facts.empty()) out += "\n";
    for (const Table& t : s.tables) {
      out += "|";
      for (const auto& h : t.header) out += " " + h + " |";
      out += "\n|";
      for (std::size_t i = 0; i < t.header.size(); ++i) out += "---|";
      out += "\n";
      for (const auto& row : t.rows) {
        out += "|";
        for (const auto& cell : row) out += " " + markdown_cell(cell) + " |";
        out += "\n";
      }
      out += "\n";
    }
  }
  while (out.size() > 1 && out[out.size() - 2] == '\n') out.pop_back();
  return out;
}

// HTML-escapes text, turning `code` into <code> and **bold** into <strong>.
std::string html(const std::string& text) {
  std::string out;
  bool in_code = false, in_bold = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (ch == '`') {
      out += in_code ? "</code>" : "<code>";
      in_code = !in_code;
    } else if (!in_code && ch == '*' && i + 1 < text.size() && text[i + 1] == '*') {
      out += in_bold ? "</strong>" : "<strong>";
      in_bold = !in_bold;
      ++i;
    } else if (ch == '&')
      out += "&amp;";
    else if (ch == '<')
      out += "&lt;";
    else if (ch == '>')
      out += "&gt;";
    else if (ch == '"')
      out += "&quot;";
    else if (ch == '\n')
      out += "<br>";
    else
      out += ch;
  }
  if (in_code) out += "</code>";
  if (in_bold) out += "</strong>";
  return out;
}

std::string render_html(const Document& doc) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
      html(doc.title) +
      "</title>\n<style>\n"
      "body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1f2328;max-width:1100px;margin:2rem "
      "auto;padding:0 1rem}\n"
      "h1{margin-bottom:.2rem}h2{border-bottom:1px solid #d0d7de;padding-bottom:.3rem;margin-top:2rem}\n"
      ".subtitle{color:#59636e;margin-top:0}\n"
      "table{border-collapse:collapse;width:100%;margin:.8rem 0;font-size:14px}\n"
      "th,td{border:1px solid #d0d7de;padding:.35rem .6rem;text-align:left;vertical-align:top}\n"
      "th{background:#f6f8fa}tr:nth-child(even) td{background:#fbfcfd}\n"
      "code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;background:#eff1f3;padding:.1rem "
      ".3rem;border-radius:4px;word-break:break-all}\n"
      "dl{display:grid;grid-template-columns:max-content auto;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0}\n"
      "</style>\n</head>\n<body>\n<h1>" +
      html(doc.title) + "</h1>\n<p class=\"subtitle\">" + html(doc.subtitle) + "</p>\n";
  for (const Section& s : doc.sections) {
    out += "<section>\n<h2>" + html(s.title) + "</h2>\n";
    for (const auto& p : s.paragraphs) out += "<p>" + html(p) + "</p>\n";
    if (!s.facts.empty()) {
      out += "<dl>\n";
      for (const auto& [term, value] : s.facts) out += "<dt>" + html(term) + "</dt><dd>" + html(value) + "</dd>\n";
      out += "</dl>\n";
    }
    for (const Table& t : s.tables) {
      out += "<table>\n<thead><tr>";
      for (const auto& h : t.header) out += "<th>" + html(h) + "</th>";
      out += "</tr></thead>\n<tbody>\n";
      for (const auto& row : t.rows) {
        out += "<tr>";
        for (const auto& cell : row) out += "<td>" + html(cell) + "</td>";
        out += "</tr>\n";
      }
      out += "</tbody>\n</table>\n";
    }
    out += "</section>\n";
  }
  return out + "</body>\n</html>\n";
}

}  // namespace

Result<std::string> contract_docs(const std::string& path, DocsFormat format, const std::string& previous_path) {
  auto read = read_contract(path, true);
  if (!read.ok()) return read.status();
  std::optional<ContractDiff> changes;
  if (!previous_path.empty()) {
    auto diff = diff_contracts(previous_path, path);
    if (!diff.ok()) return diff.status();
    changes = std::move(*diff);
  }
  Document doc = build(read->spec, changes ? &*changes : nullptr);
  return format == DocsFormat::kHtml ? render_html(doc) : render_markdown(doc);
}

std::optional<ContractFormat> contract_format_named(const std::string& name) {
  static const std::map<std::string, ContractFormat> kFormats = {{"dq", ContractFormat::kDq},
                                                                 {"odcs", ContractFormat::kOdcs},
                                                                 {"jsonschema", ContractFormat::kJsonSchema},
                                                                 {"avro", ContractFormat::kAvro},
                                                                 {"dcs", ContractFormat::kDcs},
                                                                 {"dbt", ContractFormat::kDbt},
                                                                 {"protobuf", ContractFormat::kProtobuf}};
  auto it = kFormats.find(name);
  if (it == kFormats.end()) return std::nullopt;
  return it->second;
}

Result<ExportedContract> export_contract(const std::string& path, ContractFormat format) {
  auto read = read_contract(path, true);
  if (!read.ok()) return read.status();
  ExportedContract out;
  switch (format) {
    case ContractFormat::kOdcs: out.text = spec::to_odcs(read->spec); break;
    case ContractFormat::kJsonSchema: out.text = spec::to_json_schema(read->spec, out.not_carried); break;
    case ContractFormat::kAvro: out.text = spec::to_avro(read->spec, out.not_carried); break;
    case ContractFormat::kDq: out.text = spec::emit_yaml(spec::to_yaml(read->spec)); break;
    case ContractFormat::kDcs:
    case ContractFormat::kDbt:
    case ContractFormat::kProtobuf:
      return Status(StatusCode::kInvalidArgument,
                    "dq reads dbt, Data Contract Specification and .proto files; it writes dq, ODCS, JSON Schema and "
                    "Avro");
  }
  out.warnings = std::move(read->findings);
  return out;
}

Result<ExportedContract> import_contract(const std::string& path, ContractFormat from) {
  static const std::map<ContractFormat, spec::SourceFormat> kSources = {
      {ContractFormat::kDq, spec::SourceFormat::kDq},
      {ContractFormat::kOdcs, spec::SourceFormat::kOdcs},
      {ContractFormat::kJsonSchema, spec::SourceFormat::kJsonSchema},
      {ContractFormat::kAvro, spec::SourceFormat::kAvro},
      {ContractFormat::kDcs, spec::SourceFormat::kDcs},
      {ContractFormat::kDbt, spec::SourceFormat::kDbt},
      {ContractFormat::kProtobuf, spec::SourceFormat::kProtobuf}};
  const spec::SourceFormat source = kSources.at(from);
  auto read = read_contract(path, true, source);
  if (!read.ok()) return read.status();
  ExportedContract out;
  out.text = spec::emit_yaml(spec::to_yaml(read->spec));
  out.warnings = std::move(read->findings);
  return out;
}

}  // namespace dq
