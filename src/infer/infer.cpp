// dq infer: one pass over sample data builds a shape per field path, then a
// commented contract whose every choice states its evidence (infer/shapes.h).
#include <algorithm>
#include <cmath>

#include "dq/governance.h"
#include "infer/shapes.h"

namespace dq {

Result<InferredContract> infer_contract(const std::vector<std::string>& paths, const InferOptions& options) {
  using namespace inferring;
  if (paths.empty()) return Status(StatusCode::kInvalidArgument, "no data to infer from");
  Reader reader;
  reader.limit = options.sample;
  if (Status st = reader.read(paths, options.format); !st.ok()) return st;
  InferredContract result;
  result.records = reader.records;
  result.malformed = reader.malformed;
  result.malformed_samples = reader.malformed_samples;
  if (reader.records == 0) {
    return Status(
        StatusCode::kInvalidArgument,
        "no records to infer from" + (reader.malformed ? " (" + std::to_string(reader.malformed) +
                                                             " malformed: " + reader.malformed_samples[0] + ")"
                                                       : std::string()));
  }
  const Settings settings = settings_for(options.strictness);
  Writer w{settings, reader.records, {}, {}, {}, {}};
  std::string head;
  head += "# Inferred by dq infer from " + with_commas(reader.records) + " records";
  if (reader.malformed) head += " (" + with_commas(reader.malformed) + " malformed records left out)";
  head += ", strictness " +
          std::string(options.strictness == Strictness::kLoose    ? "loose"
                      : options.strictness == Strictness::kStrict ? "strict"
                                                                  : "normal") +
          ".\n# Every choice says its evidence; review them, then fill in the placeholders\n"
          "# (owner, classification, descriptions) that dq lint flags until a person does.\n";
  head += "dq: 1\n";
  head += "dataset: " + key_text(options.dataset.empty() ? "inferred.dataset" : options.dataset) + "\n";
  head += "version: 0.1.0\n";
  head += "owner: {team: TODO-owner-team}  # placeholder: the team that answers for this data, and a contact\n";
  w.object(reader.root, 0, "", true);
  const std::string& body = w.out;
  // Dataset checks.
  std::string dataset = "expectations:\n";
  const double band = settings.row_band;
  const auto low = static_cast<std::uint64_t>(std::max(1.0, std::floor(static_cast<double>(reader.records) / band)));
  const auto high = static_cast<std::uint64_t>(std::ceil(static_cast<double>(reader.records) * band));
  dataset += "  - {name: row_count, metric: row_count, between: [" + std::to_string(low) + ", " + std::to_string(high) +
             "]}  # " + with_commas(reader.records) + " in the sample, within a factor of " + number_text(band) + "\n";
  for (const std::string& f : w.unique_fields) {
    dataset += "  - {name: " + key_text(f + "_unique") + ", metric: unique, field: " + key_text(f) +
               "}  # every value of the sample is distinct\n";
  }
  for (const std::string& n : w.notes) dataset += "  - " + n + "\n";
  if (!options.baseline.empty() && !w.drift.empty()) {
    dataset += "drift:\n  baseline: " + yaml_quoted(options.baseline) + "  # the sample's profile\n  fields:\n";
    for (const auto& [f, method] : w.drift) {
      dataset += "    " + key_text(f) + ": {method: " + method +
                 (method == "psi" ? ", warn: 0.1, fail: 0.25}\n" : ", warn: 0.1, fail: 0.2}\n");
    }
  }
  result.yaml = head + body + dataset;
  return result;
}

}  // namespace dq
