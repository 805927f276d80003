#include "io/ndjson_parallel.h"

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "engine/walk_state.h"
#include "profile/profiler.h"
#include "report/report_access.h"

namespace dq {
namespace {

constexpr std::size_t kBlock = 1 << 20;  // bytes read per block; its lines go to one worker
constexpr std::size_t kPadding = 64;     // simdjson reads up to 64 bytes past a record

// A record a callback must see, kept until its block is merged.
struct Pending {
  std::string_view raw;
  RecordPosition where;  // numbered within its block until merged
  Verdict verdict;
};

// Whole lines read by one worker, and what validating them produced. On a
// cache line of its own: two workers write their blocks at once.
struct alignas(64) Block {
  std::unique_ptr<char[]> bytes;  // not zeroed: the reader fills what it uses
  std::size_t capacity = 0;
  std::size_t size = 0;  // bytes of whole lines (the last may lack its newline at the end of input)
  std::uint64_t sequence = 0, first_line = 0, first_offset = 0;
  // A line over max_record_bytes the reader skipped: the block holds it alone.
  std::optional<std::string> oversized_head;
  std::uint64_t oversized_bytes = 0;
  std::optional<ReportBuilder> report;
  std::vector<Pending> events;
  std::uint64_t records = 0;

  // Room for `n` bytes, keeping the first `used`.
  void reserve(std::size_t n, std::size_t used) {
    if (n <= capacity) return;
    std::unique_ptr<char[]> grown(new char[n]);  // uninitialized: the reader fills what it uses
    if (used > 0) std::memcpy(grown.get(), bytes.get(), used);
    bytes = std::move(grown);
    capacity = n;
  }
};

// Line breaks in [data, data + size) ("\n", "\r\n" or a lone "\r"): memchr
// strides over whole lines, where a byte-by-byte count costs as much as a
// tenth of the validation.
std::uint64_t line_breaks(const char* data, std::size_t size) {
  std::uint64_t count = 0;
  const char* const end = data + size;
  for (const char* p = data; (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p))));
       ++p) {
    ++count;
  }
  for (const char* p = data; (p = static_cast<const char*>(std::memchr(p, '\r', static_cast<std::size_t>(end - p))));
       ++p) {
    if (p + 1 == end || p[1] != '\n') ++count;
  }
  return count;
}

// Workers take turns reading the next block (so its bytes land in the cache
// of the core that validates them), validate it alone, and hand it to the
// calling thread, which merges blocks in input order and recycles them.
class ParallelNdjson {
 public:
  ParallelNdjson(Validator& validator, std::FILE* file, const StreamOptions& options, ReportBuilder& report,
                 std::string_view head, std::uint64_t head_offset)
      : validator_(validator),
        file_(file),
        options_(options),
        report_(report),
        carry_(head),
        carry_offset_(head_offset),
        limit_(validator.contract().limits().max_record_bytes) {
    threads_ = options.threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : options.threads;
    blocks_.resize(2 * threads_);  // a block in flight and one waiting to merge, per worker
    for (Block& b : blocks_) free_.push_back(&b);
  }

  Status run() {
    std::vector<std::thread> workers;
    for (unsigned i = 0; i < threads_; ++i) workers.emplace_back([this] { work(); });
    for (std::uint64_t sequence = 0;; ++sequence) {
      Block* block;
      {
        std::unique_lock lock(mutex_);
        done_cv_.wait(lock, [&] { return done_.count(sequence) || stopped(sequence); });
        if (!done_.count(sequence)) break;
        block = done_[sequence];
        done_.erase(sequence);
      }
      merge(*block);
      {
        std::lock_guard lock(mutex_);
        free_.push_back(block);
      }
      free_cv_.notify_one();
    }
    {
      std::lock_guard lock(mutex_);
      closing_ = true;  // releases workers waiting for a free block
    }
    free_cv_.notify_all();
    for (std::thread& t : workers) t.join();
    if (read_failed_) {
      return Status(StatusCode::kIoError, "cannot read " + options_.source_name + ": " + std::strerror(errno));
    }
    if (worker_failure_) std::rethrow_exception(worker_failure_);
    return Status();
  }

 private:
  // Under mutex_: every block up to `sequence` is merged and none will follow.
  bool stopped(std::uint64_t sequence) const { return failure_ || (ended_ && sequence >= blocks_read_); }

  void work() {
    Validator validator(validator_.contract());
    try {
      while (true) {
        Block* block;
        {
          std::unique_lock lock(mutex_);
          free_cv_.wait(lock, [&] { return !free_.empty() || failure_ || ended_ || closing_; });
          if (failure_ || ended_ || closing_) return;
          block = free_.back();
          free_.pop_back();
        }
        {
          std::lock_guard reading(read_mutex_);
          if (!fill(*block)) {
            std::lock_guard lock(mutex_);
            ended_ = true;
            blocks_read_ = next_sequence_;
            done_cv_.notify_all();
            free_cv_.notify_all();
            return;
          }
          block->sequence = next_sequence_++;
        }
        validate(validator, *block);
        {
          std::lock_guard lock(mutex_);
          done_[block->sequence] = block;
        }
        done_cv_.notify_all();
      }
    } catch (...) {
      std::lock_guard lock(mutex_);
      if (!failure_) failure_ = worker_failure_ = std::current_exception();
      done_cv_.notify_all();
      free_cv_.notify_all();
    }
  }

  // Under read_mutex_: the carried partial line, then input up to the last
  // newline read (or the end of the input). False at the end or on an error.
  bool fill(Block& block) {
    block.size = 0;
    block.oversized_head.reset();
    block.reserve(carry_.size() + kBlock + kPadding, 0);
    std::memcpy(block.bytes.get(), carry_.data(), carry_.size());
    std::size_t have = carry_.size();
    block.first_line = carry_line_;
    block.first_offset = carry_offset_;
    std::size_t searched = 0;  // bytes before it hold no newline
    while (true) {
      if (!eof_) {
        block.reserve(have + kBlock + kPadding, have);
        std::size_t n = std::fread(block.bytes.get() + have, 1, kBlock, file_);
        if (n < kBlock) {
          if (std::ferror(file_)) return read_failed_ = true, false;
          eof_ = true;
        }
        have += n;
      }
      const char* data = block.bytes.get();
      const void* last = memrchr(data + searched, '\n', have - searched);
      searched = have;
      if (last) {
        block.size = static_cast<std::size_t>(static_cast<const char*>(last) - data) + 1;
      } else if (eof_) {
        if (have == 0) return false;
        block.size = have;
      } else if (have > limit_) {
        return skip_line(block, have);
      } else {
        continue;  // a long line: read on until it ends
      }
      carry_.assign(data + block.size, have - block.size);
      std::memset(block.bytes.get() + block.size, 0, kPadding);
      carry_offset_ = block.first_offset + block.size;
      carry_line_ = block.first_line + line_breaks(data, block.size);
      return true;
    }
  }

  // Under read_mutex_: a line over max_record_bytes, `have` bytes of it read,
  // skipped to its end in constant memory.
  bool skip_line(Block& block, std::size_t have) {
    block.oversized_head.emplace(block.bytes.get(), std::min<std::size_t>(have, 256));
    std::uint64_t skipped = have;
    bool ended_by_newline = false;
    carry_.clear();
    while (!eof_) {
      std::size_t n = std::fread(block.bytes.get(), 1, kBlock, file_);
      if (n < kBlock) {
        if (std::ferror(file_)) return read_failed_ = true, false;
        eof_ = true;
      }
      const void* newline = std::memchr(block.bytes.get(), '\n', n);
      if (newline) {
        std::size_t used = static_cast<std::size_t>(static_cast<const char*>(newline) - block.bytes.get());
        skipped += used;
        carry_.assign(block.bytes.get() + used + 1, n - used - 1);
        ended_by_newline = true;
        break;
      }
      skipped += n;
    }
    block.oversized_bytes = skipped;
    carry_offset_ = block.first_offset + skipped + (ended_by_newline ? 1 : 0);
    carry_line_ = block.first_line + 1;
    return true;
  }

  // On a worker: the block's lines into the block's own report.
  void validate(Validator& validator, Block& block) {
    block.report.emplace(ReportAccess::empty_like(report_));
    block.events.clear();
    block.records = 0;
    if (block.oversized_head) {
      Verdict malformed;
      malformed.ok = false;
      malformed.malformed = true;
      malformed.error = too_large_message(block.oversized_bytes, limit_);
      RecordPosition where{++block.records, block.first_line, block.first_offset};
      block.report->add(malformed, where);
      if (options_.on_reject) block.events.push_back({*block.oversized_head, where, std::move(malformed)});
      return;
    }
    SinkScope profiling(validator, ReportAccess::profiler(*block.report));
    const char* data = block.bytes.get();
    const char* p = data;
    const char* end = data + block.size;
    std::uint64_t records = 0;
    for (std::uint64_t line = block.first_line; p < end; ++line) {
      const char* brk = line_break(p, end);
      const char* line_end = brk ? brk : end;
      std::string_view record = trimmed_record(p, static_cast<std::size_t>(line_end - p));
      p = brk ? brk + line_break_size(brk, end) : end;
      if (record.empty()) continue;
      RecordPosition where{++records, line, block.first_offset + static_cast<std::uint64_t>(record.data() - data)};
      const std::size_t capacity = block.size + kPadding - static_cast<std::size_t>(record.data() - data);
      const Verdict& verdict = validator.validate_json_padded(record, capacity);
      block.report->add(verdict, where);
      if (verdict.ok ? bool(options_.on_accept) : bool(options_.on_reject)) {
        block.events.push_back({shown_raw(record, limit_), where, verdict});
      }
    }
    block.records = records;
  }

  // On the calling thread, in input order: the block's counts and samples,
  // renumbered after the records before it, and its callbacks.
  void merge(Block& block) {
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

  Validator& validator_;
  std::FILE* file_;
  const StreamOptions& options_;
  ReportBuilder& report_;
  unsigned threads_ = 1;
  std::vector<Block> blocks_;

  std::mutex read_mutex_;  // the input and the carry; held while a block is read
  std::string carry_;      // the start of a line the last block did not end
  std::uint64_t carry_offset_, carry_line_ = 1;
  std::size_t limit_;
  bool eof_ = false, read_failed_ = false;
  std::uint64_t next_sequence_ = 0;

  std::mutex mutex_;  // the hand-offs below
  std::condition_variable free_cv_, done_cv_;
  std::vector<Block*> free_;
  std::map<std::uint64_t, Block*> done_;
  bool ended_ = false, closing_ = false;
  std::uint64_t blocks_read_ = 0;
  std::exception_ptr failure_, worker_failure_;

  std::uint64_t records_ = 0;  // records merged so far (calling thread)
};

}  // namespace

Status validate_ndjson_parallel(Validator& validator, std::FILE* file, const StreamOptions& options,
                                ReportBuilder& report, std::string_view head, std::uint64_t head_offset) {
  return ParallelNdjson(validator, file, options, report, head, head_offset).run();
}

}  // namespace dq
