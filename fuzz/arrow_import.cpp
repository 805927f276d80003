// The Arrow import: record batches whose layout comes from the fuzzer (types,
// nesting, lengths, offsets, null counts, buffer lists, dictionary indices,
// string views). The C Data Interface gives no buffer sizes, so the harness
// allocates what the declared length and offset need, and the fuzzer decides
// everything else: a batch is validated, or refused whole with kInvalidData.
#include <cstring>
#include <deque>
#include <vector>

#include "dq/arrow.h"
#include "fuzz.h"

namespace {

class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint8_t next() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::int8_t signed_next() { return static_cast<std::int8_t>(next()); }
  void fill(std::uint8_t* out, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out[i] = next();
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_, pos_ = 0;
};

void no_release(ArrowSchema*) {}
void no_release_array(ArrowArray*) {}

struct Batch {
  std::deque<ArrowSchema> schemas;
  std::deque<ArrowArray> arrays;
  std::deque<std::vector<std::uint8_t>> buffers;
  std::deque<std::vector<const void*>> buffer_lists;
  std::deque<std::vector<ArrowSchema*>> schema_lists;
  std::deque<std::vector<ArrowArray*>> array_lists;
  std::deque<std::string> strings;

  const void* buffer(std::size_t n, Bytes& in) {
    auto& b = buffers.emplace_back(n + 1);  // never empty, so the pointer is never null
    in.fill(b.data(), n);
    return b.data();
  }

  template <class Offset>
  const void* offsets(std::int64_t count, Bytes& in, std::int64_t& last_max) {
    auto& b = buffers.emplace_back(static_cast<std::size_t>(count) * sizeof(Offset) + 1);
    Offset at = in.signed_next() % 3;  // mostly 0, sometimes negative
    last_max = 0;
    for (std::int64_t i = 0; i < count; ++i) {
      std::memcpy(b.data() + i * sizeof(Offset), &at, sizeof(Offset));
      last_max = std::max<std::int64_t>(last_max, at);
      at = static_cast<Offset>(at + in.signed_next() % 8);  // mostly increasing, sometimes not
    }
    return b.data();
  }

  // One array and its schema, `depth` levels down.
  void build(ArrowSchema& s, ArrowArray& a, Bytes& in, int depth, const char* name) {
    static const char* const kFormats[] = {"b",   "c",   "C",  "s",  "S",  "i",    "I",    "l",       "L",
                                           "f",   "g",   "u",  "U",  "vu", "tss:", "tsm:", "tsu:UTC", "tsn:+01:00",
                                           "tdD", "tdm", "+s", "+l", "+L", "n",    "z",    "e",       "tDs"};
    constexpr int kCount = sizeof kFormats / sizeof kFormats[0];
    const char* format = kFormats[in.next() % kCount];
    if (depth >= 3 && format[0] == '+') format = "u";
    const bool dictionary = format[0] == 'u' && in.next() % 4 == 0;
    static const char* const kIndexFormats[] = {"c", "s", "i", "l", "u"};  // "u": not an integer
    if (dictionary) format = kIndexFormats[in.next() % 5];

    std::memset(&s, 0, sizeof s);
    std::memset(&a, 0, sizeof a);
    s.format = format;
    s.name = name;
    s.flags = ARROW_FLAG_NULLABLE;
    s.release = no_release;
    a.release = no_release_array;
    a.length = in.next() % 9;
    a.offset = in.next() % 4;
    a.null_count = static_cast<std::int64_t>(in.next() % 4) - 1;  // -1 (unknown), 0, 1, 2
    const std::int64_t slots = a.length + a.offset;
    auto& list = buffer_lists.emplace_back(4 + 3, nullptr);
    a.buffers = list.data();
    const bool with_validity = in.next() % 2;
    if (with_validity) list[0] = buffer(static_cast<std::size_t>((slots + 7) / 8), in);

    const std::string f = format;
    std::size_t width = 0;
    if (f == "b")
      width = 0;
    else if (f == "c" || f == "C")
      width = 1;
    else if (f == "s" || f == "S")
      width = 2;
    else if (f == "i" || f == "I" || f == "f" || f == "tdD")
      width = 4;
    else if (f == "l" || f == "L" || f == "g" || f.rfind("ts", 0) == 0 || f == "tdm")
      width = 8;

    if (f == "b") {
      a.n_buffers = 2;
      list[1] = buffer(static_cast<std::size_t>((slots + 7) / 8), in);
    } else if (width > 0) {
      a.n_buffers = 2;
      list[1] = buffer(static_cast<std::size_t>(slots) * width, in);
    } else if (f == "u" || f == "U") {
      std::int64_t last = 0;
      a.n_buffers = 3;
      list[1] = f == "u" ? offsets<std::int32_t>(slots + 1, in, last) : offsets<std::int64_t>(slots + 1, in, last);
      list[2] = buffer(static_cast<std::size_t>(last), in);
    } else if (f == "vu") {
      const int n_data = in.next() % 3;
      a.n_buffers = 2 + n_data + 1;
      std::vector<std::int64_t> sizes(n_data);
      for (int b = 0; b < n_data; ++b) {
        sizes[b] = in.next() % 40;
        list[2 + b] = buffer(static_cast<std::size_t>(sizes[b]), in);
      }
      auto& views = buffers.emplace_back(static_cast<std::size_t>(slots) * 16 + 1);
      for (std::int64_t i = 0; i < slots; ++i) {
        std::uint8_t* view = views.data() + i * 16;
        const std::int32_t length = in.signed_next() % 30;
        std::memcpy(view, &length, 4);
        if (length <= 12) {
          in.fill(view + 4, 12);
        } else {
          in.fill(view + 4, 4);
          const std::int32_t index = in.next() % 3, offset = in.next() % 40;
          std::memcpy(view + 8, &index, 4);
          std::memcpy(view + 12, &offset, 4);
        }
      }
      list[1] = views.data();
      auto& size_buffer = buffers.emplace_back(sizes.size() * 8 + 1);
      if (!sizes.empty()) std::memcpy(size_buffer.data(), sizes.data(), sizes.size() * 8);
      list[2 + n_data] = size_buffer.data();
    } else if (f == "+s" || f == "+l" || f == "+L") {
      const bool is_struct = f == "+s";
      a.n_buffers = is_struct ? 1 : 2;
      const int n_children = is_struct ? 1 + in.next() % 3 : 1;
      auto& schema_children = schema_lists.emplace_back(n_children);
      auto& array_children = array_lists.emplace_back(n_children);
      static const char* const kNames[] = {"login", "id", "qty", "price", "item", "x"};
      for (int i = 0; i < n_children; ++i) {
        schema_children[i] = &schemas.emplace_back();
        array_children[i] = &arrays.emplace_back();
        build(*schema_children[i], *array_children[i], in, depth + 1, kNames[in.next() % 6]);
      }
      s.n_children = a.n_children = n_children;
      s.children = schema_children.data();
      a.children = array_children.data();
      if (!is_struct) {
        std::int64_t last = 0;
        list[1] = f == "+l" ? offsets<std::int32_t>(slots + 1, in, last) : offsets<std::int64_t>(slots + 1, in, last);
      }
    } else {
      a.n_buffers = 1 + in.next() % 3;  // an unsupported type, with some buffers
      for (int b = 1; b < a.n_buffers; ++b) list[b] = buffer(static_cast<std::size_t>(slots) * 8, in);
    }
    if (dictionary) {
      s.dictionary = &schemas.emplace_back();
      a.dictionary = &arrays.emplace_back();
      build(*s.dictionary, *a.dictionary, in, depth + 1, "");
    }
    // Sometimes the producer gets its buffer list wrong, or leaves one out.
    // (Not the count of a view array's: its last buffer holds the sizes of
    // the others, so a wrong count reads a data buffer as sizes, which no
    // consumer can tell.)
    const std::uint8_t damage = in.next();
    if (damage == 1 && f != "vu") a.n_buffers -= 1;
    if (damage == 2 && a.n_buffers > 1) list[1] = nullptr;
    if (damage == 3) a.n_children += 1;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  Bytes in(data, size);
  const bool events = in.next() & 1;
  static dq::Validator events_validator(dqfuzz::events_contract()), flat_validator(dqfuzz::flat_contract());
  dq::Validator& validator = events ? events_validator : flat_validator;
  static const char* const kColumns[] = {"id",    "name", "amount", "paid",  "at",   "day",  "n",
                                         "score", "tags", "actor",  "items", "kind", "extra"};

  Batch batch;
  ArrowSchema& schema = batch.schemas.emplace_back();
  ArrowArray& array = batch.arrays.emplace_back();
  std::memset(&schema, 0, sizeof schema);
  std::memset(&array, 0, sizeof array);
  const int n_columns = 1 + in.next() % 4;
  auto& schema_children = batch.schema_lists.emplace_back(n_columns);
  auto& array_children = batch.array_lists.emplace_back(n_columns);
  for (int i = 0; i < n_columns; ++i) {
    schema_children[i] = &batch.schemas.emplace_back();
    array_children[i] = &batch.arrays.emplace_back();
    batch.build(*schema_children[i], *array_children[i], in, 1, kColumns[in.next() % 13]);
  }
  schema.format = "+s";
  schema.name = "";
  schema.n_children = n_columns;
  schema.children = schema_children.data();
  schema.release = no_release;
  array.length = in.next() % 9;
  array.offset = in.next() % 3;
  array.null_count = 0;
  array.n_buffers = 1;
  auto& top_buffers = batch.buffer_lists.emplace_back(1, nullptr);
  array.buffers = top_buffers.data();
  array.n_children = n_columns;
  array.children = array_children.data();
  array.release = no_release_array;

  dq::ReportBuilder report(validator.contract());
  std::uint64_t rejects = 0;
  dq::ArrowOptions options;
  options.on_reject = [&](const dq::RecordEvent& e) {
    ++rejects;
    dqfuzz::require(!e.verdict.ok, "a rejected row is not ok");
  };
  const dq::Status status = dq::validate_arrow(validator, schema, array, report, options);
  const dq::RecordCounts& c = report.counts();
  dqfuzz::require_reconciled(c);
  if (status.ok()) {
    dqfuzz::require(c.total == static_cast<std::uint64_t>(array.length), "every row is counted");
    dqfuzz::require(rejects == c.invalid + c.malformed, "every row that is not valid is rejected");
  } else {
    dqfuzz::require(status.code() == dq::StatusCode::kInvalidData, "a bad layout is kInvalidData");
    dqfuzz::require(c.total == 0, "no row of a refused batch is counted");
  }
  return 0;
}
