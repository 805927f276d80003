// JSON Schema's equality of JSON values, as text: two values are equal when
// their canonical forms are equal. Numbers compare by mathematical value (1
// equals 1.0), object keys in any order, strings by their code points. Used
// by `enum` and `const` on any value, and by `unique_items`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace dq {

// The canonical text of `value`: objects with their keys sorted, numbers with
// a zero fraction written as integers, other numbers in their shortest
// round-trip form, strings JSON-quoted. Equal values give equal texts.
std::string canonical_json(const nlohmann::json& value);

// A plain (unquoted) YAML scalar as the JSON value it writes: null (also `~`
// and empty), true, false, a number in JSON's grammar, else a string.
nlohmann::json plain_scalar_json(const std::string& text);

}  // namespace dq
