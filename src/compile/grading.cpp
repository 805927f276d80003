// The grader's section: key, filter, measures, tiers and exported columns.
#include "compile/compiler.h"

namespace dq::compiling {

// ---- grading --------------------------------------------------------------
void Compiler::compile_grading(const spec::Grading& spec) {
  Program::Grading g;
  for (const Scalar& key : spec.key) {
    if (auto column = grading_column(key, "key", true)) g.key.push_back(*column);
  }
  for (const Scalar& out : spec.output) {
    if (auto column = grading_column(out, "output", false)) g.output.push_back(*column);
  }
  if (spec.filter) compile_expr(*spec.filter, g.filter, "grading 'filter'");
  std::vector<std::string> names, where_texts;
  for (const auto& [name, text] : spec.measures) {
    if (std::find(names.begin(), names.end(), name) != names.end() || !is_identifier(name)) {
      diags_.error(text.span, "measure name '" + name + "' must be a unique identifier (letters, digits, _)");
      continue;
    }
    names.push_back(name);
    compile_measure(name, text, g, where_texts);
  }
  if (spec.tiers.empty()) diags_.error(spec.span, "grading needs 'tiers': an ordered list of {name, when}");
  measures_in_scope_ = &g.measures;
  std::vector<std::string> tier_names;
  for (std::size_t i = 0; i < spec.tiers.size(); ++i) {
    const auto& tier = spec.tiers[i];
    if (std::find(tier_names.begin(), tier_names.end(), tier.name) != tier_names.end()) {
      diags_.error(tier.span, "tier '" + tier.name + "' is listed twice");
    }
    tier_names.push_back(tier.name);
    Program::Grading::Tier t{tier.name, {}, true};
    if (tier.when) {
      compile_expr(*tier.when, t.when, "tier 'when'");
    } else if (i + 1 < spec.tiers.size()) {
      diags_.error(tier.span, "tier '" + tier.name +
                                  "' has no 'when', so it takes every entity and the tiers "
                                  "after it are never reached; the default tier goes last");
    }
    g.tiers.push_back(std::move(t));
  }
  measures_in_scope_ = nullptr;
  if (!spec.tiers.empty() && spec.tiers.back().when) {
    diags_.error(spec.tiers.back().span,
                 "grading needs a default tier: a last tier without 'when' "
                 "(every entity gets a tier, so the tiers add up to the entities)");
  }
  compile_export(spec.export_tiers, g);
  program_->grading = std::move(g);
}

bool Compiler::is_identifier(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// A key or output column: a declared scalar field outside arrays. Keys
// must be required all the way down: a record without its key can't be
// graded, so it is invalid (and goes to the rejects) rather than lost.
std::optional<Program::Grading::Column> Compiler::grading_column(const Scalar& s, const char* role, bool key) {
  const int field = profiled_field(s.text, s.span, std::string("grading ") + role);
  if (field < 0) return std::nullopt;
  const Program& p = *program_;
  const Node& n = p.nodes[static_cast<std::size_t>(p.profiled[static_cast<std::size_t>(field)].node)];
  if (n.type == Type::kObject || n.type == Type::kArray) {
    diags_.error(s.span, std::string("grading ") + role + " '" + s.text + "' is " + spec::type_name(n.type) +
                             "; name a scalar field");
    return std::nullopt;
  }
  for (int f = field; key && f >= 0; f = p.profiled[static_cast<std::size_t>(f)].parent) {
    const Node& step = p.nodes[static_cast<std::size_t>(p.profiled[static_cast<std::size_t>(f)].node)];
    if (!step.required) {
      diags_.error(s.span, "grading key '" + s.text + "' must be required (set required: true on '" + step.schema_path +
                               "'): a record without its key cannot be graded");
      return std::nullopt;
    }
  }
  return Program::Grading::Column{s.text, n.slot};
}

// Where the top-level keyword `where` starts in a measure, or npos.
std::size_t Compiler::find_where(std::string_view text) {
  char quote = 0;
  int depth = 0;
  auto name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote) {
      if (c == '\\')
        ++i;
      else if (c == quote)
        quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '(' || c == '[') {
      ++depth;
    } else if (c == ')' || c == ']') {
      --depth;
    } else if (depth == 0 && text.substr(i, 5) == "where" && (i == 0 || !name_char(text[i - 1])) &&
               (i + 5 == text.size() || !name_char(text[i + 5]))) {
      return i;
    }
  }
  return std::string_view::npos;
}

void Compiler::compile_measure(const std::string& name, const Scalar& text, Program::Grading& g,
                               std::vector<std::string>& where_texts) {
  using MK = Program::Measure::Kind;
  static const std::map<std::string, MK> kKinds = {{"count", MK::kCount}, {"sum", MK::kSum},
                                                   {"mean", MK::kMean},   {"min", MK::kMin},
                                                   {"max", MK::kMax},     {"distinct", MK::kDistinct}};
  Program::Measure m;
  m.name = name;
  const std::size_t where = find_where(text.text);
  const std::string head = text.text.substr(0, where);
  ExprSource src{&text};
  spec::Expr expr;
  spec::ExprError error;
  if (!spec::parse_expression(head, expr, error)) {
    diags_.error(src.at(error.offset), "in measure '" + name + "': " + error.message);
    return;
  }
  const spec::ExprNode& call = expr.nodes[static_cast<std::size_t>(expr.root)];
  auto kind = kKinds.find(call.text);
  if (call.op != ExprOp::kCall || kind == kKinds.end()) {
    diags_.error(src.at(call.offset), "measure '" + name +
                                          "' must be count(), sum(x), mean(x), min(x), max(x) or "
                                          "distinct(x), optionally followed by 'where <condition>'");
    return;
  }
  m.kind = kind->second;
  const bool takes_none = m.kind == MK::kCount;
  if (call.args.size() > 1 || (call.args.empty() && !takes_none)) {
    diags_.error(src.at(call.offset), call.text + "() in measure '" + name + "' takes " +
                                          (takes_none ? "zero or one argument" : "one argument"));
    return;
  }
  m.type = EType::kInt;
  if (!call.args.empty()) {
    bool ok = true;
    m.arg.nodes.resize(expr.nodes.size());
    m.arg.root = call.args[0];
    const EType t = type_node(expr, call.args[0], src, m.arg, ok);
    if (!ok) return;
    const bool orderable = is_numeric(t) || t == EType::kTimestamp || t == EType::kDate;
    const bool scalar = orderable || t == EType::kString || t == EType::kBool;
    std::string wanted;
    switch (m.kind) {
      case MK::kSum:
      case MK::kMean:
        if (!is_numeric(t)) wanted = "a number";
        m.type = m.kind == MK::kSum && t == EType::kInt ? EType::kInt : EType::kNumber;
        break;
      case MK::kMin:
      case MK::kMax:
        if (!orderable) wanted = "a number, a timestamp or a date";
        m.type = t;
        break;
      case MK::kDistinct:
        if (!scalar) wanted = "a scalar (string, number, boolean, timestamp or date)";
        break;
      case MK::kCount:
        if (!scalar && t != EType::kAny) wanted = "a scalar";
        break;
    }
    if (!wanted.empty()) {
      diags_.error(src.at(expr.nodes[static_cast<std::size_t>(call.args[0])].offset),
                   call.text + "() in measure '" + name + "' needs " + wanted + ", but its argument is " +
                       (t == EType::kAny ? std::string("untyped (declare the field's type)") : etype_name(t)));
      return;
    }
  }
  std::string where_text;  // trimmed
  if (where != std::string::npos) {
    Scalar condition = text;
    condition.text = text.text.substr(where + 5);
    condition.span.column += static_cast<int>(where + 5);
    if (!compile_expr(condition, m.where, "measure 'where'")) return;
    const std::size_t first = condition.text.find_first_not_of(" \t\n");
    const std::size_t last = condition.text.find_last_not_of(" \t\n");
    where_text = first == std::string::npos ? "" : condition.text.substr(first, last - first + 1);
    for (std::size_t k = 0; k < g.measures.size() && k < 64; ++k) {
      if (g.measures[k].where.root >= 0 && where_texts[k] == where_text) {
        m.same_where_as = static_cast<int>(k);
        break;
      }
    }
  }
  where_texts.push_back(std::move(where_text));
  g.measures.push_back(std::move(m));
}

// `export`: tier names, or one $param holding them comma-separated ("" = every tier).
void Compiler::compile_export(const std::vector<Scalar>& listed, Program::Grading& g) {
  if (listed.empty()) return;
  std::vector<std::pair<std::string, Span>> names;
  for (const Scalar& s : listed) {
    if (!s.is_param()) {
      names.emplace_back(s.text, s.span);
      continue;
    }
    auto v = constant(s, Type::kString, "grading 'export'");
    if (!v) return;
    std::string_view text = v->s;
    while (!text.empty()) {
      std::size_t comma = text.find(',');
      std::string name(text.substr(0, comma));
      name.erase(0, name.find_first_not_of(' '));
      name.erase(name.find_last_not_of(' ') + 1);
      if (!name.empty()) names.emplace_back(name, s.span);
      text.remove_prefix(comma == std::string_view::npos ? text.size() : comma + 1);
    }
  }
  if (names.empty()) return;
  std::vector<std::string> tiers;
  for (auto& t : g.tiers) {
    tiers.push_back(t.name);
    t.exported = false;
  }
  for (const auto& [name, span] : names) {
    auto it = std::find_if(g.tiers.begin(), g.tiers.end(), [&name = name](const auto& t) { return t.name == name; });
    if (it == g.tiers.end()) {
      diags_.error(span, "grading 'export' names unknown tier '" + name + "'" + spec::did_you_mean(name, tiers));
    } else {
      it->exported = true;
    }
  }
}

}  // namespace dq::compiling
