// A Profiler's state as JSON and back (Profiler::save_state, load_state):
// what crosses a process boundary when parts of a run are profiled on
// different machines and merged.
#include <algorithm>
#include <array>
#include <stdexcept>

#include "profile/profiler.h"

namespace dq {
namespace {

using json = nlohmann::json;

json samples_json(const std::vector<Sample>& samples) {
  json out = json::array();
  for (const Sample& s : samples) out.push_back(sample_state(s));
  return out;
}

std::vector<Sample> samples_of(const json& j) {
  std::vector<Sample> out;
  for (const json& s : j) out.push_back(sample_from_state(s));
  return out;
}

void expect_size(const json& j, std::size_t size, const char* what) {
  if (!j.is_array() || j.size() != size) {
    throw std::runtime_error(std::string("the state's ") + what + " do not match the contract's");
  }
}

}  // namespace

json sample_state(const Sample& s) { return json::array({s.record, s.line, s.path, s.value, s.message}); }

Sample sample_from_state(const json& j) {
  return {j.at(0).get<std::uint64_t>(), j.at(1).get<std::uint64_t>(), j.at(2).get<std::string>(),
          j.at(3).get<std::string>(), j.at(4).get<std::string>()};
}

json Profiler::save_state() const {
  json out;
  out["profile"] = json::parse(profile_.to_json());
  out["records"] = records_;
  json exact = json::array();
  for (const Exact& e : exact_) {
    std::vector<std::uint64_t> hashes;
    hashes.reserve(e.hashes.size());
    e.hashes.for_each([&](std::uint64_t h) { hashes.push_back(h); });
    std::sort(hashes.begin(), hashes.end());  // a state's bytes do not depend on the table's layout
    exact.push_back({{"values", e.values}, {"hashes", std::move(hashes)}});
  }
  out["exact"] = std::move(exact);
  json in_range = json::array();
  for (const InRange& r : in_range_) in_range.push_back(json::array({r.checked, r.passed}));
  out["in_range"] = std::move(in_range);
  json unique = json::array();
  for (const Unique& u : unique_) {
    json keys = json::array();
    std::vector<std::array<std::uint64_t, 3>> rows;
    rows.reserve(u.keys.size());
    u.keys.for_each([&](std::uint64_t key, const Unique::Seen& seen) {
      rows.push_back({key, seen.first_record, seen.count});
    });
    std::sort(rows.begin(), rows.end());
    for (const auto& row : rows) keys.push_back(json::array({row[0], row[1], row[2]}));
    unique.push_back({{"values", u.values}, {"keys", std::move(keys)}, {"samples", samples_json(u.samples)}});
  }
  out["unique"] = std::move(unique);
  json order = json::array();
  for (const Order& o : order_) {
    order.push_back({{"first", o.first},
                     {"last", o.last},
                     {"first_record", o.first_record},
                     {"values", o.values},
                     {"breaks", o.breaks},
                     {"interleaved", o.interleaved},
                     {"samples", samples_json(o.samples)}});
  }
  out["order"] = std::move(order);
  json bins = json::array();
  for (const Bins& b : bins_) bins.push_back(b.counts);
  out["bins"] = std::move(bins);
  json conditional = json::array();
  for (const auto& c : conditional_) conditional.push_back(c->save_state());
  out["conditional"] = std::move(conditional);
  return out;
}

void Profiler::load_state(const json& state) {
  auto profile = Profile::from_json(state.at("profile").dump());
  if (!profile.ok()) throw std::runtime_error(profile.status().message());
  if (profile->fields.size() != profile_.fields.size()) {
    throw std::runtime_error("the state's profile has other fields than the contract's");
  }
  profile_ = std::move(*profile);
  records_ = state.at("records").get<std::uint64_t>();
  expect_size(state.at("exact"), exact_.size(), "exact sets");
  for (std::size_t i = 0; i < exact_.size(); ++i) {
    const json& e = state["exact"][i];
    exact_[i].values = e.at("values").get<std::uint64_t>();
    exact_[i].hashes.clear();
    for (const json& h : e.at("hashes")) exact_[i].hashes.insert(h.get<std::uint64_t>());
  }
  expect_size(state.at("in_range"), in_range_.size(), "value ranges");
  for (std::size_t i = 0; i < in_range_.size(); ++i) {
    in_range_[i].checked = state["in_range"][i].at(0).get<std::uint64_t>();
    in_range_[i].passed = state["in_range"][i].at(1).get<std::uint64_t>();
  }
  expect_size(state.at("unique"), unique_.size(), "unique keys");
  for (std::size_t i = 0; i < unique_.size(); ++i) {
    const json& u = state["unique"][i];
    unique_[i].values = u.at("values").get<std::uint64_t>();
    unique_[i].keys.clear();
    for (const json& k : u.at("keys")) {
      *unique_[i].keys.try_emplace(k.at(0).get<std::uint64_t>(), {}).first = {k.at(1).get<std::uint64_t>(),
                                                                              k.at(2).get<std::uint64_t>()};
    }
    unique_[i].samples = samples_of(u.at("samples"));
  }
  expect_size(state.at("order"), order_.size(), "order checks");
  for (std::size_t i = 0; i < order_.size(); ++i) {
    const json& o = state["order"][i];
    order_[i].first = o.at("first").get<double>();
    order_[i].last = o.at("last").get<double>();
    order_[i].first_record = o.at("first_record").get<std::uint64_t>();
    order_[i].values = o.at("values").get<std::uint64_t>();
    order_[i].breaks = o.at("breaks").get<std::uint64_t>();
    order_[i].interleaved = o.at("interleaved").get<bool>();
    order_[i].samples = samples_of(o.at("samples"));
  }
  expect_size(state.at("bins"), bins_.size(), "bins");
  for (std::size_t i = 0; i < bins_.size(); ++i) {
    expect_size(state["bins"][i], bins_[i].counts.size(), "bin counts");
    bins_[i].counts = state["bins"][i].get<std::vector<std::uint64_t>>();
  }
  expect_size(state.at("conditional"), conditional_.size(), "conditions");
  for (std::size_t i = 0; i < conditional_.size(); ++i) conditional_[i]->load_state(state["conditional"][i]);
}

}  // namespace dq
