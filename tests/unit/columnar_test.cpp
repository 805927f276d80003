// The columnar engine: Arrow batches built by hand (no Arrow library), the
// checks on their layout, and CSV input.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include "dq/arrow.h"
#include "engine/walk_state.h"  // json_quote: the engine's own JSON string literal
#include "helpers.h"

using namespace dqtest;

namespace {

void release_schema(ArrowSchema* s) { s->release = nullptr; }
void release_array(ArrowArray* a) { a->release = nullptr; }

// One hand-built Arrow column (schema + array) owning its buffers.
struct Col {
  std::string format, name;
  std::vector<std::vector<std::uint8_t>> storage;
  std::vector<const void*> buffers;
  std::vector<std::unique_ptr<Col>> kids;
  std::unique_ptr<Col> dict;
  std::vector<ArrowSchema*> schema_kids;
  std::vector<ArrowArray*> array_kids;
  ArrowSchema schema{};
  ArrowArray array{};

  template <class T>
  Col& buffer(const std::vector<T>& values) {
    storage.emplace_back(reinterpret_cast<const std::uint8_t*>(values.data()),
                         reinterpret_cast<const std::uint8_t*>(values.data() + values.size()));
    storage.back().resize(storage.back().size() + 16);  // never read, but keeps empty buffers non-null
    buffers.push_back(storage.back().data());
    return *this;
  }
  Col& no_buffer() {
    buffers.push_back(nullptr);
    return *this;
  }
  // Wires the C structs; call after every buffer and child is in place.
  Col& finish(std::int64_t length, std::int64_t offset = 0) {
    for (auto& k : kids) {
      schema_kids.push_back(&k->schema);
      array_kids.push_back(&k->array);
    }
    schema = ArrowSchema{format.c_str(),
                         name.c_str(),
                         nullptr,
                         2,
                         static_cast<std::int64_t>(kids.size()),
                         schema_kids.data(),
                         dict ? &dict->schema : nullptr,
                         release_schema,
                         nullptr};
    array = ArrowArray{length,
                       -1,
                       offset,
                       static_cast<std::int64_t>(buffers.size()),
                       static_cast<std::int64_t>(kids.size()),
                       buffers.data(),
                       array_kids.data(),
                       dict ? &dict->array : nullptr,
                       release_array,
                       nullptr};
    return *this;
  }
};

std::vector<std::uint8_t> bits(std::initializer_list<int> values) {
  std::vector<std::uint8_t> out((values.size() + 7) / 8, 0);
  std::size_t i = 0;
  for (int v : values) {
    if (v) out[i / 8] |= static_cast<std::uint8_t>(1u << (i % 8));
    ++i;
  }
  return out;
}

std::unique_ptr<Col> int64s(const std::string& name, const std::vector<std::int64_t>& values,
                            const std::vector<std::uint8_t>* validity = nullptr) {
  auto c = std::make_unique<Col>();
  c->format = "l";
  c->name = name;
  if (validity)
    c->buffer(*validity);
  else
    c->no_buffer();
  c->buffer(values).finish(static_cast<std::int64_t>(values.size()));
  return c;
}

std::unique_ptr<Col> strings(const std::string& name, const std::vector<std::string>& values) {
  auto c = std::make_unique<Col>();
  c->format = "u";
  c->name = name;
  std::vector<std::int32_t> offsets{0};
  std::string data;
  for (const auto& v : values) {
    data += v;
    offsets.push_back(static_cast<std::int32_t>(data.size()));
  }
  c->no_buffer().buffer(offsets).buffer(std::vector<char>(data.begin(), data.end()));
  c->finish(static_cast<std::int64_t>(values.size()));
  return c;
}

// A batch of one int64-backed timestamp column `at` ("tsu:", "tsu:UTC", ...).
std::unique_ptr<Col> timestamps(const char* format, const std::vector<std::int64_t>& values);

std::unique_ptr<Col> batch(std::vector<std::unique_ptr<Col>> columns, std::int64_t length) {
  auto b = std::make_unique<Col>();
  b->format = "+s";
  b->no_buffer();
  b->kids = std::move(columns);
  b->finish(length);
  return b;
}

std::unique_ptr<Col> timestamps(const char* format, const std::vector<std::int64_t>& values) {
  auto at = std::make_unique<Col>();
  at->format = format;
  at->name = "at";
  at->no_buffer().buffer(values);
  at->finish(static_cast<std::int64_t>(values.size()));
  std::vector<std::unique_ptr<Col>> cols;
  cols.push_back(std::move(at));
  return batch(std::move(cols), static_cast<std::int64_t>(values.size()));
}

const char* kOrders = R"(
fields:
  id: {type: integer, required: true, min: 1}
  code: {type: string, pattern: '^[A-Z]{2}$'}
)";

// The rows validate_arrow rejects (numbered from 1), and how many it counts valid.
std::vector<std::uint64_t> rejected_rows(const dq::Contract& contract, Col& b, std::uint64_t& valid) {
  std::vector<std::uint64_t> rejected;
  dq::Validator validator(contract);
  dq::ReportBuilder report(contract);
  dq::ArrowOptions options;
  options.on_reject = [&](const dq::RecordEvent& event) { rejected.push_back(event.where.record); };
  REQUIRE(dq::validate_arrow(validator, b.schema, b.array, report, options).ok());
  valid = report.finish().records.valid;
  return rejected;
}

dq::Report run(const dq::Contract& contract, Col& b, dq::Status* status = nullptr) {
  dq::Validator validator(contract);
  dq::ReportBuilder report(contract);
  dq::Status st = dq::validate_arrow(validator, b.schema, b.array, report);
  if (status)
    *status = st;
  else
    REQUIRE(st.ok());
  return report.finish();
}

std::string error_of(const dq::Contract& contract, Col& b) {
  dq::Status st;
  run(contract, b, &st);
  REQUIRE(st.code() == dq::StatusCode::kInvalidData);
  return st.message();
}

}  // namespace

TEST_CASE("a record batch is validated row by row, numbered from 1, nulls as JSON nulls") {
  dq::Contract contract = load(kOrders);
  auto validity = bits({1, 1, 0});
  std::vector<std::unique_ptr<Col>> cols;
  cols.push_back(int64s("id", {5, 0, 7}, &validity));
  cols.push_back(strings("code", {"AB", "abc", "CD"}));
  auto b = batch(std::move(cols), 3);
  dq::Report report = run(contract, *b);
  CHECK(report.records.total == 3);
  CHECK(report.records.valid == 1);
  CHECK(report.records.invalid == 2);
  REQUIRE(report.rules.size() == 3);
  CHECK(report.rules[0].id == "id.required");
  CHECK(report.rules[0].samples[0].record == 3);
  CHECK(report.rules[0].samples[0].message == "is required (null)");
  CHECK(report.rules[1].id == "id.min");
  CHECK(report.rules[1].samples[0].value == "0");
  CHECK(report.rules[2].id == "code.pattern");
  CHECK(report.rules[2].samples[0].value == "\"abc\"");
}

TEST_CASE("a sliced column honours its offset, a struct's offset applies to its children") {
  dq::Contract contract = load(kOrders);
  std::vector<std::unique_ptr<Col>> cols;
  cols.push_back(int64s("id", {0, 0, 9}));
  cols.back()->finish(1, 2);  // one row: the value 9
  cols.push_back(strings("code", {"x", "AB"}));
  cols.back()->finish(1, 1);
  auto b = batch(std::move(cols), 1);
  CHECK(run(contract, *b).records.valid == 1);

  std::vector<std::unique_ptr<Col>> cols2;
  cols2.push_back(int64s("id", {0, 3}));
  cols2.push_back(strings("code", {"bad", "AB"}));
  auto sliced = batch(std::move(cols2), 1);
  sliced->finish(1, 1);  // the parent starts at row 1 of its children
  CHECK(run(contract, *sliced).records.valid == 1);
}

TEST_CASE("dictionary-encoded strings read as their values") {
  dq::Contract contract = load(kOrders);
  auto codes = std::make_unique<Col>();
  codes->format = "c";  // int8 indices
  codes->name = "code";
  codes->no_buffer().buffer(std::vector<std::int8_t>{1, 0, 1});
  codes->dict = strings("", {"zz", "AB"});
  codes->finish(3);
  std::vector<std::unique_ptr<Col>> cols;
  cols.push_back(int64s("id", {1, 2, 3}));
  cols.push_back(std::move(codes));
  auto b = batch(std::move(cols), 3);
  dq::Report report = run(contract, *b);
  CHECK(report.records.invalid == 1);
  CHECK(report.rules.at(0).samples.at(0).value == "\"zz\"");
}

TEST_CASE("a list column is an array and its items are checked with their index") {
  dq::Contract contract = load(R"(
fields:
  qty:
    type: array
    max_items: 2
    items: {type: integer, min: 1}
)");
  auto list = std::make_unique<Col>();
  list->format = "+l";
  list->name = "qty";
  list->no_buffer().buffer(std::vector<std::int32_t>{0, 2, 5});
  list->kids.push_back(int64s("item", {1, 2, 3, 0, 4}));
  list->finish(2);
  std::vector<std::unique_ptr<Col>> cols;
  cols.push_back(std::move(list));
  auto b = batch(std::move(cols), 2);
  dq::Report report = run(contract, *b);
  CHECK(report.records.valid == 1);
  REQUIRE(report.rules.size() == 2);
  CHECK(report.rules[0].id == "qty.max_items");
  CHECK(report.rules[1].id == "qty[].min");
  CHECK(report.rules[1].samples[0].path == "qty[1]");
}

TEST_CASE("timestamps of every unit are instants to the microsecond") {
  dq::Contract contract = load(R"(
fields:
  at: {type: timestamp, min: '2024-01-01T00:00:00Z'}
)");
  const std::pair<const char*, std::int64_t> units[] = {{"tss:", 1704067200},
                                                        {"tsm:", 1704067200000},
                                                        {"tsu:UTC", 1704067200000000},
                                                        {"tsn:Europe/Paris", 1704067200000000000}};
  for (const auto& [format, at_min] : units) {
    auto b = timestamps(format, {at_min, at_min - 1});
    dq::Report report = run(contract, *b);
    INFO(format);
    CHECK(report.records.valid == 1);
    REQUIRE(report.rules.size() == 1);
    CHECK(report.rules[0].samples[0].record == 2);
  }
}

TEST_CASE("an Arrow timestamp without a zone is a wall-clock time in the field's zone, as the same text would be") {
  dq::Contract contract = load(R"(
fields:
  at: {type: timestamp, timezone: America/New_York, max: '2024-07-15T16:00:00Z'}
)");
  // 12:00 and 12:00:01 New York time in July (EDT): 16:00:00Z and 16:00:01Z.
  const std::int64_t noon = 1721044800LL * 1000000;
  for (const char* format : {"tsu:", "tsu:UTC"}) {
    auto b = timestamps(format, {noon, noon + 1000000});
    dq::Report report = run(contract, *b);
    INFO(format);
    // Without a zone: 12:00:01 EDT is 16:00:01Z, past the bound, as the text
    // "2024-07-15 12:00:01" is. With tz=UTC both are instants well before it.
    CHECK(report.records.valid == (std::string(format) == "tsu:" ? 1 : 2));
  }
  dq::Validator v(contract);
  CHECK(v.validate_json(R"({"at": "2024-07-15 12:00:00"})").ok);
  CHECK_FALSE(v.validate_json(R"({"at": "2024-07-15 12:00:01"})").ok);
}

TEST_CASE(
    "a column whose type cannot hold the contract's type gives per-row type violations, as the same rows in JSON") {
  dq::Contract contract = load(R"(
fields:
  id: {type: integer, required: true}
  code: {type: string}
)");
  std::vector<std::unique_ptr<Col>> cols;
  cols.push_back(strings("id", {"7", "x"}));
  cols.push_back(int64s("code", {1, 2}));
  auto b = batch(std::move(cols), 2);
  dq::Report table = run(contract, *b);
  CHECK(table.records.invalid == 2);
  dq::Validator v(contract);
  for (const char* json : {R"({"id": "7", "code": 1})", R"({"id": "x", "code": 2})"}) {
    const dq::Verdict& verdict = v.validate_json(json);
    CHECK(rules_of(verdict) == Ids{"id.type", "code.type"});
  }
  REQUIRE(table.rules.size() == 2);
  CHECK(table.rules[0].id == "id.type");
  CHECK(table.rules[0].samples[0].message == "must be an integer, not a string");
  CHECK(table.rules[0].samples[0].value == "\"7\"");
  CHECK(table.rules[1].samples[1].message == "must be a string, not a number");
  CHECK(table.rules[1].samples[1].value == "2");
}

TEST_CASE("decimal columns are numbers, read from their exact decimal text") {
  dq::Contract contract = load(R"(
fields:
  amount: {type: number, min: 0, max: 100.25}
  count: {type: integer}
)");
  // decimal128(10, 2): 100.25, 100.26, -0.01, 0.05; decimal256(40, 0) and a scale of -2.
  auto amount = std::make_unique<Col>();
  amount->format = "d:10,2";
  amount->name = "amount";
  std::vector<std::int64_t> limbs = {10025, 0, 10026, 0, -1, -1, 5, 0};
  amount->no_buffer().buffer(limbs).finish(4);
  auto count = std::make_unique<Col>();
  count->format = "d:40,0,256";
  count->name = "count";
  std::vector<std::int64_t> wide = {7, 0, 0, 0, 7, 0, 0, 0, 7, 0, 0, 0, -3, -1, -1, -1};
  count->no_buffer().buffer(wide).finish(4);
  std::vector<std::unique_ptr<Col>> cols;
  cols.push_back(std::move(amount));
  cols.push_back(std::move(count));
  auto b = batch(std::move(cols), 4);
  dq::Report r = run(contract, *b);
  CHECK(r.records.valid == 2);
  REQUIRE(r.rules.size() == 2);
  CHECK(r.rules[0].id == "amount.min");
  CHECK(r.rules[0].samples[0].value == "-0.01");
  CHECK(r.rules[1].id == "amount.max");
  CHECK(r.rules[1].samples[0].value == "100.26");
  dq::Validator v(contract);
  CHECK(rules_of(v.validate_json(R"({"amount": 100.26, "count": 7})")) == Ids{"amount.max"});
  CHECK(v.validate_json(R"({"amount": 100.25, "count": -3})").ok);
}

TEST_CASE("an inconsistent Arrow layout is an error naming the column, never an out-of-bounds read") {
  dq::Contract contract = load(kOrders);
  auto one = [](std::unique_ptr<Col> c, std::int64_t length) {
    std::vector<std::unique_ptr<Col>> cols;
    cols.push_back(std::move(c));
    return batch(std::move(cols), length);
  };
  SECTION("negative length") {
    auto c = int64s("id", {1});
    c->finish(-1);
    auto b = one(std::move(c), 0);
    CHECK_THAT(error_of(contract, *b), Catch::Contains("column 'id'") && Catch::Contains("invalid length -1"));
  }
  SECTION("a child shorter than its parent") {
    auto b = one(int64s("id", {1}), 2);
    CHECK_THAT(error_of(contract, *b), Catch::Contains("has 1 rows, its parent needs 2"));
  }
  SECTION("decreasing string offsets") {
    auto c = std::make_unique<Col>();
    c->format = "u";
    c->name = "code";
    c->no_buffer().buffer(std::vector<std::int32_t>{0, 4, 2}).buffer(std::vector<char>{'a', 'b', 'c', 'd'});
    c->finish(2);
    auto b = one(std::move(c), 2);
    CHECK_THAT(error_of(contract, *b), Catch::Contains("column 'code' (Arrow format 'u'): offsets decrease at row 1"));
  }
  SECTION("list offsets past the child") {
    auto list = std::make_unique<Col>();
    list->format = "+l";
    list->name = "tags";
    list->no_buffer().buffer(std::vector<std::int32_t>{0, 9});
    list->kids.push_back(int64s("item", {1, 2}));
    list->finish(1);
    auto b = one(std::move(list), 1);
    CHECK_THAT(error_of(contract, *b), Catch::Contains("offset 9 is past the child's 2 rows"));
  }
  SECTION("a missing values buffer") {
    auto c = std::make_unique<Col>();
    c->format = "l";
    c->name = "id";
    c->no_buffer().no_buffer().finish(3);
    auto b = one(std::move(c), 3);
    CHECK_THAT(error_of(contract, *b), Catch::Contains("missing values buffer"));
  }
  SECTION("the wrong number of buffers") {
    auto c = std::make_unique<Col>();
    c->format = "u";
    c->name = "code";
    c->no_buffer().finish(0);
    auto b = one(std::move(c), 0);
    CHECK_THAT(error_of(contract, *b), Catch::Contains("expected 3 buffers, got 1"));
  }
  SECTION("a dictionary index out of range") {
    auto codes = std::make_unique<Col>();
    codes->format = "i";
    codes->name = "code";
    codes->no_buffer().buffer(std::vector<std::int32_t>{0, 5});
    codes->dict = strings("", {"AB"});
    codes->finish(2);
    auto b = one(std::move(codes), 2);
    CHECK_THAT(error_of(contract, *b), Catch::Contains("dictionary index out of range at row 1"));
  }
  SECTION("a string view beyond its data buffer") {
    auto c = std::make_unique<Col>();
    c->format = "vu";
    c->name = "code";
    std::vector<std::uint8_t> view(16, 0);
    const std::int32_t size = 20, buffer = 0, start = 4;
    std::memcpy(view.data(), &size, 4);
    std::memcpy(view.data() + 8, &buffer, 4);
    std::memcpy(view.data() + 12, &start, 4);
    c->no_buffer().buffer(view).buffer(std::vector<char>(16, 'A')).buffer(std::vector<std::int64_t>{16});
    c->finish(1);
    auto b = one(std::move(c), 1);
    CHECK_THAT(error_of(contract, *b), Catch::Contains("string view out of its buffer at row 0"));
  }
  SECTION("an unsupported type") {
    auto c = std::make_unique<Col>();
    c->format = "e";
    c->name = "half";
    c->no_buffer().buffer(std::vector<std::uint16_t>{1}).finish(1);
    auto b = one(std::move(c), 1);
    CHECK(error_of(contract, *b) == "column 'half' (Arrow format 'e'): unsupported Arrow type float16");
  }
  SECTION("not a struct at the top") {
    auto c = int64s("id", {1});
    CHECK_THAT(error_of(contract, *c), Catch::Contains("a record batch is a struct array (format '+s'), not 'l'"));
  }
}

TEST_CASE("a string that is not UTF-8 makes its row malformed, and the count reconciles") {
  dq::Contract contract = load(kOrders);
  std::vector<std::unique_ptr<Col>> cols;
  cols.push_back(int64s("id", {1, 2}));
  cols.push_back(strings("code", {"AB", "\xC3\x28"}));
  auto b = batch(std::move(cols), 2);
  dq::Report report = run(contract, *b);
  CHECK(report.records.valid == 1);
  CHECK(report.records.malformed == 1);
  CHECK(report.records.total == 2);
  CHECK_THAT(report.malformed.at(0).message, Catch::Contains("not valid UTF-8 (column 'code')"));
}

TEST_CASE("CSV cells are typed by the contract and bad rows are malformed with their line") {
  dq::Contract contract = load(R"(
fields:
  id: {type: integer, required: true}
  amount: {type: number, min: 0}
  paid: {type: boolean}
  note: {type: string, max_length: 5}
)");
  const std::string csv =
      "id,amount,paid,note\n"
      "1,2.5,true,\"a, b\"\n"      // line 2: valid
      "2,abc,false,x\n"            // line 3: amount is a string
      "3,,maybe,\"two\nlines\"\n"  // lines 4-5: paid is a string, note too long
      "4,5\n"                      // line 6: too few cells
      "5,1,true,bad\"quote\n"      // line 7: does not parse
      "\n"
      "6,-1,false,ok\r\n";  // line 9: amount below min
  std::FILE* file = fmemopen(const_cast<char*>(csv.data()), csv.size(), "rb");
  dq::Validator validator(contract);
  dq::ReportBuilder builder(contract);
  dq::StreamOptions options;
  options.format = dq::InputFormat::kCsv;
  std::vector<std::string> raws;
  options.on_reject = [&](const dq::RecordEvent& e) { raws.emplace_back(e.raw); };
  REQUIRE(dq::validate_stream(validator, file, options, builder).ok());
  std::fclose(file);
  dq::Report report = builder.finish();
  CHECK(report.records.total == 6);
  CHECK(report.records.valid == 1);
  CHECK(report.records.invalid == 3);
  CHECK(report.records.malformed == 2);
  REQUIRE(report.malformed.size() == 2);
  CHECK(report.malformed[0].line == 6);
  CHECK(report.malformed[0].message == "row has 2 fields, the header 4");
  CHECK(report.malformed[1].line == 7);
  std::vector<std::string> ids;
  for (const auto& r : report.rules) ids.push_back(r.id + "@" + std::to_string(r.samples.at(0).line));
  CHECK(ids == Ids{"amount.type@3", "amount.min@9", "paid.type@4", "note.max_length@4"});
  CHECK(raws.at(1) == "3,,maybe,\"two\nlines\"");
}

TEST_CASE("screened columns judge every row as the record engine judges its JSON") {
  // Bounds the kernels turn into integer or double ranges, exclusive or not,
  // at their edges; short enums; fixed-length patterns; code point lengths.
  dq::Contract contract = load(R"(
fields:
  a: {type: integer, exclusive_min: -4, max: 10}
  b: {type: integer, min: 2.5, max: 7.5}
  c: {type: number, exclusive_min: 0, exclusive_max: 1}
  d: {type: integer, min: 0}
  e: {type: string, enum: [new, paid, shipped, delivered, refunded, a-very-long-status-value]}
  f: {type: string, pattern: '^[A-Z]{3}-[0-9]{2}$'}
  g: {type: string, min_length: 2, max_length: 2}
)");
  // Each row takes one probe value in one column and a passing value in the
  // others, so each verdict rests on one kernel.
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<std::int64_t> a_probes{-4, -3, 10, 11, 0, INT64_MIN, INT64_MAX};
  const std::vector<std::int32_t> b_probes{2, 3, 7, 8};
  const std::vector<double> c_probes{0, 1e-300, 0.5, 1, std::nextafter(1.0, 0.0), -0.0, inf, -inf, std::nan("")};
  const std::vector<std::uint64_t> d_probes{0, 1, 9223372036854775807ULL, 9223372036854775808ULL,
                                            18446744073709551615ULL};
  const std::vector<std::string> e_probes{
      "new", "paid", "paidx", "", "delivered", "a-very-long-status-value", "a-very-long-status-valuf", "NEW", "shippe"};
  const std::vector<std::string> f_probes{"ABC-12", "ABC-1", "ABC-123", "abc-12", "ABC_12", "", "XYZ-99", "ÀBC-12"};
  const std::vector<std::string> g_probes{"US", "U", "USA", "é", "éé", "日本", "", "ab"};
  std::vector<std::int64_t> a;
  std::vector<std::int32_t> b;
  std::vector<double> c;
  std::vector<std::uint64_t> d;
  std::vector<std::string> e, f, g;
  auto row = [&](int column, std::size_t i) {
    a.push_back(column == 0 ? a_probes[i] : 5);
    b.push_back(column == 1 ? b_probes[i] : 5);
    c.push_back(column == 2 ? c_probes[i] : 0.25);
    d.push_back(column == 3 ? d_probes[i] : 9);
    e.push_back(column == 4 ? e_probes[i] : "shipped");
    f.push_back(column == 5 ? f_probes[i] : "XYZ-42");
    g.push_back(column == 6 ? g_probes[i] : "DE");
  };
  const std::size_t sizes[] = {a_probes.size(), b_probes.size(), c_probes.size(), d_probes.size(),
                               e_probes.size(), f_probes.size(), g_probes.size()};
  for (int column = 0; column < 7; ++column) {
    for (std::size_t i = 0; i < sizes[column]; ++i) row(column, i);
  }
  const std::size_t rows = a.size();

  auto column = [](const char* format, const char* name, auto values) {
    auto col = std::make_unique<Col>();
    col->format = format;
    col->name = name;
    col->no_buffer().buffer(values).finish(static_cast<std::int64_t>(values.size()));
    return col;
  };
  std::vector<std::unique_ptr<Col>> cols;
  cols.push_back(column("l", "a", a));
  cols.push_back(column("i", "b", b));
  cols.push_back(column("g", "c", c));
  cols.push_back(column("L", "d", d));
  cols.push_back(strings("e", e));
  cols.push_back(strings("f", f));
  cols.push_back(strings("g", g));
  // A validity bitmap with a null count of 0 (as Parquet readers hand them
  // over) holds no nulls, whatever its bits.
  std::vector<std::uint8_t> zeros((rows + 7) / 8, 0);
  cols[0]->storage.insert(cols[0]->storage.begin(), zeros);
  cols[0]->buffers[0] = cols[0]->storage.front().data();
  cols[0]->finish(static_cast<std::int64_t>(rows));
  cols[0]->array.null_count = 0;
  auto b_ = batch(std::move(cols), static_cast<std::int64_t>(rows));

  std::uint64_t valid = 0;
  const std::vector<std::uint64_t> rejected = rejected_rows(contract, *b_, valid);

  dq::Validator json(contract);
  std::vector<std::uint64_t> expected;
  for (std::size_t r = 0; r < rows; ++r) {
    auto number = [](double x) -> std::string {
      if (std::isnan(x) || std::isinf(x)) return "null";  // not JSON: a non-finite double reads as null...
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", x);
      return buf;
    };
    std::string record = "{\"a\":" + std::to_string(a[r]) + ",\"b\":" + std::to_string(b[r]) +
                         ",\"c\":" + number(c[r]) + ",\"d\":" + std::to_string(d[r]) + ",\"e\":\"" + e[r] +
                         "\",\"f\":\"" + f[r] + "\",\"g\":\"" + g[r] + "\"}";
    const bool ok = json.validate_json(record).ok && !std::isinf(c[r]) && !std::isnan(c[r]);
    INFO(record);
    if (!ok) expected.push_back(r + 1);
  }
  CHECK(rejected == expected);
  CHECK(expected.size() == 27);  // the probes outside their column's checks
  CHECK(valid == rows - expected.size());
}

namespace {

// A string view column ("vu"): up to 12 bytes inline, longer ones in one
// data buffer; a null row's view holds garbage, as Arrow allows.
std::unique_ptr<Col> string_views(const std::string& name, const std::vector<std::string>& values,
                                  const std::vector<int>& present) {
  auto c = std::make_unique<Col>();
  c->format = "vu";
  c->name = name;
  std::vector<std::uint8_t> views;
  std::string data;
  for (std::size_t r = 0; r < values.size(); ++r) {
    std::uint8_t view[16] = {};
    const std::string& v = values[r];
    std::int32_t size = static_cast<std::int32_t>(v.size()), buffer = 0, start = static_cast<std::int32_t>(data.size());
    if (!present.empty() && !present[r]) {
      size = 1000, buffer = 7, start = -5;  // never read
    } else if (v.size() > 12) {
      data += v;
    }
    std::memcpy(view, &size, 4);
    if (size <= 12) {
      std::memcpy(view + 4, v.data(), v.size());
    } else {
      std::memcpy(view + 4, v.data(), 4);
      std::memcpy(view + 8, &buffer, 4);
      std::memcpy(view + 12, &start, 4);
    }
    views.insert(views.end(), view, view + 16);
  }
  c->no_buffer().buffer(views).buffer(std::vector<char>(data.begin(), data.end()));
  c->buffer(std::vector<std::int64_t>{static_cast<std::int64_t>(data.size())});
  c->finish(static_cast<std::int64_t>(values.size()));
  return c;
}

enum class Layout { kOffsets, kViews };

void same_as_json(const dq::Contract& contract, const std::vector<std::string>& names,
                  const std::vector<std::vector<std::string>>& values,
                  const std::vector<std::vector<int>>& present = {}, Layout layout = Layout::kOffsets) {
  const std::size_t rows = values[0].size();
  std::vector<std::unique_ptr<Col>> cols;
  for (std::size_t k = 0; k < names.size(); ++k) {
    const std::vector<int> none;
    const std::vector<int>& here = k < present.size() ? present[k] : none;
    cols.push_back(layout == Layout::kViews ? string_views(names[k], values[k], here) : strings(names[k], values[k]));
    if (!here.empty()) {
      std::vector<std::uint8_t> validity((rows + 7) / 8, 0);
      for (std::size_t r = 0; r < rows; ++r) {
        if (here[r]) validity[r / 8] |= static_cast<std::uint8_t>(1u << (r % 8));
      }
      Col& c = *cols.back();
      c.storage.insert(c.storage.begin(), validity);
      c.buffers[0] = c.storage.front().data();
      c.finish(static_cast<std::int64_t>(rows));
    }
  }
  auto b = batch(std::move(cols), static_cast<std::int64_t>(rows));
  std::uint64_t valid = 0;
  const std::vector<std::uint64_t> rejected = rejected_rows(contract, *b, valid);

  dq::Validator json(contract);
  std::vector<std::uint64_t> expected;
  for (std::size_t r = 0; r < rows; ++r) {
    std::string record = "{";
    for (std::size_t k = 0; k < names.size(); ++k) {
      const bool is_null = k < present.size() && !present[k].empty() && !present[k][r];
      if (k > 0) record += ',';
      record.append(dq::json_quote(names[k])).append(":").append(is_null ? "null" : dq::json_quote(values[k][r]));
    }
    record += "}";
    INFO(record);
    if (!json.validate_json(record).ok) expected.push_back(r + 1);
  }
  CHECK(rejected == expected);
  CHECK(valid == rows - expected.size());
}

}  // namespace

TEST_CASE("string column kernels: short enums by words, range patterns by vectors, ASCII lengths by offsets") {
  dq::Contract contract = load(R"(
fields:
  status: {type: string, enum: [new, paid, delivered, exactly-16-bytes, "", "a\0b"]}
  code: {type: string, pattern: '^[A-Z]{3}-[0-9]{2}$'}
  mixed: {type: string, pattern: '^[a-c0-9]{2}x$'}
  size: {type: string, min_length: 2, max_length: 3}
)");
  const std::vector<std::string> status_probes{
      "new",      "paid", "delivered", "exactly-16-bytes",     "exactly-16-bytes!",    "exactly-16-byte",
      "",         "ne",   "newx",      std::string("a\0b", 3), std::string("a\0c", 3), "Paid",
      "delivereD"};
  const std::vector<std::string> code_probes{"ABC-12", "ABC-1",  "ABC-123", "abc-12", "ABC_12", "",
                                             "XYZ-99", "@BC-12", "[BC-12",  "ABC-/2", "ABC-:2"};
  const std::vector<std::string> mixed_probes{"a0x", "c9x", "d0x", "a0y", "a0", "a0xx",
                                              "`0x", "/0x", ":0x", "a:x", "a/x"};
  const std::vector<std::string> size_probes{"ab", "abc", "a", "abcd", ""};
  std::vector<std::vector<std::string>> values(4);
  const std::vector<const std::vector<std::string>*> probes{&status_probes, &code_probes, &mixed_probes, &size_probes};
  const std::vector<std::string> passing{"paid", "XYZ-42", "b1x", "US"};
  for (std::size_t k = 0; k < probes.size(); ++k) {
    for (const std::string& probe : *probes[k]) {
      for (std::size_t j = 0; j < probes.size(); ++j) values[j].push_back(j == k ? probe : passing[j]);
    }
  }
  SECTION("as built: the probes sit at the batch's end too, where fewer than 16 bytes remain") {
    same_as_json(contract, {"status", "code", "mixed", "size"}, values);
  }
  SECTION("as string views (polars): inline, in a buffer, and the last view") {
    same_as_json(contract, {"status", "code", "mixed", "size"}, values, {}, Layout::kViews);
  }
  SECTION("the same probes after many passing rows, read with full 16-byte loads") {
    std::vector<std::vector<std::string>> padded(4);
    for (std::size_t j = 0; j < 4; ++j) {
      padded[j].assign(100, passing[j]);
      padded[j].insert(padded[j].end(), values[j].begin(), values[j].end());
      padded[j].insert(padded[j].end(), 100, passing[j]);
    }
    same_as_json(contract, {"status", "code", "mixed", "size"}, padded);
  }
  SECTION("with nulls: an optional column's null passes, a required one's does not") {
    dq::Contract required = load(R"(
fields:
  status: {type: string, required: true, enum: [new, paid]}
  size: {type: string, min_length: 2, max_length: 3}
)");
    for (Layout layout : {Layout::kOffsets, Layout::kViews}) {
      same_as_json(required, {"status", "size"}, {{"new", "bad", "paid", "new", "xx"}, {"ab", "abcd", "a", "", "abc"}},
                   {{1, 0, 0, 1, 0}, {0, 0, 1, 0, 1}}, layout);
    }
  }
  SECTION("fixed lengths past 16 (a commit SHA, a three-range class): the records' verdicts") {
    dq::Contract long_patterns = load(R"(
fields:
  sha: {type: string, pattern: '^[0-9a-f]{40}$'}
  key: {type: string, pattern: '^[0-9A-Za-z]{20}$'}
)");
    const std::string sha(40, 'a'), key(20, 'Z');
    std::vector<std::string> shas, keys;
    for (const char bad : {'/', ':', '`', 'g', 'A', 'f', '0'}) {
      for (const std::size_t at : {0, 15, 16, 39}) {
        shas.push_back(sha.substr(0, at) + bad + sha.substr(at + 1));
        keys.push_back(key.substr(0, at % 20) + bad + key.substr(at % 20 + 1));
      }
    }
    shas.push_back(sha + "0");
    keys.push_back(key.substr(1));
    for (Layout layout : {Layout::kOffsets, Layout::kViews}) {
      same_as_json(long_patterns, {"sha", "key"}, {shas, keys}, {}, layout);
    }
  }
  SECTION("non-ASCII text, as offsets and as views: lengths in code points, read per string") {
    dq::Contract lengths = load(R"(
fields:
  name: {type: string, min_length: 2, max_length: 3}
  city: {type: string, enum: [日本, été, ab, "un très long nom à part"]}
)");
    // Bytes and code points disagree: "é" is 2 bytes, 1 code point; "日本" 6 bytes, 2 code points.
    const std::vector<std::string> names{"日本", "été", "ab", "é", "日", "日本語x", "abcd", "abc"};
    const std::vector<std::string> cities{"日本", "été", "ab", "été!", "un très long nom à part", "un", "", "ab"};
    for (Layout layout : {Layout::kOffsets, Layout::kViews}) {
      same_as_json(lengths, {"name", "city"}, {names, cities}, {}, layout);
    }
  }
}

TEST_CASE("a string column longer than max_string_bytes is refused as the record engine refuses it") {
  dq::LoadOptions options;
  options.limits.max_string_bytes = 8;
  auto contract = dq::Contract::load_string(contract_yaml("fields:\n  name: {type: string}\n"), "test.yaml", options);
  REQUIRE(contract.ok());
  same_as_json(*contract, {"name"}, {{"short", "exactly8", "nine-byte", ""}});
  dq::Validator validator(*contract);
  CHECK_FALSE(validator.validate_json(R"({"name": "nine-byte"})").ok);
}

// A value quoted in a violation keeps the engine's form: backspace and form
// feed as \u escapes (the rejects file writes them as \b and \f).
TEST_CASE("quoted values escape quotes, backslashes and controls in the engine's form") {
  CHECK(dq::json_quote("") == "\"\"");
  CHECK(dq::json_quote("é \"q\" \\ \n\r\t") == "\"é \\\"q\\\" \\\\ \\n\\r\\t\"");
  CHECK(dq::json_quote(std::string("\b\f\x01\x1f\x7f\0", 6)) == "\"\\u0008\\u000c\\u0001\\u001f\x7f\\u0000\"");
}
