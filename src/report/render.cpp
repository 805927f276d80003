// Report renderings: JSON (stable keys), text for terminals, JUnit XML.
#include <nlohmann/json.hpp>

#include <cstdio>

#include "dq/report.h"

namespace dq {
namespace {

const char* severity_name(Severity s) { return s == Severity::kError ? "error" : "warn"; }

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') break;  // not allowed in XML 1.0
        out += c;
    }
  }
  return out;
}

std::string percent(std::uint64_t part, std::uint64_t whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0);
  return buf;
}

}  // namespace

std::string Report::to_json(int indent) const {
  using nlohmann::json;
  json out;
  out["ok"] = ok;
  out["contract"] = {{"dataset", dataset}, {"version", version}};
  out["records"] = {{"total", records.total},
                    {"valid", records.valid},
                    {"invalid", records.invalid},
                    {"malformed", records.malformed}};
  json rules_json = json::array();
  for (const RuleSummary& r : rules) {
    json samples = json::array();
    for (const Sample& s : r.samples) {
      samples.push_back({{"record", s.record}, {"line", s.line}, {"path", s.path}, {"value", s.value},
                         {"message", s.message}});
    }
    json rule = {{"id", r.id},         {"path", r.path}, {"severity", severity_name(r.severity)},
                 {"failed", r.failed}, {"ok", r.ok},     {"samples", samples}};
    if (r.mostly < 1.0) rule["mostly"] = r.mostly;
    rules_json.push_back(std::move(rule));
  }
  out["rules"] = std::move(rules_json);
  out["expectations"] = json::array();
  out["drift"] = json::array();
  json malformed_json = json::array();
  for (const MalformedSample& m : malformed) {
    malformed_json.push_back({{"record", m.record}, {"line", m.line}, {"offset", m.offset}, {"message", m.message}});
  }
  out["malformed"] = std::move(malformed_json);
  return out.dump(indent, ' ', false, json::error_handler_t::replace);
}

std::string Report::to_text() const {
  std::string out;
  out += std::string(ok ? "PASSED" : "FAILED") + "  " + dataset + " " + version + "\n";
  out += "records: " + std::to_string(records.total) + " total, " + std::to_string(records.valid) + " valid, " +
         std::to_string(records.invalid) + " invalid, " + std::to_string(records.malformed) + " malformed\n";
  if (!rules.empty()) out += "\nfailed checks (records failing, of " + std::to_string(records.total) + "):\n";
  for (const RuleSummary& r : rules) {
    out += "  " + std::string(r.ok ? (r.severity == Severity::kWarn ? "warn " : "ok   ") : "FAIL ") + r.id + "  " +
           std::to_string(r.failed) + " (" + percent(r.failed, records.total) + ")";
    if (r.mostly < 1.0) out += "  mostly " + std::to_string(r.mostly).substr(0, 5);
    out += "\n";
    for (const Sample& s : r.samples) {
      out += "      record " + std::to_string(s.record);
      if (s.line > 0) out += " (line " + std::to_string(s.line) + ")";  // tables have no lines
      if (!s.path.empty()) out += " " + s.path;
      out += ": " + s.message;
      if (!s.value.empty()) out += "  got " + s.value;
      out += "\n";
    }
  }
  if (!malformed.empty()) out += "\nmalformed records:\n";
  for (const MalformedSample& m : malformed) {
    out += "  record " + std::to_string(m.record) + " (line " + std::to_string(m.line) + ", byte " +
           std::to_string(m.offset) + "): " + m.message + "\n";
  }
  return out;
}

std::string Report::to_junit() const {
  // One test case per failed check plus one for malformed input; a passing
  // run is one passing case, so CI systems always show the contract.
  std::size_t failures = 0;
  for (const RuleSummary& r : rules) failures += r.ok ? 0 : 1;
  failures += records.malformed ? 1 : 0;
  std::size_t tests = rules.size() + 1;
  std::string suite = xml_escape(dataset);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"dq\" tests=\"" + std::to_string(tests) + "\" failures=\"" + std::to_string(failures) + "\">\n";
  out += "  <testsuite name=\"" + suite + "\" tests=\"" + std::to_string(tests) + "\" failures=\"" +
         std::to_string(failures) + "\">\n";
  out += "    <properties><property name=\"contract.version\" value=\"" + xml_escape(version) +
         "\"/><property name=\"records.total\" value=\"" + std::to_string(records.total) + "\"/></properties>\n";
  out += "    <testcase classname=\"" + suite + "\" name=\"records well-formed\">";
  if (records.malformed) {
    std::string detail;
    for (const MalformedSample& m : malformed) {
      detail += "record " + std::to_string(m.record) + " line " + std::to_string(m.line) + ": " + m.message + "\n";
    }
    out += "\n      <failure message=\"" + std::to_string(records.malformed) + " malformed records\">" +
           xml_escape(detail) + "</failure>\n    ";
  }
  out += "</testcase>\n";
  for (const RuleSummary& r : rules) {
    out += "    <testcase classname=\"" + suite + "\" name=\"" + xml_escape(r.id) + "\">";
    std::string detail;
    for (const Sample& s : r.samples) {
      detail += "record " + std::to_string(s.record) + " " + s.path + ": " + s.message + " (got " + s.value + ")\n";
    }
    std::string message = std::to_string(r.failed) + " of " + std::to_string(records.total) + " records";
    if (!r.ok) {
      out += "\n      <failure message=\"" + xml_escape(message) + "\">" + xml_escape(detail) + "</failure>\n    ";
    } else {
      out += "\n      <system-out>" + xml_escape(message + " (" + severity_name(r.severity) + ")\n" + detail) +
             "</system-out>\n    ";
    }
    out += "</testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace dq
