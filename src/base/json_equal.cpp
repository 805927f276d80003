#include "base/json_equal.h"

#include <charconv>
#include <cmath>

namespace dq {
namespace {

void write_string(const std::string& s, std::string& out) {
  // nlohmann's own escaping: one canonical spelling per string.
  out += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void write_double(double d, std::string& out) {
  // Integral values within 2^63 are written as integers, so 1.0 equals 1.
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2e18) {
    out += std::to_string(static_cast<std::int64_t>(d));
    return;
  }
  if (!std::isfinite(d)) {
    out += std::isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
    return;
  }
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d);  // shortest round trip
  out.append(buffer, end);
}

void write(const nlohmann::json& v, std::string& out) {
  using T = nlohmann::json::value_t;
  switch (v.type()) {
    case T::null: out += "null"; return;
    case T::boolean: out += v.get<bool>() ? "true" : "false"; return;
    case T::number_integer: out += std::to_string(v.get<std::int64_t>()); return;
    case T::number_unsigned: out += std::to_string(v.get<std::uint64_t>()); return;
    case T::number_float: write_double(v.get<double>(), out); return;
    case T::string: write_string(v.get_ref<const std::string&>(), out); return;
    case T::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v) {
        if (!first) out += ',';
        first = false;
        write(item, out);
      }
      out += ']';
      return;
    }
    case T::object: {  // nlohmann::json keeps keys sorted
      out += '{';
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += ',';
        first = false;
        write_string(it.key(), out);
        out += ':';
        write(it.value(), out);
      }
      out += '}';
      return;
    }
    default: out += "null"; return;  // binary and discarded values are not JSON
  }
}

}  // namespace

nlohmann::json plain_scalar_json(const std::string& text) {
  if (text.empty() || text == "null" || text == "~") return nullptr;
  if (text == "true") return true;
  if (text == "false") return false;
  const char c = text[0];
  if (c == '-' || (c >= '0' && c <= '9')) {
    nlohmann::json number = nlohmann::json::parse(text, nullptr, false);
    if (number.is_number()) return number;
  }
  return text;
}

std::string canonical_json(const nlohmann::json& value) {
  std::string out;
  write(value, out);
  return out;
}

}  // namespace dq
