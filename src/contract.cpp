#include "dq/contract.h"

#include "codegen/screen_source.h"
#include "compile/program.h"
#include "engine/screen.h"
#include "spec/loader.h"

namespace dq {

Result<Contract> Contract::load_string(std::string_view yaml, const std::string& file_name,
                                       const LoadOptions& options) {
  const spec::ContractPath where = spec::split_contract_path(file_name);
  spec::Diagnostics diags(where.file);
  std::optional<spec::Contract> parsed = spec::parse_contract(yaml, diags, spec::SourceFormat::kAuto, where.selector);
  std::shared_ptr<Program> program;
  if (parsed) program = compile(std::move(*parsed), options.params, options.limits, diags);
  if (!program || diags.has_errors()) {
    return Status(StatusCode::kInvalidContract, "invalid contract " + file_name, diags.sorted());
  }
  program->warnings = diags.sorted();
  // Once here rather than for every Validator: generating the text takes ~0.3 ms.
  if (screens_linked()) program->screen_fingerprint = screen_source(*program).fingerprint;
  return Contract(std::move(program));
}

Result<Contract> Contract::load_file(const std::string& path, const LoadOptions& options) {
  Result<std::string> text = spec::read_contract_file(path);
  if (!text.ok()) return text.status();
  return load_string(*text, path, options);
}

Result<std::vector<Diagnostic>> lint_file(const std::string& path, const Params& params) {
  Result<std::string> text = spec::read_contract_file(path);
  if (!text.ok()) return text.status();
  const spec::ContractPath where = spec::split_contract_path(path);
  spec::Diagnostics diags(where.file);
  std::optional<spec::Contract> parsed = spec::parse_contract(*text, diags, spec::SourceFormat::kAuto, where.selector);
  if (parsed) {
    (void)compile(std::move(*parsed), params, Limits{}, diags, /*params_may_be_missing=*/true);
  }
  return diags.sorted();
}

const std::string& Contract::dataset() const { return program_->spec.dataset; }
const std::string& Contract::version() const { return program_->spec.version; }
const std::string& Contract::title() const { return program_->spec.title; }
const std::vector<Diagnostic>& Contract::warnings() const { return program_->warnings; }
const std::vector<CheckInfo>& Contract::checks() const { return program_->checks; }
const Limits& Contract::limits() const { return program_->limits; }
const std::string& Contract::drift_baseline() const {
  static const std::string kNone;
  return program_->spec.drift ? program_->spec.drift->baseline : kNone;
}
bool Contract::has_drift() const { return !program_->drift.empty(); }
bool Contract::has_monitors() const { return !program_->monitors.empty(); }

std::string screen_source(const Contract& contract) { return screen_source(ContractAccess::program(contract)).text; }

}  // namespace dq
