// The expression language: the parser alone (a tree whose links stay in
// bounds, or an error with an offset inside the text), then the same text as
// a record rule, compiled against a contract and run on records.
#include "spec/expression.h"

#include <string>

#include "fuzz.h"

namespace {

// The text as a YAML double-quoted scalar, so any bytes reach the compiler.
std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (unsigned char ch : text) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += static_cast<char>(ch);
    } else if (ch < 0x20 || ch == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", ch);
      out += buf;
    } else {
      out += static_cast<char>(ch);
    }
  }
  return out + "\"";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  dq::spec::Expr expr;
  dq::spec::ExprError error;
  if (dq::spec::parse_expression(text, expr, error)) {
    const int n = static_cast<int>(expr.nodes.size());
    dqfuzz::require(expr.root >= 0 && expr.root < n, "the root is a node");
    for (const auto& node : expr.nodes) {
      dqfuzz::require(node.offset >= 0 && node.offset <= static_cast<int>(size), "a node's offset is in the text");
      for (int arg : node.args) dqfuzz::require(arg >= 0 && arg < n, "a child is a node");
      dqfuzz::require(dq::spec::op_symbol(node.op) != nullptr, "every operator has a symbol");
    }
  } else {
    dqfuzz::require(error.offset >= 0 && error.offset <= static_cast<int>(size), "an error's offset is in the text");
    dqfuzz::require(!error.message.empty(), "an error says something");
  }

  const std::string yaml = std::string("dq: 1\ndataset: fuzz.rules\nversion: 1.0.0\nowner: {team: qa}\n") +
                           "params:\n  limit: {type: number, default: 10}\n"
                           "fields:\n  n: {type: integer}\n  s: {type: string}\n  at: {type: timestamp}\n"
                           "  a: {type: array, items: {type: object, fields: {x: {type: number}}}}\n"
                           "rules:\n  - name: fuzzed\n    when: 'n != null'\n    check: " +
                           quoted(text) + "\n";
  auto contract = dq::Contract::load_string(yaml, "rule.yaml");
  if (!contract.ok()) return 0;
  dq::Validator validator(*contract);
  for (const char* record :
       {R"({"n": 3, "s": "abc", "at": "2024-01-02T03:04:05Z", "a": [{"x": 1.5}, {"x": -2}]})",
        R"({"n": 0, "s": "", "a": []})", R"({"n": -9007199254740993, "a": [{}]})", R"({"n": null})"}) {
    const dq::Verdict& v = validator.validate_json(record);
    dqfuzz::require(!v.malformed, "a well-formed record is not malformed");
  }
  return 0;
}
