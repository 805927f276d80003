#include "base/timestamps.h"

#include <cstdio>
#include <cstring>

namespace dq {
namespace {

constexpr std::int64_t kMicrosPerSecond = 1000000;

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

struct Fields {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  std::int64_t micros = 0;
  bool has_offset = false;
  int offset_seconds = 0;
};

bool valid(const Fields& f) {
  return f.month >= 1 && f.month <= 12 && f.day >= 1 &&
         static_cast<unsigned>(f.day) <= days_in_month(f.year, f.month) && f.hour <= 23 && f.minute <= 59 &&
         f.second <= 60;  // 60: a leap second, as RFC 3339 allows
}

// The instant of valid fields, in microseconds; nullopt for a leap second
// (second 60) anywhere but 23:59:60 UTC (RFC 3339 5.7).
std::optional<std::int64_t> to_micros(const Fields& f, const TimeZone& zone) {
  const std::int64_t local = days_from_civil(f.year, f.month, f.day) * 86400 + f.hour * 3600 + f.minute * 60 + f.second;
  const std::int64_t utc =
      f.has_offset ? local - f.offset_seconds : zone.to_utc(f.year, f.month, f.day, f.hour, f.minute, f.second);
  if (f.second == 60 && ((utc - 1) % 86400 + 86400) % 86400 != 86399)
    return std::nullopt;  // 23:59:60 is the next day's 0
  return utc * kMicrosPerSecond + f.micros;
}

// Reads ".123456789" (any number of digits, kept to microseconds).
std::size_t read_fraction(std::string_view s, std::size_t at, std::int64_t& micros) {
  std::size_t i = at;
  micros = 0;
  int kept = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (kept < 6) micros = micros * 10 + (s[i] - '0'), ++kept;
    ++i;
  }
  for (; kept < 6; ++kept) micros *= 10;
  return i - at;
}

// Reads "Z", "+hh:mm" or "+hhmm" at `at`; returns characters consumed, 0 if none.
std::size_t read_offset(std::string_view s, std::size_t at, int& seconds) {
  if (at >= s.size()) return 0;
  if (s[at] == 'Z' || s[at] == 'z') {
    seconds = 0;
    return 1;
  }
  if (s[at] != '+' && s[at] != '-') return 0;
  int h = 0, m = 0;
  std::size_t n = 0;
  if (digits(s, at + 1, 2, h) && at + 3 < s.size() && s[at + 3] == ':' && digits(s, at + 4, 2, m)) {
    n = 6;
  } else if (digits(s, at + 1, 2, h) && digits(s, at + 3, 2, m)) {
    n = 5;
  } else {
    return 0;
  }
  if (h > 23 || m > 59) return 0;
  seconds = (h * 3600 + m * 60) * (s[at] == '-' ? -1 : 1);
  return n;
}

}  // namespace

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  // Howard Hinnant's algorithm: exact for the proleptic Gregorian calendar.
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

std::optional<std::int64_t> parse_date(std::string_view s) {
  Fields f;
  if (s.size() != 10 || !digits(s, 0, 4, f.year) || s[4] != '-' || !digits(s, 5, 2, f.month) || s[7] != '-' ||
      !digits(s, 8, 2, f.day) || !valid(f)) {
    return std::nullopt;
  }
  return days_from_civil(f.year, f.month, f.day);
}

std::optional<std::int64_t> parse_rfc3339(std::string_view s, const TimeZone& zone) {
  Fields f;
  if (s.size() < 19 || !digits(s, 0, 4, f.year) || s[4] != '-' || !digits(s, 5, 2, f.month) || s[7] != '-' ||
      !digits(s, 8, 2, f.day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, f.hour) ||
      s[13] != ':' || !digits(s, 14, 2, f.minute) || s[16] != ':' || !digits(s, 17, 2, f.second)) {
    return std::nullopt;
  }
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    std::size_t n = read_fraction(s, i + 1, f.micros);
    if (n == 0) return std::nullopt;
    i += 1 + n;
  }
  if (i < s.size()) {
    std::size_t n = read_offset(s, i, f.offset_seconds);
    if (n == 0) return std::nullopt;
    f.has_offset = true;
    i += n;
  }
  if (i != s.size() || !valid(f)) return std::nullopt;
  return to_micros(f, zone);
}

std::optional<std::int64_t> parse_with_layout(std::string_view s, std::string_view layout, const TimeZone& zone) {
  Fields f;
  std::size_t i = 0;
  for (std::size_t k = 0; k < layout.size(); ++k) {
    if (layout[k] != '%' || k + 1 == layout.size()) {
      if (i >= s.size() || s[i] != layout[k]) return std::nullopt;
      ++i;
      continue;
    }
    char spec = layout[++k];
    int width = 2;
    int* target = nullptr;
    switch (spec) {
      case 'Y': width = 4, target = &f.year; break;
      case 'm': target = &f.month; break;
      case 'd': target = &f.day; break;
      case 'H': target = &f.hour; break;
      case 'M': target = &f.minute; break;
      case 'S': target = &f.second; break;
      case 'f': {
        std::size_t n = read_fraction(s, i, f.micros);
        if (n == 0) return std::nullopt;
        i += n;
        continue;
      }
      case 'z': {
        std::size_t n = read_offset(s, i, f.offset_seconds);
        if (n == 0) return std::nullopt;
        f.has_offset = true;
        i += n;
        continue;
      }
      case '%':
        if (i >= s.size() || s[i] != '%') return std::nullopt;
        ++i;
        continue;
      case 'a':
      case 'b': {
        static const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
        static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        if (i + 3 > s.size()) return std::nullopt;
        std::string_view word = s.substr(i, 3);
        int found = -1;
        for (int w = 0; w < (spec == 'a' ? 7 : 12); ++w) {
          if (word == (spec == 'a' ? kDays[w] : kMonths[w])) found = w;
        }
        if (found < 0) return std::nullopt;
        if (spec == 'b') f.month = found + 1;  // the weekday is checked for form only
        i += 3;
        continue;
      }
      default: return std::nullopt;
    }
    if (!digits(s, i, width, *target)) return std::nullopt;
    i += width;
  }
  if (i != s.size() || !valid(f)) return std::nullopt;
  return to_micros(f, zone);
}

std::optional<TimeZone> parse_time_zone(const std::string& text) {
  if (auto offset = parse_utc_offset(text)) return TimeZone::fixed(*offset);
  return TimeZone::named(text);
}

std::int64_t local_to_utc_micros(std::int64_t local_micros, const TimeZone& zone) {
  const std::int64_t seconds = local_micros >= 0 ? local_micros / kMicrosPerSecond
                                                 : -((-local_micros + kMicrosPerSecond - 1) / kMicrosPerSecond);
  const std::int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  const std::int64_t in_day = seconds - days * 86400;
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  const std::int64_t utc = zone.to_utc(y, static_cast<int>(m), static_cast<int>(d), static_cast<int>(in_day / 3600),
                                       static_cast<int>(in_day / 60 % 60), static_cast<int>(in_day % 60));
  return utc * kMicrosPerSecond + (local_micros - seconds * kMicrosPerSecond);
}

std::string unsupported_layout_directive(std::string_view layout) {
  for (std::size_t k = 0; k < layout.size(); ++k) {
    if (layout[k] != '%') continue;
    if (k + 1 == layout.size()) return "%";
    const char spec = layout[++k];
    if (!std::strchr("YmdHMSfzab%", spec)) return std::string("%") + spec;
  }
  return "";
}

std::optional<int> parse_utc_offset(std::string_view s) {
  if (s == "UTC" || s == "Z" || s == "utc") return 0;
  int seconds = 0;
  if (read_offset(s, 0, seconds) == s.size() && !s.empty()) return seconds;
  return std::nullopt;
}

std::string format_date(std::int64_t days) {
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::string format_timestamp(std::int64_t micros) {
  std::int64_t seconds =
      micros >= 0 ? micros / kMicrosPerSecond : -((-micros + kMicrosPerSecond - 1) / kMicrosPerSecond);
  std::int64_t frac = micros - seconds * kMicrosPerSecond;
  std::int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  std::int64_t rem = seconds - days * 86400;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%sT%02lld:%02lld:%02lld", format_date(days).c_str(),
                        static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                        static_cast<long long>(rem % 60));
  if (frac) std::snprintf(buf + n, sizeof buf - n, ".%06lld", static_cast<long long>(frac));
  return std::string(buf) + "Z";
}

}  // namespace dq
