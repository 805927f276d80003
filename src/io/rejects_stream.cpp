#include "io/rejects_stream.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "io/csv_stream.h"

namespace dq {
namespace {

constexpr std::size_t kCsvRows = 4096;  // CSV rows validated together

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else if (c == '=')
      break;
    else
      return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) out += static_cast<char>((bits >> (count -= 8)) & 0xFF);
  }
  return out;
}

class RejectsReader {
 public:
  RejectsReader(Validator& validator, std::FILE* file, const StreamOptions& options, ReportBuilder& report)
      : validator_(validator), file_(file), options_(options), report_(report) {}

  Status run() {
    char* data = nullptr;
    std::size_t capacity = 0;
    std::uint64_t line = 0, offset = 0;
    Status status;
    for (ssize_t n; (n = ::getline(&data, &capacity, file_)) >= 0;) {
      ++line;
      std::string_view text(data, static_cast<std::size_t>(n));
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
      if (!text.empty()) one(text, {++records_, line, offset});
      offset += static_cast<std::uint64_t>(n);
    }
    std::free(data);
    if (std::ferror(file_)) {
      status = Status(StatusCode::kIoError, "cannot read " + options_.source_name + ": " + std::strerror(errno));
    }
    flush_csv();
    return status.ok() ? status_ : status;
  }

 private:
  void one(std::string_view text, const RecordPosition& where) {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    std::optional<std::string> raw;
    if (j.is_object() && j.contains("raw") && j["raw"].is_string()) {
      raw = j["raw"].get<std::string>();
    } else if (j.is_object() && j.contains("raw_base64") && j["raw_base64"].is_string()) {
      raw = base64_decode(j["raw_base64"].get<std::string>());
    }
    if (!raw) {
      flush_csv();
      Verdict malformed;
      malformed.ok = false;
      malformed.malformed = true;
      malformed.error = "not a rejects record (a JSON object with \"raw\" or \"raw_base64\")";
      emit(text, malformed, where);
      return;
    }
    std::string header =
        j.contains("csv_header") && j["csv_header"].is_string() ? j["csv_header"].get<std::string>() : "";
    if (header.empty()) {
      flush_csv();
      emit(*raw, validator_.validate_json(*raw), where);
      return;
    }
    if (header != csv_header_ || csv_positions_.size() == kCsvRows) flush_csv();
    csv_header_ = std::move(header);
    csv_rows_ += *raw;
    csv_rows_ += '\n';
    csv_positions_.push_back(where);
  }

  void emit(std::string_view raw, const Verdict& verdict, const RecordPosition& where) {
    report_.add(verdict, where);
    const RecordEvent event{raw, where, verdict};
    if (!verdict.ok && options_.on_reject) options_.on_reject(event);
    if (verdict.ok && options_.on_accept) options_.on_accept(event);
  }

  // CSV rows gathered under one header, validated as one small CSV input.
  // The first failure is the run's status: rows are never dropped quietly.
  void flush_csv() {
    if (csv_positions_.empty()) return;
    std::string text = csv_header_ + "\n" + csv_rows_;
    Status status;
    if (std::FILE* memory = ::fmemopen(text.data(), text.size(), "r")) {
      status = validate_csv(validator_, memory, options_, report_, &csv_positions_);
      std::fclose(memory);
    } else {
      status = Status(StatusCode::kIoError, std::string("cannot buffer CSV rows: ") + std::strerror(errno));
    }
    csv_rows_.clear();
    csv_positions_.clear();
    if (status_.ok()) status_ = status;
  }

  Validator& validator_;
  std::FILE* file_;
  const StreamOptions& options_;
  ReportBuilder& report_;
  std::uint64_t records_ = 0;
  std::string csv_header_, csv_rows_;
  std::vector<RecordPosition> csv_positions_;
  Status status_;
};

}  // namespace

Status validate_rejects(Validator& validator, std::FILE* file, const StreamOptions& options, ReportBuilder& report) {
  return RejectsReader(validator, file, options, report).run();
}

}  // namespace dq
