// A Profile: its fields, merging, and its JSON form and files
// (schemas/profile.schema.json).
#include "dq/profile.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <type_traits>

namespace dq {

// ---- Profile -------------------------------------------------------------

const FieldProfile* Profile::field(std::string_view path) const {
  for (const FieldProfile& f : fields) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

Status Profile::merge(const Profile& other) {
  if (other.fields.size() != fields.size()) {
    return Status(StatusCode::kInvalidArgument, "profiles of different fields cannot merge (" +
                                                    std::to_string(fields.size()) + " vs " +
                                                    std::to_string(other.fields.size()) + " fields)");
  }
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].path != other.fields[i].path || fields[i].type != other.fields[i].type) {
      return Status(StatusCode::kInvalidArgument, "profiles of different fields cannot merge ('" + fields[i].path +
                                                      "' vs '" + other.fields[i].path + "')");
    }
  }
  if (dataset.empty()) dataset = other.dataset, version = other.version;
  rows += other.rows;
  max_values = std::min(max_values, other.max_values);
  for (std::size_t i = 0; i < fields.size(); ++i) fields[i].merge(other.fields[i], max_values);
  return {};
}

namespace {

using nlohmann::json;

const char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(const std::vector<std::uint8_t>& bytes) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t n = static_cast<std::uint32_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<std::uint32_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= bytes[i + 2];
    out += kBase64[(n >> 18) & 63];
    out += kBase64[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kBase64[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kBase64[n & 63] : '=';
  }
  return out;
}

bool unbase64(std::string_view text, std::vector<std::uint8_t>& out) {
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    const char* p = std::strchr(kBase64, c);
    if (p == nullptr || c == '\0') return false;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(p - kBase64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((buffer >> bits) & 0xFF));
    }
  }
  return true;
}

// Canonical: without the empty buckets a store may hold at either end.
json store_json(const ValueSketch::Store& s) {
  std::size_t begin = 0, end = s.counts.size();
  while (begin < end && s.counts[begin] == 0) ++begin;
  while (end > begin && s.counts[end - 1] == 0) --end;
  if (begin == end) return json::array();
  return json::array({s.first + static_cast<std::int64_t>(begin),
                      std::vector<std::uint64_t>(s.counts.begin() + static_cast<std::ptrdiff_t>(begin),
                                                 s.counts.begin() + static_cast<std::ptrdiff_t>(end))});
}

// A reading failure names the field and what is wrong.
struct BadProfile {
  std::string why;
};

template <class T>
T get(const json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end()) throw BadProfile{where + ": missing '" + key + "'"};
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    // nlohmann converts a float to an integer with a plain cast, undefined past
    // the integer's range: a count must be written as an integer.
    const bool negative = it->is_number_integer() && !it->is_number_unsigned() && it->template get<std::int64_t>() < 0;
    if (!it->is_number_integer() || (std::is_unsigned_v<T> && negative)) {
      throw BadProfile{where + ": '" + key + "' must be a whole number"};
    }
  }
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    throw BadProfile{where + ": '" + key + "' has the wrong type"};
  }
}

ValueSketch::Store read_store(const json& j, const std::string& where) {
  ValueSketch::Store s;
  if (!j.is_array() || (j.size() != 0 && j.size() != 2)) throw BadProfile{where + ": a store is [first_key, [counts]]"};
  if (j.empty()) return s;
  if (!j[0].is_number_integer() || !j[1].is_array()) throw BadProfile{where + ": a store is [first_key, [counts]]"};
  s.first = j[0].get<std::int64_t>();
  if (s.first < 0 || s.first > (std::int64_t{1} << 17)) throw BadProfile{where + ": bucket key out of range"};
  if (j[1].size() > 6016 * 2) throw BadProfile{where + ": too many buckets"};
  for (const json& c : j[1]) {
    if (!c.is_number_unsigned() && !(c.is_number_integer() && c.get<std::int64_t>() >= 0)) {
      throw BadProfile{where + ": bucket counts must be non-negative integers"};
    }
    s.counts.push_back(c.get<std::uint64_t>());
  }
  return s;
}

json number_or_null(double x, bool present) { return present ? json(x) : json(nullptr); }

}  // namespace

std::string Profile::to_json(int indent) const {
  json out;
  out["dq_profile"] = kFormatVersion;
  out["dataset"] = dataset;
  out["version"] = version;
  out["rows"] = rows;
  out["max_values"] = max_values;
  json list = json::array();
  for (const FieldProfile& f : fields) {
    json j = {{"path", f.path},   {"type", f.type},       {"count", f.count},
              {"nulls", f.nulls}, {"invalid", f.invalid}, {"values", f.values}};
    const bool has = f.values > 0;
    if (f.numeric() || f.temporal()) {
      j["min"] = number_or_null(f.min, has);
      j["max"] = number_or_null(f.max, has);
      j["mean"] = number_or_null(f.mean, has);
      j["m2"] = f.m2;
    }
    if (f.numeric()) {
      j["sketch"] = {{"zero", f.sketch.zero_count()},
                     {"positive", store_json(f.sketch.positive())},
                     {"negative", store_json(f.sketch.negative())}};
      // Readable summaries, recomputed from the sketch when read back.
      j["quantiles"] = json::object();
      if (has) {
        for (double q : {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99}) {
          char key[16];
          std::snprintf(key, sizeof key, "p%g", q * 100);
          j["quantiles"][key] = f.quantile(q);
        }
      }
      // The values themselves while there are few enough: exact quantiles
      // survive a round trip (Beam workers, windows, saved baselines).
      // Sorted (the profile of a whole equals the merge of its parts, whatever
      // their order), as base64 of little-endian binary64: exact and compact.
      if (!f.exact_overflow && f.exact_values.size() == f.values) {
        std::vector<double> sorted = f.exact_values;
        std::sort(sorted.begin(), sorted.end());
        std::vector<std::uint8_t> bytes(sorted.size() * sizeof(double));
        if (!sorted.empty()) std::memcpy(bytes.data(), sorted.data(), bytes.size());
        j["exact_values"] = base64(bytes);
      }
    }
    if (f.categorical()) {
      j["values_overflow"] = f.values_overflow;
      j["value_counts"] = json(std::map<std::string, std::uint64_t>(f.value_counts.begin(), f.value_counts.end()));
    }
    if (f.type == "string") {
      j["lengths"] = {{"min", f.min_length}, {"max", f.max_length}, {"total", f.total_length}};
    }
    if (f.numeric() || f.categorical()) {
      j["distinct"] = {{"estimate", std::round(f.distinct.estimate())}, {"registers", base64(f.distinct.registers())}};
    }
    list.push_back(std::move(j));
  }
  out["fields"] = std::move(list);
  return out.dump(indent);
}

Result<Profile> Profile::from_json(std::string_view text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number past binary64
    return Status(StatusCode::kInvalidData, std::string("profile is not JSON: ") + e.what());
  }
  try {
    if (!j.is_object() || !j.contains("dq_profile")) throw BadProfile{"not a dq profile (no 'dq_profile' key)"};
    if (get<int>(j, "dq_profile", "profile") != kFormatVersion) {
      throw BadProfile{"profile format version " + j["dq_profile"].dump() + " is not supported (expected " +
                       std::to_string(kFormatVersion) + ")"};
    }
    Profile p;
    p.dataset = get<std::string>(j, "dataset", "profile");
    p.version = get<std::string>(j, "version", "profile");
    p.rows = get<std::uint64_t>(j, "rows", "profile");
    p.max_values = get<std::size_t>(j, "max_values", "profile");
    const json& list = j.at("fields");
    if (!list.is_array()) throw BadProfile{"profile: 'fields' must be a list"};
    for (const json& fj : list) {
      FieldProfile f;
      f.path = get<std::string>(fj, "path", "field");
      const std::string where = "field '" + f.path + "'";
      f.type = get<std::string>(fj, "type", where);
      f.count = get<std::uint64_t>(fj, "count", where);
      f.nulls = get<std::uint64_t>(fj, "nulls", where);
      f.invalid = get<std::uint64_t>(fj, "invalid", where);
      f.values = get<std::uint64_t>(fj, "values", where);
      if (f.nulls > f.count) throw BadProfile{where + ": nulls exceed count"};
      if (f.numeric() || f.temporal()) {
        if (f.values > 0) {
          f.min = get<double>(fj, "min", where);
          f.max = get<double>(fj, "max", where);
          f.mean = get<double>(fj, "mean", where);
        }
        f.m2 = get<double>(fj, "m2", where);
      }
      if (f.numeric()) {
        const json& s = fj.at("sketch");
        f.sketch = ValueSketch::from_parts(get<std::uint64_t>(s, "zero", where),
                                           read_store(s.at("positive"), where + " sketch"),
                                           read_store(s.at("negative"), where + " sketch"));
        if (f.sketch.count() != f.values) throw BadProfile{where + ": sketch counts do not add up to 'values'"};
        const auto exact = fj.find("exact_values");
        if (exact != fj.end()) {
          std::vector<std::uint8_t> bytes;
          if (!exact->is_string() || !unbase64(exact->get<std::string>(), bytes) ||
              bytes.size() != f.values * sizeof(double) || f.values > FieldProfile::kExactValues) {
            throw BadProfile{where + ": 'exact_values' must hold every one of the 'values' numbers (base64 binary64)"};
          }
          f.exact_values.resize(f.values);
          if (!bytes.empty()) std::memcpy(f.exact_values.data(), bytes.data(), bytes.size());
          for (double x : f.exact_values) {
            if (!std::isfinite(x)) throw BadProfile{where + ": 'exact_values' holds a number that is not finite"};
          }
        } else {
          f.exact_overflow = f.values > 0;  // a profile without them: quantiles from the sketch
        }
      }
      if (f.categorical()) {
        f.values_overflow = get<bool>(fj, "values_overflow", where);
        const auto counts = fj.find("value_counts");
        if (counts == fj.end() || !counts->is_object()) throw BadProfile{where + ": 'value_counts' must be an object"};
        for (auto it = counts->begin(); it != counts->end(); ++it) {
          const json& n = it.value();
          if (!n.is_number_unsigned() && !(n.is_number_integer() && n.get<std::int64_t>() >= 0)) {
            throw BadProfile{where + ": 'value_counts' must map values to whole numbers"};
          }
          f.value_counts.emplace(it.key(), n.get<std::uint64_t>());
        }
      }
      if (f.type == "string") {
        const json& l = fj.at("lengths");
        f.min_length = get<std::uint64_t>(l, "min", where);
        f.max_length = get<std::uint64_t>(l, "max", where);
        f.total_length = get<std::uint64_t>(l, "total", where);
      }
      if (f.numeric() || f.categorical()) {
        std::vector<std::uint8_t> registers;
        if (!unbase64(get<std::string>(fj.at("distinct"), "registers", where), registers)) {
          throw BadProfile{where + ": distinct registers are not base64"};
        }
        auto d = DistinctSketch::from_registers(std::move(registers));
        if (!d.ok()) throw BadProfile{where + ": " + d.status().message()};
        f.distinct = std::move(*d);
      }
      p.fields.push_back(std::move(f));
    }
    return p;
  } catch (const BadProfile& e) {
    return Status(StatusCode::kInvalidData, "invalid profile: " + e.why);
  } catch (const json::exception& e) {
    return Status(StatusCode::kInvalidData, std::string("invalid profile: ") + e.what());
  }
}

Result<Profile> Profile::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::kIoError, "cannot read profile '" + path + "': " + std::strerror(errno));
  std::stringstream buffer;
  buffer << in.rdbuf();
  Result<Profile> p = from_json(buffer.str());
  if (!p.ok()) return Status(p.status().code(), path + ": " + p.status().message());
  return p;
}

Status Profile::save_file(const std::string& path) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status(StatusCode::kIoError, "cannot write profile '" + path + "': " + std::strerror(errno));
  out << to_json(1) << '\n';
  if (!out.flush()) return Status(StatusCode::kIoError, "cannot write profile '" + path + "'");
  return {};
}

}  // namespace dq
