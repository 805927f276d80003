#include "governance/read.h"

#include "compile/program.h"
#include "spec/loader.h"

namespace dq {

Result<ReadContract> read_contract(const std::string& path, bool require_valid, spec::SourceFormat format) {
  Result<std::string> text = spec::read_contract_file(path);
  if (!text.ok()) return text.status();
  const spec::ContractPath where = spec::split_contract_path(path);
  spec::Diagnostics diags(where.file);
  ReadContract out;
  std::optional<spec::Contract> parsed = spec::parse_contract(*text, diags, format, where.selector);
  if (parsed) {
    out.spec = *parsed;
    (void)compile(std::move(*parsed), {}, Limits{}, diags, /*params_may_be_missing=*/true);
  }
  if (require_valid && (!parsed || diags.has_errors())) {
    return Status(StatusCode::kInvalidContract, "invalid contract " + path, diags.sorted());
  }
  out.text = std::move(*text);
  out.findings = diags.sorted();
  return out;
}

}  // namespace dq
