// Columns: an Arrow record batch imported for reading, and bound to a
// contract.
//
// import_batch() checks everything the engine will later read (lengths,
// offsets, buffer presence, dictionary indices, view bounds) before a single
// value is read, so a hostile or buggy producer gets a kInvalidData status,
// never an out-of-bounds read. The Arrow C Data Interface carries no buffer
// sizes: a variable-length layout is trusted to be as long as its last offset
// says, as every consumer of the interface must.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "compile/program.h"
#include "dq/arrow_abi.h"
#include "dq/status.h"

// Column kernels built for AVX2 as well as the baseline and picked at load
// time (64-bit compares need SSE4.2 at least to run as vectors). GCC only
// (clang does not clone templates), and not under ThreadSanitizer: the loader
// runs the picking function (an ifunc resolver) before TSan's runtime is up,
// and the instrumented resolver crashes.
#if defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define DQ_WIDE_KERNEL __attribute__((target_clones("avx2", "default")))
#else
#define DQ_WIDE_KERNEL
#endif

namespace dq {

struct Column {
  enum class Kind : std::uint8_t {
    kNull,
    kBool,
    kInt,
    kUint,
    kFloat,
    kDouble,
    kUtf8,
    kLargeUtf8,
    kUtf8View,  // strings
    kTimestamp,
    kDate32,
    kDate64,
    kDecimal,  // two's complement little-endian integers of `width` bytes, scaled by 10^-scale
    kStruct,
    kList,
    kLargeList,
    kDictionary,  // indices (kInt/kUint layout, `width`); children[0] holds the values
    kText,        // CSV cells: large_utf8 layout, typed by the contract when read
  };
  Kind kind = Kind::kNull;
  std::string name;    // the field name in its parent
  std::string path;    // "customer.id", "items[]": for messages
  std::string format;  // the Arrow format string: for messages
  int width = 0;       // bytes per value (integers, dictionary indices)
  std::int64_t length = 0;
  std::int64_t offset = 0;
  const std::uint8_t* validity = nullptr;      // null: every value is valid
  const void* values = nullptr;                // fixed-width values, offsets or string views
  const char* data = nullptr;                  // string bytes (kUtf8, kLargeUtf8, kText)
  std::vector<const char*> variadic;           // kUtf8View data buffers
  std::int64_t longest = -1;                   // kUtf8View: bytes of the longest string (found at import)
  bool utf8_checked = false;                   // every string is known to be valid UTF-8
  bool ascii = false;                          // strings: every byte is ASCII (code points = bytes)
  std::int64_t micros_per_unit = 1;            // kTimestamp: 1e6 s, 1e3 ms, 1 µs; 0 = ns
  bool local_time = false;                     // kTimestamp without a time zone: wall-clock times
  int scale = 0;                               // kDecimal: digits after the point (may be negative)
  spec::Type text_type = spec::Type::kString;  // kText: the contract's type, which types each cell
  std::vector<Column> children;
  // The contract node of this column, set by bind_columns(): keys compare
  // as one pointer instead of as strings.
  mutable const Node* node = nullptr;

  // `row` is a logical index (0 .. length-1); `offset` is applied here.
  bool valid(std::int64_t row) const {
    const std::int64_t at = offset + row;
    return validity == nullptr || ((validity[at >> 3] >> (at & 7)) & 1) != 0;
  }
  std::int64_t int_at(std::int64_t row) const {
    const std::int64_t at = offset + row;
    switch (width) {
      case 1: return static_cast<const std::int8_t*>(values)[at];
      case 2: return static_cast<const std::int16_t*>(values)[at];
      case 4: return static_cast<const std::int32_t*>(values)[at];
      default: return static_cast<const std::int64_t*>(values)[at];
    }
  }
  std::uint64_t uint_at(std::int64_t row) const {
    const std::int64_t at = offset + row;
    switch (width) {
      case 1: return static_cast<const std::uint8_t*>(values)[at];
      case 2: return static_cast<const std::uint16_t*>(values)[at];
      case 4: return static_cast<const std::uint32_t*>(values)[at];
      default: return static_cast<const std::uint64_t*>(values)[at];
    }
  }
  // Child range of a list row, or byte range of a string row.
  std::pair<std::int64_t, std::int64_t> range_at(std::int64_t row) const {
    const std::int64_t at = offset + row;
    if (kind == Kind::kLargeList || kind == Kind::kLargeUtf8 || kind == Kind::kText) {
      const auto* o = static_cast<const std::int64_t*>(values);
      return {o[at], o[at + 1]};
    }
    const auto* o = static_cast<const std::int32_t*>(values);
    return {o[at], o[at + 1]};
  }
  std::string_view string_at(std::int64_t row) const {
    if (kind == Kind::kUtf8View) {
      const auto* view = static_cast<const std::uint8_t*>(values) + 16 * (offset + row);
      std::int32_t size, buffer, start;
      std::memcpy(&size, view, 4);
      if (size <= 12) return {reinterpret_cast<const char*>(view + 4), static_cast<std::size_t>(size)};
      std::memcpy(&buffer, view + 8, 4);
      std::memcpy(&start, view + 12, 4);
      return {variadic[static_cast<std::size_t>(buffer)] + start, static_cast<std::size_t>(size)};
    }
    auto [begin, end] = range_at(row);
    return {data + begin, static_cast<std::size_t>(end - begin)};
  }
  bool is_string() const { return kind == Kind::kUtf8 || kind == Kind::kLargeUtf8 || kind == Kind::kUtf8View; }
};

// Imports a record batch: a struct array ("+s") and its schema. The Column
// tree points into the caller's buffers, which must outlive it.
Result<Column> import_batch(const ArrowSchema& schema, const ArrowArray& array, std::size_t max_depth);

// Checks that each column fits the contract's declared type at its path
// ("column 'amount': Arrow type utf8 (format 'u') does not fit the
// contract's integer"). Columns the contract does not declare fit anything.
Status bind_columns(const Column& batch, const Program& program);

// The exact decimal text of a kDecimal value ("-12.50"), as JSON would write it.
std::string decimal_text(const Column& column, std::int64_t row);

// "int64", "utf8", "timestamp[us, tz=UTC]"...: a format string for people.
std::string arrow_type_name(std::string_view format);

}  // namespace dq
