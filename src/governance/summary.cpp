// A contract's catalog entry (describe_contract): what a catalog lists and a
// run form needs, read from the contract as written.
#include <nlohmann/json.hpp>

#include "dq/governance.h"
#include "governance/read.h"

namespace dq {
namespace {
// A value as written, or null when the contract does not say it.
nlohmann::ordered_json text_or_null(const std::string& text, bool said) {
  return said ? nlohmann::ordered_json(text) : nlohmann::ordered_json();
}
}  // namespace

std::string ContractSummary::to_json() const {
  nlohmann::ordered_json j;
  j["file"] = file;
  j["dataset"] = dataset;
  j["version"] = version;
  j["title"] = title;
  j["description"] = description;
  j["status"] = status;
  j["owner"] = {{"team", owner_team}, {"contact", owner_contact}};
  j["stewards"] = stewards;
  j["consumers"] = consumers;
  j["tags"] = tags;
  j["classification"] = classification;
  j["compatibility"] = compatibility;
  j["params"] = nlohmann::ordered_json::array();
  for (const ContractParam& p : params) {
    nlohmann::ordered_json param;
    param["name"] = p.name;
    param["type"] = p.type;
    param["default"] = text_or_null(p.default_value, p.has_default);
    param["description"] = p.description;
    param["min"] = text_or_null(p.min, !p.min.empty());
    param["max"] = text_or_null(p.max, !p.max.empty());
    param["enum"] = p.allowed;
    j["params"].push_back(std::move(param));
  }
  j["fields"] = fields;
  j["grading"] = has_grading;
  j["drift"] = has_drift;
  j["drift_baseline"] = drift_baseline;
  j["monitors"] = nlohmann::ordered_json::array();
  for (const Monitor& m : monitors) {
    j["monitors"].push_back({{"metric", m.metric},
                             {"method", m.method},
                             {"direction", m.direction},
                             {"settings", m.settings},
                             {"seasons", m.seasons}});
  }
  return j.dump();
}

Result<ContractSummary> describe_contract(const std::string& path) {
  auto read = read_contract(path, true);
  if (!read.ok()) return read.status();
  const spec::Contract& c = read->spec;
  ContractSummary s;
  s.file = path;
  s.dataset = c.dataset;
  s.version = c.version;
  s.title = c.title;
  s.description = c.description;
  s.status = c.status.empty() ? "active" : c.status;
  if (c.owner) {
    s.owner_team = c.owner->team;
    s.owner_contact = c.owner->contact;
  }
  s.stewards = c.stewards;
  s.consumers = c.consumers;
  s.tags = c.tags;
  if (c.classification) s.classification = c.classification->text;
  s.compatibility = c.compatibility;
  for (const spec::Param& p : c.params) {
    ContractParam param{p.name,
                        spec::type_name(p.type),
                        p.default_value ? p.default_value->text : "",
                        p.default_value.has_value(),
                        p.description,
                        p.min ? p.min->text : "",
                        p.max ? p.max->text : "",
                        {}};
    for (const spec::Scalar& v : p.allowed) param.allowed.push_back(v.text);
    s.params.push_back(std::move(param));
  }
  s.fields = c.fields.size();
  s.has_grading = c.grading.has_value();
  s.has_drift = c.drift.has_value() && !c.drift->fields.empty();
  if (c.drift) s.drift_baseline = c.drift->baseline;
  for (const spec::Monitor& m : c.monitors) {
    ContractSummary::Monitor monitor{m.metric, m.method, m.direction.empty() ? "both" : m.direction, {}, {}};
    for (const auto& [name, value] : m.settings) monitor.settings[name] = value.text;
    for (const spec::Scalar& season : m.seasons) monitor.seasons.push_back(season.text);
    s.monitors.push_back(std::move(monitor));
  }
  return s;
}

}  // namespace dq
