// Report renderings: JSON (stable keys), text for terminals, JUnit XML.
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/figure.h"
#include "base/timestamps.h"
#include "dq/report.h"

namespace dq {
namespace {

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

nlohmann::json optional_number(const std::optional<double>& x) {
  return x ? nlohmann::json(*x) : nlohmann::json(nullptr);
}

std::string duration_text(std::int64_t micros) {
  const double s = static_cast<double>(micros) / 1e6;
  if (std::fabs(s) < 120) return figure(s) + "s";
  if (std::fabs(s) < 7200) return figure(s / 60) + "m";
  if (std::fabs(s) < 172800) return figure(s / 3600) + "h";
  return figure(s / 86400) + "d";
}

std::string range_text(const std::optional<double>& lo, const std::optional<double>& hi) {
  if (lo && hi) return "[" + figure(*lo) + ", " + figure(*hi) + "]";
  if (lo) return ">= " + figure(*lo);
  if (hi) return "<= " + figure(*hi);
  return "";
}

std::string percent(std::uint64_t part, std::uint64_t whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%",
                whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0);
  return buf;
}

nlohmann::json drift_json(const std::vector<DriftResult>& drift) {
  using nlohmann::json;
  json out = json::array();
  for (const DriftResult& d : drift) {
    json movers = json::array();
    for (const DriftMover& m : d.movers)
      movers.push_back({{"bin", m.bin}, {"baseline", m.baseline}, {"current", m.current}});
    out.push_back({{"field", d.field},
                   {"method", d.method},
                   {"value", d.status == "skipped" ? json(nullptr) : json(d.value)},
                   {"status", d.status},
                   {"warn", optional_number(d.warn)},
                   {"fail", optional_number(d.fail)},
                   {"detail", d.detail},
                   {"movers", std::move(movers)},
                   {"baseline_rows", d.baseline_rows},
                   {"current_rows", d.current_rows}});
  }
  return out;
}

}  // namespace

std::string drift_to_json(const std::vector<DriftResult>& results, int indent) {
  return drift_json(results).dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Report::to_json(int indent) const {
  using nlohmann::json;
  json out;
  out["ok"] = ok;
  out["contract"] = {{"dataset", dataset}, {"version", version}};
  out["records"] = {{"total", records.total},
                    {"valid", records.valid},
                    {"invalid", records.invalid},
                    {"malformed", records.malformed},
                    {"coerced", records.coerced}};
  json rules_json = json::array();
  for (const RuleSummary& r : rules) {
    json samples = json::array();
    for (const Sample& s : r.samples) {
      samples.push_back(
          {{"record", s.record}, {"line", s.line}, {"path", s.path}, {"value", s.value}, {"message", s.message}});
    }
    json rule = {{"id", r.id},         {"path", r.path}, {"severity", to_string(r.severity)},
                 {"failed", r.failed}, {"ok", r.ok},     {"samples", samples}};
    if (r.mostly < 1.0) rule["mostly"] = r.mostly;
    rules_json.push_back(std::move(rule));
  }
  out["rules"] = std::move(rules_json);
  json expectations_json = json::array();
  for (const ExpectationResult& e : expectations) {
    expectations_json.push_back({{"id", e.id},
                                 {"metric", e.metric},
                                 {"field", e.field},
                                 {"value", e.has_value ? json(e.value) : json(nullptr)},
                                 {"min", optional_number(e.min)},
                                 {"max", optional_number(e.max)},
                                 {"severity", to_string(e.severity)},
                                 {"ok", e.ok}});
    if (!e.detail.empty()) expectations_json.back()["detail"] = e.detail;
    if (!e.samples.empty()) {
      json samples = json::array();
      for (const Sample& s : e.samples) {
        samples.push_back({{"record", s.record}, {"path", s.path}, {"value", s.value}, {"message", s.message}});
      }
      expectations_json.back()["samples"] = std::move(samples);
    }
  }
  out["expectations"] = std::move(expectations_json);
  out["drift"] = drift_json(drift);
  json monitors_json = json::array();
  for (const MonitorResult& m : monitors) {
    monitors_json.push_back({{"id", m.id},
                             {"metric", m.metric},
                             {"method", m.method},
                             {"value", m.has_value ? json(m.value) : json(nullptr)},
                             {"expected", optional_number(m.expected)},
                             {"expected_low", optional_number(m.expected_low)},
                             {"expected_high", optional_number(m.expected_high)},
                             {"history", m.history},
                             {"anomaly", m.anomaly},
                             {"score", m.score},
                             {"incident_points", m.incident_points},
                             {"severity", to_string(m.severity)},
                             {"detail", m.detail}});
  }
  out["monitors"] = std::move(monitors_json);
  if (freshness) {
    out["freshness"] = {
        {"field", freshness->field},
        {"latest", freshness->has_value ? json(format_timestamp(freshness->latest)) : json(nullptr)},
        {"delay_seconds", freshness->has_value ? json(static_cast<double>(freshness->delay) / 1e6) : json(nullptr)},
        {"max_delay_seconds", static_cast<double>(freshness->max_delay) / 1e6},
        {"ok", freshness->ok}};
  }
  if (!metrics.empty()) out["metrics"] = metrics;
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
         std::to_string(records.invalid) + " invalid, " + std::to_string(records.malformed) + " malformed" +
         (records.coerced > 0 ? ", " + std::to_string(records.coerced) + " with coerced values" : std::string()) + "\n";
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
  if (!expectations.empty()) out += "\nexpectations:\n";
  for (const ExpectationResult& e : expectations) {
    out += "  " +
           std::string(e.ok                            ? "ok   "
                       : e.severity == Severity::kWarn ? "warn "
                                                       : "FAIL ") +
           e.id + "  " + (e.has_value ? figure(e.value) : std::string("(no values)")) +
           (e.min || e.max ? "  expected " + range_text(e.min, e.max) : std::string()) +
           (e.detail.empty() ? "" : "  (" + e.detail + ")") + "\n";
    for (const Sample& s : e.samples) {
      out += "         record " + std::to_string(s.record) + " " + s.path + (s.value.empty() ? "" : " = " + s.value) +
             ": " + s.message + "\n";
    }
  }
  if (!drift.empty()) out += "\ndrift:\n";
  for (const DriftResult& d : drift) {
    std::string status = d.status == "fail"   ? "FAIL "
                         : d.status == "warn" ? "warn "
                         : d.status == "ok"   ? "ok   "
                                              : "skip ";
    out += "  " + status + d.field + " " + d.method;
    if (d.status != "skipped") {
      out += " = " + figure(d.value);
      if (d.warn) out += "  warn " + figure(*d.warn);
      if (d.fail) out += "  fail " + figure(*d.fail);
    }
    if (!d.detail.empty()) out += "  (" + d.detail + ")";
    out += "\n";
    for (const DriftMover& m : d.movers) {
      out += "      " + m.bin + ": " + figure(m.baseline * 100) + "% -> " + figure(m.current * 100) + "%\n";
    }
  }
  if (!monitors.empty()) out += "\nmonitors:\n";
  for (const MonitorResult& m : monitors) {
    out += "  " +
           std::string(!m.anomaly                      ? "ok   "
                       : m.severity == Severity::kWarn ? "warn "
                                                       : "FAIL ") +
           m.id + "  " + (m.has_value ? figure(m.value) : std::string("-"));
    if (m.expected_low || m.expected_high) out += "  expected " + range_text(m.expected_low, m.expected_high);
    if (m.anomaly) out += "  score " + figure(m.score);
    if (m.incident_points > 1) out += ", incident point " + std::to_string(m.incident_points);
    if (!m.detail.empty()) out += "  (" + m.detail + ")";
    out += "\n";
  }
  if (freshness) {
    out += "\nfreshness: " + std::string(freshness->ok ? "ok   " : "FAIL ") + freshness->field;
    if (freshness->has_value) {
      out += " latest " + format_timestamp(freshness->latest) + ", " + duration_text(freshness->delay) + " old (max " +
             duration_text(freshness->max_delay) + ")\n";
    } else {
      out += ": no timestamp in the data\n";
    }
  }
  return out;
}

std::string Report::to_junit() const {
  // One test case per failed check, expectation, drift check, monitor and
  // SLA, plus one for malformed input: CI systems always show the contract.
  struct Case {
    std::string name;
    bool failed;
    std::string message, detail;
  };
  std::vector<Case> cases;
  {
    std::string detail;
    for (const MalformedSample& m : malformed) {
      detail += "record " + std::to_string(m.record) + " line " + std::to_string(m.line) + ": " + m.message + "\n";
    }
    cases.push_back({"records well-formed", records.malformed > 0,
                     std::to_string(records.malformed) + " malformed records", detail});
  }
  for (const RuleSummary& r : rules) {
    std::string detail;
    for (const Sample& s : r.samples) {
      detail += "record " + std::to_string(s.record) + " " + s.path + ": " + s.message + " (got " + s.value + ")\n";
    }
    std::string message = std::to_string(r.failed) + " of " + std::to_string(records.total) + " records";
    cases.push_back({r.id, !r.ok, r.ok ? message + " (" + to_string(r.severity) + ")" : message, detail});
  }
  for (const ExpectationResult& e : expectations) {
    std::string samples;
    for (const Sample& s : e.samples) {
      samples += "record " + std::to_string(s.record) + " " + s.path + ": " + s.message +
                 (s.value.empty() ? "" : " (got " + s.value + ")") + "\n";
    }
    cases.push_back({"expectations." + e.id, !e.ok && e.severity == Severity::kError,
                     e.metric + " = " + (e.has_value ? figure(e.value) : "(no values)") + ", expected " +
                         range_text(e.min, e.max) + (e.detail.empty() ? "" : " (" + e.detail + ")"),
                     samples});
  }
  for (const DriftResult& d : drift) {
    cases.push_back({"drift." + d.field + "." + d.method, d.status == "fail",
                     d.status + (d.status == "skipped" ? ": " + d.detail : " " + figure(d.value)), ""});
  }
  for (const MonitorResult& m : monitors) {
    cases.push_back(
        {"monitors." + m.id, m.anomaly && m.severity == Severity::kError,
         (m.anomaly ? "anomaly: " : "") + (m.has_value ? figure(m.value) : std::string("-")) + " " + m.detail, ""});
  }
  if (freshness) {
    cases.push_back({"sla.freshness", !freshness->ok,
                     freshness->has_value ? duration_text(freshness->delay) + " old" : "no timestamp in the data", ""});
  }
  std::size_t failures = 0;
  for (const Case& c : cases) failures += c.failed;
  const std::string tests = std::to_string(cases.size());
  const std::string suite = xml_escape(dataset);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"dq\" tests=\"" + tests + "\" failures=\"" + std::to_string(failures) + "\">\n";
  out += "  <testsuite name=\"" + suite + "\" tests=\"" + tests + "\" failures=\"" + std::to_string(failures) + "\">\n";
  out += "    <properties><property name=\"contract.version\" value=\"" + xml_escape(version) +
         "\"/><property name=\"records.total\" value=\"" + std::to_string(records.total) + "\"/></properties>\n";
  for (const Case& c : cases) {
    out += "    <testcase classname=\"" + suite + "\" name=\"" + xml_escape(c.name) + "\">";
    if (c.failed) {
      out += "\n      <failure message=\"" + xml_escape(c.message) + "\">" + xml_escape(c.detail) + "</failure>\n    ";
    } else if (!c.detail.empty() || c.name != "records well-formed") {
      out += "\n      <system-out>" + xml_escape(c.message + "\n" + c.detail) + "</system-out>\n    ";
    }
    out += "</testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace dq
