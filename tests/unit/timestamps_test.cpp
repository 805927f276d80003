// Timestamp parsing against hand-computed epoch values.
#include "engine/timestamps.h"

#include <catch2/catch.hpp>

TEST_CASE("RFC 3339 timestamps to microseconds since the epoch") {
  CHECK(dq::parse_rfc3339("1970-01-01T00:00:00Z") == 0);
  CHECK(dq::parse_rfc3339("2026-01-01T00:00:00Z") == 1767225600LL * 1000000);
  CHECK(dq::parse_rfc3339("2026-01-01T01:00:00+01:00") == 1767225600LL * 1000000);
  CHECK(dq::parse_rfc3339("2026-01-01 00:00:00.5Z") == 1767225600LL * 1000000 + 500000);
  CHECK(dq::parse_rfc3339("1969-12-31T23:59:59Z") == -1000000);
  CHECK_FALSE(dq::parse_rfc3339("2026-02-29T00:00:00Z"));  // not a leap year
  CHECK(dq::parse_rfc3339("2024-02-29T00:00:00Z"));
  CHECK_FALSE(dq::parse_rfc3339("2026-01-01T24:00:00Z"));
  CHECK_FALSE(dq::parse_rfc3339("2026-01-01"));
  CHECK_FALSE(dq::parse_rfc3339("2026-01-01T00:00:00+2"));
}

TEST_CASE("layouts, dates and formatting") {
  CHECK(dq::parse_with_layout("Sun Aug 31 00:29:15 +0000 2014", "%a %b %d %H:%M:%S %z %Y") == 1409444955LL * 1000000);
  CHECK(dq::parse_with_layout("31/08/2014", "%d/%m/%Y") == 1409443200LL * 1000000);
  CHECK_FALSE(dq::parse_with_layout("31/13/2014", "%d/%m/%Y"));
  CHECK(dq::parse_date("2000-03-01") == 11017);
  CHECK(dq::format_timestamp(1767225600LL * 1000000 + 5) == "2026-01-01T00:00:00.000005Z");
  CHECK(dq::format_date(11017) == "2000-03-01");
  CHECK(dq::format_timestamp(-1000000) == "1969-12-31T23:59:59Z");
}
