#pragma once

#include <cstdio>
#include <string>

namespace dq {

// The binary table formats whose files announce themselves in their first
// bytes ("PAR1", "ARROW1"). dq's file readers take text (NDJSON, JSON, CSV),
// so such a file gets one clear error instead of a malformed line per block.
// Returns "Parquet", "Arrow IPC" or "" (text, or a stream that cannot be
// rewound: pipes are read as they come). The file's position is unchanged.
std::string binary_table_format(std::FILE* file);

// The message for a binary table file given where text is read.
std::string binary_table_message(const std::string& path, const std::string& format);

}  // namespace dq
