// The synthetic flat events the record-engine benchmarks validate against
// bench/contracts/flat_event.yaml: ~450 bytes, ~20 fields, 1% breaking a rule.
#pragma once

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>

namespace bench {

inline std::string make_event(std::mt19937_64& rng, std::uint64_t n) {
  static const char* kTypes[] = {"view", "click", "add_to_cart", "purchase", "refund"};
  static const char* kCurrencies[] = {"USD", "EUR", "GBP", "JPY"};
  static const char* kDevices[] = {"ios", "android", "web"};
  static const char* kCountries[] = {"US", "DE", "FR", "GB", "JP", "BR", "IN"};
  char buf[1024];
  bool bad = rng() % 100 == 0;  // 1% of events break a rule
  std::snprintf(
      buf, sizeof buf,
      R"({"event_id":"evt_%016llx","session_id":"%s-%06llu","user_id":%llu,"type":"%s","ts":"2026-%02d-%02dT%02d:%02d:%02d.%03dZ",)"
      R"("amount":%.2f,"currency":"%s","quantity":%d,"country":"%s","device":"%s","app_version":"5.%d.%d",)"
      R"("page":"/products/%llu/details","referrer":"https://www.example.com/search?q=item%llu","latency_ms":%.3f,)"
      R"("is_test":%s,"retries":%d,"score":%.4f,"campaign":"spring_sale_%d","experiment":"exp-%d","locale":"en-US"})",
      static_cast<unsigned long long>(rng()), bad ? "ab" : "ABC", static_cast<unsigned long long>(n % 1000000),
      static_cast<unsigned long long>(1 + rng() % 10000000), kTypes[rng() % 5], 1 + static_cast<int>(rng() % 12),
      1 + static_cast<int>(rng() % 28), static_cast<int>(rng() % 24), static_cast<int>(rng() % 60),
      static_cast<int>(rng() % 60), static_cast<int>(rng() % 1000), static_cast<double>(rng() % 100000) / 100.0 + 0.01,
      kCurrencies[rng() % 4], static_cast<int>(rng() % 20), kCountries[rng() % 7], kDevices[rng() % 3],
      static_cast<int>(rng() % 20), static_cast<int>(rng() % 50), static_cast<unsigned long long>(rng() % 100000),
      static_cast<unsigned long long>(rng() % 1000), static_cast<double>(rng() % 1000000) / 1000.0,
      rng() % 50 ? "false" : "true", static_cast<int>(rng() % 4), static_cast<double>(rng() % 10000) / 10000.0,
      static_cast<int>(rng() % 10), static_cast<int>(rng() % 100));
  return buf;
}

// An event padded to `size` bytes with a longer page path (still valid).
inline std::string make_event_of_size(std::mt19937_64& rng, std::uint64_t n, std::size_t size) {
  std::string event = make_event(rng, n);
  if (event.size() < size) event.insert(event.find("/details"), std::string(size - event.size(), 'x'));
  return event;
}

}  // namespace bench
