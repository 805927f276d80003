// Checksums of inputs as they are read: a FILE* that passes every byte it
// reads through SHA-256, so a run report names exactly what it read (stdin
// included) without a second pass.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

namespace dq {

class ChecksumReader {
 public:
  // Reads from `inner` (not closed). The stream is valid while this lives.
  explicit ChecksumReader(std::FILE* inner);
  ~ChecksumReader();
  ChecksumReader(const ChecksumReader&) = delete;
  ChecksumReader& operator=(const ChecksumReader&) = delete;

  std::FILE* stream() const { return stream_; }  // null when it could not be made
  std::uint64_t bytes() const;
  // The SHA-256 of every byte read so far, as 64 hex digits.
  std::string sha256_hex() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
  std::FILE* stream_ = nullptr;
};

}  // namespace dq
