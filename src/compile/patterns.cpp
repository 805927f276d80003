// Patterns (RE2, under the pattern budget; pattern lists, not_pattern) and
// formats (named formats and timestamp layouts).
#include "compile/compiler.h"

namespace dq::compiling {

// Every RE2 of a contract (patterns, not_pattern, matches()) under one documented budget.
std::shared_ptr<const RE2> Compiler::compile_regex(const std::string& text) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(8 << 20);  // per pattern
  return std::make_shared<const RE2>(text, options);
}

void Compiler::compile_pattern(const Scalar& s, const spec::Field& f, const std::string& path, double mostly, Node& n) {
  std::vector<std::shared_ptr<const RE2>> compiled;
  if (!compile_regexes({s}, f, "pattern", compiled)) return;
  const std::string& text = compiled.front()->pattern();  // a $param's value, resolved
  n.pattern = std::move(compiled.front());
  n.simple_pattern = SimplePattern::compile(text);
  n.pattern_check = add_check(path, "pattern", f.severity, mostly, "must match /" + text + "/");
}

// Compiles each pattern of a list; false when one does not compile.
bool Compiler::compile_regexes(const std::vector<Scalar>& list, const spec::Field& f, const std::string& key,
                               std::vector<std::shared_ptr<const RE2>>& out) {
  bool ok = true;
  for (const Scalar& s : list) {
    std::string text = s.text;
    if (s.is_param()) {
      auto v = constant(s, Type::kString, "'" + key + "' of field '" + f.name + "'");
      if (!v) {
        ok = false;
        continue;
      }
      text = std::string(v->s);
    }
    auto re = compile_regex(text);
    if (!re->ok()) {
      diags_.error(s.span, key + " of field '" + f.name + "' does not compile: " + re->error());
      ok = false;
      continue;
    }
    out.push_back(std::move(re));
  }
  return ok;
}

// One RE2 that matches where any of `compiled` does (unanchored, as each is).
std::shared_ptr<const RE2> Compiler::alternation(const std::vector<std::shared_ptr<const RE2>>& compiled) {
  if (compiled.size() == 1) return compiled.front();
  std::string text;
  for (const auto& re : compiled) text += (text.empty() ? "(?:" : "|(?:") + re->pattern() + ")";
  return compile_regex(text);
}

std::string Compiler::slashed(const std::vector<Scalar>& list, const char* joiner) {
  std::string out;
  for (const Scalar& s : list) out += (out.empty() ? "/" : std::string(joiner) + "/") + s.text + "/";
  return out;
}

// `pattern: [a, b]`: `match: any` (default) folds into one alternation,
// `match: all` keeps each, and both report as the field's `pattern` check.
void Compiler::compile_pattern_list(const spec::Field& f, const std::string& path, double mostly, Node& n) {
  std::vector<std::shared_ptr<const RE2>> compiled;
  if (!compile_regexes(f.pattern_list, f, "pattern", compiled)) return;
  const bool all = f.match && f.match->text == "all";
  if (all) {
    n.all_patterns = std::move(compiled);
  } else {
    n.pattern = alternation(compiled);
    if (!n.pattern->ok()) {
      diags_.error(f.pattern_list.front().span,
                   "the patterns of field '" + f.name + "' do not combine: " + n.pattern->error());
      n.pattern.reset();
      return;
    }
  }
  n.pattern_check =
      add_check(path, "pattern", f.severity, mostly,
                std::string(all ? "must match every one of " : "must match one of ") + slashed(f.pattern_list, ", "));
}

void Compiler::compile_format(const spec::Field& f, const std::string& path, double mostly, Node& n) {
  if (f.unit) {
    if (f.type != Type::kTimestamp) {
      diags_.error(f.unit->span, "'unit' applies to timestamps given as epoch numbers");
    } else if (f.unit->text == "s") {
      n.time.unit = 1000000;
    } else if (f.unit->text == "ms") {
      n.time.unit = 1000;
    } else if (f.unit->text == "us") {
      n.time.unit = 1;
    } else if (f.unit->text == "ns") {
      n.time.unit = 1, n.time.unit_ns = true;
    } else {
      diags_.error(f.unit->span, "'unit' must be one of s, ms, us, ns, not '" + f.unit->text + "'");
    }
  }
  if (f.timezone) {
    if (f.type != Type::kTimestamp) {
      diags_.error(f.timezone->span, "'timezone' applies to timestamps");
    } else if (auto zone = parse_time_zone(f.timezone->text)) {
      n.time.zone = *zone;
    } else {
      diags_.error(f.timezone->span,
                   "'timezone' must be UTC, an offset such as +02:00 or an IANA zone such as "
                   "America/New_York; '" +
                       f.timezone->text +
                       "' is none of these (the system "
                       "tz database has no such zone)");
    }
  }
  if (!f.format) return;
  const Scalar& s = *f.format;
  if (f.type == Type::kTimestamp || f.type == Type::kDate) {
    if (s.text == "date-time" || (s.text == "date" && f.type == Type::kDate)) return;
    if (s.text.find('%') == std::string::npos) {
      diags_.error(s.span, "'format' of " + spec::type_with_article(f.type) +
                               " is a layout such as '%Y-%m-%d %H:%M:%S', not '" + s.text + "'");
      return;
    }
    if (std::string bad = unsupported_layout_directive(s.text); !bad.empty()) {
      diags_.error(s.span, "layout '" + s.text + "' uses '" + bad +
                               "', which dq does not read (supported: " + kLayoutDirectives + ")");
      return;
    }
    n.time.layout = s.text;
    return;
  }
  if (f.type != Type::kString) {
    diags_.error(s.span, "'format' applies to strings, timestamps and dates");
    return;
  }
  auto format = format_from_name(s.text);
  if (!format) {
    diags_.error(s.span, "unknown format '" + s.text + "'" +
                             spec::did_you_mean(s.text, {"email", "uri", "uuid", "date", "date-time", "ipv4", "ipv6",
                                                         "hostname", "json"}));
    return;
  }
  n.format = format;
  n.format_check = add_check(path, "format", f.severity, mostly, std::string("must be a valid ") + s.text);
}

}  // namespace dq::compiling
