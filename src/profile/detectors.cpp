#include "profile/detectors.h"

#include <algorithm>
#include <boost/accumulators/accumulators.hpp>
#include <boost/accumulators/statistics/mean.hpp>
#include <boost/accumulators/statistics/stats.hpp>
#include <boost/accumulators/statistics/variance.hpp>
#include <cmath>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/figure.h"
#include "base/timestamps.h"

namespace dq {

namespace {

// MAD scaled to σ for normal data (1.4826 = 1 / Φ⁻¹(3/4)).
constexpr double kMadToSigma = 1.4826;

// The median and the median absolute deviation of `values`, worked out in
// `scratch` (nth_element reorders; a buffer kept by the caller saves an
// allocation per point).
template <typename Values>
std::pair<double, double> median_mad(const Values& values, std::vector<double>& scratch) {
  if (values.empty()) return {0, 0};
  scratch.assign(values.begin(), values.end());
  auto mid = scratch.begin() + static_cast<std::ptrdiff_t>(scratch.size() / 2);
  std::nth_element(scratch.begin(), mid, scratch.end());
  const double median = *mid;
  for (double& v : scratch) v = std::fabs(v - median);
  std::nth_element(scratch.begin(), mid, scratch.end());
  return {median, *mid};
}
template <typename Values>
std::pair<double, double> median_mad(const Values& values) {
  std::vector<double> scratch;
  return median_mad(values, scratch);
}

// Appends to a window that keeps its last `size` values.
void push_bounded(std::deque<double>& window, double value, std::size_t size) {
  window.push_back(value);
  while (window.size() > size) window.pop_front();
}

std::string warming(std::size_t have, std::size_t need) {
  return "warming up (" + std::to_string(have) + " of " + std::to_string(need) + " values)";
}

}  // namespace

Detector::Detector(const MonitorSettings& settings) : settings_(settings) {}

double Detector::setting(const char* key, double fallback) const {
  auto it = settings_.numbers.find(key);
  return it == settings_.numbers.end() ? fallback : it->second;
}

MonitorResult Detector::observe(double value, std::int64_t at_micros) {
  MonitorResult r;
  r.has_value = true;
  r.value = value;
  r.history = seen_;
  clock(at_micros);
  const Band b = band(value);
  const auto warmup = static_cast<std::size_t>(std::max(0.0, setting("warmup", 0)));
  bool excluded = false;
  if (!b.ready) {
    r.detail = b.detail;
  } else if (seen_ < warmup) {
    r.detail = warming(seen_, warmup);
  } else {
    r.expected = b.expected;
    r.expected_low = b.low;
    r.expected_high = b.high;
    r.detail = b.detail;
    const MonitorDirection direction = settings_.direction;
    r.anomaly = (value > b.high && direction != MonitorDirection::kDown) ||
                (value < b.low && direction != MonitorDirection::kUp);
    // The score: the distance from the expected value in units of the
    // distance from it to the band's edge on the value's side.
    const double edge = value >= b.expected ? b.high : b.low;
    const double reach = std::fabs(edge - b.expected), distance = std::fabs(value - b.expected);
    if (!std::isfinite(reach)) {
      r.score = 0;  // the band is open on this side (a threshold with only a max)
    } else if (reach > 0) {
      r.score = distance / reach;
    } else if (distance > 0) {
      r.score = std::min(1e9, 1 + distance / std::max(std::fabs(edge), 1e-9));  // a zero-width band: any move is out
    }
    if (r.anomaly) {
      // An anomaly within `cooldown` normal points of the last one continues
      // its incident: one alert per incident.
      const auto cooldown = static_cast<std::size_t>(std::max(0.0, setting("cooldown", default_cooldown())));
      const bool continues = last_anomaly_ != 0 && seen_ + 1 - last_anomaly_ <= cooldown + 1;
      incident_points_ = continues ? incident_points_ + 1 : 1;
      last_anomaly_ = seen_ + 1;
      r.incident_points = incident_points_;
      excluded = setting("exclude_anomalies", excludes_by_default() ? 1 : 0) != 0 &&
                 static_cast<double>(incident_points_) <= setting("relearn", 30);
    }
  }
  learn(value, b, excluded);
  ++seen_;
  return r;
}

namespace {

class Threshold final : public Detector {
 public:
  explicit Threshold(const MonitorSettings& s) : Detector(s) {}
  std::size_t memory() const override { return 1; }
  bool excludes_by_default() const override { return false; }  // it learns nothing

 private:
  Band band(double) override {
    Band b;
    b.ready = true;
    b.low = setting("min", -HUGE_VAL);
    b.high = setting("max", HUGE_VAL);
    b.expected = std::isfinite(b.low) && std::isfinite(b.high) ? (b.low + b.high) / 2
                 : std::isfinite(b.low)                        ? b.low
                                                               : b.high;
    return b;
  }
  void learn(double, const Band&, bool) override {}
};

class OnlineNormal final : public Detector {
 public:
  explicit OnlineNormal(const MonitorSettings& s)
      : Detector(s), window_(static_cast<std::size_t>(std::max(2.0, setting("window", 30)))) {}
  std::size_t memory() const override { return 2 * window_ + 30; }

 private:
  Band band(double) override {
    Band b;
    const auto warmup = static_cast<std::size_t>(std::max(2.0, setting("warmup", 5)));
    if (seen() < warmup) {
      b.detail = warming(seen(), warmup);
      return b;
    }
    // Mean and variance of the window's own values (Welford's updates), not
    // a rolling sum: one that added and then removed other values keeps a
    // rounding residue (2.8e-17 after non-zero values leave a window of
    // zeros), which made an unchanged value anomalous against a zero spread.
    namespace acc = boost::accumulators;
    acc::accumulator_set<double, acc::stats<acc::tag::mean(acc::immediate), acc::tag::variance(acc::immediate)>> w;
    for (double v : values_) w(v);
    const auto n = static_cast<double>(values_.size());
    const double mean = acc::mean(w);
    const double sd = n > 1 ? std::sqrt(acc::variance(w) * n / (n - 1)) : 0;
    // A flat window has no spread: `min_spread` floors the band's half-width.
    const double half = std::max(setting("sigma", 3) * sd, setting("min_spread", 0));
    b.ready = true;
    b.expected = mean;
    b.low = mean - half;
    b.high = mean + half;
    b.detail = "mean " + figure(mean) + ", σ " + figure(sd) + " over " + std::to_string(values_.size()) + " values";
    return b;
  }
  void learn(double value, const Band&, bool excluded) override {
    if (!excluded) push_bounded(values_, value, window_);
  }
  std::size_t window_;
  std::deque<double> values_;
};

class RateOfChange final : public Detector {
 public:
  explicit RateOfChange(const MonitorSettings& s) : Detector(s) {}
  std::size_t memory() const override { return 60; }
  // A change is between consecutive values: after a jump, the next change is
  // measured from the jump unless the contract says otherwise.
  bool excludes_by_default() const override { return false; }

 private:
  Band band(double value) override {
    Band b;
    if (sizes_.empty()) {
      b.detail = "no earlier value";
      return b;
    }
    const double up = setting("max_increase", HUGE_VAL), down = setting("max_decrease", HUGE_VAL);
    // The change is relative to the previous value, never to less than
    // `min_base`. After a 0 there is nothing to be relative to: the series'
    // typical size (the mean |x| of its last 30 values) stands in, so +5
    // after a 0 on a series of thousands is a small change, not an infinite
    // one. A series that was always 0 has no size: any move from it counts.
    double scale = std::max(std::fabs(previous_), setting("min_base", 0));
    if (scale == 0) {
      for (double s : sizes_) scale += s;
      scale /= static_cast<double>(sizes_.size());
    }
    b.ready = true;
    b.expected = previous_;
    b.low = previous_ - down * scale;
    b.high = previous_ + up * scale;
    const double change = scale > 0 ? (value - previous_) / scale : (value == previous_ ? 0 : HUGE_VAL);
    b.detail = "change " + figure(change * 100) + "% from " + figure(previous_) +
               (scale > std::fabs(previous_) ? " (relative to " + figure(scale) + ")" : "");
    return b;
  }
  void learn(double value, const Band&, bool excluded) override {
    if (excluded) return;  // the next value is measured against the last normal one
    previous_ = value;
    push_bounded(sizes_, std::fabs(value), 30);
  }
  double previous_ = 0;
  std::deque<double> sizes_;
};

class HoltWinters final : public Detector {
 public:
  explicit HoltWinters(const MonitorSettings& s)
      : Detector(s), m_(static_cast<std::size_t>(std::max(0.0, setting("season", 0)))), season_(m_) {}
  // Exponential smoothing forgets geometrically: ten seasons leave a state
  // that a replay of a longer history would barely change.
  std::size_t memory() const override { return 10 * std::max<std::size_t>(m_, 1); }

 private:
  Band band(double) override {
    Band b;
    if (m_ < 1 || !fitted_) {
      b.detail = warming(first_.size(), 2 * m_);
      return b;
    }
    const double forecast = level_ + trend_ + season_[t_ % m_];
    const double rmse = std::sqrt(squared_ / static_cast<double>(errors_));
    const double sigma = setting("sigma", 3);
    b.ready = true;
    b.expected = forecast;
    b.low = forecast - sigma * rmse;
    b.high = forecast + sigma * rmse;
    b.detail = "forecast " + figure(forecast) + ", RMSE " + figure(rmse);
    return b;
  }
  void learn(double value, const Band& b, bool excluded) override {
    if (m_ < 1) return;
    if (!fitted_) {
      first_.push_back(value);
      if (first_.size() == 2 * m_) fit();
      return;
    }
    // An excluded value is clipped to the band's edge (Huber-style cleaning,
    // as in robust Holt–Winters): an incident moves the model no more than a
    // value at the edge would, and a model that learned something wrong
    // still walks back to the data instead of excluding it for ever.
    if (!excluded) {
      squared_ += (value - b.expected) * (value - b.expected);
      ++errors_;
    }
    update(excluded ? std::clamp(value, b.low, b.high) : value);
  }
  // Initial level and trend from the first two seasons, seasonal offsets from
  // the first, then one-step updates over the second.
  void fit() {
    double first = 0, second = 0;
    for (std::size_t i = 0; i < m_; ++i) first += first_[i], second += first_[m_ + i];
    first /= static_cast<double>(m_);
    second /= static_cast<double>(m_);
    level_ = first;
    trend_ = (second - first) / static_cast<double>(m_);
    for (std::size_t i = 0; i < m_; ++i) season_[i] = first_[i] - first;
    for (t_ = m_; t_ < 2 * m_;) {
      const double x = first_[t_];
      const double forecast = level_ + trend_ + season_[t_ % m_];
      squared_ += (x - forecast) * (x - forecast);
      ++errors_;
      update(x);
    }
    fitted_ = true;
    first_.clear();
  }
  void update(double x) {
    // A trend as fast as 0.05 with a long season is outside the recursions'
    // stable region: with a 288-point season, forecasts of pure noise
    // diverge after ~50,000 points. The default slows it to 1/season.
    const double alpha = setting("alpha", 0.3), gamma = setting("gamma", 0.3);
    const double beta = setting("beta", std::min(0.05, 1.0 / static_cast<double>(m_)));
    double& s = season_[t_ % m_];
    const double level = alpha * (x - s) + (1 - alpha) * (level_ + trend_);
    trend_ = beta * (level - level_) + (1 - beta) * trend_;
    s = gamma * (x - level) + (1 - gamma) * s;
    level_ = level;
    ++t_;
  }
  std::size_t m_;
  std::vector<double> first_;
  bool fitted_ = false;
  double level_ = 0, trend_ = 0, squared_ = 0;
  std::size_t errors_ = 0, t_ = 0;
  std::vector<double> season_;
};

// The seasons a band follows. The reference for a value is the median of
// the values one, two and three seasons earlier (those there are): one odd
// season does not move it. `clean_` keeps those values with an excluded one
// clipped to its band, so an incident a season ago does not make today's
// normal value look odd.
//
// A calendar season (daily values with times) finds its earlier values by
// date instead of by count: the same day of the month, or the same number of
// days before the month's end, in the three months before.
struct SeasonalResiduals {
  std::size_t period = 0;                    // points; 0 for a calendar season
  std::string calendar;                      // "month_day" or "month_end"
  std::deque<double> residuals;              // value − its reference, of learned values
  std::map<int, std::deque<double>> by_day;  // a calendar season's earlier values by its day key

  std::string name() const { return calendar.empty() ? std::to_string(period) : calendar; }
  // Points a season spans: a calendar season, a month of daily values.
  std::size_t span() const { return calendar.empty() ? period : 31; }
};

class Seasons {
 public:
  static constexpr std::size_t kDepth = 3;  // seasons back the reference reads

  void set(const std::vector<double>& periods, const std::vector<std::string>& calendar = {}) {
    for (double p : periods) {
      if (p >= 2) seasons_.push_back({static_cast<std::size_t>(p), {}, {}, {}});
    }
    for (const auto& c : calendar) seasons_.push_back({0, c, {}, {}});
    for (const auto& s : seasons_) longest_ = std::max(longest_, s.span());
  }
  bool empty() const { return seasons_.empty(); }
  std::size_t longest() const { return longest_; }
  std::vector<SeasonalResiduals>& all() { return seasons_; }
  // The date of the value about to be judged (µs since the epoch, 0 when
  // unknown). Two values on one date turn the calendar seasons off: they
  // need daily values.
  void clock(std::int64_t at_micros) {
    if (at_micros == 0) {
      date_ = {};
      return;
    }
    constexpr std::int64_t kMicrosPerDay = 86'400'000'000;
    const std::int64_t day = at_micros / kMicrosPerDay - (at_micros % kMicrosPerDay < 0 ? 1 : 0);  // floor
    if (date_.valid && day == date_.day) sub_daily_ = true;
    std::int64_t year = 0;
    unsigned month = 0, day_of_month = 0;
    civil_from_days(day, year, month, day_of_month);
    const std::int64_t next_month = month == 12 ? days_from_civil(year + 1, 1, 1) : days_from_civil(year, month + 1, 1);
    date_ = {true, day, static_cast<int>(day_of_month), static_cast<int>(next_month - day - 1)};
  }
  bool reaches(const SeasonalResiduals& s) const {
    if (s.calendar.empty()) return clean_.size() >= s.period;
    if (!date_.valid || sub_daily_) return false;
    auto it = s.by_day.find(day_key(s));
    return it != s.by_day.end() && !it->second.empty();
  }
  // The reference for the next value in season `s` (reaches(s) must hold).
  double reference(const SeasonalResiduals& s) const {
    double back[kDepth];
    std::size_t n = 0;
    if (s.calendar.empty()) {
      for (std::size_t k = 1; k <= kDepth && clean_.size() >= k * s.period; ++k) {
        back[n++] = clean_[clean_.size() - k * s.period];
      }
    } else {
      for (double v : s.by_day.at(day_key(s))) back[n++] = v;
    }
    std::sort(back, back + n);
    return n == 2 ? (back[0] + back[1]) / 2 : back[n / 2];
  }
  // Learns a value: its residual against each season's reference (unless
  // excluded), and the value (or `stand_in` when excluded) for later ones.
  void learn(double value, double stand_in, bool excluded, std::size_t window) {
    const double kept = excluded ? stand_in : value;
    for (auto& s : seasons_) {
      if (!excluded && reaches(s)) push_bounded(s.residuals, value - reference(s), window ? window : s.span());
      if (!s.calendar.empty() && date_.valid && !sub_daily_) push_bounded(s.by_day[day_key(s)], kept, kDepth);
    }
    push_bounded(clean_, kept, kDepth * longest_);
  }

 private:
  struct Date {
    bool valid = false;
    std::int64_t day = 0;  // days since 1970-01-01
    int day_of_month = 0, days_to_end = 0;
  };
  int day_key(const SeasonalResiduals& s) const {
    return s.calendar == "month_day" ? date_.day_of_month : date_.days_to_end;
  }

  std::vector<SeasonalResiduals> seasons_;
  std::deque<double> clean_;
  std::size_t longest_ = 0;
  Date date_;
  bool sub_daily_ = false;
};

class Robust final : public Detector {
 public:
  explicit Robust(const MonitorSettings& s)
      : Detector(s), window_(static_cast<std::size_t>(std::max(3.0, setting("window", 60)))) {
    seasons_.set(s.seasons, s.calendar_seasons);
  }
  std::size_t memory() const override { return 2 * window_ + Seasons::kDepth * seasons_.longest() + 30; }

 private:
  void clock(std::int64_t at_micros) override { seasons_.clock(at_micros); }
  Band band(double) override {
    Band b;
    const std::size_t need = std::max<std::size_t>(3, window_ / 2);
    const double sigma = setting("sigma", 4), floor = setting("min_spread", 0);
    if (seasons_.empty()) {
      if (values_.size() < need) {
        b.detail = warming(values_.size(), need);
        return b;
      }
      auto [median, mad] = median_mad(values_, scratch_);
      const double half = std::max(sigma * kMadToSigma * mad, floor);
      b = {true, median, median - half, median + half,
           "median " + figure(median) + ", σ " + figure(kMadToSigma * mad) + " (MAD) over " +
               std::to_string(values_.size()) + " values"};
      return b;
    }
    // The season whose differences vary least is the one the series follows.
    const SeasonalResiduals* best = nullptr;
    double best_median = 0, best_mad = HUGE_VAL;
    for (const auto& s : seasons_.all()) {
      if (!seasons_.reaches(s) || s.residuals.size() < need) continue;
      auto [median, mad] = median_mad(s.residuals, scratch_);
      if (mad < best_mad) best = &s, best_median = median, best_mad = mad;
    }
    if (best == nullptr) {
      b.detail =
          "warming up (a season of " + seasons_.all().front().name() + " and " + std::to_string(need) + " changes)";
      return b;
    }
    const double expected = seasons_.reference(*best) + best_median;
    const double half = std::max(sigma * kMadToSigma * best_mad, floor);
    b = {true, expected, expected - half, expected + half,
         "season " + best->name() + ": " + figure(seasons_.reference(*best)) + " in earlier seasons, σ " +
             figure(kMadToSigma * best_mad) + " (MAD of changes)"};
    return b;
  }
  void learn(double value, const Band& b, bool excluded) override {
    if (!excluded) push_bounded(values_, value, window_);
    seasons_.learn(value, std::clamp(value, b.low, b.high), excluded, window_);
  }
  std::size_t window_;
  std::deque<double> values_;
  Seasons seasons_;
  std::vector<double> scratch_;
};

class ChangePoint final : public Detector {
 public:
  explicit ChangePoint(const MonitorSettings& s)
      : Detector(s), window_(static_cast<std::size_t>(std::max(3.0, setting("window", 60)))) {}
  std::size_t memory() const override { return 4 * window_; }

 private:
  Band band(double) override {
    Band b;
    const std::size_t need = std::max<std::size_t>(3, window_ / 2);
    if (reference_.size() < need) {
      b.detail = warming(reference_.size(), need) + (shifts_ ? " after a level shift" : "");
      return b;
    }
    auto [median, mad] = median_mad(reference_, scratch_);
    median_ = median;
    sd_ = std::max(kMadToSigma * mad, setting("min_spread", 0));
    const double slack = setting("slack", 0.5), limit = setting("limit", 5);
    // The sums cross `limit` when z > limit − sum + slack: that is the band.
    b.ready = true;
    b.expected = median;
    b.high = median + (limit - up_ + slack) * sd_;
    b.low = median - (limit - down_ + slack) * sd_;
    b.detail = "level " + figure(median) + ", σ " + figure(sd_) + "; CUSUM up " + figure(up_) + ", down " +
               figure(down_) + " of " + figure(limit);
    return b;
  }
  void learn(double value, const Band& b, bool) override {
    if (!b.ready) {
      push_bounded(reference_, value, window_);
      return;
    }
    const double slack = setting("slack", 0.5), limit = setting("limit", 5);
    const double z =
        sd_ > 0 ? (value - median_) / sd_ : (value == median_ ? 0 : std::copysign(HUGE_VAL, value - median_));
    up_ = std::max(0.0, up_ + z - slack);
    down_ = std::max(0.0, down_ - z - slack);
    if (up_ > limit || down_ > limit) {
      // A shift: the new level is learned from scratch, starting here.
      ++shifts_;
      up_ = down_ = 0;
      reference_.clear();
    }
    push_bounded(reference_, value, window_);
  }
  std::size_t window_;
  std::deque<double> reference_;
  std::vector<double> scratch_;
  double median_ = 0, sd_ = 0, up_ = 0, down_ = 0;
  std::size_t shifts_ = 0;
};

// The default for metric series (measured on the Numenta Anomaly Benchmark,
// docs/statistics.md): a value leaving the range of the last `window`
// values, or breaking a seasonal pattern by `sigma` robust σ when one of the
// seasons (the contract's, else a day and a week of the values' spacing)
// explains the series.
class Auto final : public Detector {
 public:
  explicit Auto(const MonitorSettings& s)
      : Detector(s), window_(static_cast<std::size_t>(std::max(20.0, setting("window", 2000)))) {
    seasons_.set(s.seasons, s.calendar_seasons);
    seasons_known_ = !seasons_.empty();
  }
  // Before the seasons are known, the longest a day or a week can be.
  std::size_t memory() const override {
    return window_ + Seasons::kDepth * (seasons_known_ ? seasons_.longest() : kLongestSeason);
  }
  // Metric series alert in bursts: an incident may pause for 30 points.
  double default_cooldown() const override { return 30; }

 private:
  static constexpr std::size_t kLongestSeason = 10080;  // a week of minutes
  static constexpr std::size_t kRefresh = 64;           // points between re-choosing the season (it costs O(2 seasons))
  // A seasonal σ is never below this share of the range: a noise-free
  // pattern repeats exactly, and a zero spread would flag rounding.
  static constexpr double kSpreadFloor = 0.01;

  Band band(double) override {
    Band b;
    seasonal_band_ = false;
    if (max_.empty() || learned_ < 20) {
      b.detail = warming(learned_, 20);
      return b;
    }
    const double high = max_.front().second, low = min_.front().second;
    const double width = high - low > 0 ? high - low : 1e-9 * std::max(1.0, std::fabs(high));
    const double margin = setting("margin", 0.003) * width;
    b.ready = true;
    b.low = low - margin;
    b.high = high + margin;
    b.expected = (low + high) / 2;
    b.detail = "range " + figure(low) + " to " + figure(high) + " over " + std::to_string(window_count()) + " values";
    if (seasonal_ != nullptr && seasons_.reaches(*seasonal_)) {
      const double expected = seasons_.reference(*seasonal_) + season_median_;
      const double half = std::max(setting("sigma", 8) * std::max(kMadToSigma * season_mad_, kSpreadFloor * width),
                                   setting("min_spread", 0));
      if (expected + half >= b.low && expected - half <= b.high) {
        b.low = std::max(b.low, expected - half);
        b.high = std::min(b.high, expected + half);
      } else {
        b.low = expected - half, b.high = expected + half;
      }
      b.expected = std::clamp(expected, b.low, b.high);
      seasonal_band_ = true;
      b.detail += "; season " + seasonal_->name() + ": " + figure(expected) + " ± " + figure(half);
    }
    return b;
  }

  // Without seasons in the contract, a day and a week of the values' own
  // spacing (the median of their first nine gaps) are the candidates, and
  // for daily values the day of the month and the days to its end; a season
  // is used only when it explains the series (choose_season).
  void clock(std::int64_t at_micros) override {
    seasons_.clock(at_micros);
    if (seasons_known_) return;
    if (at_micros == 0) {
      seasons_known_ = seen() > 0;  // values without times: no seasons
      return;
    }
    if (last_at_ != 0 && at_micros > last_at_) gaps_.push_back(static_cast<double>(at_micros - last_at_));
    last_at_ = at_micros;
    if (gaps_.size() < 9) return;
    seasons_known_ = true;
    const double step = median_mad(gaps_).first;
    std::vector<double> periods;
    for (double days : {1.0, 7.0}) {
      const double points = std::round(days * 86400e6 / step);
      if (points >= 4 && points <= static_cast<double>(kLongestSeason)) periods.push_back(points);
    }
    const bool daily = std::round(86400e6 / step) == 1;
    seasons_.set(periods, daily ? std::vector<std::string>{"month_day", "month_end"} : std::vector<std::string>{});
  }

  // The range is what the series has done: it learns every value (a new
  // level widens it at once). The seasonal pattern leaves anomalies out.
  void learn(double value, const Band& b, bool excluded) override {
    // Only the seasonal band's verdict keeps a value out of the pattern: a
    // first daily peak is a new high of the range, not an odd season.
    excluded = excluded && seasonal_band_;
    seasons_.learn(value, std::clamp(value, b.low, b.high), excluded, 0);
    if (!excluded) push_bounded(recent_, value, 2 * seasons_.longest());
    const std::size_t i = learned_++;
    while (!max_.empty() && max_.back().second <= value) max_.pop_back();
    while (!min_.empty() && min_.back().second >= value) min_.pop_back();
    max_.emplace_back(i, value);
    min_.emplace_back(i, value);
    while (max_.front().first + window_ <= i) max_.pop_front();
    while (min_.front().first + window_ <= i) min_.pop_front();
    if (++since_refresh_ >= kRefresh) choose_season();
  }

  // The season whose changes vary least, if they explain the series: their
  // deviation is under a quarter of the values' own. Mean absolute
  // deviations for seasons in points (not MADs: a flat series with bursts at
  // random times has a zero MAD of changes and is not seasonal; RMS picked
  // seasons that cost false positives on NAB's ad-exchange series). Root
  // mean squares for calendar seasons: they are there for rare dates (a
  // month-end peak, one value in 30), which barely move a mean absolute
  // deviation.
  void choose_season() {
    since_refresh_ = 0;
    seasonal_ = nullptr;
    if (seasons_.empty()) return;
    const auto deviation = [](const std::deque<double>& values, double centre, bool squares) {
      double sum = 0;
      for (double v : values) sum += squares ? (v - centre) * (v - centre) : std::fabs(v - centre);
      sum /= static_cast<double>(values.size());
      return squares ? std::sqrt(sum) : sum;
    };
    const double centre = median_mad(recent_).first;
    double best = HUGE_VAL;
    for (auto& s : seasons_.all()) {
      if (s.residuals.size() < std::max<std::size_t>(s.span() / 2, 8) || recent_.size() < 2 * s.span()) continue;
      const bool squares = !s.calendar.empty();
      auto [median, mad] = median_mad(s.residuals);
      const double ratio = deviation(s.residuals, median, squares) / deviation(recent_, centre, squares);
      if (ratio < best && ratio < 0.25) {
        best = ratio;
        seasonal_ = &s;
        season_median_ = median;
        season_mad_ = mad;
      }
    }
  }
  std::size_t window_count() const { return std::min(learned_, window_); }

  std::size_t window_, learned_ = 0, since_refresh_ = 0;
  std::deque<std::pair<std::size_t, double>> max_, min_;  // monotonic: the window's max and min in O(1)
  Seasons seasons_;
  bool seasons_known_ = false;
  std::int64_t last_at_ = 0;
  std::vector<double> gaps_;
  std::deque<double> recent_;
  const SeasonalResiduals* seasonal_ = nullptr;
  bool seasonal_band_ = false;  // the last band followed a season
  double season_median_ = 0, season_mad_ = 0;
};

}  // namespace

std::unique_ptr<Detector> Detector::make(MonitorMethod method, const MonitorSettings& settings) {
  switch (method) {
    case MonitorMethod::kThreshold: return std::make_unique<Threshold>(settings);
    case MonitorMethod::kOnlineNormal: return std::make_unique<OnlineNormal>(settings);
    case MonitorMethod::kRateOfChange: return std::make_unique<RateOfChange>(settings);
    case MonitorMethod::kHoltWinters: return std::make_unique<HoltWinters>(settings);
    case MonitorMethod::kRobust: return std::make_unique<Robust>(settings);
    case MonitorMethod::kChangePoint: return std::make_unique<ChangePoint>(settings);
    case MonitorMethod::kAuto: return std::make_unique<Auto>(settings);
  }
  return nullptr;
}

}  // namespace dq
