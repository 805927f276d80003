// NDJSON validated by several threads: the input is cut into blocks of whole
// lines, each validated by a worker with its own Validator and ReportBuilder,
// and the blocks' reports and callbacks are merged in input order, so the
// result equals a single-threaded run (StreamOptions::threads).
#pragma once

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "dq/stream.h"

namespace dq {

// A line's record: the line without surrounding whitespace; empty when blank.
inline std::string_view trimmed_record(const char* line, std::size_t length) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (length > 0 && space(line[length - 1])) --length;
  std::size_t lead = 0;
  while (lead < length && space(line[lead])) ++lead;
  return std::string_view(line + lead, length - lead);
}

// The first line break in [p, end): '\n' or '\r' (a "\r\n" pair starts at its
// '\r'), or null. Every NDJSON line ends with one of "\n", "\r\n" or "\r".
inline const char* line_break(const char* p, const char* end) {
  const char* lf = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
  const char* cr = static_cast<const char*>(std::memchr(p, '\r', static_cast<std::size_t>((lf ? lf : end) - p)));
  return cr ? cr : lf;
}

// The bytes a line break at `brk` takes: 2 for "\r\n", else 1.
inline std::size_t line_break_size(const char* brk, const char* end) {
  return *brk == '\r' && brk + 1 < end && brk[1] == '\n' ? 2 : 1;
}

// Why a record over Limits::max_record_bytes is malformed (the engine's words).
inline std::string too_large_message(std::uint64_t bytes, std::size_t limit) {
  return "record of " + std::to_string(bytes) + " bytes exceeds max_record_bytes (" + std::to_string(limit) + ")";
}

// A record's bytes as rejects show them: an oversized one by its first 256.
inline std::string_view shown_raw(std::string_view record, std::size_t limit) {
  return record.size() > limit ? record.substr(0, 256) : record;
}

// Validates the NDJSON read from `file`, after `head`: the bytes already read
// from it (BOM removed), which start at input offset `head_offset`.
Status validate_ndjson_parallel(Validator& validator, std::FILE* file, const StreamOptions& options,
                                ReportBuilder& report, std::string_view head, std::uint64_t head_offset);

}  // namespace dq
