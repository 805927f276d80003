// Evaluates compiled expressions over the values captured from one record.
//
// Null logic (documented in docs/contract-reference.md): a comparison with a
// null or absent operand is false, except `== null` / `!= null`; arithmetic
// with null is null; `and`, `or`, `not` read null as false.
#pragma once

#include <deque>
#include <string>

#include "compile/program.h"

namespace dq {

struct EvalScratch {
  std::deque<std::string> strings;  // results of lower()/upper(), per record
  std::int64_t now_micros = 0;
};

Value evaluate(const ExprCode& code, int node, const Value* slots, EvalScratch& scratch);
inline bool truthy(const Value& v) { return v.kind == Value::Kind::kBool && v.b; }
// truthy(evaluate(...)), answered without building the Value: for conditions.
bool holds(const ExprCode& code, int node, const Value* slots, EvalScratch& scratch);

// "customer.id=\"c1\", amount=12.5": the values an expression read, for messages.
std::string describe_inputs(const ExprCode& code, const Value* slots);
std::string describe_value(const Value& v);

}  // namespace dq
