// Protocol Buffers `.proto` sources (proto3 and proto2) read into dq's form,
// parsed by protobuf's own compiler (libprotoc's Importer). A record is a
// message in the proto3 canonical JSON mapping, as Pub/Sub and json_format
// write it: lowerCamelCase keys, 64-bit integers as strings, enum names,
// Timestamps as RFC 3339 text.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

#include "spec/diagnostics.h"

namespace dq::spec {

// `text` is the .proto file `diagnostics.file()` (its imports are read from
// its folder and from protobuf's own include folder, for the well-known
// types). `message` chooses the message (full or short name); without it the
// file's one top-level message that no other uses is read. Diagnostics point
// into the .proto; what dq cannot check (map values, oneof exclusivity) is a
// warning, a recursive message an error.
YAML::Node protobuf_to_dq(std::string_view text, const std::string& message, Diagnostics& diagnostics);

}  // namespace dq::spec
