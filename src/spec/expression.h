// The expression language of `when`, `check`, `filter` and tiers: parsed
// into a flat tree. Typing and evaluation live in compile/ and engine/.
//
//   expr := or;  or := and {"or" and};  and := not {"and" not}
//   not  := "not" not | cmp
//   cmp  := sum [("=="|"!="|"<"|"<="|">"|">=") sum | ["not"] "in" list]
//   sum  := term {("+"|"-") term};  term := unary {("*"|"/") unary}
//   unary:= "-" unary | primary
//   primary := number | string | true | false | null | $param | path
//            | name "(" [expr {"," expr}] ")" | "(" expr ")"
//   path := name {"." name | "[" integer "]"};  list := "[" expr {"," expr} "]"
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dq::spec {

enum class ExprOp {
  kNumber,
  kString,
  kBool,
  kNull,
  kParam,
  kPath,
  kCall,
  kList,
  kNot,
  kNeg,
  kAnd,
  kOr,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kIn,
  kNotIn,
};

struct PathStep {
  std::string key;  // a field name, or "" for an index step
  long index = -1;
};

struct ExprNode {
  ExprOp op;
  int offset = 0;              // byte offset in the source text, for diagnostics
  std::string text;            // literal text, param or function name, or the path as written
  std::vector<PathStep> path;  // kPath
  std::vector<int> args;       // children, by index into Expr::nodes
};

struct Expr {
  std::vector<ExprNode> nodes;
  int root = -1;
};

struct ExprError {
  int offset = 0;
  std::string message;
};

// Parses `text`; on failure returns false and fills `error`.
bool parse_expression(std::string_view text, Expr& out, ExprError& error);

const char* op_symbol(ExprOp op);

}  // namespace dq::spec
