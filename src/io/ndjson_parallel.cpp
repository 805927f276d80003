#include "io/ndjson_parallel.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "engine/walker.h"
#include "report/report_access.h"

namespace dq {
namespace {

constexpr std::size_t kBlock = 2 << 20;  // bytes read per block; its lines go to one worker
constexpr std::size_t kPadding = 64;     // simdjson reads up to 64 bytes past a record

// A record a callback must see, kept until its block is merged.
struct Pending {
  std::string_view raw;
  RecordPosition where;  // record numbered within its block until merged
  Verdict verdict;
};

// One worker's block of whole lines and what validating it produced.
struct Block {
  std::string bytes;  // the lines, then kPadding zero bytes
  std::size_t size = 0;
  std::uint64_t first_line = 0, first_offset = 0;
  std::unique_ptr<Validator> validator;  // the slot's own, reused block after block
  std::optional<ReportBuilder> report;
  std::vector<Pending> events;
  std::uint64_t records = 0;
  std::future<void> done;
};

class ParallelNdjson {
 public:
  ParallelNdjson(Validator& validator, std::FILE* file, const StreamOptions& options, ReportBuilder& report,
                 std::string_view head, std::uint64_t head_offset)
      : file_(file), options_(options), report_(report), carry_(head), carry_offset_(head_offset),
        limit_(validator.contract().limits().max_record_bytes) {
    unsigned threads = options.threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : options.threads;
    blocks_.resize(threads);
    for (Block& b : blocks_) b.validator = std::make_unique<Validator>(validator.contract());
  }

  Status run() {
    std::deque<Block*> in_flight;
    std::size_t next = 0;
    Block staging;  // read while the workers run, then swapped into the slot that frees up
    while (true) {
      Read read = fill(staging);
      if (read == Read::kError) break;
      if (read == Read::kOversized) {  // drain, so records stay in input order
        while (!in_flight.empty()) merge(*in_flight.front()), in_flight.pop_front();
        if (!discard_line(staging)) break;
        continue;
      }
      if (read == Read::kEnd) break;
      if (in_flight.size() == blocks_.size()) {
        merge(*in_flight.front());
        in_flight.pop_front();
      }
      Block& slot = blocks_[next++ % blocks_.size()];
      std::swap(slot.bytes, staging.bytes);
      slot.size = staging.size;
      slot.first_line = staging.first_line;
      slot.first_offset = staging.first_offset;
      slot.done = std::async(std::launch::async, [this, &slot] { validate(slot); });
      in_flight.push_back(&slot);
    }
    while (!in_flight.empty()) merge(*in_flight.front()), in_flight.pop_front();
    if (failed_) return Status(StatusCode::kIoError, "cannot read " + options_.source_name + ": " + std::strerror(errno));
    return Status();
  }

 private:
  enum class Read { kLines, kEnd, kOversized, kError };

  // The next block: the carried partial line, then input up to the last
  // newline read (or the end of the input).
  Read fill(Block& block) {
    block.bytes.assign(carry_);
    block.first_line = carry_line_;
    block.first_offset = carry_offset_;
    std::size_t searched = 0;  // bytes before it hold no newline
    while (true) {
      std::size_t have = block.bytes.size();
      if (!eof_) {
        block.bytes.resize(have + kBlock);
        std::size_t n = std::fread(block.bytes.data() + have, 1, kBlock, file_);
        if (n < kBlock) {
          if (std::ferror(file_)) return failed_ = true, Read::kError;
          eof_ = true;
        }
        block.bytes.resize(have + n);
      }
      const void* last = memrchr(block.bytes.data() + searched, '\n', block.bytes.size() - searched);
      searched = block.bytes.size();
      if (last) {
        block.size = static_cast<std::size_t>(static_cast<const char*>(last) - block.bytes.data()) + 1;
      } else if (eof_) {
        block.size = block.bytes.size();
        if (block.size == 0) return Read::kEnd;
      } else if (block.bytes.size() > limit_) {
        return Read::kOversized;
      } else {
        continue;  // a long line: read on until it ends
      }
      carry_.assign(block.bytes, block.size);
      block.bytes.resize(block.size);
      block.bytes.append(kPadding, '\0');
      carry_offset_ = block.first_offset + block.size;
      carry_line_ = block.first_line + static_cast<std::uint64_t>(
                                           std::count(block.bytes.data(), block.bytes.data() + block.size, '\n'));
      return Read::kLines;
    }
  }

  // Runs on a worker thread: the block's lines into the block's own report.
  void validate(Block& block) {
    block.report.emplace(ReportAccess::empty_like(report_));
    block.events.clear();
    block.records = 0;
    Validator& validator = *block.validator;
    ProfileScope profiling(validator, ReportAccess::profiler(*block.report));
    const char* data = block.bytes.data();
    const char* p = data;
    const char* end = data + block.size;
    for (std::uint64_t line = block.first_line; p < end; ++line) {
      const char* newline = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
      const char* line_end = newline ? newline : end;
      std::string_view record = trimmed_record(p, static_cast<std::size_t>(line_end - p));
      p = line_end + 1;
      if (record.empty()) continue;
      RecordPosition where{++block.records, line, block.first_offset + static_cast<std::uint64_t>(record.data() - data)};
      const std::size_t capacity = block.bytes.size() - static_cast<std::size_t>(record.data() - data);
      const Verdict& verdict = validator.validate_json_padded(record, capacity);
      block.report->add(verdict, where);
      if (verdict.ok ? bool(options_.on_accept) : bool(options_.on_reject)) {
        block.events.push_back({shown_raw(record, limit_), where, verdict});
      }
    }
  }

  // On the calling thread, in input order: the block's counts and samples,
  // renumbered after the records before it, and its callbacks.
  void merge(Block& block) {
    block.done.get();
    ReportAccess::merge(report_, *block.report, records_);
    for (Pending& e : block.events) {
      e.where.record += records_;
      const RecordEvent event{e.raw, e.where, e.verdict};
      (e.verdict.ok ? options_.on_accept : options_.on_reject)(event);
    }
    const std::uint64_t before = records_;
    records_ += block.records;
    if (options_.on_progress && options_.progress_every > 0 &&
        records_ / options_.progress_every > before / options_.progress_every) {
      options_.on_progress(records_, block.first_offset + block.size);
    }
  }

  // A line longer than max_record_bytes: skipped to its end, counted malformed.
  bool discard_line(Block& block) {
    std::string head = block.bytes.substr(0, 256);
    std::uint64_t skipped = block.bytes.size();
    std::string chunk(kBlock, '\0');
    while (true) {
      std::size_t n = std::fread(chunk.data(), 1, kBlock, file_);
      if (n < kBlock) {
        if (std::ferror(file_)) return failed_ = true, false;
        eof_ = true;
      }
      const void* newline = std::memchr(chunk.data(), '\n', n);
      if (newline) {
        std::size_t used = static_cast<std::size_t>(static_cast<const char*>(newline) - chunk.data());
        skipped += used;
        carry_.assign(chunk, used + 1, n - used - 1);
        carry_offset_ = block.first_offset + skipped + 1;
        break;
      }
      skipped += n;
      if (eof_) {
        carry_.clear();
        carry_offset_ = block.first_offset + skipped;
        break;
      }
    }
    carry_line_ = block.first_line + 1;
    Verdict malformed;
    malformed.ok = false;
    malformed.malformed = true;
    malformed.error = too_large_message(skipped, limit_);
    const RecordEvent event{head, RecordPosition{++records_, block.first_line, block.first_offset}, malformed};
    report_.add(malformed, event.where);
    if (options_.on_reject) options_.on_reject(event);
    return true;
  }

  std::FILE* file_;
  const StreamOptions& options_;
  ReportBuilder& report_;
  std::vector<Block> blocks_;
  std::string carry_;  // the start of a line the last block did not end
  std::uint64_t carry_offset_, carry_line_ = 1;
  std::size_t limit_;
  bool eof_ = false, failed_ = false;
  std::uint64_t records_ = 0;  // records merged so far
};

}  // namespace

Status validate_ndjson_parallel(Validator& validator, std::FILE* file, const StreamOptions& options,
                                ReportBuilder& report, std::string_view head, std::uint64_t head_offset) {
  return ParallelNdjson(validator, file, options, report, head, head_offset).run();
}

}  // namespace dq
