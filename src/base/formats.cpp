#include "base/formats.h"

#include <arpa/inet.h>
#include <idn2.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "base/timestamps.h"

namespace dq {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool one_of(char c, const char* set) { return c != '\0' && std::strchr(set, c) != nullptr; }

bool starts_with_ace_prefix(std::string_view label) {
  return label.size() >= 4 && (label[0] | 0x20) == 'x' && (label[1] | 0x20) == 'n' && label[2] == '-' &&
         label[3] == '-';
}

// An A-label ("xn--..."): valid Punycode whose U-label is valid under IDNA2008
// (RFC 5891), which libidn2 decides: decoding it and encoding the result
// again must give the label back.
bool is_a_label(std::string_view label) {
  const std::string ace(label);
  char* unicode = nullptr;
  if (idn2_to_unicode_8z8z(ace.c_str(), &unicode, 0) != IDN2_OK) return false;
  std::uint8_t* again = nullptr;
  const int rc = idn2_lookup_u8(reinterpret_cast<const std::uint8_t*>(unicode), &again, IDN2_NO_TR46);
  idn2_free(unicode);
  bool same = rc == IDN2_OK && std::strlen(reinterpret_cast<char*>(again)) == ace.size();
  for (std::size_t i = 0; same && i < ace.size(); ++i) {
    same = (again[i] | 0x20) == (static_cast<unsigned char>(ace[i]) | 0x20);
  }
  if (rc == IDN2_OK) idn2_free(again);
  return same;
}

// RFC 1123 host name: dot-separated labels of 1..63 letters, digits and
// inner hyphens; 253 characters at most. A label with hyphens in its 3rd and
// 4th positions must be a valid IDNA2008 A-label (RFC 5891 4.2.3.1).
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
    if (label.size() >= 4 && label[2] == '-' && label[3] == '-') {
      if (!starts_with_ace_prefix(label) || !is_a_label(label)) return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool inet(int family, std::string_view s) {
  // Only the characters an address is written with: inet_pton reads a C
  // string, so a NUL would end the address early ("1.2.3.4\0.evil").
  for (char c : s) {
    if (!(family == AF_INET ? is_digit(c) || c == '.' : is_hex(c) || c == ':' || c == '.')) return false;
  }
  if (s.size() > 45) return false;
  char buf[48];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = 0;
  unsigned char out[16];
  return inet_pton(family, buf, out) == 1;
}

// RFC 5321 Mailbox (the JSON Schema definition of `email`):
//   Local-part "@" ( Domain / address-literal ), the local part a Dot-string
//   or a Quoted-string of at most 64 octets, the domain a host name, or an
//   address literal: "[" IPv4 "]" or "[IPv6:" IPv6 "]".
bool is_email(std::string_view s) {
  if (s.size() > 254) return false;
  std::size_t at;
  if (!s.empty() && s.front() == '"') {
    std::size_t i = 1;
    for (; i < s.size() && s[i] != '"'; ++i) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      if (c == '\\') {  // quoted-pairSMTP: a backslash and a printable character
        if (++i >= s.size() || static_cast<unsigned char>(s[i]) < 32 || static_cast<unsigned char>(s[i]) > 126)
          return false;
      } else if (c < 32 || c > 126) {
        return false;
      }
    }
    if (i >= s.size() || i + 1 >= s.size() || s[i + 1] != '@') return false;
    at = i + 1;
  } else {
    at = s.rfind('@');
    if (at == std::string_view::npos || at == 0) return false;
    std::string_view local = s.substr(0, at);
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
    for (char c : local) {
      if (!is_alnum(c) && !one_of(c, "!#$%&'*+/=?^_`{|}~.-")) return false;
    }
  }
  if (at > 64) return false;
  std::string_view domain = s.substr(at + 1);
  if (domain.size() >= 2 && domain.front() == '[' && domain.back() == ']') {
    std::string_view literal = domain.substr(1, domain.size() - 2);
    if (literal.substr(0, 5) == "IPv6:") return inet(AF_INET6, literal.substr(5));
    return inet(AF_INET, literal);
  }
  return is_hostname(domain);
}

// RFC 3986 absolute URI: scheme ":" hier-part [ "?" query ] [ "#" fragment ],
// with the authority (userinfo, host, port) and every character class checked.
class UriParser {
 public:
  explicit UriParser(std::string_view s) : s_(s) {}

  bool parse() {
    if (s_.empty() || !is_alpha(s_[0])) return false;
    std::size_t i = 1;
    while (i < s_.size() && (is_alnum(s_[i]) || one_of(s_[i], "+-."))) ++i;
    if (i >= s_.size() || s_[i] != ':') return false;
    std::string_view rest = s_.substr(i + 1);
    std::string_view fragment, query;
    if (std::size_t hash = rest.find('#'); hash != std::string_view::npos) {
      fragment = rest.substr(hash + 1);
      rest = rest.substr(0, hash);
      if (!chars(fragment, ":@/?")) return false;
    }
    if (std::size_t q = rest.find('?'); q != std::string_view::npos) {
      query = rest.substr(q + 1);
      rest = rest.substr(0, q);
      if (!chars(query, ":@/?")) return false;
    }
    if (rest.substr(0, 2) == "//") {
      rest.remove_prefix(2);
      std::size_t slash = rest.find('/');
      std::string_view authority = rest.substr(0, slash);
      if (!is_authority(authority)) return false;
      rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    }
    return chars(rest, ":@/");  // a path: segments of pchar
  }

 private:
  // Unreserved, sub-delims, percent-encodings and `extra`.
  static bool chars(std::string_view part, const char* extra) {
    for (std::size_t i = 0; i < part.size(); ++i) {
      const char c = part[i];
      if (c == '%') {
        if (i + 2 >= part.size() || !is_hex(part[i + 1]) || !is_hex(part[i + 2])) return false;
        i += 2;
      } else if (!is_alnum(c) && !one_of(c, "-._~!$&'()*+,;=") && !one_of(c, extra)) {
        return false;
      }
    }
    return true;
  }

  static bool is_authority(std::string_view a) {
    if (std::size_t at = a.rfind('@'); at != std::string_view::npos) {
      if (!chars(a.substr(0, at), ":")) return false;
      a = a.substr(at + 1);
    }
    std::string_view host = a, port;
    if (!a.empty() && a.front() == '[') {
      std::size_t close = a.find(']');
      if (close == std::string_view::npos) return false;
      host = a.substr(0, close + 1);
      std::string_view after = a.substr(close + 1);
      if (!after.empty()) {
        if (after.front() != ':') return false;
        port = after.substr(1);
      }
      std::string_view literal = host.substr(1, host.size() - 2);
      if (!literal.empty() && (literal.front() == 'v' || literal.front() == 'V')) {  // IPvFuture
        std::size_t dot = literal.find('.');
        if (dot == std::string_view::npos || dot < 2 || dot + 1 == literal.size()) return false;
        for (std::size_t k = 1; k < dot; ++k) {
          if (!is_hex(literal[k])) return false;
        }
        if (!chars(literal.substr(dot + 1), ":")) return false;
      } else if (!inet(AF_INET6, literal)) {
        return false;
      }
    } else {
      if (std::size_t colon = a.rfind(':'); colon != std::string_view::npos) {
        host = a.substr(0, colon);
        port = a.substr(colon + 1);
      }
      if (!chars(host, "")) return false;  // reg-name (an IPv4 address is one too)
    }
    for (char c : port) {
      if (!is_digit(c)) return false;
    }
    return true;
  }

  std::string_view s_;
};

bool is_uri(std::string_view s) { return UriParser(s).parse(); }

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < 36; ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
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
  if (name == "json") return Format::kJson;
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
    // A string holding a JSON document (payloads carried as text), as RFC 8259 reads it.
    case Format::kJson: return nlohmann::json::accept(s);
  }
  return false;
}

bool json_number_grammar(std::string_view t) {
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i > start;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && t[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == t.size();
}

}  // namespace dq
