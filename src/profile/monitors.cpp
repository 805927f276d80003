#include <sqlite3.h>

#include <boost/accumulators/accumulators.hpp>
#include <boost/accumulators/statistics/mean.hpp>
#include <boost/accumulators/statistics/stats.hpp>
#include <boost/accumulators/statistics/variance.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "compile/program.h"
#include "dq/monitor.h"
#include "dq/report.h"

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

Result<std::vector<double>> MetricHistory::series(const std::string& dataset, const std::string& metric,
                                                  std::size_t limit) const {
  Statement st(impl_->db,
               "SELECT value FROM (SELECT m.value AS value, r.at_us AS at_us, r.id AS id FROM metrics m "
               "JOIN runs r ON r.id = m.run_id WHERE r.dataset = ?1 AND m.name = ?2 "
               "ORDER BY r.at_us DESC, r.id DESC LIMIT ?3) ORDER BY at_us, id");
  if (!st) return sql_error(impl_->db, "cannot read");
  sqlite3_bind_text(st.stmt, 1, dataset.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st.stmt, 2, metric.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st.stmt, 3, static_cast<sqlite3_int64>(limit));
  std::vector<double> out;
  int rc;
  while ((rc = sqlite3_step(st.stmt)) == SQLITE_ROW) out.push_back(sqlite3_column_double(st.stmt, 0));
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

// ---- detectors -----------------------------------------------------------

namespace {

double setting(const std::map<std::string, double>& settings, const char* key, double fallback) {
  auto it = settings.find(key);
  return it == settings.end() ? fallback : it->second;
}

std::string figure(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

// Outside [low, high]? With no spread (low == high) any change is one.
void judge(MonitorResult& r, double low, double high) {
  r.expected_low = low;
  r.expected_high = high;
  r.anomaly = r.value < low || r.value > high;
}

// A result for `value` before any method judged it.
MonitorResult unjudged(std::string method, const std::vector<double>& history, double value) {
  MonitorResult r;
  r.method = std::move(method);
  r.has_value = true;
  r.value = value;
  r.history = history.size();
  return r;
}

MonitorResult detect(MonitorMethod method, const std::map<std::string, double>& settings,
                     const std::vector<double>& history, double value) {
  MonitorResult r = unjudged(name_of(method), history, value);
  const double sigma = setting(settings, "sigma", 3);
  switch (method) {
    case MonitorMethod::kThreshold: {
      judge(r, setting(settings, "min", -HUGE_VAL), setting(settings, "max", HUGE_VAL));
      return r;
    }
    case MonitorMethod::kOnlineNormal: {
      const auto window = static_cast<std::size_t>(std::max(2.0, setting(settings, "window", 30)));
      const auto warmup = static_cast<std::size_t>(std::max(2.0, setting(settings, "warmup", 5)));
      if (history.size() < warmup) {
        r.detail = "warming up (" + std::to_string(history.size()) + " of " + std::to_string(warmup) + " values)";
        return r;
      }
      // Mean and variance of the window's own values (Welford's updates), not
      // a rolling sum: one that added and then removed other values keeps a
      // rounding residue (2.8e-17 after non-zero values leave a window of
      // zeros), which made an unchanged value anomalous against a zero spread.
      // A constant window has exactly its value as mean and 0 as variance.
      namespace acc = boost::accumulators;
      const std::size_t n = std::min(window, history.size());
      acc::accumulator_set<double, acc::stats<acc::tag::mean(acc::immediate), acc::tag::variance(acc::immediate)>> w;
      for (auto it = history.end() - static_cast<std::ptrdiff_t>(n); it != history.end(); ++it) w(*it);
      const double mean = acc::mean(w);
      const double sd = n > 1 ? std::sqrt(acc::variance(w) * static_cast<double>(n) / static_cast<double>(n - 1)) : 0;
      // A flat window has no spread: `min_spread` (default 0) floors the band's
      // half-width, so a user can tolerate small moves of a constant metric.
      const double half = std::max(sigma * sd, setting(settings, "min_spread", 0));
      judge(r, mean - half, mean + half);
      r.detail = "mean " + figure(mean) + ", σ " + figure(sd) + " over " +
                 std::to_string(std::min(window, history.size())) + " values";
      return r;
    }
    case MonitorMethod::kRateOfChange: {
      if (history.empty()) {
        r.detail = "no earlier value";
        return r;
      }
      const double previous = history.back();
      const double up = setting(settings, "max_increase", HUGE_VAL), down = setting(settings, "max_decrease", HUGE_VAL);
      // The change is relative to the previous value, never to less than
      // `min_base` (default 0). After a 0 there is nothing to be relative to:
      // the series' typical size (the mean |x| of the last 30 values) stands
      // in, so +5 after a 0 on a series of thousands is a small change, not an
      // infinite one. A series that was always 0 has no size: any move from it
      // is a change.
      double scale = std::max(std::fabs(previous), setting(settings, "min_base", 0));
      if (scale == 0) {
        const std::size_t n = std::min<std::size_t>(30, history.size());
        for (std::size_t i = history.size() - n; i < history.size(); ++i) scale += std::fabs(history[i]);
        scale /= static_cast<double>(n);
      }
      judge(r, previous - down * scale, previous + up * scale);
      const double change = scale > 0 ? (value - previous) / scale : (value == previous ? 0 : HUGE_VAL);
      r.detail = "change " + figure(change * 100) + "% from " + figure(previous) +
                 (scale > std::fabs(previous) ? " (relative to " + figure(scale) + ")" : "");
      return r;
    }
    case MonitorMethod::kHoltWinters: {
      const auto m = static_cast<std::size_t>(setting(settings, "season", 0));
      if (m < 1 || history.size() < 2 * m) {
        r.detail = "warming up (" + std::to_string(history.size()) + " of " + std::to_string(2 * m) + " values)";
        return r;
      }
      const double alpha = setting(settings, "alpha", 0.3), beta = setting(settings, "beta", 0.05),
                   gamma = setting(settings, "gamma", 0.3);
      // Initial level and trend from the first two seasons; seasonal offsets from the first.
      double first = 0, second = 0;
      for (std::size_t i = 0; i < m; ++i) first += history[i], second += history[m + i];
      first /= static_cast<double>(m);
      second /= static_cast<double>(m);
      double level = first, trend = (second - first) / static_cast<double>(m);
      std::vector<double> season(m);
      for (std::size_t i = 0; i < m; ++i) season[i] = history[i] - first;
      double squared = 0;
      std::size_t errors = 0;
      for (std::size_t t = m; t < history.size(); ++t) {
        double& s = season[t % m];
        const double forecast = level + trend + s;
        squared += (history[t] - forecast) * (history[t] - forecast);
        ++errors;
        const double new_level = alpha * (history[t] - s) + (1 - alpha) * (level + trend);
        trend = beta * (new_level - level) + (1 - beta) * trend;
        s = gamma * (history[t] - new_level) + (1 - gamma) * s;
        level = new_level;
      }
      const double forecast = level + trend + season[history.size() % m];
      const double rmse = std::sqrt(squared / static_cast<double>(errors));
      judge(r, forecast - sigma * rmse, forecast + sigma * rmse);
      r.detail = "forecast " + figure(forecast) + ", RMSE " + figure(rmse);
      return r;
    }
  }
  return r;
}

}  // namespace

MonitorResult detect_anomaly(const std::string& method, const std::map<std::string, double>& settings,
                             const std::vector<double>& history, double value) {
  if (auto m = monitor_method(method)) return detect(*m, settings, history, value);
  MonitorResult r = unjudged(method, history, value);
  r.detail = "unknown method";
  return r;
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
      Result<std::vector<double>> past = history.series(p.spec.dataset, m.metric);
      if (!past.ok()) return past.status();
      r = detect(m.method, m.settings, *past, it->second);
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
