// Streams of records in constant memory: a fixed read buffer, records
// validated in place (NDJSON) or copied once (JSON arrays), oversized records
// skipped byte by byte and counted malformed.
#include <simdjson.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "base/file_kind.h"
#include "base/json_string.h"
#include "dq/stream.h"
#include "engine/walk_state.h"
#include "io/csv_stream.h"
#include "io/ndjson_parallel.h"
#include "io/rejects_stream.h"
#include "profile/profiler.h"
#include "report/report_access.h"

namespace dq {
namespace {

constexpr std::size_t kChunk = 1 << 20;
constexpr std::size_t kPadding = 64;  // simdjson reads up to 64 bytes past a record

// How the bytes of an input hold records.
enum class Layout {
  kLines,  // NDJSON: one record per line
  kJson,   // JSON values one after another; the elements of a top-level array are records
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view ends_with_extension(const std::string& path) {
  std::size_t dot = path.rfind('.');
  return dot == std::string::npos ? std::string_view() : std::string_view(path).substr(dot);
}

class StreamValidator {
 public:
  StreamValidator(Validator& validator, std::FILE* file, const StreamOptions& options, ReportBuilder& report)
      : validator_(validator),
        file_(file),
        options_(options),
        report_(report),
        limit_(validator.contract().limits().max_record_bytes) {
    buffer_.resize(kChunk + kPadding);
  }

  Status run() {
    if (!fill()) return io_error();
    skip_bom();
    Layout layout = options_.format == InputFormat::kNdjson      ? Layout::kLines
                    : options_.format == InputFormat::kJsonArray ? Layout::kJson
                                                                 : sniff();
    // Blocks for several threads are cut at '\n': input whose lines end with
    // a lone '\r' is read by one.
    if (layout == Layout::kLines && options_.threads != 1 && !first_break_is_bare_cr()) {
      return validate_ndjson_parallel(validator_, file_, options_, report_,
                                      std::string_view(buffer_.data() + begin_, end_ - begin_), base_offset_ + begin_);
    }
    bool ok = layout == Layout::kLines ? ndjson() : json_values();
    return ok ? Status() : io_error();
  }

 private:
  Status io_error() const {
    return Status(StatusCode::kIoError, "cannot read " + options_.source_name + ": " + std::strerror(errno));
  }

  // Reads more input after the unconsumed bytes [begin_, end_). False on a read error.
  bool fill() {
    if (eof_) return true;
    if (begin_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      base_offset_ += begin_;
      begin_ = 0;
    }
    if (end_ + kPadding >= buffer_.size()) buffer_.resize(std::min(buffer_.size() * 2, limit_ + kChunk) + kPadding);
    std::size_t room = buffer_.size() - kPadding - end_;
    std::size_t n = std::fread(buffer_.data() + end_, 1, room, file_);
    if (n < room) {
      if (std::ferror(file_)) return false;
      eof_ = true;
    }
    end_ += n;
    std::memset(buffer_.data() + end_, 0, kPadding);
    return true;
  }

  bool first_break_is_bare_cr() const {
    const char* end = buffer_.data() + end_;
    const char* brk = line_break(buffer_.data() + begin_, end);
    return brk && line_break_size(brk, end) == 1 && *brk == '\r';
  }

  void skip_bom() {
    if (end_ - begin_ >= 3 && std::memcmp(buffer_.data() + begin_, "\xEF\xBB\xBF", 3) == 0) begin_ += 3;
  }

  Layout sniff() {
    std::string_view ext = ends_with_extension(options_.source_name);
    if (ext == ".ndjson" || ext == ".jsonl") return Layout::kLines;
    std::size_t i = begin_;
    while (i < end_ && is_space(buffer_[i])) ++i;
    if (i < end_ && buffer_[i] == '[') return Layout::kJson;
    // A .json file that is not an array holds JSON values one after another
    // (one object, or several, pretty-printed or not).
    return ext == ".json" ? Layout::kJson : Layout::kLines;
  }

  void emit(std::string_view raw, const Verdict& verdict, std::uint64_t line, std::uint64_t offset) {
    RecordPosition where{++records_, line, offset};
    if (options_.on_progress && records_ % options_.progress_every == 0) {
      options_.on_progress(records_, base_offset_ + begin_);
    }
    report_.add(verdict, where);
    if (!verdict.ok && options_.on_reject) options_.on_reject(RecordEvent{raw, where, verdict});
    if (verdict.ok && options_.on_accept) options_.on_accept(RecordEvent{raw, where, verdict});
  }

  void emit_malformed(std::string_view raw, std::string why, std::uint64_t line, std::uint64_t offset) {
    malformed_.ok = false;
    malformed_.malformed = true;
    malformed_.error = std::move(why);
    malformed_.error_offset = 0;
    emit(raw, malformed_, line, offset);
  }

  std::string too_large(std::uint64_t bytes) const { return too_large_message(bytes, limit_); }

  bool ndjson() {
    std::uint64_t line = 0;
    while (true) {
      const char* start = buffer_.data() + begin_;
      const char* end = buffer_.data() + end_;
      const char* brk = line_break(start, end);
      if (brk && *brk == '\r' && brk + 1 == end && !eof_) brk = nullptr;  // a "\r\n" may be cut here: read on
      if (!brk) {
        if (eof_) {
          if (begin_ < end_) one_line(buffer_.data() + begin_, end_ - begin_, ++line);
          return true;
        }
        if (end_ - begin_ > limit_) {  // a line too long to hold: skip to its end
          if (!discard_line(++line)) return false;
          continue;
        }
        if (!fill()) return false;
        continue;
      }
      one_line(buffer_.data() + begin_, static_cast<std::size_t>(brk - start), ++line);
      begin_ = static_cast<std::size_t>(brk - buffer_.data()) + line_break_size(brk, end);
    }
  }

  void one_line(const char* start, std::size_t length, std::uint64_t line) {
    std::string_view record = trimmed_record(start, length);
    if (record.empty()) return;  // blank lines are not records
    std::uint64_t offset = base_offset_ + static_cast<std::uint64_t>(record.data() - buffer_.data());
    std::size_t capacity = static_cast<std::size_t>(buffer_.data() + buffer_.size() - record.data());
    emit(shown_raw(record, limit_), validator_.validate_json_padded(record, capacity), line, offset);
  }

  bool discard_line(std::uint64_t line) {
    std::uint64_t offset = base_offset_ + begin_;
    std::uint64_t skipped = 0;
    std::string head(buffer_.data() + begin_, std::min<std::size_t>(end_ - begin_, 256));
    while (true) {
      const char* start = buffer_.data() + begin_;
      const char* end = buffer_.data() + end_;
      const char* brk = line_break(start, end);
      if (brk) {
        skipped += static_cast<std::uint64_t>(brk - start);
        begin_ = static_cast<std::size_t>(brk - buffer_.data()) + line_break_size(brk, end);
        break;
      }
      skipped += end_ - begin_;
      begin_ = end_;
      if (eof_) break;
      if (!fill()) return false;
    }
    emit_malformed(head, too_large(skipped), line, offset);
    return true;
  }

  // JSON input: a sequence of top-level values separated by whitespace. A
  // top-level array holds records (its elements); any other top-level value
  // is a record itself. Values are split by tracking strings and nesting, and
  // each one is validated by the parser; a broken separator (a missing,
  // lone, doubled or trailing comma, a stray bracket) is a malformed entry of
  // its own at its position, so records are never joined, split or dropped.
  bool json_values() {
    enum class Expect { kTopValue, kFirstElement, kElement, kSeparator };
    Expect expect = Expect::kTopValue;
    std::uint64_t line = 1;
    char previous = 0;
    std::string element, broken;  // broken: why the element is malformed though it parses
    std::uint64_t element_line = 0, element_offset = 0, element_bytes = 0;
    int depth = 0;
    bool in_string = false, escaped = false, oversized = false, scalar = false;
    auto finish_element = [&] {
      if (oversized) {
        emit_malformed(element.substr(0, 256), too_large(element_bytes), element_line, element_offset);
      } else if (!broken.empty()) {
        emit_malformed(element, std::move(broken), element_line, element_offset);
      } else {
        emit(element, validator_.validate_json(element), element_line, element_offset);
      }
      element.clear();
      broken.clear();
      element_bytes = 0;
      oversized = scalar = false;
      expect = expect == Expect::kTopValue ? Expect::kTopValue : Expect::kSeparator;
    };
    auto is_delimiter = [](char c) {
      return is_space(c) || c == ',' || c == ']' || c == '}' || c == '[' || c == '{' || c == '"' || c == ':';
    };
    while (true) {
      if (begin_ == end_) {
        if (eof_) break;
        if (!fill()) return false;
        continue;
      }
      const char c = buffer_[begin_];
      const std::uint64_t offset = base_offset_ + begin_;
      if (element_bytes > 0 && scalar && is_delimiter(c)) {
        finish_element();  // a number or literal ends where a delimiter starts: read it again
        continue;
      }
      ++begin_;
      if (c == '\r' || (c == '\n' && previous != '\r')) ++line;
      previous = c;
      if (element_bytes == 0) {  // between values: a separator, a bracket, or a value's first byte
        if (is_space(c)) continue;
        auto stray = [&](std::string why) {
          emit_malformed(std::string_view(&buffer_[begin_ - 1], 1), std::move(why), line, offset);
        };
        switch (expect) {
          case Expect::kTopValue:
            if (c == '[') {
              expect = Expect::kFirstElement;
              continue;
            }
            if (c == ',' || c == ']' || c == '}' || c == ':') {
              stray(std::string("unexpected '") + c + "' between top-level values");
              continue;
            }
            break;
          case Expect::kFirstElement:
          case Expect::kElement:
            if (c == ']') {
              if (expect == Expect::kElement) stray("a ',' must be followed by an array element, not ']'");
              expect = Expect::kTopValue;
              continue;
            }
            if (c == ',') {
              stray(expect == Expect::kFirstElement ? "an array element is missing before ','"
                                                    : "an array element is missing between two ','");
              continue;
            }
            if (c == '}' || c == ':') {
              stray(std::string("unexpected '") + c + "' where an array element should start");
              continue;
            }
            expect = Expect::kSeparator;
            break;
          case Expect::kSeparator:
            if (c == ',') {
              expect = Expect::kElement;
              continue;
            }
            if (c == ']') {
              expect = Expect::kTopValue;
              continue;
            }
            if (c == '}' || c == ':') {
              stray(std::string("unexpected '") + c + "' after an array element");
              continue;
            }
            broken = "a ',' is missing before this array element";
            break;
        }
        element_line = line, element_offset = offset;
        scalar = c != '{' && c != '[' && c != '"';
      }
      // Inside a value.
      if (in_string) {
        if (escaped)
          escaped = false;
        else if (c == '\\')
          escaped = true;
        else if (c == '"')
          in_string = false;
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if ((c == '}' || c == ']') && depth > 0) {
        --depth;
      }
      ++element_bytes;
      if (!oversized) {
        if (element_bytes > limit_) {
          oversized = true;
          element.resize(256);
        } else {
          element += c;
        }
      }
      if (!scalar && depth == 0 && !in_string) finish_element();  // a whole container or string
    }
    if (element_bytes > 0) {
      finish_element();  // the parser's error names how it is cut
    } else if (expect != Expect::kTopValue) {
      emit_malformed({}, "the input ended before the array was closed with ']'", line, base_offset_ + end_);
    }
    return true;
  }

  Validator& validator_;
  std::FILE* file_;
  const StreamOptions& options_;
  ReportBuilder& report_;
  std::size_t limit_;
  std::string buffer_;
  std::size_t begin_ = 0, end_ = 0;
  std::uint64_t base_offset_ = 0;  // input offset of buffer_[0]
  bool eof_ = false;
  std::uint64_t records_ = 0;
  Verdict malformed_;
};

}  // namespace

namespace {

// A JSON string as nlohmann::json's dump writes it with invalid UTF-8
// replaced (the rejects file's form since it was first written). Valid text,
// nearly every reject's, is written here; other text is left to nlohmann,
// whose replacement of broken sequences is the reference.
void append_reject_string(std::string& out, std::string_view s) {
  if (!simdjson::validate_utf8(s.data(), s.size())) {
    out += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  append_json_string(out, s, BackspaceFormFeed::kShortEscapes);
}

void append_field(std::string& out, std::string_view name, std::string_view text) {
  out += '"';
  out += name;
  out += "\":";
  append_reject_string(out, text);
}

void append_field(std::string& out, std::string_view name, std::uint64_t number) {
  out += '"';
  out += name;
  out += "\":";
  out += std::to_string(number);
}

}  // namespace

std::string reject_line(const RecordEvent& event, const std::string& source) {
  std::string line;
  line.reserve(event.raw.size() + 256);
  line += '{';
  append_field(line, "source", source);
  line += ',';
  append_field(line, "record", event.where.record);
  line += ',';
  append_field(line, "line", event.where.line);
  line += ',';
  append_field(line, "offset", event.where.offset);
  if (!event.csv_header.empty()) {
    line += ',';
    append_field(line, "csv_header", event.csv_header);
  }
  line += ',';
  if (simdjson::validate_utf8(event.raw.data(), event.raw.size())) {
    line += "\"raw\":";
    append_json_string(line, event.raw, BackspaceFormFeed::kShortEscapes);  // UTF-8: checked once
  } else {
    static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string encoded;
    std::uint32_t bits = 0;
    int count = 0;
    for (unsigned char c : event.raw) {
      bits = (bits << 8) | c;
      count += 8;
      while (count >= 6) encoded += kAlphabet[(bits >> (count -= 6)) & 63];
    }
    if (count > 0) encoded += kAlphabet[(bits << (6 - count)) & 63];
    while (encoded.size() % 4) encoded += '=';
    append_field(line, "raw_base64", encoded);
  }
  const Verdict& v = event.verdict;
  if (v.malformed) {
    line += ",\"malformed\":{";
    append_field(line, "message", v.error);
    line += ',';
    append_field(line, "offset", event.where.offset + v.error_offset);
    line += '}';
  }
  line += ",\"violations\":[";
  for (std::size_t i = 0; i < v.violations.size(); ++i) {
    const Violation& violation = v.violations[i];
    line += i == 0 ? "{" : ",{";
    append_field(line, "path", violation.path);
    line += ',';
    append_field(line, "rule", violation.rule);
    line += ',';
    append_field(line, "severity", violation.severity == Severity::kError ? "error" : "warn");
    line += ',';
    append_field(line, "message", violation.message);
    line += ',';
    append_field(line, "value", violation.value);
    line += '}';
  }
  line += "]}";
  return line;
}

Status validate_stream(Validator& validator, std::FILE* file, const StreamOptions& options, ReportBuilder& report) {
  SinkScope profiling(validator, ReportAccess::profiler(report));
  const std::string binary = binary_table_format(file);
  if (!binary.empty()) return Status(StatusCode::kInvalidArgument, binary_table_message(options.source_name, binary));
  if (options.format == InputFormat::kRejects) return validate_rejects(validator, file, options, report);
  if (options.format == InputFormat::kCsv ||
      (options.format == InputFormat::kAuto && ends_with_extension(options.source_name) == ".csv")) {
    return validate_csv(validator, file, options, report);
  }
  return StreamValidator(validator, file, options, report).run();
}

void validate_records(Validator& validator, const std::vector<std::string_view>& records, ReportBuilder& report,
                      const std::function<void(const RecordEvent&)>& on_record) {
  SinkScope profiling(validator, ReportAccess::profiler(report));
  std::uint64_t number = report.counts().total;
  for (std::string_view raw : records) {
    const Verdict& verdict = validator.validate_json(raw);
    const RecordEvent event{raw, RecordPosition{++number, 0, 0}, verdict};
    report.add(verdict, event.where);
    if (on_record) on_record(event);
  }
}

Result<Report> validate_file(const Contract& contract, const std::string& path, const StreamOptions& options) {
  StreamOptions opts = options;
  if (opts.source_name.empty()) opts.source_name = path == "-" ? "<stdin>" : path;
  std::FILE* file = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!file) return Status(StatusCode::kIoError, "cannot open " + path + ": " + std::strerror(errno));
  Validator validator(contract);
  ReportBuilder report(contract, opts.report);
  Status status = validate_stream(validator, file, opts, report);
  if (file != stdin) std::fclose(file);
  if (!status.ok()) return status;
  return report.finish();
}

}  // namespace dq
