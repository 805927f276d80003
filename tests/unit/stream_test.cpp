// Streams: NDJSON and JSON arrays, counts that reconcile, rejects with reasons.
#include <openssl/sha.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "helpers.h"
#include "io/checksum.h"

using namespace dqtest;

namespace {

dq::Contract contract() {
  return load("fields:\n  id: {type: integer, required: true, min: 1}\n  name: {type: string}\n");
}

struct Run {
  dq::Report report;
  std::vector<std::string> rejects;
};

Run run(const std::string& input, dq::InputFormat format = dq::InputFormat::kAuto, unsigned threads = 1) {
  std::FILE* file = std::tmpfile();
  std::fwrite(input.data(), 1, input.size(), file);
  std::rewind(file);
  dq::Contract c = contract();
  dq::Validator validator(c);
  dq::ReportBuilder builder(c);
  Run out;
  dq::StreamOptions options;
  options.format = format;
  options.threads = threads;
  options.source_name = "input";
  options.on_reject = [&](const dq::RecordEvent& e) { out.rejects.push_back(dq::reject_line(e, "input")); };
  dq::Status status = dq::validate_stream(validator, file, options, builder);
  std::fclose(file);
  REQUIRE(status.ok());
  out.report = builder.finish();
  const auto& r = out.report.records;
  REQUIRE(r.total == r.valid + r.invalid + r.malformed);
  return out;
}

}  // namespace

TEST_CASE("NDJSON - blank lines skipped, malformed lines counted with line numbers, stream goes on") {
  Run r = run("{\"id\": 1}\n\n   \n{\"id\": 0}\n{\"id\": \n{\"id\": 2}\r\n{\"id\": 3}");
  CHECK(r.report.records.total == 5);
  CHECK(r.report.records.valid == 3);
  CHECK(r.report.records.invalid == 1);
  CHECK(r.report.records.malformed == 1);
  REQUIRE(r.report.malformed.size() == 1);
  CHECK(r.report.malformed[0].line == 5);
  CHECK(r.report.malformed[0].record == 3);
  CHECK(r.report.malformed[0].offset >= 24);
  REQUIRE(r.report.rules.size() == 1);
  CHECK(r.report.rules[0].id == "id.min");
  CHECK(r.report.rules[0].samples[0].line == 4);
  CHECK_FALSE(r.report.ok);
}

TEST_CASE("empty input is an empty, passing report") {
  Run r = run("");
  CHECK(r.report.records.total == 0);
  CHECK(r.report.ok);
  Run blanks = run("\n\n  \n");
  CHECK(blanks.report.records.total == 0);
}

TEST_CASE("a JSON array of records, pretty-printed, with line numbers") {
  Run r = run("[\n  {\"id\": 1, \"name\": \"a ] }\"},\n  {\"id\": -1},\n  {\"id\": 2}\n]\n");
  CHECK(r.report.records.total == 3);
  CHECK(r.report.records.invalid == 1);
  CHECK(r.report.rules[0].samples[0].line == 3);
}

TEST_CASE("a truncated JSON array - the partial record is malformed and nothing is lost") {
  Run r = run("[{\"id\": 1}, {\"id\": 2}, {\"id\": ");
  CHECK(r.report.records.valid == 2);
  CHECK(r.report.records.malformed == 1);
  Run unclosed = run("[{\"id\": 1}");
  CHECK(unclosed.report.records.valid == 1);
  CHECK(unclosed.report.records.malformed == 1);
  CHECK(unclosed.report.malformed[0].message == "the input ended before the array was closed with ']'");
}

TEST_CASE("a JSON array with a broken separator is malformed where it breaks, and records are never joined or split") {
  struct Case {
    std::string input;
    std::uint64_t valid, malformed;
    std::string message;
    std::uint64_t offset;
  };
  const std::vector<Case> cases = {
      {"[{\"id\": 1} {\"id\": 2}]", 1, 1, "a ',' is missing before this array element", 11},
      {"[,]", 0, 1, "an array element is missing before ','", 1},
      {"[{\"id\": 1},,{\"id\": 2}]", 2, 1, "an array element is missing between two ','", 11},
      {"[{\"id\": 1},]", 1, 1, "a ',' must be followed by an array element, not ']'", 11},
      {"[,{\"id\": 1}]", 1, 1, "an array element is missing before ','", 1},
      {"[{\"id\": 1}}]", 1, 1, "unexpected '}' after an array element", 10},
      {"[1 2]", 0, 1, "a ',' is missing before this array element", 3},
  };
  for (const Case& c : cases) {
    INFO(c.input);
    Run r = run(c.input);
    CHECK(r.report.records.valid == c.valid);
    CHECK(r.report.records.malformed == c.malformed);
    CHECK_FALSE(r.report.ok);
    REQUIRE(r.report.malformed.size() == 1);
    CHECK(r.report.malformed[0].message == c.message);
    CHECK(r.report.malformed[0].offset == c.offset);
  }
}

TEST_CASE("JSON input is a sequence of values: each top-level array's elements, and each other value, are records") {
  for (auto format : {dq::InputFormat::kAuto, dq::InputFormat::kJsonArray}) {
    Run two_arrays = run("[{\"id\": 1}, {\"id\": 2}]\n[{\"id\": 3}]", format);
    CHECK(two_arrays.report.records.total == 3);
    CHECK(two_arrays.report.records.valid == 3);
    Run array_then_value = run("[{\"id\": 1}]\n{\"id\": 0}\n", format);
    CHECK(array_then_value.report.records.total == 2);
    CHECK(array_then_value.report.records.invalid == 1);
    CHECK(array_then_value.report.rules[0].samples[0].line == 2);
  }
  Run values = run("{\"id\": 1}\n{\"id\": 2}", dq::InputFormat::kJsonArray);
  CHECK(values.report.records.valid == 2);
  Run comma = run("{\"id\": 1},{\"id\": 2}", dq::InputFormat::kJsonArray);
  CHECK(comma.report.records.valid == 2);
  REQUIRE(comma.report.records.malformed == 1);
  CHECK(comma.report.malformed[0].message == "unexpected ',' between top-level values");
}

TEST_CASE("NDJSON lines end with LF, CRLF or a lone CR, with one thread or several") {
  for (unsigned threads : {1u, 2u}) {
    for (std::string eol : {"\n", "\r\n", "\r"}) {
      INFO("threads " << threads << ", line end " << (eol == "\n" ? "LF" : eol == "\r" ? "CR" : "CRLF"));
      std::string input = "{\"id\": 1}" + eol + "{\"id\": 2}" + eol + eol + "{\"id\": 0}" + eol + "{\"id\": 3}";
      Run r = run(input, dq::InputFormat::kNdjson, threads);
      CHECK(r.report.records.total == 4);
      CHECK(r.report.records.valid == 3);
      REQUIRE(r.report.rules.size() == 1);
      CHECK(r.report.rules[0].samples[0].line == 4);
    }
  }
  Run mixed = run("{\"id\": 1}\r{\"id\": 2}\n{\"id\": 0}\r\n{\"id\": 3}", dq::InputFormat::kNdjson);
  CHECK(mixed.report.records.total == 4);
  CHECK(mixed.report.rules[0].samples[0].line == 3);
}

TEST_CASE("a byte-order mark at the start is skipped") {
  Run r = run("\xEF\xBB\xBF{\"id\": 1}\n");
  CHECK(r.report.records.valid == 1);
}

TEST_CASE("an NDJSON line above max_record_bytes is skipped in constant memory and counted") {
  std::string big = "{\"id\": 1, \"name\": \"" + std::string(70u << 20, 'x') + "\"}\n";
  Run r = run("{\"id\": 1}\n" + big + "{\"id\": 2}\n");
  CHECK(r.report.records.total == 3);
  CHECK(r.report.records.valid == 2);
  CHECK(r.report.records.malformed == 1);
  CHECK(r.report.malformed[0].line == 2);
}

TEST_CASE("rejects carry the raw record and every reason") {
  Run r = run("{\"id\": 0, \"name\": 5}\n{bad\n\xff\n");
  REQUIRE(r.rejects.size() == 3);
  auto first = nlohmann::json::parse(r.rejects[0]);
  CHECK(first["raw"] == "{\"id\": 0, \"name\": 5}");
  CHECK(first["line"] == 1);
  CHECK(first["violations"].size() == 2);
  CHECK(first["violations"][0]["rule"] == "id.min");
  CHECK(first["violations"][1]["rule"] == "name.type");
  auto second = nlohmann::json::parse(r.rejects[1]);
  CHECK(second.contains("malformed"));
  auto third = nlohmann::json::parse(r.rejects[2]);
  CHECK(third["raw_base64"] == "/w==");  // not UTF-8: kept byte for byte
}

// A reject's line is written by hand; nlohmann::json's dump (invalid UTF-8
// replaced) is its reference, byte for byte, whatever its text holds. (A raw
// record that is not UTF-8 is kept as base64: the test above.)
TEST_CASE("a reject's line is the JSON nlohmann writes for it, byte for byte") {
  static const char kControls[] = "nul \0 and \x01\x1f\x7f";  // a NUL inside: sized by sizeof
  const std::vector<std::string> texts = {"",
                                          "plain",
                                          "quote \" and \\ backslash",
                                          "\b\f\n\r\t",
                                          std::string(kControls, sizeof kControls - 1),
                                          "é 😀 \xe2\x80\xa8",
                                          "cut \xc3",
                                          "\xff\xfe",
                                          "a\xed\xa0\x80"
                                          "b",
                                          "\xf0\x9f\x98"};
  for (const std::string& text : texts) {
    dq::Verdict verdict;
    verdict.ok = false;
    verdict.malformed = true;
    verdict.error = text;
    verdict.error_offset = 3;
    verdict.violations.push_back({text, "rule." + text, dq::Severity::kWarn, text, text, 0});
    verdict.violations.push_back({"b", "b.min", dq::Severity::kError, "must be >= 1", "0", 0});
    const std::string raw = "{\"a\": \"\\\"\\u0001\", \"b\": 0}\t\x01é";
    const dq::RecordEvent event{raw, dq::RecordPosition{7, 8, 90}, verdict, text};
    nlohmann::ordered_json expected;
    expected["source"] = text;
    expected["record"] = 7;
    expected["line"] = 8;
    expected["offset"] = 90;
    if (!text.empty()) expected["csv_header"] = text;
    expected["raw"] = raw;
    expected["malformed"] = {{"message", text}, {"offset", 93}};
    expected["violations"] = nlohmann::ordered_json::array();
    for (const dq::Violation& v : verdict.violations) {
      expected["violations"].push_back({{"path", v.path},
                                        {"rule", v.rule},
                                        {"severity", v.severity == dq::Severity::kError ? "error" : "warn"},
                                        {"message", v.message},
                                        {"value", v.value}});
    }
    CHECK(dq::reject_line(event, text) ==
          expected.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
  }
}

TEST_CASE("samples per rule are bounded, failures are counted once per record") {
  std::string input;
  for (int i = 0; i < 50; ++i) input += "{\"id\": 0}\n";
  Run r = run(input);
  REQUIRE(r.report.rules.size() == 1);
  CHECK(r.report.rules[0].failed == 50);
  CHECK(r.report.rules[0].samples.size() == 5);
}

TEST_CASE("report JSON has the stable top-level keys") {
  Run r = run("{\"id\": 0}\n");
  auto j = nlohmann::json::parse(r.report.to_json());
  for (const char* key : {"ok", "contract", "records", "rules", "expectations", "drift"}) {
    INFO(key);
    CHECK(j.contains(key));
  }
  CHECK(j["records"]["total"] == 1);
  CHECK(j["contract"]["dataset"] == "test.events");
  CHECK(j["rules"][0]["id"] == "id.min");
  std::string junit = r.report.to_junit();
  CHECK(junit.find("<testcase classname=\"test.events\" name=\"id.min\">") != std::string::npos);
  CHECK(junit.find("<failure") != std::string::npos);
}

TEST_CASE("mostly - a field passes in a report when enough non-null values pass") {
  dq::Contract c = load("fields:\n  email: {type: string, format: email, mostly: 0.75}\n");
  auto report_for = [&](int bad, int good, int nulls) {
    dq::Validator v(c);
    dq::ReportBuilder b(c);
    std::uint64_t n = 0;
    for (int i = 0; i < bad; ++i) b.add(v.validate_json(R"({"email": "nope"})"), {++n, n, 0});
    for (int i = 0; i < good; ++i) b.add(v.validate_json(R"({"email": "a@b.co"})"), {++n, n, 0});
    for (int i = 0; i < nulls; ++i) b.add(v.validate_json(R"({"email": null})"), {++n, n, 0});
    return b.finish();
  };
  CHECK(report_for(1, 3, 10).ok);        // 3 of 4 non-null pass: 0.75
  CHECK_FALSE(report_for(2, 3, 10).ok);  // 3 of 5: 0.6; the nulls don't count
  CHECK(report_for(0, 0, 10).ok);        // all null passes
  auto r = report_for(1, 3, 0);
  REQUIRE(r.rules.size() == 1);
  CHECK(r.rules[0].ok);
  CHECK(r.records.invalid == 1);  // the record itself still fails
}

TEST_CASE("mostly on required - the share of records where the field is present and not null") {
  dq::Contract c = load(
      "fields:\n  email: {type: string, required: true, mostly: 0.75}\n"
      "  customer: {type: object, fields: {id: {type: string, required: true, mostly: 0.5}}}\n");
  auto report_for = [&](const std::vector<std::string>& records) { return report_of(c, records); };
  const std::string good = R"({"email": "a@b.co"})";
  CHECK(report_for({good, good, good, R"({"email": null})"}).ok);           // 3 of 4 present
  CHECK_FALSE(report_for({good, good, R"({})", R"({"email": null})"}).ok);  // 2 of 4
  // Nested: counted over the records where the parent object is present.
  const std::string with_id = R"({"email": "a@b.co", "customer": {"id": "c1"}})";
  const std::string without_id = R"({"email": "a@b.co", "customer": {}})";
  CHECK(report_for({with_id, without_id, good, good}).ok);  // 1 of 2 customers
  auto failing = report_for({with_id, without_id, without_id, good});
  CHECK_FALSE(failing.ok);  // 1 of 3 customers
  REQUIRE(failing.rules.size() == 1);
  CHECK(failing.rules[0].id == "customer.id.required");
  CHECK(failing.rules[0].mostly == 0.5);
}

TEST_CASE("bounds that leave no value possible are refused at load, at the upper bound") {
  auto message = [](const std::string& fields) {
    auto errors = errors_of(contract_yaml(fields));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].line == 6);
    return errors[0].message;
  };
  CHECK(message("fields:\n  a: {type: number, min: 5, max: 1}\n") ==
        "field 'a' can hold no value: its lower bound 5 is not below its upper bound 1");
  CHECK(message("fields:\n  a: {type: integer, exclusive_min: 3, max: 3}\n") ==
        "field 'a' can hold no value: its lower bound 3 is not below its upper bound 3");
  CHECK(message("fields:\n  a: {type: timestamp, min: '2026-02-01T00:00:00Z', exclusive_max: '2026-01-01T00:00:00Z'}\n")
            .find("can hold no value") != std::string::npos);
  CHECK(message("fields:\n  a: {type: string, min_length: 5, max_length: 2}\n") ==
        "field 'a' can hold no value: min_length 5 is above max_length 2");
  CHECK(message("fields:\n  a: {type: array, min_items: 3, max_items: 1}\n") ==
        "field 'a' can hold no value: min_items 3 is above max_items 1");
  auto between = errors_of(contract_yaml(
      "fields:\n  a: {type: number}\nexpectations:\n  - {name: e, field: a, metric: mean, between: [5, 1]}\n"));
  REQUIRE(between.size() == 1);
  CHECK(between[0].message == "expectation 'e' can never pass: its minimum 5 is above its maximum 1");
  CHECK(load("fields:\n  a: {type: number, min: 1, max: 1}\n").dataset() == "test.events");  // one value
}

// The grader's inputs are checksummed as they are read: a regular file by a
// read-ahead thread, a pipe on the reader's own thread. Either way the digest
// covers exactly the bytes handed out so far.
TEST_CASE("an input's SHA-256 covers exactly what was read, read ahead or from a pipe", "[threads]") {
  std::string data(3 * (std::size_t{1} << 20) + 777777, '\0');  // more than the read-ahead's blocks
  std::uint64_t x = 88172645463325252ULL;
  for (char& c : data) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    c = static_cast<char>(x);
  }
  auto sha256 = [](std::string_view bytes) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
    std::string hex;
    for (unsigned char d : digest) hex += "0123456789abcdef"[d >> 4], hex += "0123456789abcdef"[d & 15];
    return hex;
  };
  auto read_some = [](std::FILE* stream, std::size_t at_least) {
    std::string out;
    std::vector<char> piece(70001);  // not a divisor of any block
    while (out.size() < at_least) {
      const std::size_t n = std::fread(piece.data(), 1, piece.size(), stream);
      if (n == 0) break;
      out.append(piece.data(), n);
    }
    return out;
  };
  std::FILE* file = std::tmpfile();
  REQUIRE(std::fwrite(data.data(), 1, data.size(), file) == data.size());
  std::rewind(file);

  SECTION("a regular file, read to its end") {
    dq::ChecksumReader reader(file);
    CHECK(read_some(reader.stream(), data.size() + 1) == data);
    CHECK(reader.bytes() == data.size());
    CHECK(reader.sha256_hex() == sha256(data));
  }
  SECTION("a regular file, stopped part way and then read on") {
    dq::ChecksumReader reader(file);
    const std::string first = read_some(reader.stream(), (std::size_t{3} << 19) + 3);
    REQUIRE(reader.bytes() >= first.size());
    CHECK(reader.sha256_hex() == sha256(std::string_view(data).substr(0, reader.bytes())));
    CHECK(first + read_some(reader.stream(), data.size()) == data);
    CHECK(reader.sha256_hex() == sha256(data));
  }
  SECTION("a regular file left after a few bytes: the reader goes without reading the rest") {
    dq::ChecksumReader reader(file);
    CHECK(read_some(reader.stream(), 10) == data.substr(0, 70001));
  }
  SECTION("a pipe, read on the reader's thread") {
    int ends[2];
    REQUIRE(::pipe(ends) == 0);
    std::thread writer([&] {
      for (std::size_t at = 0; at < data.size();) {
        const ssize_t n = ::write(ends[1], data.data() + at, data.size() - at);
        if (n <= 0) break;
        at += static_cast<std::size_t>(n);
      }
      ::close(ends[1]);
    });
    std::FILE* pipe = ::fdopen(ends[0], "rb");
    {
      dq::ChecksumReader reader(pipe);
      CHECK(read_some(reader.stream(), data.size() + 1) == data);
      CHECK(reader.sha256_hex() == sha256(data));
    }
    writer.join();
    std::fclose(pipe);
  }
  std::fclose(file);
}
