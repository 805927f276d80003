// dq.lint, dq.diff, dq.docs and dq.describe's native side: the governance tools of the
// command line, through the same C++ functions.
#include "dq/governance.h"

#include <pybind11/stl.h>

#include "contract.h"
#include "convert.h"

namespace dq_python {

void bind_governance(py::module_& m) {
  m.def(
      "lint",
      [](const std::string& path, const dq::Params& params, const std::string& policy_path) {
        dq::Result<std::vector<dq::Diagnostic>> findings = [&]() -> dq::Result<std::vector<dq::Diagnostic>> {
          py::gil_scoped_release release;
          dq::Policy policy = dq::Policy::defaults();
          if (!policy_path.empty()) {
            auto loaded = dq::Policy::load_file(policy_path);
            if (!loaded.ok()) return loaded.status();
            policy = std::move(*loaded);
          }
          return dq::lint_file(path, params, policy);
        }();
        if (!findings.ok()) raise_status(findings.status());
        std::vector<py::tuple> out;
        for (const dq::Diagnostic& d : *findings) {
          out.push_back(py::make_tuple(d.file, d.line, d.column, dq::to_string(d.severity), d.message, d.rule));
        }
        return out;
      },
      py::arg("path"), py::arg("params"), py::arg("policy"));

  m.def(
      "diff",
      [](const std::string& old_path, const std::string& new_path) {
        dq::Result<dq::ContractDiff> diff = [&] {
          py::gil_scoped_release release;
          return dq::diff_contracts(old_path, new_path);
        }();
        if (!diff.ok()) raise_status(diff.status());
        return py::make_tuple(diff->to_json(), diff->to_text(), diff->to_markdown(), diff->blocks());
      },
      py::arg("old_path"), py::arg("new_path"));

  m.def(
      "docs",
      [](const std::string& path, const std::string& format, const std::string& previous) {
        if (format != "html" && format != "markdown") {
          raise_status(dq::Status(dq::StatusCode::kInvalidArgument,
                                  "docs: format must be html or markdown, not '" + format + "'"));
        }
        dq::Result<std::string> page = [&] {
          py::gil_scoped_release release;
          return dq::contract_docs(path, format == "html" ? dq::DocsFormat::kHtml : dq::DocsFormat::kMarkdown,
                                   previous);
        }();
        if (!page.ok()) raise_status(page.status());
        return *page;
      },
      py::arg("path"), py::arg("format"), py::arg("previous"));

  m.def(
      "describe",
      [](const std::string& path) {
        dq::Result<dq::ContractSummary> summary = [&] {
          py::gil_scoped_release release;
          return dq::describe_contract(path);
        }();
        if (!summary.ok()) raise_status(summary.status());
        return summary->to_json();
      },
      py::arg("path"));
}

}  // namespace dq_python
