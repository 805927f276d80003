#include "engine/columns.h"

#include <simdjson.h>

#include <algorithm>
#include <cstdio>

namespace dq {
namespace {

// Far above any real batch, and low enough that offset + length arithmetic
// on int64 cannot overflow.
constexpr std::int64_t kMaxLength = std::int64_t{1} << 48;

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Whether every one of `size` bytes is ASCII: one OR per byte, vectorised.
DQ_WIDE_KERNEL bool all_ascii(const char* bytes, std::int64_t size) {
  unsigned char any = 0;
  for (std::int64_t i = 0; i < size; ++i) any |= static_cast<unsigned char>(bytes[i]);
  return any < 0x80;
}

class Importer {
 public:
  explicit Importer(std::size_t max_depth) : max_depth_(max_depth) {}

  Status import(const ArrowSchema& s, const ArrowArray& a, const std::string& path, std::size_t depth, Column& out) {
    out.format = s.format ? s.format : "";
    out.path = path;
    if (depth > max_depth_) return error(out, "nesting deeper than max_depth (" + std::to_string(max_depth_) + ")");
    if (a.length < 0 || a.offset < 0 || a.length > kMaxLength || a.offset > kMaxLength) {
      return error(out, "invalid length " + std::to_string(a.length) + " or offset " + std::to_string(a.offset));
    }
    if (a.n_buffers < 0 || (a.n_buffers > 0 && a.buffers == nullptr)) return error(out, "missing buffer list");
    if (a.n_children != s.n_children || a.n_children < 0 || (a.n_children > 0 && (!a.children || !s.children))) {
      return error(out, "the array has " + std::to_string(a.n_children) + " children, its schema " +
                            std::to_string(s.n_children));
    }
    out.length = a.length;
    out.offset = a.offset;
    if (s.dictionary != nullptr) return dictionary(s, a, depth, out);
    const std::string_view f = out.format;
    if (f == "n") {
      out.kind = Column::Kind::kNull;
      return {};
    }
    if (f.size() == 1 && std::string_view("bcCsSiIlLfg").find(f[0]) != std::string_view::npos) return fixed(a, out);
    if (f == "u" || f == "U") return strings(a, f == "u" ? Column::Kind::kUtf8 : Column::Kind::kLargeUtf8, out);
    if (f == "vu") return views(a, out);
    if (f == "tdD" || f == "tdm") {
      out.kind = f == "tdD" ? Column::Kind::kDate32 : Column::Kind::kDate64;
      out.width = f == "tdD" ? 4 : 8;
      return fixed_buffers(a, out);
    }
    if (f.size() >= 4 && f.substr(0, 2) == "ts" && f[3] == ':' &&
        std::string_view("smun").find(f[2]) != std::string_view::npos) {
      out.kind = Column::Kind::kTimestamp;
      out.width = 8;
      out.micros_per_unit = f[2] == 's' ? 1000000 : f[2] == 'm' ? 1000 : f[2] == 'u' ? 1 : 0;
      out.local_time = f.size() == 4;  // "tsu:" with no zone after the colon
      return fixed_buffers(a, out);
    }
    if (f.substr(0, 2) == "d:") return decimal(a, out);
    if (f == "+s") return structure(s, a, depth, out);
    if (f == "+l" || f == "+L")
      return list(s, a, depth, f == "+l" ? Column::Kind::kList : Column::Kind::kLargeList, out);
    return error(out, "unsupported Arrow type " + arrow_type_name(f));
  }

 private:
  static Status error(const Column& c, const std::string& what) {
    return Status(StatusCode::kInvalidData, (c.path.empty() ? std::string("the batch") : "column '" + c.path + "'") +
                                                " (Arrow format '" + c.format + "'): " + what);
  }

  static Status need_buffers(const ArrowArray& a, std::int64_t n, const Column& out) {
    if (a.n_buffers != n) {
      return error(out, "expected " + std::to_string(n) + " buffers, got " + std::to_string(a.n_buffers));
    }
    return {};
  }

  // A validity bitmap, or null when every value is valid: none given, or a
  // null_count of 0 (Parquet readers allocate bitmaps that hold no nulls).
  static const std::uint8_t* validity_of(const ArrowArray& a) {
    return a.null_count == 0 ? nullptr : static_cast<const std::uint8_t*>(a.buffers[0]);
  }

  // Validity and values; a missing validity buffer means every value is valid.
  // "d:precision,scale[,bitwidth]" (bitwidth 128 when absent).
  static Status decimal(const ArrowArray& a, Column& out) {
    int precision = 0, scale = 0, bits = 128;
    const std::string& f = out.format;
    if (std::sscanf(f.c_str(), "d:%d,%d,%d", &precision, &scale, &bits) < 2 || precision < 1 ||
        (bits != 32 && bits != 64 && bits != 128 && bits != 256) || scale < -1000 || scale > 1000) {
      return error(out, "not a decimal type this engine reads");
    }
    out.kind = Column::Kind::kDecimal;
    out.width = bits / 8;
    out.scale = scale;
    return fixed_buffers(a, out);
  }

  static Status fixed_buffers(const ArrowArray& a, Column& out) {
    if (Status st = need_buffers(a, 2, out); !st.ok()) return st;
    out.validity = validity_of(a);
    out.values = a.buffers[1];
    if (out.values == nullptr && a.length > 0) return error(out, "missing values buffer");
    return {};
  }

  static Status fixed(const ArrowArray& a, Column& out) {
    const char c = out.format[0];
    switch (c) {
      case 'b': out.kind = Column::Kind::kBool; break;
      case 'f':
        out.kind = Column::Kind::kFloat;
        out.width = 4;
        break;
      case 'g':
        out.kind = Column::Kind::kDouble;
        out.width = 8;
        break;
      default:
        out.kind = (c >= 'a' && c <= 'z') ? Column::Kind::kInt : Column::Kind::kUint;
        out.width = (c == 'c' || c == 'C') ? 1 : (c == 's' || c == 'S') ? 2 : (c == 'i' || c == 'I') ? 4 : 8;
    }
    return fixed_buffers(a, out);
  }

  // Offsets must start at or above zero and never decrease; the last one
  // bounds what the values (bytes or child rows) may be.
  template <class Offset>
  static Status check_offsets(const Column& out, std::int64_t limit) {
    if (out.length == 0) return {};
    const auto* o = static_cast<const Offset*>(out.values) + out.offset;
    if (o[0] < 0) return error(out, "negative offset " + std::to_string(o[0]));
    bool decreasing = false;  // one branch-free pass; the row is looked for only on an error
    for (std::int64_t i = 0; i < out.length; ++i) decreasing |= o[i + 1] < o[i];
    for (std::int64_t i = 0; decreasing && i < out.length; ++i) {
      if (o[i + 1] < o[i]) return error(out, "offsets decrease at row " + std::to_string(i));
    }
    if (limit >= 0 && o[out.length] > limit) {
      return error(
          out, "offset " + std::to_string(o[out.length]) + " is past the child's " + std::to_string(limit) + " rows");
    }
    return {};
  }

  static Status strings(const ArrowArray& a, Column::Kind kind, Column& out) {
    out.kind = kind;
    if (Status st = need_buffers(a, 3, out); !st.ok()) return st;
    out.validity = validity_of(a);
    out.values = a.buffers[1];
    out.data = static_cast<const char*>(a.buffers[2]);
    if (a.length == 0) return {};
    if (out.values == nullptr) return error(out, "missing offsets buffer");
    Status st =
        kind == Column::Kind::kUtf8 ? check_offsets<std::int32_t>(out, -1) : check_offsets<std::int64_t>(out, -1);
    if (!st.ok()) return st;
    const std::int64_t first = out.range_at(0).first, last = out.range_at(out.length - 1).second;
    if (last > first && out.data == nullptr) return error(out, "missing data buffer");
    if (all_ascii(out.data + first, last - first)) {
      out.ascii = out.utf8_checked = true;  // ASCII is UTF-8, and no character spans two rows
    } else if (kind == Column::Kind::kUtf8) {
      check_utf8<std::int32_t>(out, first, last);
    } else {
      check_utf8<std::int64_t>(out, first, last);
    }
    return {};
  }

  // One pass over the bytes: the whole range is UTF-8 and no row boundary
  // splits a character, so no string needs checking when read.
  template <class Offset>
  static void check_utf8(Column& out, std::int64_t first, std::int64_t last) {
    if (last > first && !simdjson::validate_utf8(out.data + first, static_cast<std::size_t>(last - first))) return;
    const auto* o = static_cast<const Offset*>(out.values) + out.offset;
    bool split = false;
    for (std::int64_t i = 0; i < out.length; ++i) split |= o[i] < last && is_continuation(out.data[o[i]]);
    out.utf8_checked = !split;
  }

  static Status views(const ArrowArray& a, Column& out) {
    out.kind = Column::Kind::kUtf8View;
    if (a.n_buffers < 3) return error(out, "expected at least 3 buffers, got " + std::to_string(a.n_buffers));
    out.validity = validity_of(a);
    out.values = a.buffers[1];
    const std::int64_t n_data = a.n_buffers - 3;
    const auto* sizes = static_cast<const std::int64_t*>(a.buffers[a.n_buffers - 1]);
    if (n_data > 0 && sizes == nullptr) return error(out, "missing variadic buffer sizes");
    for (std::int64_t b = 0; b < n_data; ++b) {
      if (a.buffers[2 + b] == nullptr && sizes[b] > 0) return error(out, "missing data buffer " + std::to_string(b));
      out.variadic.push_back(static_cast<const char*>(a.buffers[2 + b]));
    }
    if (a.length == 0) return {};
    if (out.values == nullptr) return error(out, "missing views buffer");
    // The same pass ORs every string's bytes: all ASCII is all UTF-8, as for
    // offsets (other text is checked per string when read).
    unsigned char any = 0;
    for (std::int64_t i = 0; i < a.length; ++i) {
      if (!out.valid(i)) continue;
      const auto* view = static_cast<const std::uint8_t*>(out.values) + 16 * (out.offset + i);
      std::int32_t size, buffer, start;
      std::memcpy(&size, view, 4);
      std::memcpy(&buffer, view + 8, 4);
      std::memcpy(&start, view + 12, 4);
      if (size < 0) return error(out, "negative string length at row " + std::to_string(i));
      out.longest = std::max<std::int64_t>(out.longest, size);
      if (size <= 12) {
        std::uint64_t head;  // the 12 bytes after the size, as 8 + 4 (padding only adds caution)
        std::uint32_t tail;
        std::memcpy(&head, view + 4, 8);
        std::memcpy(&tail, view + 12, 4);
        any |= static_cast<unsigned char>(((head | tail) & 0x8080808080808080ULL) != 0) << 7;
        continue;
      }
      if (buffer < 0 || buffer >= n_data || start < 0 || std::int64_t{start} + size > sizes[buffer]) {
        return error(out, "string view out of its buffer at row " + std::to_string(i));
      }
      any |= all_ascii(out.variadic[static_cast<std::size_t>(buffer)] + start, size) ? 0 : 0x80;
    }
    out.ascii = out.utf8_checked = any < 0x80;
    return {};
  }

  Status structure(const ArrowSchema& s, const ArrowArray& a, std::size_t depth, Column& out) {
    out.kind = Column::Kind::kStruct;
    if (Status st = need_buffers(a, 1, out); !st.ok()) return st;
    out.validity = validity_of(a);
    out.children.resize(static_cast<std::size_t>(a.n_children));
    for (std::int64_t i = 0; i < a.n_children; ++i) {
      const ArrowSchema* cs = s.children[i];
      const ArrowArray* ca = a.children[i];
      if (!cs || !ca) return error(out, "missing child " + std::to_string(i));
      Column& child = out.children[static_cast<std::size_t>(i)];
      child.name = cs->name ? cs->name : "";
      std::string child_path = out.path.empty() ? child.name : out.path + "." + child.name;
      if (Status st = import(*cs, *ca, child_path, depth + 1, child); !st.ok()) return st;
      // A struct's offset applies to its children's rows too.
      if (child.length < a.offset + a.length) {
        return error(child, "has " + std::to_string(child.length) + " rows, its parent needs " +
                                std::to_string(a.offset + a.length));
      }
    }
    return {};
  }

  Status list(const ArrowSchema& s, const ArrowArray& a, std::size_t depth, Column::Kind kind, Column& out) {
    out.kind = kind;
    if (Status st = need_buffers(a, 2, out); !st.ok()) return st;
    if (a.n_children != 1 || !s.children[0] || !a.children[0]) return error(out, "a list needs one child");
    out.validity = validity_of(a);
    out.values = a.buffers[1];
    out.children.resize(1);
    Column& items = out.children[0];
    items.name = s.children[0]->name ? s.children[0]->name : "";
    if (Status st = import(*s.children[0], *a.children[0], out.path + "[]", depth + 1, items); !st.ok()) return st;
    if (a.length > 0 && out.values == nullptr) return error(out, "missing offsets buffer");
    return kind == Column::Kind::kList ? check_offsets<std::int32_t>(out, items.length)
                                       : check_offsets<std::int64_t>(out, items.length);
  }

  Status dictionary(const ArrowSchema& s, const ArrowArray& a, std::size_t depth, Column& out) {
    const std::string_view f = out.format;
    if (f.size() != 1 || std::string_view("cCsSiIlL").find(f[0]) == std::string_view::npos) {
      return error(out, "dictionary indices must be integers");
    }
    if (a.dictionary == nullptr) return error(out, "dictionary-encoded, but the array has no dictionary");
    if (Status st = fixed(a, out); !st.ok()) return st;
    const bool is_signed = out.kind == Column::Kind::kInt;
    out.kind = Column::Kind::kDictionary;
    out.children.resize(1);
    Column& values = out.children[0];
    values.name = out.name;
    if (Status st = import(*s.dictionary, *a.dictionary, out.path, depth + 1, values); !st.ok()) return st;
    for (std::int64_t i = 0; i < a.length; ++i) {
      if (!out.valid(i)) continue;
      const bool in_range = is_signed ? out.int_at(i) >= 0 && out.int_at(i) < values.length
                                      : out.uint_at(i) < static_cast<std::uint64_t>(values.length);
      if (!in_range) return error(out, "dictionary index out of range at row " + std::to_string(i));
    }
    // Indices are read as signed from here on; an unsigned 64-bit index in
    // range is below 2^48 and reads the same.
    return {};
  }

  std::size_t max_depth_;
};

Status bind(const Column& column, const Program& program, const Node& node) {
  // A column of another type than the contract's is bound all the same: its
  // values are the JSON values they stand for, and the walker reports each
  // one as it would in a JSON record (a type violation per row).
  column.node = &node;
  if (node.type == spec::Type::kObject && column.kind == Column::Kind::kStruct) {
    for (const Column& child : column.children) {
      for (int index : node.children) {
        const Node& declared = program.nodes[static_cast<std::size_t>(index)];
        if (declared.key != child.name) continue;
        if (Status st = bind(child, program, declared); !st.ok()) return st;
      }
    }
  }
  if (node.type == spec::Type::kArray && node.items >= 0 && !column.children.empty() &&
      (column.kind == Column::Kind::kList || column.kind == Column::Kind::kLargeList)) {
    return bind(column.children[0], program, program.nodes[static_cast<std::size_t>(node.items)]);
  }
  return {};
}

}  // namespace

Result<Column> import_batch(const ArrowSchema& schema, const ArrowArray& array, std::size_t max_depth) {
  if (schema.release == nullptr || array.release == nullptr) {
    return Status(StatusCode::kInvalidData, "the Arrow schema or array was already released");
  }
  if (schema.format == nullptr || std::string_view(schema.format) != "+s") {
    return Status(StatusCode::kInvalidData, std::string("a record batch is a struct array (format '+s'), not '") +
                                                (schema.format ? schema.format : "") + "'");
  }
  Column batch;
  Importer importer(max_depth);
  if (Status st = importer.import(schema, array, "", 0, batch); !st.ok()) return st;
  return batch;
}

std::string decimal_text(const Column& column, std::int64_t row) {
  const int width = column.width;
  const auto* bytes = static_cast<const std::uint8_t*>(column.values) + (column.offset + row) * width;
  // Two's complement little-endian limbs of 32 bits, made positive, then
  // divided by 10 until zero: the digits, exact at any width.
  std::uint32_t limbs[8] = {};
  const int n = width / 4;
  for (int i = 0; i < n; ++i) std::memcpy(&limbs[i], bytes + 4 * i, 4);
  const bool negative = (limbs[n - 1] >> 31) != 0;
  if (negative) {
    std::uint64_t carry = 1;
    for (int i = 0; i < n; ++i) {
      const std::uint64_t v = static_cast<std::uint64_t>(~limbs[i]) + carry;
      limbs[i] = static_cast<std::uint32_t>(v);
      carry = v >> 32;
    }
  }
  std::string digits;
  bool zero = false;
  while (!zero) {
    std::uint64_t rest = 0;
    zero = true;
    for (int i = n - 1; i >= 0; --i) {
      const std::uint64_t v = (rest << 32) | limbs[i];
      limbs[i] = static_cast<std::uint32_t>(v / 10);
      rest = v % 10;
      zero = zero && limbs[i] == 0;
    }
    digits.push_back(static_cast<char>('0' + rest));
  }
  std::reverse(digits.begin(), digits.end());
  const int scale = column.scale;
  if (scale < 0) {
    if (digits != "0") digits.append(static_cast<std::size_t>(-scale), '0');
  } else if (scale > 0) {
    if (digits.size() <= static_cast<std::size_t>(scale))
      digits.insert(0, static_cast<std::size_t>(scale) + 1 - digits.size(), '0');
    digits.insert(digits.size() - static_cast<std::size_t>(scale), 1, '.');
  }
  return (negative ? "-" : "") + digits;
}

Status bind_columns(const Column& batch, const Program& program) { return bind(batch, program, program.nodes[0]); }

std::string arrow_type_name(std::string_view f) {
  static const std::pair<std::string_view, std::string_view> kNames[] = {
      {"n", "null"},       {"b", "bool"},    {"c", "int8"},         {"C", "uint8"},        {"s", "int16"},
      {"S", "uint16"},     {"i", "int32"},   {"I", "uint32"},       {"l", "int64"},        {"L", "uint64"},
      {"e", "float16"},    {"f", "float32"}, {"g", "float64"},      {"u", "utf8"},         {"U", "large_utf8"},
      {"vu", "utf8_view"}, {"z", "binary"},  {"Z", "large_binary"}, {"vz", "binary_view"}, {"tdD", "date32"},
      {"tdm", "date64"},   {"+s", "struct"}, {"+l", "list"},        {"+L", "large_list"},  {"+m", "map"},
  };
  for (const auto& [format, name] : kNames) {
    if (f == format) return std::string(name);
  }
  if (f.size() >= 4 && f.substr(0, 2) == "ts" && f[3] == ':') {
    const char* unit = f[2] == 's' ? "s" : f[2] == 'm' ? "ms" : f[2] == 'u' ? "us" : "ns";
    std::string_view tz = f.substr(4);
    return std::string("timestamp[") + unit + (tz.empty() ? "" : ", tz=" + std::string(tz)) + "]";
  }
  if (f.substr(0, 2) == "d:") {
    int precision = 0, scale = 0, bits = 128;
    std::sscanf(std::string(f).c_str(), "d:%d,%d,%d", &precision, &scale, &bits);
    return "decimal" + std::to_string(bits) + "(" + std::to_string(precision) + ", " + std::to_string(scale) + ")";
  }
  if (f.substr(0, 2) == "+w") return "fixed_size_list";
  if (f.substr(0, 2) == "tt" || f.substr(0, 2) == "tD" || f.substr(0, 2) == "tI") return "time/duration/interval";
  return "'" + std::string(f) + "'";
}

}  // namespace dq
