#include "spec/expression.h"

#include <cctype>
#include <charconv>

namespace dq::spec {
namespace {

enum class Tok { kEnd, kNumber, kString, kName, kParam, kSymbol };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;
  int offset = 0;
};

class Parser {
 public:
  Parser(std::string_view text, Expr& out) : text_(text), out_(out) {}

  bool run(ExprError& error) {
    if (!next()) return fail(error);
    int root = parse_or();
    if (root < 0) return fail(error);
    if (token_.kind != Tok::kEnd) {
      error_ = {token_.offset, "unexpected '" + token_.text + "' after the end of the expression"};
      return fail(error);
    }
    out_.root = root;
    return true;
  }

 private:
  bool fail(ExprError& error) {
    error = error_;
    return false;
  }

  bool next() {
    std::size_t i = pos_;
    while (i < text_.size() && std::isspace(static_cast<unsigned char>(text_[i]))) ++i;
    token_ = Token{Tok::kEnd, "", static_cast<int>(i)};
    if (i >= text_.size()) {
      pos_ = i;
      token_.text = "end";
      return true;
    }
    char c = text_[i];
    std::size_t start = i;
    auto is_name = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; };
    if (std::isdigit(static_cast<unsigned char>(c))) {
      while (i < text_.size() &&
             (std::isdigit(static_cast<unsigned char>(text_[i])) || text_[i] == '.' || text_[i] == 'e' ||
              text_[i] == 'E' ||
              ((text_[i] == '+' || text_[i] == '-') && (text_[i - 1] == 'e' || text_[i - 1] == 'E')))) {
        ++i;
      }
      token_.kind = Tok::kNumber;
    } else if (c == '"' || c == '\'') {
      ++i;
      std::string value;
      while (i < text_.size() && text_[i] != c) {
        if (text_[i] == '\\' && i + 1 < text_.size()) ++i;
        value += text_[i++];
      }
      if (i >= text_.size()) {
        error_ = {static_cast<int>(start), "unterminated string"};
        return false;
      }
      ++i;
      token_ = Token{Tok::kString, value, static_cast<int>(start)};
      pos_ = i;
      return true;
    } else if (c == '$') {
      ++i;
      while (i < text_.size() && is_name(text_[i])) ++i;
      if (i == start + 1) {
        error_ = {static_cast<int>(start), "'$' must be followed by a parameter name"};
        return false;
      }
      token_.kind = Tok::kParam;
    } else if (is_name(c)) {
      while (i < text_.size() && is_name(text_[i])) ++i;
      token_.kind = Tok::kName;
    } else {
      static const char* kSymbols[] = {"==", "!=", "<=", ">=", "<", ">", "+", "-",
                                       "*",  "/",  "(",  ")",  "[", "]", ",", "."};
      for (const char* s : kSymbols) {
        std::string_view sym(s);
        if (text_.substr(i, sym.size()) == sym) {
          token_.kind = Tok::kSymbol;
          i += sym.size();
          break;
        }
      }
      if (token_.kind != Tok::kSymbol) {
        error_ = {static_cast<int>(i), std::string("unexpected character '") + c + "'"};
        return false;
      }
    }
    token_.text = std::string(text_.substr(start, i - start));
    pos_ = i;
    return true;
  }

  bool is(Tok kind, std::string_view text) const { return token_.kind == kind && token_.text == text; }
  bool is_symbol(std::string_view s) const { return is(Tok::kSymbol, s); }
  bool is_word(std::string_view s) const { return is(Tok::kName, s); }

  int add(ExprOp op, int offset, std::vector<int> args = {}, std::string text = {}) {
    out_.nodes.push_back(ExprNode{op, offset, std::move(text), {}, std::move(args)});
    return static_cast<int>(out_.nodes.size()) - 1;
  }

  bool expect(std::string_view symbol) {
    if (!is_symbol(symbol)) {
      error_ = {token_.offset, "expected '" + std::string(symbol) + "' but found '" + token_.text + "'"};
      return false;
    }
    return next();
  }

  int parse_or() {
    int left = parse_and();
    while (left >= 0 && is_word("or")) {
      int at = token_.offset;
      if (!next()) return -1;
      int right = parse_and();
      if (right < 0) return -1;
      left = add(ExprOp::kOr, at, {left, right});
    }
    return left;
  }

  int parse_and() {
    int left = parse_not();
    while (left >= 0 && is_word("and")) {
      int at = token_.offset;
      if (!next()) return -1;
      int right = parse_not();
      if (right < 0) return -1;
      left = add(ExprOp::kAnd, at, {left, right});
    }
    return left;
  }

  int parse_not() {
    if (is_word("not")) {
      int at = token_.offset;
      if (!next()) return -1;
      int operand = parse_not();
      return operand < 0 ? -1 : add(ExprOp::kNot, at, {operand});
    }
    return parse_comparison();
  }

  int parse_comparison() {
    int left = parse_sum();
    if (left < 0) return -1;
    static const std::pair<const char*, ExprOp> kOps[] = {{"==", ExprOp::kEq}, {"!=", ExprOp::kNe}, {"<=", ExprOp::kLe},
                                                          {">=", ExprOp::kGe}, {"<", ExprOp::kLt},  {">", ExprOp::kGt}};
    for (const auto& [symbol, op] : kOps) {
      if (is_symbol(symbol)) {
        int at = token_.offset;
        if (!next()) return -1;
        int right = parse_sum();
        return right < 0 ? -1 : add(op, at, {left, right});
      }
    }
    bool negated = false;
    int at = token_.offset;
    if (is_word("not")) {
      if (!next()) return -1;
      if (!is_word("in")) {
        error_ = {token_.offset, "expected 'in' after 'not'"};
        return -1;
      }
      negated = true;
    }
    if (is_word("in")) {
      if (!next()) return -1;
      if (!is_symbol("[")) {
        error_ = {token_.offset, "'in' needs a list: x in [\"a\", \"b\"]"};
        return -1;
      }
      int list = parse_primary();
      return list < 0 ? -1 : add(negated ? ExprOp::kNotIn : ExprOp::kIn, at, {left, list});
    }
    return left;
  }

  int parse_sum() {
    int left = parse_term();
    while (left >= 0 && (is_symbol("+") || is_symbol("-"))) {
      ExprOp op = token_.text == "+" ? ExprOp::kAdd : ExprOp::kSub;
      int at = token_.offset;
      if (!next()) return -1;
      int right = parse_term();
      if (right < 0) return -1;
      left = add(op, at, {left, right});
    }
    return left;
  }

  int parse_term() {
    int left = parse_unary();
    while (left >= 0 && (is_symbol("*") || is_symbol("/"))) {
      ExprOp op = token_.text == "*" ? ExprOp::kMul : ExprOp::kDiv;
      int at = token_.offset;
      if (!next()) return -1;
      int right = parse_unary();
      if (right < 0) return -1;
      left = add(op, at, {left, right});
    }
    return left;
  }

  int parse_unary() {
    if (is_symbol("-")) {
      int at = token_.offset;
      if (!next()) return -1;
      int operand = parse_unary();
      return operand < 0 ? -1 : add(ExprOp::kNeg, at, {operand});
    }
    return parse_primary();
  }

  int parse_primary() {
    Token t = token_;
    switch (t.kind) {
      case Tok::kEnd: error_ = {t.offset, "expected a value but the expression ended"}; return -1;
      case Tok::kNumber: return next() ? add(ExprOp::kNumber, t.offset, {}, t.text) : -1;
      case Tok::kString: return next() ? add(ExprOp::kString, t.offset, {}, t.text) : -1;
      case Tok::kParam: return next() ? add(ExprOp::kParam, t.offset, {}, t.text.substr(1)) : -1;
      case Tok::kSymbol:
        if (t.text == "(") {
          if (!next()) return -1;
          int inner = parse_or();
          if (inner < 0 || !expect(")")) return -1;
          return inner;
        }
        if (t.text == "[") {
          if (!next()) return -1;
          std::vector<int> items;
          while (!is_symbol("]")) {
            int item = parse_or();
            if (item < 0) return -1;
            items.push_back(item);
            if (is_symbol(",")) {
              if (!next()) return -1;
            } else if (!is_symbol("]")) {
              error_ = {token_.offset, "expected ',' or ']' in a list"};
              return -1;
            }
          }
          if (!next()) return -1;
          return add(ExprOp::kList, t.offset, std::move(items));
        }
        error_ = {t.offset, "unexpected '" + t.text + "'"};
        return -1;
      case Tok::kName: break;
    }
    if (t.text == "true" || t.text == "false") {
      return next() ? add(ExprOp::kBool, t.offset, {}, t.text) : -1;
    }
    if (t.text == "null") return next() ? add(ExprOp::kNull, t.offset, {}, t.text) : -1;
    if (t.text == "and" || t.text == "or" || t.text == "not" || t.text == "in") {
      error_ = {t.offset, "expected a value but found '" + t.text + "'"};
      return -1;
    }
    if (!next()) return -1;
    if (is_symbol("(")) {
      if (!next()) return -1;
      std::vector<int> args;
      while (!is_symbol(")")) {
        int arg = parse_or();
        if (arg < 0) return -1;
        args.push_back(arg);
        if (is_symbol(",")) {
          if (!next()) return -1;
        } else if (!is_symbol(")")) {
          error_ = {token_.offset, "expected ',' or ')' in the arguments of " + t.text + "()"};
          return -1;
        }
      }
      if (!next()) return -1;
      return add(ExprOp::kCall, t.offset, std::move(args), t.text);
    }
    // A field path.
    int node = add(ExprOp::kPath, t.offset, {}, t.text);
    std::vector<PathStep> path{{t.text, -1}};
    std::string written = t.text;
    while (is_symbol(".") || is_symbol("[")) {
      if (is_symbol(".")) {
        if (!next()) return -1;
        if (token_.kind != Tok::kName) {
          error_ = {token_.offset, "expected a field name after '.'"};
          return -1;
        }
        path.push_back({token_.text, -1});
        written += "." + token_.text;
        if (!next()) return -1;
      } else {
        if (!next()) return -1;
        if (token_.kind != Tok::kNumber || token_.text.find_first_not_of("0123456789") != std::string::npos) {
          error_ = {token_.offset, "expected an array index (0, 1, ...) inside '[]'"};
          return -1;
        }
        long index = 0;
        const char* end = token_.text.data() + token_.text.size();
        if (auto [ptr, ec] = std::from_chars(token_.text.data(), end, index); ec != std::errc() || ptr != end) {
          error_ = {token_.offset, "array index " + token_.text + " is too large"};
          return -1;
        }
        path.push_back({"", index});
        written += "[" + token_.text + "]";
        if (!next() || !expect("]")) return -1;
      }
    }
    out_.nodes[node].path = std::move(path);
    out_.nodes[node].text = written;
    return node;
  }

  std::string_view text_;
  Expr& out_;
  std::size_t pos_ = 0;
  Token token_;
  ExprError error_;
};

}  // namespace

bool parse_expression(std::string_view text, Expr& out, ExprError& error) {
  out = Expr{};
  return Parser(text, out).run(error);
}

const char* op_symbol(ExprOp op) {
  switch (op) {
    case ExprOp::kEq: return "==";
    case ExprOp::kNe: return "!=";
    case ExprOp::kLt: return "<";
    case ExprOp::kLe: return "<=";
    case ExprOp::kGt: return ">";
    case ExprOp::kGe: return ">=";
    case ExprOp::kAdd: return "+";
    case ExprOp::kSub: return "-";
    case ExprOp::kMul: return "*";
    case ExprOp::kDiv: return "/";
    case ExprOp::kAnd: return "and";
    case ExprOp::kOr: return "or";
    case ExprOp::kNot: return "not";
    case ExprOp::kNeg: return "-";
    case ExprOp::kIn: return "in";
    case ExprOp::kNotIn: return "not in";
    default: return "?";
  }
}

}  // namespace dq::spec
