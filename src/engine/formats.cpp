#include "engine/formats.h"

#include <arpa/inet.h>

#include <cstring>
#include <string>

#include "engine/timestamps.h"

namespace dq {
namespace {

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// RFC 1123 host name: dot-separated labels of 1..63 letters, digits and
// inner hyphens; 253 characters at most.
bool is_hostname(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!is_alnum(c) && c != '-') return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// A pragmatic address check (as HTML's input type=email): local@domain, the
// local part from RFC 5322's atext and dots, the domain a host name with a dot.
bool is_email(std::string_view s) {
  std::size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  std::string_view local = s.substr(0, at), domain = s.substr(at + 1);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
  static const char kAtext[] = "!#$%&'*+/=?^_`{|}~.-";
  for (char c : local) {
    if (!is_alnum(c) && !std::strchr(kAtext, c)) return false;
  }
  return domain.find('.') != std::string_view::npos && is_hostname(domain);
}

// RFC 3986 absolute URI: scheme ":" followed by characters allowed in a URI.
bool is_uri(std::string_view s) {
  std::size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return false;
  for (std::size_t i = 1; i < colon; ++i) {
    char c = s[i];
    if (!is_alnum(c) && c != '+' && c != '-' && c != '.') return false;
  }
  static const char kAllowed[] = "-._~:/?#[]@!$&'()*+,;=%";
  for (std::size_t i = colon + 1; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
    } else if (!is_alnum(c) && !std::strchr(kAllowed, c)) {
      return false;
    }
  }
  return true;
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < 36; ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

bool inet(int family, std::string_view s) {
  if (s.size() > 45) return false;
  char buf[48];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = 0;
  unsigned char out[16];
  return inet_pton(family, buf, out) == 1;
}

}  // namespace

std::optional<Format> format_from_name(std::string_view name) {
  if (name == "email") return Format::kEmail;
  if (name == "uri") return Format::kUri;
  if (name == "uuid") return Format::kUuid;
  if (name == "date") return Format::kDate;
  if (name == "date-time") return Format::kDateTime;
  if (name == "ipv4") return Format::kIpv4;
  if (name == "ipv6") return Format::kIpv6;
  if (name == "hostname") return Format::kHostname;
  return std::nullopt;
}

bool matches_format(Format format, std::string_view s) {
  switch (format) {
    case Format::kEmail: return is_email(s);
    case Format::kUri: return is_uri(s);
    case Format::kUuid: return is_uuid(s);
    case Format::kDate: return parse_date(s).has_value();
    case Format::kDateTime: return parse_rfc3339(s).has_value();
    case Format::kIpv4: return inet(AF_INET, s);
    case Format::kIpv6: return inet(AF_INET6, s);
    case Format::kHostname: return is_hostname(s);
  }
  return false;
}

}  // namespace dq
