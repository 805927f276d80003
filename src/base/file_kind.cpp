#include "base/file_kind.h"

#include <cstring>

namespace dq {

std::string binary_table_format(std::FILE* file) {
  const long start = std::ftell(file);
  if (start < 0) return "";  // a pipe: nothing to peek at without losing bytes
  char head[6] = {};
  const std::size_t n = std::fread(head, 1, sizeof head, file);
  std::clearerr(file);
  if (std::fseek(file, start, SEEK_SET) != 0) return "";
  if (n >= 4 && std::memcmp(head, "PAR1", 4) == 0) return "Parquet";
  if (n >= 6 && std::memcmp(head, "ARROW1", 6) == 0) return "Arrow IPC";
  return "";
}

std::string binary_table_message(const std::string& path, const std::string& format) {
  return "'" + path + "' is a binary table file (" + format +
         "): this reads NDJSON, JSON and CSV; read it through Python, where dq.infer and "
         "Contract.validate take Parquet and Arrow files and tables";
}

}  // namespace dq
