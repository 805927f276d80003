// What dq infer learns from sample data, shared by inference (infer.cpp)
// and updates of an existing contract (update.cpp): a shape per field path
// (types, presence, ranges, values, string shapes) read in one pass, and the
// writer of commented declarations. Memory per field is bounded: at most
// kMaxValues distinct values with counts, kMaxDistinct value hashes for the
// uniqueness test, one string shape; everything else is counters.
#pragma once

#include <csv.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "base/file_kind.h"
#include "base/formats.h"
#include "base/timestamps.h"
#include "dq/governance.h"
#include "dq/profile.h"

namespace dq::inferring {

constexpr std::size_t kMaxValues = 1000;       // distinct values kept with counts, per field
constexpr std::size_t kMaxDistinct = 1000000;  // value hashes kept for the uniqueness test, per field
// Integers of JSON reach 2^64 on both signs; their ranges are computed exactly.
__extension__ using Wide = __int128;

constexpr const char* kCsvTimeLayout = "%Y-%m-%d %H:%M:%S";

// ---- string shapes ---------------------------------------------------------
// A value cut into runs of letters and digits and the other characters
// between them; each run keeps which character groups it used and its
// length range. Values of one shape generalise to one pattern.
enum Group : unsigned { kDigit = 1, kLowHex = 2, kLowRest = 4, kUpHex = 8, kUpRest = 16 };

inline unsigned group_of(unsigned char c) {
  if (c >= '0' && c <= '9') return kDigit;
  if (c >= 'a' && c <= 'f') return kLowHex;
  if (c >= 'g' && c <= 'z') return kLowRest;
  if (c >= 'A' && c <= 'F') return kUpHex;
  if (c >= 'G' && c <= 'Z') return kUpRest;
  return 0;
}

struct Token {
  unsigned groups = 0;  // 0: a literal character
  char literal = 0;
  std::size_t min_len = 0, max_len = 0;
  std::string text;  // a run's letters while every value has the same ones ("ord" of ord_...)
  bool constant = true;
};
using Shape = std::vector<Token>;

inline Shape shape_of(std::string_view s) {
  Shape out;
  for (std::size_t i = 0; i < s.size();) {
    const unsigned g = group_of(static_cast<unsigned char>(s[i]));
    if (g == 0) {
      out.push_back({0, s[i], 1, 1, {}, true});
      ++i;
      continue;
    }
    Token t;
    std::size_t j = i;
    for (; j < s.size() && group_of(static_cast<unsigned char>(s[j])) != 0; ++j) {
      t.groups |= group_of(static_cast<unsigned char>(s[j]));
    }
    t.min_len = t.max_len = j - i;
    t.text = std::string(s.substr(i, j - i));
    out.push_back(t);
    i = j;
  }
  return out;
}

// Joins `b` into `a`; false when the two have different structures.
inline bool join_shape(Shape& a, const Shape& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if ((a[i].groups == 0) != (b[i].groups == 0)) return false;
    if (a[i].groups == 0 && a[i].literal != b[i].literal) return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].constant && a[i].text != b[i].text) {
      a[i].constant = false;
      a[i].text.clear();
    }
    a[i].groups |= b[i].groups;
    a[i].min_len = std::min(a[i].min_len, b[i].min_len);
    a[i].max_len = std::max(a[i].max_len, b[i].max_len);
  }
  return true;
}

inline std::string class_of(unsigned groups) {
  if (groups == kDigit) return "[0-9]";
  if (groups == (kDigit | kLowHex)) return "[0-9a-f]";
  if (groups == (kDigit | kUpHex)) return "[0-9A-F]";
  std::string c = "[";
  const bool low = groups & (kLowHex | kLowRest), up = groups & (kUpHex | kUpRest);
  if (up) c += "A-Z";
  if (low) c += "a-z";
  if (groups & kDigit) c += "0-9";
  return c + "]";
}

inline std::string escape_literal(char c) {
  static const std::string kSpecial = R"(\^$.|?*+()[]{}-/)";
  if (kSpecial.find(c) != std::string::npos) return std::string("\\") + c;
  return std::string(1, c);
}

// The anchored pattern of a shape, or "" when the shape is not one worth
// stating: free text (spaces), or a single run of letters of varying length
// (words, names), which a pattern would only restate as "letters".
inline std::string pattern_of(const Shape& shape) {
  bool letters_only = shape.size() == 1 && !(shape[0].groups & kDigit) && !shape[0].constant;
  if (shape.empty() || (letters_only && shape[0].min_len != shape[0].max_len)) return "";
  bool has_run = false;
  std::string p = "^";
  for (const Token& t : shape) {
    if (t.groups == 0) {
      if (t.literal == ' ' || static_cast<unsigned char>(t.literal) >= 0x80 || t.literal < 0x20) return "";
      p += escape_literal(t.literal);
      continue;
    }
    if (t.constant && !(t.groups & kDigit)) {  // the same letters in every value: a prefix or a code
      p += t.text;
      continue;
    }
    has_run = true;
    p += class_of(t.groups);
    p += t.min_len == t.max_len ? "{" + std::to_string(t.min_len) + "}"
                                : "{" + std::to_string(t.min_len) + "," + std::to_string(t.max_len) + "}";
  }
  return has_run ? p + "$" : "";
}

// ---- per-field statistics --------------------------------------------------

// A phone number as people write them: 7 to 15 digits with a leading + or
// separators (spaces, dashes, dots, parentheses). Bare digit strings (zip
// codes, ids) are not.
inline bool looks_like_phone(std::string_view s) {
  std::size_t digits = 0;
  bool separated = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') {
      separated = true;
    } else if (!(c == '+' && i == 0)) {
      return false;
    }
  }
  return digits >= 7 && digits <= 15 && (separated || (!s.empty() && s[0] == '+'));
}

// A person's name as people write it: two to four words, each a capital
// followed by letters (or an initial with a period), joined by single spaces;
// hyphens and apostrophes inside words ("Anne-Marie O'Neil"). Bytes past
// ASCII count as letters, since case is not known without tables.
inline bool looks_like_person_name(std::string_view s) {
  int words = 0;
  bool long_word = false;
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t start = i;
    const auto first = static_cast<unsigned char>(s[i]);
    if (!((first >= 'A' && first <= 'Z') || first >= 0x80)) return false;
    ++i;
    while (i < s.size() && s[i] != ' ') {
      const auto c = static_cast<unsigned char>(s[i]);
      const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
      if (!letter && c != '-' && c != '\'' && !(c == '.' && i + 1 == s.size()) && !(c == '.' && s[i + 1] == ' ')) {
        return false;
      }
      ++i;
    }
    if (i - start >= 3 && s[i - 1] != '.') long_word = true;
    ++words;
    if (i < s.size()) {
      ++i;  // the single space
      if (i == s.size() || s[i] == ' ') return false;
    }
  }
  return words >= 2 && words <= 4 && long_word;
}

struct Node {
  std::string name;
  std::uint64_t present = 0, nulls = 0;
  std::uint64_t booleans = 0, integers = 0, numbers = 0, strings = 0, objects = 0, arrays = 0;
  // numbers (integers included)
  double min = 0, max = 0;
  bool any_number = false;
  Wide int_min = 0, int_max = 0;  // integers exactly (ids beyond 2^53 are common)
  bool any_integer = false;
  // strings
  std::uint64_t min_length = 0, max_length = 0;
  bool email = true, uuid = true, uri = true, ipv4 = true, date_time = true, date = true, csv_time = true;
  bool phone = true, person_name = true;
  Shape shape;
  bool shape_broken = false;
  // values (strings, booleans and integers), while at most kMaxValues distinct
  std::map<std::string, std::uint64_t> values;
  bool values_overflow = false;
  std::unordered_set<std::uint64_t> distinct;  // every value's hash, for `unique`
  bool repeated = false, distinct_overflow = false;
  // objects
  std::vector<std::unique_ptr<Node>> children;
  std::map<std::string, std::size_t, std::less<>> index;
  // arrays
  std::uint64_t min_items = 0, max_items = 0;
  std::unique_ptr<Node> items;

  Node& child(std::string_view key) {
    auto it = index.find(key);
    if (it != index.end()) return *children[it->second];
    index.emplace(std::string(key), children.size());
    children.push_back(std::make_unique<Node>());
    children.back()->name = std::string(key);
    return *children.back();
  }
  Node& item() {
    if (!items) items = std::make_unique<Node>();
    return *items;
  }

  void count_value(const std::string& text) {
    if (!values_overflow) {
      ++values[text];
      if (values.size() > kMaxValues) {
        values.clear();
        values_overflow = true;
      }
    }
    if (!distinct_overflow && !repeated) {
      if (!distinct.insert(hash_bytes(text)).second) repeated = true;
      if (distinct.size() > kMaxDistinct) {
        distinct.clear();
        distinct_overflow = true;
      }
    }
    if (repeated && !distinct.empty()) distinct = {};  // the answer is known: free the memory
  }

  void add_integer(Wide v) {
    if (!any_integer) int_min = int_max = v;
    any_integer = true;
    int_min = std::min(int_min, v);
    int_max = std::max(int_max, v);
  }

  void add_number(double x, bool integer, std::string_view text) {
    if (!any_number) min = max = x;
    any_number = true;
    min = std::min(min, x);
    max = std::max(max, x);
    ++(integer ? integers : numbers);
    if (integer) count_value(std::string(text));
  }

  void add_string(std::string_view s, bool from_csv) {
    const std::uint64_t length = count_code_points(s);
    if (strings == 0) min_length = max_length = length;
    min_length = std::min(min_length, length);
    max_length = std::max(max_length, length);
    ++strings;
    email = email && matches_format(Format::kEmail, s);
    phone = phone && looks_like_phone(s);
    person_name = person_name && looks_like_person_name(s);
    uuid = uuid && matches_format(Format::kUuid, s);
    uri = uri && matches_format(Format::kUri, s);
    ipv4 = ipv4 && matches_format(Format::kIpv4, s);
    date_time = date_time && !from_csv && parse_rfc3339(s).has_value();
    date = date && parse_date(s).has_value();
    csv_time = csv_time && parse_with_layout(s, kCsvTimeLayout, TimeZone{}).has_value();
    if (!shape_broken) {
      Shape sh = shape_of(s);
      if (strings == 1) {
        shape = std::move(sh);
      } else if (!join_shape(shape, sh)) {
        shape_broken = true;
        shape.clear();
      }
    }
    count_value(std::string(s));
  }
};

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// ---- reading ---------------------------------------------------------------

inline void visit(Node& n, simdjson::dom::element e);

inline void visit_object(Node& n, simdjson::dom::object o) {
  ++n.objects;
  for (auto field : o) {
    Node& c = n.child(field.key);
    ++c.present;
    visit(c, field.value);
  }
}

inline void visit(Node& n, simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::NULL_VALUE: ++n.nulls; break;
    case element_type::BOOL: {
      ++n.booleans;
      n.count_value(bool(e) ? "true" : "false");
      break;
    }
    case element_type::INT64: {
      const std::int64_t v = int64_t(e);
      n.add_integer(v);
      n.add_number(static_cast<double>(v), true, std::to_string(v));
      break;
    }
    case element_type::UINT64: {
      const std::uint64_t v = uint64_t(e);
      n.add_integer(v);
      n.add_number(static_cast<double>(v), true, std::to_string(v));
      break;
    }
    case element_type::DOUBLE: n.add_number(double(e), false, ""); break;
    case element_type::STRING: n.add_string(std::string_view(e), false); break;
    case element_type::OBJECT: visit_object(n, simdjson::dom::object(e)); break;
    case element_type::ARRAY: {
      simdjson::dom::array a(e);
      const std::uint64_t size = a.size();
      if (n.arrays == 0) n.min_items = n.max_items = size;
      n.min_items = std::min(n.min_items, size);
      n.max_items = std::max(n.max_items, size);
      ++n.arrays;
      for (auto item : a) {
        Node& it = n.item();
        ++it.present;
        visit(it, item);
      }
      break;
    }
  }
}

// A CSV cell as the value it stands for: integer, number, boolean or string.
inline void visit_cell(Node& n, const std::string* cell) {
  if (cell == nullptr) {
    ++n.nulls;
    return;
  }
  const std::string& s = *cell;
  const bool number = json_number_grammar(s);  // as dq reads CSV numbers
  std::int64_t i = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
  if (number && ec == std::errc() && end == s.data() + s.size()) {
    n.add_integer(i);
    n.add_number(static_cast<double>(i), true, s);
    return;
  }
  double d = 0;
  auto [dend, dec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (number && dec == std::errc() && dend == s.data() + s.size() && std::isfinite(d)) {
    n.add_number(d, false, s);
    return;
  }
  if (s == "true" || s == "false") {
    ++n.booleans;
    n.count_value(s);
    return;
  }
  n.add_string(s, true);
}

struct Reader {
  Node root;
  std::uint64_t records = 0, malformed = 0;
  std::vector<std::string> malformed_samples;
  std::uint64_t limit = 0;  // 0: every record
  std::vector<std::string> columns;

  bool full() const { return limit > 0 && records >= limit; }

  void bad(const std::string& where, const std::string& why) {
    ++malformed;
    if (malformed_samples.size() < 5) malformed_samples.push_back(where + ": " + why);
  }

  void record(simdjson::dom::element e, const std::string& where) {
    if (e.type() != simdjson::dom::element_type::OBJECT) {
      bad(where, "a record must be a JSON object");
      return;
    }
    ++records;
    ++root.present;
    visit_object(root, simdjson::dom::object(e));
  }

  Status read_json(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status(StatusCode::kIoError, "cannot read '" + path + "'");
    simdjson::dom::parser parser;
    // A JSON array (or one object) is read whole; anything else line by line.
    char first = 0;
    while (in.get(first) && std::isspace(static_cast<unsigned char>(first))) {
    }
    in.clear();
    in.seekg(0);
    if (first == '[') {
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      simdjson::dom::element doc;
      if (auto error = parser.parse(text).get(doc)) {
        bad(path, std::string("not JSON: ") + simdjson::error_message(error));
        return {};
      }
      std::uint64_t k = 0;
      for (auto e : simdjson::dom::array(doc)) {
        if (full()) break;
        record(e, path + " element " + std::to_string(++k));
      }
      return {};
    }
    std::string line;
    std::uint64_t number = 0;
    while (!full() && std::getline(in, line)) {
      ++number;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      simdjson::dom::element doc;
      if (auto error = parser.parse(line).get(doc)) {
        bad(path + ":" + std::to_string(number), std::string("not JSON: ") + simdjson::error_message(error));
        continue;
      }
      record(doc, path + ":" + std::to_string(number));
    }
    return {};
  }

  // libcsv callbacks collect one row of cells (null: an empty cell).
  struct CsvState {
    Reader* reader;
    std::vector<std::optional<std::string>> row;
    std::uint64_t line = 0;
    std::string path;
  };
  static void on_field(void* data, std::size_t size, void* state) {
    auto* s = static_cast<CsvState*>(state);
    if (data == nullptr) {
      s->row.emplace_back(std::nullopt);
    } else {
      s->row.emplace_back(std::string(static_cast<const char*>(data), size));
    }
  }
  static void on_row(int, void* state) {
    auto* s = static_cast<CsvState*>(state);
    ++s->line;
    s->reader->csv_row(s->row, s->path + ":" + std::to_string(s->line));
    s->row.clear();
  }
  void csv_row(const std::vector<std::optional<std::string>>& row, const std::string& where) {
    if (columns.empty()) {
      for (const auto& c : row) columns.push_back(c.value_or(""));
      for (const std::string& c : columns) root.child(c);  // header order
      return;
    }
    if (full()) return;
    if (row.size() != columns.size()) {
      bad(where, std::to_string(row.size()) + " cells under a header of " + std::to_string(columns.size()));
      return;
    }
    ++records;
    ++root.present;
    ++root.objects;
    for (std::size_t i = 0; i < row.size(); ++i) {
      Node& c = root.child(columns[i]);
      ++c.present;
      visit_cell(c, row[i] ? &*row[i] : nullptr);
    }
  }

  // Every input in turn, until `limit` records: `.csv` (or kCsv) as CSV, else JSON.
  Status read(const std::vector<std::string>& paths, InputFormat format) {
    for (const std::string& path : paths) {
      const bool csv = format == InputFormat::kCsv || (format == InputFormat::kAuto && path.size() > 4 &&
                                                       lower(path.substr(path.size() - 4)) == ".csv");
      if (csv && records > 0 && !root.children.empty() && columns.empty()) {
        return Status(StatusCode::kInvalidArgument, "'" + path + "': CSV and JSON inputs cannot be mixed");
      }
      if (std::FILE* file = std::fopen(path.c_str(), "rb")) {
        const std::string binary = binary_table_format(file);
        std::fclose(file);
        if (!binary.empty()) return Status(StatusCode::kInvalidArgument, binary_table_message(path, binary));
      }
      Status st = csv ? read_csv(path) : read_json(path);
      if (!st.ok()) return st;
      if (full()) break;
    }
    return {};
  }

  Status read_csv(const std::string& path) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) return Status(StatusCode::kIoError, "cannot read '" + path + "'");
    csv_parser parser;
    csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL);
    CsvState state{this, {}, 0, path};
    columns.clear();
    char buffer[1 << 16];
    std::size_t n = 0;
    Status status;
    while (!full() && (n = std::fread(buffer, 1, sizeof buffer, file)) > 0) {
      if (csv_parse(&parser, buffer, n, on_field, on_row, &state) != n) {
        status = Status(StatusCode::kInvalidData,
                        path + ":" + std::to_string(state.line + 1) + ": " + csv_strerror(csv_error(&parser)));
        break;
      }
    }
    if (status.ok()) csv_fini(&parser, on_field, on_row, &state);
    csv_free(&parser);
    std::fclose(file);
    return status;
  }
};

// ---- writing ---------------------------------------------------------------

inline std::string number_text(double x) {
  if (x == std::floor(x) && std::fabs(x) < 1e15) return std::to_string(static_cast<long long>(x));
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, x);
  return std::string(buffer, end);
}

// `x` with `decimals` digits, checked to still hold `observed` on its side
// once read back (falls back to the shortest exact text of `observed`).
inline std::string fixed_text(double x, int decimals, double observed, bool lower) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, x);
  const double back = std::strtod(buffer, nullptr);
  if (lower ? back <= observed : back >= observed) return buffer;
  return number_text(observed);
}

inline std::string int_text(Wide v) {
  if (v == 0) return "0";
  const bool negative = v < 0;
  std::string digits;
  for (; v != 0; v /= 10) digits += static_cast<char>('0' + static_cast<int>(negative ? -(v % 10) : v % 10));
  if (negative) digits += '-';
  return std::string(digits.rbegin(), digits.rend());
}

inline std::string with_commas(std::uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

inline std::string yaml_quoted(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

inline bool plain_key(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}
inline std::string key_text(std::string_view s) { return plain_key(s) ? std::string(s) : yaml_quoted(s); }

inline bool id_like(std::string_view name) {
  const std::string n = lower(name);
  auto ends = [&](std::string_view suffix) {
    return n.size() >= suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return n == "id" || ends("_id") || ends("id") || ends("uuid") || ends("guid") || ends("_key") || ends("sha") ||
         ends("hash");
}

// Why a field looks like personal data, or "".
inline std::string pii_reason(std::string_view name, const Node& n) {
  const std::string k = lower(name);
  if (n.strings > 0 && n.email) return "every value is an email address";
  if (n.strings > 0 && n.ipv4) return "every value is an IP address";
  if (n.strings > 0 && n.phone) return "every value looks like a phone number";
  // Names repeat little; city or product names in events repeat a lot.
  const bool mostly_distinct = n.values_overflow || n.values.size() * 2 >= n.strings;
  if (n.strings > 0 && n.person_name && mostly_distinct) {
    return "every value looks like a person's name (capitalised words, mostly distinct)";
  }
  static const std::vector<std::string> kNames = {
      "email",     "e_mail",   "phone",   "mobile",  "ip_address", "ipaddress", "first_name", "last_name", "full_name",
      "firstname", "lastname", "surname", "address", "street",     "birth",     "dob",        "ssn",       "passport"};
  for (const std::string& w : kNames) {
    if (k.find(w) != std::string::npos) return "the name '" + std::string(name) + "' suggests personal data";
  }
  if (k == "name" || k == "ip" || k == "user_name" || k == "username" || k == "login") {
    return "the name '" + std::string(name) + "' suggests personal data";
  }
  return "";
}

struct Settings {
  double range_slack;       // share of the observed span added on each side
  double length_slack;      // share of the observed lengths
  std::size_t max_enum;     // most distinct values an enum may have
  std::uint64_t per_value;  // records per distinct value an enum needs
  bool patterns;            // state string shapes
  bool reject_extra;        // additional_fields: reject when every record has the same keys
  double row_band;          // row_count within [rows / band, rows * band]
  // Fewer values than this say too little about a field's range, lengths or
  // set of values: only what small samples show reliably (a sign) is stated.
  std::uint64_t min_values;
};

inline Settings settings_for(Strictness s) {
  switch (s) {
    case Strictness::kLoose: return {0.5, 1.0, 10, 20, false, false, 100, 1000};
    case Strictness::kStrict: return {0.0, 0.0, 50, 5, true, true, 2, 20};
    default: return {0.1, 0.5, 20, 10, true, true, 10, 200};
  }
}

struct Writer {
  const Settings& s;
  std::uint64_t records;
  std::string out;
  std::vector<std::string> notes;                          // dataset-level lines (expectations)
  std::vector<std::pair<std::string, std::string>> drift;  // field, method
  std::vector<std::string> unique_fields;
  bool never_required = false;  // declarations added to an existing contract stay optional

  static std::string pad(int depth) { return std::string(static_cast<std::size_t>(depth) * 2, ' '); }

  // One field's declaration lines at `depth`; `parent` objects held it
  // `parent_objects` times. `path`: its dotted path ("" inside arrays: not
  // profiled, so no dataset checks).
  void field(const Node& n, int depth, std::uint64_t parent_objects, const std::string& path) {
    out += pad(depth) + key_text(n.name) + ":\n";
    declaration(n, depth + 1, parent_objects, path);
  }

  void declaration(const Node& n, int depth, std::uint64_t parent_objects, const std::string& path) {
    const std::string p = pad(depth);
    std::vector<std::string> kinds;
    if (n.booleans) kinds.push_back("boolean");
    if (n.integers && !n.numbers) kinds.push_back("integer");
    if (n.numbers) kinds.push_back("number");
    if (n.strings) kinds.push_back("string");
    if (n.objects) kinds.push_back("object");
    if (n.arrays) kinds.push_back("array");
    const std::uint64_t values = n.present - n.nulls;
    // evidence of the type
    std::string mix;
    auto add_mix = [&](std::uint64_t k, const char* what) {
      if (k) mix += (mix.empty() ? "" : ", ") + with_commas(k) + " " + what;
    };
    add_mix(n.booleans, "booleans");
    add_mix(n.integers, "integers");
    add_mix(n.numbers, "numbers");
    add_mix(n.strings, "strings");
    add_mix(n.objects, "objects");
    add_mix(n.arrays, "arrays");
    add_mix(n.nulls, "nulls");
    std::string type;
    bool timestamp = false, date = false, csv_time = false;
    if (kinds.empty()) {
      out += p + "type: any  # only nulls seen (" + with_commas(n.nulls) + ")\n";
      return;
    }
    if (kinds.size() == 1 && kinds[0] == "string") {
      if (n.date_time)
        timestamp = true;
      else if (n.date)
        date = true;
      else if (n.csv_time)
        csv_time = true;
    }
    const bool mixed = kinds.size() > 1;
    if (mixed && (n.objects || n.arrays)) {
      out += p + "type: any  # the type varies: " + mix + "\n";
      requirement(n, p, parent_objects);
      return;
    }
    type = timestamp || csv_time ? "timestamp" : date ? "date" : kinds[0];
    std::string type_text = type;
    if (mixed) {
      type_text.clear();
      for (const std::string& k : kinds) type_text += (type_text.empty() ? "" : ", ") + k;
    }
    if (mixed || n.nulls) type_text = "[" + type_text + (n.nulls ? ", null]" : "]");
    out += p + "type: " + type_text + "  # " + mix + "\n";
    requirement(n, p, parent_objects);
    if (mixed) return;  // a union states no value checks: each alternative would need its own evidence
    if (timestamp) {
      out += p + "# RFC 3339 times; a time without an offset is read as UTC\n";
    } else if (csv_time) {
      out += p + "format: '" + std::string(kCsvTimeLayout) + "'\n";
      out += p + "# no zone in the data: set timezone: (UTC is assumed)\n";
    }
    if (type == "integer" || type == "number") numbers(n, p, type == "integer", path);
    if (type == "string") strings(n, p, path);
    if (type == "boolean") out += p + "# " + value_list(n) + "\n";
    if (type == "object") object(n, depth, path, !path.empty());
    if (type == "array") array(n, depth);
    const std::string why = type == "object" || type == "array" ? "" : pii_reason(n.name, n);
    if (!why.empty()) out += p + "pii: true  # " + why + ": the owner confirms and classifies it\n";
    if (!path.empty() && values > 0 && values < parent_objects && type != "object" && type != "array") {
      // As profiles count it: absent or null, of the objects that could hold the field.
      const double rate = static_cast<double>(parent_objects - values) / static_cast<double>(parent_objects);
      const double max = std::ceil((rate * 1.5 + 0.01) * 1000) / 1000;
      if (max < 1)
        notes.push_back("{name: " + key_text(path + "_nulls") + ", metric: null_rate, field: " + key_text(path) +
                        ", max: " + number_text(std::round(max * 1000) / 1000) + "}  # " +
                        number_text(std::round(rate * 10000) / 100) + "% null in the sample");
    }
  }

  void requirement(const Node& n, const std::string& p, std::uint64_t parent_objects) {
    if (n.present == parent_objects && n.nulls == 0 && !never_required) {
      out += p + "required: true  # in every " + (parent_objects == records ? "record" : "parent object") + "\n";
    } else if (n.present < parent_objects) {
      out += p + "# optional: in " + with_commas(n.present) + " of " + with_commas(parent_objects) + "\n";
    }
  }

  std::string value_list(const Node& n) const {
    std::string v;
    for (const auto& [value, count] : n.values) v += (v.empty() ? "" : ", ") + value + " ×" + with_commas(count);
    return v;
  }

  bool enum_fits(const Node& n, std::uint64_t values) const {
    return !n.values_overflow && !n.values.empty() && n.values.size() <= s.max_enum &&
           values >= s.per_value * n.values.size() && values >= s.min_values / 2 && !id_like(n.name);
  }

  // A distinct count is stable when the sample saw every value many times
  // (a category past enum size: zones, stores): then the next batch's count
  // stays near it. Stated as a band; ids and rare values give none.
  void distinct_count(const Node& n, std::uint64_t values, const std::string& path) {
    const std::size_t d = n.values.size();
    if (path.empty() || n.values_overflow || d < 2 || values < s.min_values || d * s.per_value > values) return;
    const double factor = s.range_slack >= 0.5 ? 4 : s.range_slack > 0 ? 2 : 1.25;
    const auto lo = static_cast<std::uint64_t>(std::floor(static_cast<double>(d) / factor));
    const auto hi = static_cast<std::uint64_t>(std::ceil(static_cast<double>(d) * factor));
    notes.push_back("{name: " + key_text(path + "_distinct") + ", metric: distinct_count, field: " + key_text(path) +
                    ", between: [" + std::to_string(std::max<std::uint64_t>(lo, 1)) + ", " + std::to_string(hi) +
                    "]}  # " + std::to_string(d) + " distinct in the sample, each seen " + std::to_string(values / d) +
                    " times on average");
  }

  void numbers(const Node& n, const std::string& p, bool integer, const std::string& path) {
    const std::uint64_t values = n.integers + n.numbers;
    if (integer && enum_fits(n, values)) {
      std::vector<long long> vs;
      for (const auto& [text, count] : n.values) vs.push_back(std::stoll(text));
      std::sort(vs.begin(), vs.end());
      std::string list;
      for (long long v : vs) list += (list.empty() ? "" : ", ") + std::to_string(v);
      out += p + "enum: [" + list + "]  # " + std::to_string(vs.size()) + " distinct of " + with_commas(values) +
             " (an enum: at most " + std::to_string(s.max_enum) + " values, each seen " + std::to_string(s.per_value) +
             "+ times on average)\n";
      if (!path.empty()) drift.emplace_back(path, "linf");
      return;
    }
    if (!path.empty() && n.max > n.min) drift.emplace_back(path, "psi");
    if (integer) distinct_count(n, values, path);
    // An id-like name whose values never repeat is a growing id; repeated ones are codes (zones, vendors).
    if (values < s.min_values || (integer && id_like(n.name) && !n.repeated)) {
      // A small sample's extremes (or an id's, which grow) are no bound; its sign is.
      const std::string observed = integer ? int_text(n.int_min) + " .. " + int_text(n.int_max)
                                           : number_text(n.min) + " .. " + number_text(n.max);
      const std::string why = values < s.min_values ? std::to_string(values) + " values are too few to bound it"
                                                    : "ids grow, so no upper bound";
      if (n.min >= 0) {
        out += p + "min: 0  # never negative; observed " + observed + " (" + why + ")\n";
      } else {
        out += p + "# observed " + observed + " (" + why + ")\n";
      }
      return;
    }
    if (integer) {  // exact, whatever the magnitude
      const Wide span = n.int_max - n.int_min;
      const auto slack = static_cast<Wide>(std::ceil(static_cast<double>(span) * s.range_slack));
      Wide lo = n.int_min - slack, hi = n.int_max + slack;
      if (n.int_min >= 0 && lo < 0) lo = 0;  // a non-negative quantity stays non-negative
      out += p + "min: " + int_text(lo) + "\n";
      out += p + "max: " + int_text(hi) + "  # observed " + int_text(n.int_min) + " .. " + int_text(n.int_max) +
             (s.range_slack > 0 ? ", widened by " + number_text(s.range_slack * 100) + "% of the span" : "") + "\n";
      return;
    }
    const double span = n.max - n.min;
    double lo = n.min - span * s.range_slack, hi = n.max + span * s.range_slack;
    if (n.min >= 0 && lo < 0) lo = 0;  // a non-negative quantity stays non-negative
    // Bounds rounded outward to three significant digits of the span (or to
    // whole numbers for integers), so they read as numbers a person would write.
    int decimals = 0;
    if (!integer && span > 0) {
      decimals = std::max(0, 2 - static_cast<int>(std::floor(std::log10(span))));
      decimals = std::min(decimals, 6);
    }
    const double step = std::pow(10.0, -decimals);
    lo = std::floor(lo / step) * step;
    hi = std::ceil(hi / step) * step;
    if (lo > n.min) lo -= step;  // rounding in binary must not cut an observed value off
    if (hi < n.max) hi += step;
    out += p + "min: " + fixed_text(lo, decimals, n.min, true) + "\n";
    out += p + "max: " + fixed_text(hi, decimals, n.max, false) + "  # observed " + number_text(n.min) + " .. " +
           number_text(n.max) +
           (s.range_slack > 0 ? ", widened by " + number_text(s.range_slack * 100) + "% of the span" : "") + "\n";
  }

  void strings(const Node& n, const std::string& p, const std::string& path) {
    const std::uint64_t values = n.strings;
    if (n.date_time || n.date || n.csv_time) return;
    const std::string distinct = n.values_overflow ? "over " + with_commas(kMaxValues) : with_commas(n.values.size());
    if (enum_fits(n, values)) {
      std::string list;
      for (const auto& [value, count] : n.values) list += (list.empty() ? "" : ", ") + yaml_quoted(value);
      out += p + "enum: [" + list + "]  # " + distinct + " distinct of " + with_commas(values) + "\n";
      if (!path.empty()) drift.emplace_back(path, "linf");
      return;
    }
    distinct_count(n, values, path);
    const char* format = n.email ? "email" : n.uuid ? "uuid" : n.ipv4 ? "ipv4" : n.uri ? "uri" : nullptr;
    if (format) {
      out += p + "format: " + format + "  # every value is one\n";
    } else if (s.patterns && !n.shape_broken && values >= 20) {
      const std::string pattern = pattern_of(n.shape);
      if (!pattern.empty()) {
        out += p + "pattern: " + yaml_quoted(pattern) + "  # the shape of every value\n";
      }
    }
    if (values < s.min_values) {
      out += p + "# " + std::to_string(n.min_length) + " .. " + std::to_string(n.max_length) + " characters; " +
             distinct + " distinct of " + with_commas(values) + " (too few values to bound the length)\n";
      if (!path.empty() && id_like(n.name) && !n.repeated && !n.distinct_overflow && values >= 2 && n.nulls == 0) {
        unique_fields.push_back(path);
      }
      return;
    }
    const auto lo =
        static_cast<std::uint64_t>(std::floor(static_cast<double>(n.min_length) * (1 - std::min(1.0, s.length_slack))));
    const auto hi = static_cast<std::uint64_t>(std::ceil(static_cast<double>(n.max_length) * (1 + s.length_slack)));
    if (lo > 0) out += p + "min_length: " + std::to_string(lo) + "\n";
    out += p + "max_length: " + std::to_string(std::max<std::uint64_t>(hi, 1)) + "  # observed " +
           std::to_string(n.min_length) + " .. " + std::to_string(n.max_length) + " characters; " + distinct +
           " distinct of " + with_commas(values) + "\n";
    if (!path.empty() && id_like(n.name) && !n.repeated && !n.distinct_overflow && values >= 2 && n.nulls == 0) {
      unique_fields.push_back(path);
    }
  }

  // An object's additional_fields and fields; `depth` 0 is the record itself.
  // `path` is the object's profiled path ("" for the record); `profiled`
  // false inside arrays, where fields get no dataset checks.
  void object(const Node& n, int depth, const std::string& path, bool profiled) {
    const std::string p = pad(depth);
    const char* what = depth == 0 ? "record" : "object";
    bool same_keys = true;
    for (const auto& c : n.children) same_keys = same_keys && c->present == n.objects;
    if (same_keys && s.reject_extra && !n.children.empty()) {
      out += p + "additional_fields: reject  # every " + what + " had the same " + std::to_string(n.children.size()) +
             " keys\n";
    } else if (!same_keys) {
      out += p + "# additional_fields stays allow: the keys vary between " + what + "s\n";
    }
    if (n.children.empty()) {
      if (depth == 0) out += "fields: {}  # no record had a key\n";  // a contract always declares its fields
      return;
    }
    out += p + "fields:\n";
    for (const auto& c : n.children) {
      field(*c, depth + 1, n.objects, !profiled ? "" : path.empty() ? c->name : path + "." + c->name);
    }
  }

  void array(const Node& n, int depth) {
    const std::string p = pad(depth);
    out += p + "# " + with_commas(n.arrays) + " arrays of " + std::to_string(n.min_items) + " .. " +
           std::to_string(n.max_items) + " items\n";
    if (!n.items || n.items->present == 0) return;
    out += p + "items:\n";
    declaration(*n.items, depth + 1, n.items->present, "");
  }
};

}  // namespace dq::inferring
