#include "io/csv_stream.h"

#include <csv.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "engine/columnar.h"
#include "report/report_access.h"

namespace dq {
namespace {

constexpr std::size_t kChunk = 1 << 20;
constexpr std::size_t kBatchRows = 4096;
constexpr int kRowNotBegun = 0;  // libcsv's parser state between rows

int no_space(unsigned char) { return 0; }  // RFC 4180: spaces belong to the field

class CsvValidator {
 public:
  CsvValidator(Validator& validator, std::FILE* file, const StreamOptions& options, ReportBuilder& report,
               const std::vector<RecordPosition>* positions)
      : validator_(validator),
        file_(file),
        options_(options),
        report_(report),
        given_positions_(positions),
        limit_(validator.contract().limits().max_record_bytes) {
    reset_parser();
  }
  ~CsvValidator() { csv_free(&parser_); }
  CsvValidator(const CsvValidator&) = delete;
  CsvValidator& operator=(const CsvValidator&) = delete;

  Status run() {
    std::vector<char> chunk(kChunk);
    bool first = true;
    while (std::size_t n = std::fread(chunk.data(), 1, chunk.size(), file_)) {
      std::string_view rest(chunk.data(), n);
      if (first && rest.substr(0, 3) == "\xEF\xBB\xBF") {
        rest.remove_prefix(3);
        offset_ = 3;
        row_offset_ = 3;
      }
      first = false;
      while (!rest.empty()) {
        const std::size_t newline = rest.find('\n');
        std::string_view piece = rest.substr(0, newline == std::string_view::npos ? rest.size() : newline + 1);
        rest.remove_prefix(piece.size());
        feed(piece);
        if (piece.back() == '\n') end_of_line();
      }
    }
    if (std::ferror(file_)) {
      return Status(StatusCode::kIoError, "cannot read " + options_.source_name + ": " + std::strerror(errno));
    }
    if (!skipping_) {
      if (csv_fini(&parser_, on_field, on_row, this) != 0)
        malformed("an unterminated quoted field at the end of input");
    }
    flush();
    return status_;
  }

 private:
  void reset_parser() {
    if (started_) csv_free(&parser_);
    started_ = true;
    csv_init(&parser_, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL);
    csv_set_space_func(&parser_, no_space);
    fields_.clear();
  }

  void feed(std::string_view piece) {
    if (!skipping_) {
      if (raw_.size() + piece.size() > limit_) {
        malformed("row of " + std::to_string(raw_.size() + piece.size()) + "+ bytes exceeds max_record_bytes (" +
                  std::to_string(limit_) + ")");
      } else {
        raw_.append(piece);
        if (csv_parse(&parser_, piece.data(), piece.size(), on_field, on_row, this) != piece.size()) {
          malformed(std::string("CSV does not parse: ") + csv_strerror(csv_error(&parser_)) +
                    " (a quote inside an unquoted field, or text after a closing quote)");
        }
      }
    }
    offset_ += piece.size();
  }

  // A row that does not parse: counted malformed; reading resumes at the next line.
  void malformed(std::string why) {
    report_malformed(std::move(why));
    reset_parser();
    skipping_ = true;
  }

  void report_malformed(std::string why) {
    if (header_done_) {
      flush();  // rows keep their order in the report
      Verdict verdict;
      verdict.ok = false;
      verdict.malformed = true;
      verdict.error = std::move(why);
      const RecordPosition where = position(++records_, row_line_, row_offset_);
      report_.add(verdict, where);
      if (options_.on_reject) options_.on_reject(RecordEvent{trimmed(raw_), where, verdict, header_line_});
    } else if (status_.ok()) {
      status_ = Status(StatusCode::kInvalidData, options_.source_name + ":" + std::to_string(row_line_) +
                                                     ": the CSV header is malformed: " + why);
    }
  }

  void end_of_line() {
    ++line_;
    if (skipping_ || parser_.pstate == kRowNotBegun) {  // the next row starts on the next line
      skipping_ = false;
      raw_.clear();
      row_line_ = line_ + 1;
      row_offset_ = offset_;
    }
  }

  // Where the n-th record is: as read, or as the caller says (a rejects file).
  RecordPosition position(std::uint64_t n, std::uint64_t line, std::uint64_t offset) const {
    if (given_positions_ && n - 1 < given_positions_->size()) return (*given_positions_)[n - 1];
    return {n, line, offset};
  }

  static std::string_view trimmed(std::string_view raw) {
    while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.remove_suffix(1);
    return raw;
  }

  static void on_field(void* text, std::size_t size, void* self) {
    auto& me = *static_cast<CsvValidator*>(self);
    if (text == nullptr) {
      me.fields_.emplace_back(std::nullopt);
    } else {
      me.fields_.emplace_back(std::string(static_cast<const char*>(text), size));
    }
  }

  static void on_row(int, void* self) { static_cast<CsvValidator*>(self)->row(); }

  void row() {
    if (!header_done_) {
      header_done_ = true;
      header_line_ = std::string(trimmed(raw_));
      for (auto& f : fields_) header_.push_back(f.value_or(""));
      ReportAccess::set_columns(report_, header_);
      start_batch();
      fields_.clear();
      return;
    }
    if (fields_.size() != header_.size()) {
      std::string why =
          "row has " + std::to_string(fields_.size()) + " fields, the header " + std::to_string(header_.size());
      fields_.clear();
      report_malformed(std::move(why));  // the parser is between rows: reading goes on
      return;
    }
    for (std::size_t j = 0; j < fields_.size(); ++j) {
      Cells& c = columns_[j];
      const std::size_t row = positions_.size();
      if (fields_[j]) {
        c.data += *fields_[j];
        c.validity[row >> 3] |= static_cast<std::uint8_t>(1u << (row & 7));
      }
      c.offsets.push_back(static_cast<std::int64_t>(c.data.size()));
    }
    fields_.clear();
    raws_.emplace_back(trimmed(raw_));
    positions_.push_back(position(++records_, row_line_, row_offset_));
    if (positions_.size() == kBatchRows) flush();
  }

  // Each column's cells of the current batch, in the large_utf8 layout.
  struct Cells {
    std::string data;
    std::vector<std::int64_t> offsets{0};
    std::vector<std::uint8_t> validity;
  };

  void start_batch() {
    columns_.resize(header_.size());
    for (Cells& c : columns_) {
      c.data.clear();
      c.offsets.assign(1, 0);
      c.validity.assign(kBatchRows / 8, 0);
    }
    positions_.clear();
    raws_.clear();
  }

  void flush() {
    if (positions_.empty()) return;
    const Program& program = ContractAccess::program(validator_.contract());
    const Node& record = program.nodes[0];
    Column batch;
    batch.kind = Column::Kind::kStruct;
    batch.format = "+s";
    batch.length = static_cast<std::int64_t>(positions_.size());
    batch.children.resize(header_.size());
    for (std::size_t j = 0; j < header_.size(); ++j) {
      Column& col = batch.children[j];
      col.kind = Column::Kind::kText;
      col.name = col.path = header_[j];
      col.format = "U";
      col.length = batch.length;
      col.validity = columns_[j].validity.data();
      col.values = columns_[j].offsets.data();
      col.data = columns_[j].data.data();
      for (int child : record.children) {
        const Node& n = program.nodes[static_cast<std::size_t>(child)];
        if (n.key == header_[j]) {
          col.text_type = n.type;
          col.node = &n;
        }
      }
    }
    for (std::int64_t row = 0; row < batch.length; ++row) {
      const Verdict& verdict = validate_row(validator_, batch, row);
      const RecordPosition& where = positions_[static_cast<std::size_t>(row)];
      if (options_.on_progress && where.record % options_.progress_every == 0) {
        options_.on_progress(where.record, where.offset);
      }
      report_.add(verdict, where);
      const RecordEvent event{raws_[static_cast<std::size_t>(row)], where, verdict, header_line_};
      if (!verdict.ok && options_.on_reject) options_.on_reject(event);
      if (verdict.ok && options_.on_accept) options_.on_accept(event);
    }
    start_batch();
  }

  Validator& validator_;
  std::FILE* file_;
  const StreamOptions& options_;
  ReportBuilder& report_;
  const std::vector<RecordPosition>* given_positions_;
  std::size_t limit_;
  Status status_;

  csv_parser parser_{};
  bool started_ = false;
  bool skipping_ = false;                           // after a malformed row, until the end of its line
  std::vector<std::optional<std::string>> fields_;  // the row being parsed
  std::string raw_;                                 // its text
  std::uint64_t line_ = 0, offset_ = 0;             // lines and bytes read
  std::uint64_t row_line_ = 1, row_offset_ = 0;     // where the row being parsed starts
  std::uint64_t records_ = 0;

  bool header_done_ = false;
  std::vector<std::string> header_;
  std::string header_line_;
  std::vector<Cells> columns_;
  std::vector<RecordPosition> positions_;
  std::vector<std::string> raws_;
};

}  // namespace

Status validate_csv(Validator& validator, std::FILE* file, const StreamOptions& options, ReportBuilder& report,
                    const std::vector<RecordPosition>* positions) {
  return CsvValidator(validator, file, options, report, positions).run();
}

}  // namespace dq
