#include "io/checksum.h"

#include <openssl/evp.h>

#include <cstdio>

namespace dq {

struct ChecksumReader::State {
  std::FILE* inner = nullptr;
  EVP_MD_CTX* context = nullptr;
  std::uint64_t bytes = 0;
};

namespace {

ssize_t read_through(void* cookie, char* buffer, std::size_t size) {
  auto& state = *static_cast<ChecksumReader::State*>(cookie);
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
}

ChecksumReader::~ChecksumReader() {
  if (stream_ != nullptr) std::fclose(stream_);
  EVP_MD_CTX_free(state_->context);
}

std::uint64_t ChecksumReader::bytes() const { return state_->bytes; }

std::string ChecksumReader::sha256_hex() const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  EVP_MD_CTX_copy_ex(copy, state_->context);  // the running digest goes on
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
