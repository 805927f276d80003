#include "io/checksum.h"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace dq {

// A regular file is read ahead and hashed by a second thread, so the reader
// of the stream neither waits on read() nor spends its time in SHA-256 (at
// ~1.8 GB/s with SHA-NI, a seventh of a grading run). The digest still
// covers exactly the bytes the stream handed out: a block is hashed once its
// reader moved past it, and sha256_hex() adds the part of the current block
// already read. Pipes and terminals are read and hashed on the caller's
// thread: a read-ahead thread could wait on them forever after the caller
// stopped.
struct ChecksumReader::State {
  static constexpr std::size_t kBlock = std::size_t{1} << 20;
  static constexpr std::size_t kAhead = 4;  // blocks read and not yet handed out

  std::FILE* inner = nullptr;
  EVP_MD_CTX* context = nullptr;
  std::uint64_t bytes = 0;  // handed out

  // Read-ahead: `full` blocks in input order wait to be handed out; the
  // handed-out block `current` is read from at `taken`; `consumed` blocks
  // wait to be hashed; `spare` blocks wait to be filled.
  bool ahead = false;
  std::thread worker;
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::vector<char>> full, consumed, spare;
  std::vector<char> current;
  std::size_t taken = 0;
  bool ended = false, failed = false, stopping = false, hashing = false;

  void work() {
    std::unique_lock lock(mutex);
    for (;;) {
      changed.wait(lock, [&] { return stopping || !consumed.empty() || (!ended && full.size() < kAhead); });
      if (stopping) return;
      if (!consumed.empty()) {  // hash first: it frees a block
        std::vector<char> block = std::move(consumed.front());
        consumed.pop_front();
        hashing = true;
        lock.unlock();
        EVP_DigestUpdate(context, block.data(), block.size());
        lock.lock();
        hashing = false;
        spare.push_back(std::move(block));
        changed.notify_all();
        continue;
      }
      std::vector<char> block;
      if (!spare.empty()) {
        block = std::move(spare.front());
        spare.pop_front();
      }
      lock.unlock();
      block.resize(kBlock);
      const std::size_t n = std::fread(block.data(), 1, kBlock, inner);
      const bool error = n < kBlock && std::ferror(inner);
      block.resize(n);
      lock.lock();
      if (n > 0) full.push_back(std::move(block));
      if (n < kBlock) ended = true, failed = error;
      changed.notify_all();
    }
  }

  // Hands out up to `size` bytes; 0 at the end, -1 on a read error.
  ssize_t read_ahead(char* buffer, std::size_t size) {
    if (taken == current.size()) {
      std::unique_lock lock(mutex);
      if (!current.empty()) consumed.push_back(std::move(current));
      current.clear();
      taken = 0;
      changed.notify_all();
      changed.wait(lock, [&] { return !full.empty() || ended; });
      if (full.empty()) return failed ? -1 : 0;
      current = std::move(full.front());
      full.pop_front();
      changed.notify_all();
    }
    const std::size_t n = std::min(size, current.size() - taken);
    std::memcpy(buffer, current.data() + taken, n);
    taken += n;
    bytes += n;
    return static_cast<ssize_t>(n);
  }
};

namespace {

ssize_t read_through(void* cookie, char* buffer, std::size_t size) {
  auto& state = *static_cast<ChecksumReader::State*>(cookie);
  if (state.ahead) return state.read_ahead(buffer, size);
  const std::size_t n = std::fread(buffer, 1, size, state.inner);
  if (n == 0 && std::ferror(state.inner)) return -1;
  EVP_DigestUpdate(state.context, buffer, n);
  state.bytes += n;
  return static_cast<ssize_t>(n);
}

}  // namespace

ChecksumReader::ChecksumReader(std::FILE* inner) : state_(std::make_unique<State>()) {
  state_->inner = inner;
  state_->context = EVP_MD_CTX_new();
  if (state_->context == nullptr || EVP_DigestInit_ex(state_->context, EVP_sha256(), nullptr) != 1) return;
  cookie_io_functions_t io{read_through, nullptr, nullptr, nullptr};
  stream_ = ::fopencookie(state_.get(), "r", io);
  struct stat info {};
  if (stream_ != nullptr && ::fstat(::fileno(inner), &info) == 0 && S_ISREG(info.st_mode)) {
    try {
      state_->worker = std::thread([state = state_.get()] { state->work(); });
      state_->ahead = true;
    } catch (const std::system_error&) {  // no thread to be had: read on this one
    }
  }
}

ChecksumReader::~ChecksumReader() {
  if (state_->worker.joinable()) {
    {
      std::lock_guard lock(state_->mutex);
      state_->stopping = true;
    }
    state_->changed.notify_all();
    state_->worker.join();
  }
  if (stream_ != nullptr) std::fclose(stream_);
  EVP_MD_CTX_free(state_->context);
}

std::uint64_t ChecksumReader::bytes() const { return state_->bytes; }

std::string ChecksumReader::sha256_hex() const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  State& s = *state_;
  if (s.ahead) {  // the blocks handed out, hashed; then the current one's part read
    std::unique_lock lock(s.mutex);
    s.changed.wait(lock, [&] { return s.consumed.empty() && !s.hashing; });
    EVP_MD_CTX_copy_ex(copy, s.context);
    EVP_DigestUpdate(copy, s.current.data(), s.taken);
  } else {
    EVP_MD_CTX_copy_ex(copy, s.context);  // the running digest goes on
  }
  EVP_DigestFinal_ex(copy, digest, &size);
  EVP_MD_CTX_free(copy);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

}  // namespace dq
