// bench/contracts/flat_event.yaml written out by hand over simdjson On-Demand:
// what a program generated for this one contract could at best be. The keys
// are compile-time constants compared in their usual order, each field's type
// and checks are straight-line code, the rule reads locals. It keeps no report
// (which check failed, counts per check) and handles no rare case a real
// engine must (escaped keys, integers written as 1.0, numbers beyond 64 bits,
// time zones other than Z): it is a floor for the specialised engine, not
// a validator. record_bench checks that it finds as many valid records as dq.
#pragma once

#include <simdjson.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace bench {

namespace od = simdjson::ondemand;

template <bool kChecks>
class FlatEventByHand {
 public:
  // 1 valid, 0 invalid, -1 malformed.
  int operator()(od::parser& parser, const char* data, std::size_t length, std::size_t capacity) {
    od::document doc;
    od::object object;
    if (parser.iterate(data, length, capacity).get(doc) || doc.get_object().get(object)) return -1;
    std::uint32_t seen = 0;
    std::size_t next = 0;
    wrong_ = false;
    bool valid = true, purchase = false, has_amount = false;
    double amount = 0;
    // Each field is handed to a callback, as dq's walker does: with the body
    // written inside the loop instead, GCC 12 built each field's
    // simdjson_result with scalar stores and copied it with 16-byte loads,
    // three store-forwarding stalls a field (0.52x touch-all against 0.94x).
    // 2: go on; else the record's answer.
    auto on_field = [&](od::field& field, od::value& value) -> int {
      const char* raw = reinterpret_cast<const char*>(field.key().raw());
      std::size_t k = next < kFields && key_is(raw, next) ? next : find(raw);
      if (k == kFields) return 0;  // additional_fields: reject
      if (seen & (1u << k)) return -1;
      seen |= 1u << k;
      next = k + 1;
      switch (k) {
        case 0: {  // event_id: ^evt_[0-9a-f]{16}$
          std::string_view s;
          if (!string(value, s, true)) return -1;
          if (kChecks) valid &= s.size() == 20 && std::memcmp(s.data(), "evt_", 4) == 0 && all(s.substr(4), lower_hex);
          break;
        }
        case 1: {  // session_id: ^[A-Z]{3}-[0-9]{6}$
          std::string_view s;
          if (!string(value, s, true)) return -1;
          if (kChecks) valid &= s.size() == 10 && all(s.substr(0, 3), upper) && s[3] == '-' && all(s.substr(4), digit);
          break;
        }
        case 2: {  // user_id: integer, min 1
          std::int64_t i;
          if (!integer(value, i, true)) return -1;
          if (kChecks) valid &= i >= 1;
          break;
        }
        case 3: {  // type: enum
          std::string_view s;
          if (!string(value, s, true)) return -1;
          if (!s.data()) break;  // not a string: a wrong type, already counted
          const Text t = text_of(s);
          purchase = same(t, kTypes[3]);
          if (kChecks) valid &= one_of(t, kTypes);
          break;
        }
        case 4: {  // ts: timestamp, min 2020-01-01T00:00:00Z
          std::string_view s;
          if (!string(value, s, true)) return -1;
          valid &= timestamp_at_least_2020(s);  // a type check too: always made
          break;
        }
        case 5:  // amount: number, 0..100000
          if (!number(value, amount, has_amount)) return -1;
          if (kChecks && has_amount) valid &= amount >= 0 && amount <= 100000;
          break;
        case 6:  // currency: enum
          if (!optional_enum(value, kCurrencies, valid)) return -1;
          break;
        case 7:     // quantity: integer, 0..1000
        case 15: {  // retries: integer, 0..10
          std::int64_t i;
          if (!integer(value, i, false)) return -1;
          if (kChecks) valid &= i >= 0 && i <= (k == 7 ? 1000 : 10);
          break;
        }
        case 8: {  // country: 2 code points
          std::string_view s;
          if (!string(value, s, false)) return -1;
          if (kChecks && s.data()) valid &= code_points(s) == 2;
          break;
        }
        case 9:  // device: enum
          if (!optional_enum(value, kDevices, valid)) return -1;
          break;
        case 10:    // app_version: at most 16 code points
        case 11:    // page: at most 200
        case 12:    // referrer: at most 200
        case 19: {  // locale: at most 10
          std::string_view s;
          if (!string(value, s, false)) return -1;
          const std::size_t most = k == 10 ? 16 : k == 19 ? 10 : 200;
          if (kChecks && s.size() > most) valid &= code_points(s) <= most;
          break;
        }
        case 13:    // latency_ms: number, min 0
        case 16: {  // score: number, 0..1
          double d;
          bool present;
          if (!number(value, d, present)) return -1;
          if (kChecks && present) valid &= d >= 0 && (k == 13 || d <= 1);
          break;
        }
        case 14: {  // is_test: boolean
          bool b;
          if (value.get_bool().get(b)) {
            bool is_null;
            if (value.is_null().get(is_null)) return -1;
            valid &= is_null;
          }
          break;
        }
        default: {  // campaign, experiment: strings
          std::string_view s;
          if (!string(value, s, false)) return -1;
          break;
        }
      }
      return 2;
    };
    for (auto result : object) {
      if (result.error()) return -1;
      od::field& field = result.value_unsafe();
      const int got = on_field(field, field.value());
      if (got != 2) return got;
    }
    valid &= !wrong_ && (seen & 0x1f) == 0x1f;  // event_id, session_id, user_id, type, ts are required
    if (kChecks && purchase) valid &= has_amount && amount > 0;
    return valid ? 1 : 0;
  }

 private:
  static constexpr std::size_t kFields = 20;
  static constexpr std::string_view kKeys[kFields] = {"event_id",    "session_id", "user_id",  "type",       "ts",
                                                      "amount",      "currency",   "quantity", "country",    "device",
                                                      "app_version", "page",       "referrer", "latency_ms", "is_test",
                                                      "retries",     "score",      "campaign", "experiment", "locale"};

  // The key's first 16 bytes against the declared key's, as two words (every
  // key here is shorter; simdjson pads its input, so reading past is safe).
  struct Words {
    std::uint64_t w[2], mask[2];
    std::size_t size;
  };
  static constexpr Words words_of(std::string_view key) {
    Words out{{0, 0}, {0, 0}, key.size()};
    for (std::size_t i = 0; i < key.size(); ++i) {
      out.w[i / 8] |= std::uint64_t{static_cast<unsigned char>(key[i])} << (8 * (i % 8));
      out.mask[i / 8] |= std::uint64_t{0xff} << (8 * (i % 8));
    }
    return out;
  }
  static constexpr std::array<Words, kFields> kWords = [] {
    std::array<Words, kFields> out{};
    for (std::size_t k = 0; k < kFields; ++k) out[k] = words_of(kKeys[k]);
    return out;
  }();
  __attribute__((always_inline)) static bool key_is(const char* raw, std::size_t k) {
    std::uint64_t w[2];
    std::memcpy(w, raw, 16);
    const Words& key = kWords[k];
    return (w[0] & key.mask[0]) == key.w[0] && (w[1] & key.mask[1]) == key.w[1] && raw[key.size] == '"';
  }
  static std::size_t find(const char* raw) {
    std::size_t k = 0;
    while (k < kFields && !key_is(raw, k)) ++k;
    return k;
  }
  // A type mismatch leaves `valid` to the caller through an empty result; a
  // null is allowed for optional fields. False only when malformed.
  __attribute__((always_inline)) bool string(od::value& value, std::string_view& s, bool required) {
    s = {};
    const simdjson::error_code e = value.get_string().get(s);
    if (e == simdjson::SUCCESS) return true;
    if (e != simdjson::INCORRECT_TYPE) return false;
    return null_or_wrong(value, required);
  }
  __attribute__((always_inline)) bool integer(od::value& value, std::int64_t& i, bool required) {
    i = 0;
    const simdjson::error_code e = value.get_int64().get(i);
    if (e == simdjson::SUCCESS) return true;
    if (e != simdjson::INCORRECT_TYPE) return false;
    return null_or_wrong(value, required);
  }
  __attribute__((always_inline)) bool number(od::value& value, double& d, bool& present) {
    present = false;
    const simdjson::error_code e = value.get_double().get(d);
    if (e == simdjson::SUCCESS) return present = true;
    if (e != simdjson::INCORRECT_TYPE) return false;
    return null_or_wrong(value, false);
  }
  bool null_or_wrong(od::value& value, bool required) {
    bool is_null = false;
    if (value.is_null().get(is_null)) is_null = false;
    if (!is_null || required) wrong_ = true;
    return true;
  }

  // Character classes as bits of one table (a branch per character would
  // mispredict on random hex digits).
  static constexpr unsigned char kDigit = 1, kUpper = 2, kLowerHex = 4;
  static constexpr struct Classes {
    unsigned char of[256] = {};
    constexpr Classes() {
      for (int c = '0'; c <= '9'; ++c) of[c] = kDigit | kLowerHex;
      for (int c = 'A'; c <= 'Z'; ++c) of[c] = kUpper;
      for (int c = 'a'; c <= 'f'; ++c) of[c] = kLowerHex;
    }
  } kClasses{};
  static bool is(char c, unsigned char cls) { return kClasses.of[static_cast<unsigned char>(c)] & cls; }
  static bool lower_hex(char c) { return is(c, kLowerHex); }
  static bool upper(char c) { return is(c, kUpper); }
  static bool digit(char c) { return is(c, kDigit); }
  // A string of at most 16 bytes as two words, zero past its end; longer
  // strings get a size no member has. (Reads up to 16 bytes past a string:
  // simdjson pads the buffer its strings are unescaped into.)
  struct Text {
    std::uint64_t w[2];
    std::size_t size;
  };
  __attribute__((always_inline)) static Text text_of(std::string_view s) {
    Text t{{0, 0}, s.size() <= 16 ? s.size() : 17};
    std::memcpy(t.w, s.data(), 16);
    const std::size_t n = s.size() < 16 ? s.size() : 16;
    const std::uint64_t low = n >= 8 ? ~0ULL : (n == 0 ? 0 : ~0ULL >> (8 * (8 - n)));
    const std::uint64_t high = n <= 8 ? 0 : (n == 16 ? ~0ULL : ~0ULL >> (8 * (16 - n)));
    t.w[0] &= low;
    t.w[1] &= high;
    return t;
  }
  __attribute__((always_inline)) static bool same(const Text& t, const Words& key) {
    return (t.w[0] == key.w[0]) & (t.w[1] == key.w[1]) & (t.size == key.size);
  }
  static constexpr Words kTypes[] = {words_of("view"), words_of("click"), words_of("add_to_cart"), words_of("purchase"),
                                     words_of("refund")};
  static constexpr Words kCurrencies[] = {words_of("USD"), words_of("EUR"), words_of("GBP"), words_of("JPY")};
  static constexpr Words kDevices[] = {words_of("ios"), words_of("android"), words_of("web")};
  template <std::size_t N>
  __attribute__((always_inline)) static bool one_of(const Text& t, const Words (&members)[N]) {
    bool found = false;
    for (const Words& m : members) found |= same(t, m);
    return found;
  }
  // An optional string field with an enum: false only when malformed.
  template <std::size_t N>
  __attribute__((always_inline)) bool optional_enum(od::value& value, const Words (&members)[N], bool& valid) {
    std::string_view s;
    if (!string(value, s, false)) return false;
    if (kChecks && s.data()) valid &= one_of(text_of(s), members);
    return true;
  }
  template <class F>
  __attribute__((always_inline)) static bool all(std::string_view s, F f) {
    bool ok = true;
    for (char c : s) ok &= f(c);
    return ok;
  }
  __attribute__((always_inline)) static std::size_t code_points(std::string_view s) {
    std::size_t n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
  }
  // YYYY-MM-DDTHH:MM:SS[.fraction]Z, fields in range, year at least 2020.
  __attribute__((always_inline)) static bool timestamp_at_least_2020(std::string_view s) {
    if (s.size() < 20 || s.back() != 'Z' || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
      return false;
    auto two = [&](std::size_t at) { return (s[at] - '0') * 10 + (s[at + 1] - '0'); };
    bool digits = all(s.substr(0, 4), digit) && digit(s[5]) && digit(s[6]) && digit(s[8]) && digit(s[9]) &&
                  digit(s[11]) && digit(s[12]) && digit(s[14]) && digit(s[15]) && digit(s[17]) && digit(s[18]);
    if (s.size() > 20) digits &= s[19] == '.' && all(s.substr(20, s.size() - 21), digit);
    const int year = two(0) * 100 + two(2);
    return digits && year >= 2020 && two(5) >= 1 && two(5) <= 12 && two(8) >= 1 && two(8) <= 31 && two(11) <= 23 &&
           two(14) <= 59 && two(17) <= 60;
  }

  bool wrong_ = false;  // a wrong type, or a null where a value is required, in this record
};

}  // namespace bench
