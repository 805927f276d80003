#include <sqlite3.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "compile/program.h"
#include "dq/monitor.h"
#include "dq/report.h"
#include "profile/detectors.h"

namespace dq {

// ---- the history file ----------------------------------------------------

struct MetricHistory::Impl {
  sqlite3* db = nullptr;
  ~Impl() {
    if (db) sqlite3_close(db);
  }
};

namespace {

Status sql_error(sqlite3* db, const std::string& what) {
  return Status(StatusCode::kIoError, "metric history: " + what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

// A prepared statement, finalized on every path.
struct Statement {
  sqlite3_stmt* stmt = nullptr;
  Statement(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr); }
  ~Statement() { sqlite3_finalize(stmt); }
  explicit operator bool() const { return stmt != nullptr; }
};

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  dataset TEXT NOT NULL,
  contract_version TEXT NOT NULL,
  at_us INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS metrics (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  name TEXT NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (run_id, name)
);
CREATE INDEX IF NOT EXISTS runs_by_dataset ON runs(dataset, at_us);
)sql";

}  // namespace

MetricHistory::MetricHistory(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MetricHistory::MetricHistory(MetricHistory&&) noexcept = default;
MetricHistory& MetricHistory::operator=(MetricHistory&&) noexcept = default;
MetricHistory::~MetricHistory() = default;

std::string MetricHistory::default_path() {
  const char* env = std::getenv("DQ_HISTORY");
  return env && *env ? env : ".dq/history.sqlite";
}

Result<MetricHistory> MetricHistory::open(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  auto impl = std::make_unique<Impl>();
  if (sqlite3_open_v2(path.c_str(), &impl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    return sql_error(impl->db, "cannot open '" + path + "'");
  }
  sqlite3_busy_timeout(impl->db, 5000);  // several processes may append to one file
  int version = 0;
  {
    Statement st(impl->db, "PRAGMA user_version");
    if (!st || sqlite3_step(st.stmt) != SQLITE_ROW) return sql_error(impl->db, "'" + path + "' is not a SQLite file");
    version = sqlite3_column_int(st.stmt, 0);
  }
  if (version > kSchemaVersion) {
    return Status(StatusCode::kIoError, "metric history '" + path + "' has schema version " + std::to_string(version) +
                                            ", newer than this dq (" + std::to_string(kSchemaVersion) + ")");
  }
  if (version < kSchemaVersion) {
    const std::string migrate =
        std::string("BEGIN;") + kSchema + "PRAGMA user_version = " + std::to_string(kSchemaVersion) + "; COMMIT;";
    if (sqlite3_exec(impl->db, migrate.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
      return sql_error(impl->db, "cannot create the tables in '" + path + "'");
    }
  }
  return MetricHistory(std::move(impl));
}

Result<MetricHistory::Series> MetricHistory::series(const std::string& dataset, const std::string& metric,
                                                    std::size_t limit) const {
  Statement st(impl_->db,
               "SELECT value, at_us FROM (SELECT m.value AS value, r.at_us AS at_us, r.id AS id FROM metrics m "
               "JOIN runs r ON r.id = m.run_id WHERE r.dataset = ?1 AND m.name = ?2 "
               "ORDER BY r.at_us DESC, r.id DESC LIMIT ?3) ORDER BY at_us, id");
  if (!st) return sql_error(impl_->db, "cannot read");
  sqlite3_bind_text(st.stmt, 1, dataset.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st.stmt, 2, metric.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st.stmt, 3, limit == 0 ? -1 : static_cast<sqlite3_int64>(limit));  // -1: no limit
  Series out;
  int rc;
  while ((rc = sqlite3_step(st.stmt)) == SQLITE_ROW) {
    out.values.push_back(sqlite3_column_double(st.stmt, 0));
    out.at_micros.push_back(sqlite3_column_int64(st.stmt, 1));
  }
  if (rc != SQLITE_DONE) return sql_error(impl_->db, "cannot read");
  return out;
}

Result<std::vector<std::string>> MetricHistory::names(const std::string& dataset) const {
  Statement st(impl_->db, dataset.empty() ? "SELECT DISTINCT dataset FROM runs ORDER BY 1"
                                          : "SELECT DISTINCT m.name FROM metrics m JOIN runs r ON r.id = m.run_id "
                                            "WHERE r.dataset = ?1 ORDER BY 1");
  if (!st) return sql_error(impl_->db, "cannot read");
  if (!dataset.empty()) sqlite3_bind_text(st.stmt, 1, dataset.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<std::string> out;
  int rc;
  while ((rc = sqlite3_step(st.stmt)) == SQLITE_ROW) {
    out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st.stmt, 0)));
  }
  if (rc != SQLITE_DONE) return sql_error(impl_->db, "cannot read");
  return out;
}

Status MetricHistory::append(const std::string& dataset, const std::string& version, std::int64_t at_micros,
                             const std::map<std::string, double>& metrics) {
  sqlite3* db = impl_->db;
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) return sql_error(db, "cannot write");
  auto rollback = [&](const char* what) {
    Status s = sql_error(db, what);
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return s;
  };
  {
    Statement run(db, "INSERT INTO runs (dataset, contract_version, at_us) VALUES (?1, ?2, ?3)");
    if (!run) return rollback("cannot write");
    sqlite3_bind_text(run.stmt, 1, dataset.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(run.stmt, 2, version.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(run.stmt, 3, at_micros);
    if (sqlite3_step(run.stmt) != SQLITE_DONE) return rollback("cannot write a run");
  }
  const sqlite3_int64 run_id = sqlite3_last_insert_rowid(db);
  Statement metric(db, "INSERT INTO metrics (run_id, name, value) VALUES (?1, ?2, ?3)");
  if (!metric) return rollback("cannot write");
  for (const auto& [name, value] : metrics) {
    if (!std::isfinite(value)) continue;  // SQLite stores NaN as NULL
    sqlite3_reset(metric.stmt);
    sqlite3_bind_int64(metric.stmt, 1, run_id);
    sqlite3_bind_text(metric.stmt, 2, name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(metric.stmt, 3, value);
    if (sqlite3_step(metric.stmt) != SQLITE_DONE) return rollback("cannot write a metric");
  }
  if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return rollback("cannot commit");
  return {};
}

// ---- judging ----------------------------------------------------------

namespace {

// Replays `past` through a fresh `detector`, then judges `value`.
MonitorResult judge(Detector& detector, const MetricHistory::Series& past, double value, std::int64_t at_micros) {
  for (std::size_t i = 0; i < past.values.size(); ++i) {
    detector.observe(past.values[i], i < past.at_micros.size() ? past.at_micros[i] : 0);
  }
  return detector.observe(value, at_micros);
}

}  // namespace

MonitorResult detect_anomaly(const std::string& method, const std::map<std::string, double>& settings,
                             const std::vector<double>& history, double value) {
  if (auto m = monitor_method(method)) {
    MonitorSettings with;
    with.numbers = settings;
    MonitorResult r = judge(*Detector::make(*m, with), MetricHistory::Series{history, {}}, value, 0);
    r.method = method;
    return r;
  }
  MonitorResult r;
  r.method = method;
  r.has_value = true;
  r.value = value;
  r.history = history.size();
  r.detail = "unknown method";
  return r;
}

Result<std::vector<MonitorResult>> backtest_monitor(const std::string& method, const MonitorSettings& settings,
                                                    const std::vector<double>& values,
                                                    const std::vector<std::int64_t>& at_micros) {
  auto m = monitor_method(method);
  if (!m) {
    std::string known;
    for (auto name : kMonitorMethodNames) known += (known.empty() ? "" : ", ") + std::string(name);
    return Status(StatusCode::kInvalidArgument, "unknown monitor method '" + method + "' (methods: " + known + ")");
  }
  const std::string problem = monitor_settings_problem(*m, settings);
  if (!problem.empty()) return Status(StatusCode::kInvalidArgument, "monitor: " + problem);
  if (!at_micros.empty() && at_micros.size() != values.size()) {
    return Status(StatusCode::kInvalidArgument, "monitor: " + std::to_string(at_micros.size()) + " times for " +
                                                    std::to_string(values.size()) + " values");
  }
  std::unique_ptr<Detector> detector = Detector::make(*m, settings);
  std::vector<MonitorResult> out;
  out.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    out.push_back(detector->observe(values[i], at_micros.empty() ? 0 : at_micros[i]));
    out.back().method = method;
  }
  return out;
}

Status run_monitors(const Contract& contract, MetricHistory& history, Report& report, std::int64_t at_micros) {
  const Program& p = ContractAccess::program(contract);
  if (at_micros == 0) {
    at_micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
  }
  report.monitors.clear();
  for (const Program::MonitorCheck& m : p.monitors) {
    MonitorResult r;
    auto it = report.metrics.find(m.metric);
    if (it == report.metrics.end()) {
      r.detail = "no value this run";
    } else {
      // As many of the latest values as the method's state depends on.
      std::unique_ptr<Detector> detector = Detector::make(m.method, m.settings);
      Result<MetricHistory::Series> past = history.series(p.spec.dataset, m.metric, detector->memory());
      if (!past.ok()) return past.status();
      r = judge(*detector, *past, it->second, at_micros);
    }
    r.id = m.id;
    r.metric = m.metric;
    r.method = name_of(m.method);
    r.severity = m.severity;
    if (r.anomaly && r.severity == Severity::kError) report.ok = false;
    report.monitors.push_back(std::move(r));
  }
  return history.append(p.spec.dataset, p.spec.version, at_micros, report.metrics);
}

}  // namespace dq
