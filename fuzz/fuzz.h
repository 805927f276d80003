// Shared by the fuzz targets: the contracts they run records through, and a
// check that stops the run (libFuzzer reports it as a crash with the input).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include "dq/dq.h"

namespace dqfuzz {

// An invariant of the library; its failure is a bug, whatever the input.
inline void require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

inline dq::Contract contract(const std::string& body) {
  auto result =
      dq::Contract::load_string("dq: 1\ndataset: fuzz.events\nversion: 1.0.0\nowner: {team: qa}\n" + body, "fuzz.yaml");
  require(result.ok(), "a fixed fuzz contract loads");
  return *result;
}

// Every kind of check, nested objects and arrays, rules with functions.
inline const dq::Contract& events_contract() {
  static const dq::Contract c = contract(R"(additional_fields: reject
fields:
  id: {type: string, required: true, pattern: '^[0-9a-f]{8}$'}
  kind: {type: string, enum: [push, pull, issue]}
  at: {type: timestamp, required: true, min: '2000-01-01T00:00:00Z'}
  day: {type: date}
  n: {type: integer, min: -5, max: 1000}
  score: {type: number, exclusive_min: 0, max: 1, mostly: 0.9}
  ok: {type: boolean}
  email: {type: string, format: email, max_length: 64}
  tags: {type: array, max_items: 4, unique_items: true, items: {type: string, min_length: 1}}
  actor:
    type: object
    additional_fields: allow
    fields:
      login: {type: string, required: true, pattern: '^[A-Za-z0-9-]{1,39}$'}
      id: {type: integer, min: 1}
  items:
    type: array
    items: {type: object, fields: {qty: {type: integer, min: 1}, price: {type: number, min: 0}}}
rules:
  - {name: pulls_have_actor, when: 'kind == "pull"', check: 'actor.login != null'}
  - {name: first_item_cheap, when: 'items[0].price != null', check: 'items[0].price * items[0].qty < 1000'}
  - {name: tag_count, check: 'len(tags) <= n or n == null'}
)");
  return c;
}

// Top-level scalars only, as CSV files and flat tables have.
inline const dq::Contract& flat_contract() {
  static const dq::Contract c = contract(R"(fields:
  id: {type: integer, required: true, min: 0}
  name: {type: string, pattern: '^[a-z]+$', max_length: 16}
  amount: {type: number, min: 0, max: 1000000}
  paid: {type: boolean}
  at: {type: timestamp}
  day: {type: date}
rules:
  - {name: big_paid, when: 'amount > 1000', check: 'paid == true'}
)");
  return c;
}

inline void require_reconciled(const dq::RecordCounts& c) {
  require(c.total == c.valid + c.invalid + c.malformed, "total == valid + invalid + malformed");
}

}  // namespace dqfuzz
