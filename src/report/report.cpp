#include "dq/report.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "compile/program.h"
#include "dq/drift.h"
#include "engine/verdict_access.h"
#include "profile/metrics.h"
#include "profile/profiler.h"
#include "report/report_access.h"

namespace dq {

struct ReportBuilder::Impl {
  Contract contract;
  ReportOptions options;
  RecordCounts counts;
  std::uint64_t sequence = 0;  // records added, across every input of the report
  struct PerCheck {
    std::uint64_t failed = 0;
    std::uint64_t checked = 0;      // records with a non-null value (fields with `mostly`)
    std::uint64_t last_record = 0;  // a record counts once per check
    std::uint64_t last_checked = 0;
    std::vector<Sample> samples;
  };
  std::vector<PerCheck> checks;
  std::vector<MalformedSample> malformed;
  std::unique_ptr<Profiler> profiler;  // null when nothing asks for statistics
  InputColumns columns;
};

Profiler* ReportAccess::profiler(ReportBuilder& report) { return report.impl_->profiler.get(); }

ReportBuilder::ReportBuilder(Contract contract, ReportOptions options)
    : impl_(std::make_unique<Impl>(Impl{std::move(contract), std::move(options), {}, 0, {}, {}, nullptr, {}})) {
  impl_->checks.resize(impl_->contract.checks().size());
  const Program& p = ContractAccess::program(impl_->contract);
  const bool needs_statistics =
      !p.expectations.empty() || !p.drift.empty() || !p.monitors.empty() || p.freshness_field >= 0;
  if (impl_->options.profile || needs_statistics) {
    impl_->profiler = std::make_unique<Profiler>(p, impl_->options.profile_options);
  }
}

bool ReportBuilder::profiling() const { return impl_->profiler != nullptr; }
ReportBuilder::~ReportBuilder() = default;
ReportBuilder::ReportBuilder(ReportBuilder&&) noexcept = default;
ReportBuilder& ReportBuilder::operator=(ReportBuilder&&) noexcept = default;

const RecordCounts& ReportBuilder::counts() const { return impl_->counts; }

void ReportBuilder::add(const Verdict& verdict, const RecordPosition& where) {
  Impl& r = *impl_;
  ++r.counts.total;
  const std::uint64_t seq = ++r.sequence;
  if (r.profiler) r.profiler->counted(where.record);
  if (verdict.malformed) {
    ++r.counts.malformed;
    if (r.malformed.size() < r.options.max_malformed_samples) {
      r.malformed.push_back({where.record, where.line, where.offset + verdict.error_offset, verdict.error});
    }
    return;
  }
  ++(verdict.ok ? r.counts.valid : r.counts.invalid);
  if (verdict.coerced > 0) ++r.counts.coerced;
  const auto& mostly_fields = ContractAccess::program(r.contract).mostly_fields;
  for (std::uint32_t field : VerdictAccess::observed(verdict)) {
    for (int check : mostly_fields[field]) {
      Impl::PerCheck& c = r.checks[static_cast<std::size_t>(check)];
      if (c.last_checked != seq) ++c.checked;
      c.last_checked = seq;
    }
  }
  for (const Violation& v : verdict.violations) {
    Impl::PerCheck& c = r.checks[v.check];
    if (c.last_record == seq) continue;
    ++c.failed;
    c.last_record = seq;
    if (c.samples.size() < r.options.max_samples_per_rule) {
      c.samples.push_back({where.record, where.line, v.path, v.value, v.message});
    }
  }
}

void ReportAccess::add_valid(ReportBuilder& report, std::uint64_t records) {
  ReportBuilder::Impl& r = *report.impl_;
  r.counts.total += records;
  r.counts.valid += records;
  r.sequence += records;
  if (r.profiler) r.profiler->advance(records);
}

void ReportAccess::next_record(ReportBuilder& report, std::uint64_t record) {
  if (report.impl_->profiler) report.impl_->profiler->counted(record - 1);
}

void ReportAccess::set_columns(ReportBuilder& report, const std::vector<std::string>& names) {
  InputColumns& c = report.impl_->columns;
  if (!c.known) {
    c.known = true;
    c.names = names;
  } else if (c.names != names) {
    c.differ = true;
  }
}

ReportBuilder ReportAccess::empty_like(const ReportBuilder& report) {
  return ReportBuilder(report.impl_->contract, report.impl_->options);
}

void ReportBuilder::merge(const ReportBuilder& other) { ReportAccess::merge(*this, other, 0); }
void ReportBuilder::append(const ReportBuilder& next) { ReportAccess::merge(*this, next, impl_->counts.total); }

void ReportAccess::merge(ReportBuilder& into, const ReportBuilder& from, std::uint64_t record_shift, bool ordered) {
  ReportBuilder::Impl& r = *into.impl_;
  const ReportBuilder::Impl& o = *from.impl_;
  r.counts.total += o.counts.total;
  r.counts.valid += o.counts.valid;
  r.counts.invalid += o.counts.invalid;
  r.counts.malformed += o.counts.malformed;
  r.counts.coerced += o.counts.coerced;
  for (std::size_t i = 0; i < r.checks.size() && i < o.checks.size(); ++i) {
    r.checks[i].failed += o.checks[i].failed;
    r.checks[i].checked += o.checks[i].checked;
    for (const Sample& s : o.checks[i].samples) {
      if (r.checks[i].samples.size() < r.options.max_samples_per_rule) {
        r.checks[i].samples.push_back(s);
        r.checks[i].samples.back().record += record_shift;
      }
    }
  }
  for (const MalformedSample& m : o.malformed) {
    if (r.malformed.size() < r.options.max_malformed_samples) {
      r.malformed.push_back(m);
      r.malformed.back().record += record_shift;
    }
  }
  if (o.columns.known) {
    set_columns(into, o.columns.names);
    r.columns.differ |= o.columns.differ;
  }
  if (r.profiler && o.profiler) {
    r.profiler->merge(*o.profiler, record_shift, ordered);
    r.profiler->advance(o.counts.total);
  }
}

Report ReportBuilder::finish() const {
  const Impl& r = *impl_;
  Report report;
  report.dataset = r.contract.dataset();
  report.version = r.contract.version();
  report.records = r.counts;
  report.malformed = r.malformed;
  report.ok = r.counts.malformed == 0;
  const std::vector<CheckInfo>& infos = r.contract.checks();
  for (std::size_t i = 0; i < infos.size(); ++i) {
    const Impl::PerCheck& c = r.checks[i];
    if (c.failed == 0) continue;
    RuleSummary s;
    s.id = infos[i].id;
    s.path = infos[i].path;
    s.severity = infos[i].severity;
    s.failed = c.failed;
    s.mostly = infos[i].mostly;
    s.samples = c.samples;
    // `mostly`: the check passes when the fraction of non-null values that
    // pass reaches it (Great Expectations' semantics).
    double passing = c.checked == 0 ? 1.0 : 1.0 - static_cast<double>(c.failed) / static_cast<double>(c.checked);
    s.ok = s.severity == Severity::kWarn || (s.mostly < 1.0 && passing >= s.mostly);
    if (!s.ok) report.ok = false;
    report.rules.push_back(std::move(s));
  }
  if (!r.profiler) return report;
  const Program& p = ContractAccess::program(r.contract);
  auto profile = std::make_shared<Profile>(r.profiler->profile());
  report.expectations = evaluate_expectations(p, r.counts, r.profiler.get(), r.columns);
  for (const ExpectationResult& e : report.expectations) {
    if (!e.ok && e.severity == Severity::kError) report.ok = false;
  }
  if (r.options.baseline) {
    report.drift = check_drift(r.contract, *r.options.baseline, *profile);
  } else {
    for (const Program::DriftCheck& d : p.drift) {
      DriftResult skipped;
      skipped.field = profile->fields[static_cast<std::size_t>(d.field)].path;
      skipped.method = name_of(d.method);
      skipped.warn = d.warn;
      skipped.fail = d.fail;
      skipped.status = "skipped";
      skipped.detail = "no baseline profile (make one with dq profile)";
      skipped.current_rows = profile->rows;
      report.drift.push_back(std::move(skipped));
    }
  }
  for (const DriftResult& d : report.drift) {
    if (d.status == "fail") report.ok = false;
  }
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  report.freshness = check_freshness(p, *profile, now);
  if (report.freshness && !report.freshness->ok) report.ok = false;
  report.metrics = monitored_metrics(p, r.counts, r.profiler.get(), report.drift);
  // A profile of some fields only stays inside: no one reads it as the data's.
  if (!r.options.profile_options.needed_fields_only) report.profile = std::move(profile);
  return report;
}

// ---- state across processes ----

namespace {
constexpr int kStateVersion = 1;
using json = nlohmann::json;
}  // namespace

std::string ReportBuilder::save_state() const {
  const Impl& r = *impl_;
  json out;
  out["dq_report_state"] = kStateVersion;
  out["dataset"] = r.contract.dataset();
  out["version"] = r.contract.version();
  out["counts"] = json::array({r.counts.total, r.counts.valid, r.counts.invalid, r.counts.malformed, r.counts.coerced});
  out["sequence"] = r.sequence;
  json checks = json::array();
  for (const Impl::PerCheck& c : r.checks) {
    json samples = json::array();
    for (const Sample& s : c.samples) samples.push_back(sample_state(s));
    checks.push_back(json::array({c.failed, c.checked, std::move(samples)}));
  }
  out["checks"] = std::move(checks);
  json malformed = json::array();
  for (const MalformedSample& m : r.malformed)
    malformed.push_back(json::array({m.record, m.line, m.offset, m.message}));
  out["malformed"] = std::move(malformed);
  out["columns"] = {{"known", r.columns.known}, {"differ", r.columns.differ}, {"names", r.columns.names}};
  if (r.profiler) out["profiler"] = r.profiler->save_state();
  std::vector<std::uint8_t> bytes = json::to_cbor(out);
  return {bytes.begin(), bytes.end()};
}

Result<ReportBuilder> ReportBuilder::from_state(Contract contract, ReportOptions options, std::string_view state) {
  ReportBuilder builder(std::move(contract), std::move(options));
  Impl& r = *builder.impl_;
  try {
    const json in = json::from_cbor(state.begin(), state.end());
    if (!in.is_object() || in.value("dq_report_state", 0) != kStateVersion) {
      return Status(StatusCode::kInvalidData, "not a dq report state (of this version)");
    }
    if (in.at("dataset") != r.contract.dataset() || in.at("version") != r.contract.version() ||
        in.at("checks").size() != r.checks.size() || in.contains("profiler") != (r.profiler != nullptr)) {
      return Status(StatusCode::kInvalidData, "the report state is of another contract than " + r.contract.dataset() +
                                                  " " + r.contract.version() + " (or of other options)");
    }
    const json& counts = in.at("counts");
    r.counts = {counts.at(0).get<std::uint64_t>(), counts.at(1).get<std::uint64_t>(), counts.at(2).get<std::uint64_t>(),
                counts.at(3).get<std::uint64_t>(), counts.at(4).get<std::uint64_t>()};
    r.sequence = in.at("sequence").get<std::uint64_t>();
    for (std::size_t i = 0; i < r.checks.size(); ++i) {
      const json& c = in["checks"][i];
      r.checks[i].failed = c.at(0).get<std::uint64_t>();
      r.checks[i].checked = c.at(1).get<std::uint64_t>();
      for (const json& s : c.at(2)) r.checks[i].samples.push_back(sample_from_state(s));
    }
    for (const json& m : in.at("malformed")) {
      r.malformed.push_back({m.at(0).get<std::uint64_t>(), m.at(1).get<std::uint64_t>(), m.at(2).get<std::uint64_t>(),
                             m.at(3).get<std::string>()});
    }
    const json& columns = in.at("columns");
    r.columns.known = columns.at("known").get<bool>();
    r.columns.differ = columns.at("differ").get<bool>();
    r.columns.names = columns.at("names").get<std::vector<std::string>>();
    if (r.profiler) r.profiler->load_state(in.at("profiler"));
  } catch (const std::exception& e) {  // CBOR that does not parse, a key missing or of the wrong type
    return Status(StatusCode::kInvalidData, std::string("the report state does not read: ") + e.what());
  }
  return builder;
}

}  // namespace dq
