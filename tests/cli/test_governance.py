"""Governance tools end to end: the contract JSON Schema, dq diff, policy lint, dq docs, ODCS."""
import json
import re
from html.parser import HTMLParser

import jsonschema
import pytest
import yaml

from dq_cli import ROOT, dq

CONTRACTS = sorted((ROOT / "contracts").glob("*.yaml"))
ORDERS = ROOT / "tests/data/governance/orders.yaml"
UNIONS = ROOT / "tests/data/governance/unions.yaml"
ODCS_DIR = ROOT / "tests/data/odcs"
ODCS_EXAMPLES = sorted(ODCS_DIR.glob("*.odcs.yaml"))
SCHEMA = json.loads((ROOT / "schemas/contract.schema.json").read_text())
ODCS_SCHEMA = json.loads((ODCS_DIR / "odcs-json-schema-v3.1.0.json").read_text())


class Yaml12Loader(yaml.SafeLoader):
    """Reads timestamps as text, as YAML 1.2 and editors do (PyYAML follows 1.1)."""


Yaml12Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text):
    return yaml.load(text, Loader=Yaml12Loader)


def out(result):
    return result.stdout.decode()


def edited(tmp_path, name, *edits, base=ORDERS):
    """A copy of `base` with each (old, new) text edit applied exactly once."""
    text = base.read_text()
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text)
    return path


BUMP = ("version: 2.3.0", "version: 2.4.0")

# ---- the JSON Schema ----


@pytest.mark.parametrize("contract", CONTRACTS + [ORDERS], ids=lambda p: p.name)
def test_every_contract_validates_against_the_schema(contract):
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(load_yaml(contract.read_text())))
    assert errors == []


def test_every_key_in_the_schema_has_a_description():
    missing = []

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.get("properties", {}).items():
                if "description" not in value:
                    missing.append(f"{path}.{key}")
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")

    walk(SCHEMA, "$")
    assert missing == []


INVALID = {
    "no_format_version": ("dq: 1\n", ""),
    "unknown_top_key": ("\nfields:\n", "\nfeilds: {}\nfields:\n"),
    "unknown_field_key": ("  quantity: {type: integer,", "  quantity: {type: integer, minimum: 1,"),
    "bad_type": ("  note: {type: string,", "  note: {type: text,"),
    "empty_enum": ("enum: [USD, EUR, GBP]", "enum: []"),
    "rule_without_check": ("    check: shipped_at != null and shipped_at >= created_at\n", ""),
    "bad_compatibility": ("compatibility: backward", "compatibility: sideways"),
    "bad_severity": ("severity: warn}", "severity: fatal}"),
    "owner_without_team": ("owner: {team: commerce-data, contact:", "owner: {contact:"),
    "bad_classification": ("classification: internal", "classification: secret"),
    "required_as_text": ("  created_at: {type: timestamp, required: true,", "  created_at: {type: timestamp, required: maybe,"),
    "bad_drift_method": ("method: psi", "method: vibes"),
    "bad_duration": ("max_delay: 15m", "max_delay: 15 minutes"),
    "tier_without_name": ("    - {name: regular}", "    - {when: orders > 1}"),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_schema_and_loader_agree_on_invalid_contracts(tmp_path, case):
    path = edited(tmp_path, f"{case}.yaml", INVALID[case])
    schema_errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(load_yaml(path.read_text())))
    lint = dq("lint", "--no-policy", path)
    assert schema_errors, "the schema accepted it"
    assert lint.returncode == 1, out(lint)
    assert re.search(rf"^{re.escape(str(path))}:\d+:\d+: error: ", out(lint), re.M), out(lint)


def test_schema_and_loader_agree_on_the_valid_base():
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(load_yaml(ORDERS.read_text()))) == []
    assert dq("lint", "--no-policy", ORDERS).returncode == 0


# ---- dq diff ----

# case: (edits, expected {(level, path, kind)}, exit code)
DIFF_CASES = {
    "field_removed": ([BUMP, ("  note: {type: string, max_length: 200}\n", "")],
                      {("warning", "fields.note", "field_removed")}, 0),
    "field_removed_full": ([BUMP, ("  note: {type: string, max_length: 200}\n", ""),
                            ("compatibility: backward", "compatibility: full")],
                           {("breaking", "fields.note", "field_removed"),
                            ("warning", "compatibility", "compatibility_changed")}, 1),
    "field_added_required": ([BUMP, ("  note:", "  channel: {type: string, required: true}\n  note:")],
                             {("breaking", "fields.channel", "field_added_required")}, 1),
    "field_added_optional": ([BUMP, ("  note:", "  channel: {type: string}\n  note:")],
                             {("info", "fields.channel", "field_added")}, 0),
    "optional_to_required": ([BUMP, ("  shipped_at: {type: timestamp}", "  shipped_at: {type: timestamp, required: true}")],
                             {("breaking", "fields.shipped_at", "made_required")}, 1),
    "type_widened": ([BUMP, ("quantity: {type: integer,", "quantity: {type: number,")],
                     {("warning", "fields.quantity", "type_changed")}, 0),
    "type_widened_forward": ([BUMP, ("quantity: {type: integer,", "quantity: {type: number,"),
                              ("compatibility: backward", "compatibility: forward")],
                             {("breaking", "fields.quantity", "type_changed"),
                              ("warning", "compatibility", "compatibility_changed")}, 1),
    "type_changed": ([BUMP, ("  note: {type: string,", "  note: {type: integer,"),
                      ("max_length: 200}", "max: 200}")],
                     {("breaking", "fields.note", "type_changed"), ("warning", "fields.note", "max_length_removed"),
                      ("breaking", "fields.note", "max_added")}, 1),
    "range_tightened": ([BUMP, ("min: 1, max: 100}", "min: 1, max: 50}")],
                        {("breaking", "fields.quantity", "max_tightened")}, 1),
    "range_loosened": ([BUMP, ("min: 1, max: 100}", "min: 0, max: 100}")],
                       {("warning", "fields.quantity", "min_loosened")}, 0),
    "range_tightened_none": ([BUMP, ("min: 1, max: 100}", "min: 1, max: 50}"),
                              ("compatibility: backward", "compatibility: none")],
                             {("warning", "fields.quantity", "max_tightened"),
                              ("warning", "compatibility", "compatibility_changed")}, 0),
    "length_tightened": ([BUMP, ("max_length: 200}", "max_length: 100}")],
                         {("breaking", "fields.note", "max_length_tightened")}, 1),
    "pattern_changed": ([BUMP, ("'^ord_[0-9a-f]{16}$'", "'^ord_[0-9a-f]{20}$'")],
                        {("breaking", "fields.order_id", "pattern_changed")}, 1),
    "pattern_removed": ([BUMP, (" pattern: '^ord_[0-9a-f]{16}$',", "")],
                        {("warning", "fields.order_id", "pattern_removed")}, 0),
    "enum_value_removed": ([BUMP, ("[USD, EUR, GBP]", "[USD, EUR]")],
                           {("breaking", "fields.currency", "enum_values_removed")}, 1),
    "enum_value_added": ([BUMP, ("[USD, EUR, GBP]", "[USD, EUR, GBP, JPY]")],
                         {("warning", "fields.currency", "enum_values_added")}, 0),
    "unique_added": ([BUMP, ("  refund_amount: {type: number, min: 0}", "  refund_amount: {type: number, min: 0, unique: true}")],
                     {("breaking", "fields.refund_amount", "unique_added")}, 1),
    "classification_changed": ([BUMP, ("classification: restricted, mostly", "classification: confidential, mostly")],
                               {("warning", "fields.email", "classification_changed")}, 0),
    "pii_removed": ([BUMP, (" pii: true,", "")], {("warning", "fields.email", "pii_changed")}, 0),
    "rule_added": ([BUMP, ("expectations:", "  - {name: quantity_positive, check: quantity > 0}\n\nexpectations:")],
                   {("breaking", "rules.quantity_positive", "rule_added")}, 1),
    "warn_rule_added": ([BUMP, ("expectations:", "  - {name: small_note, check: len(note) < 100, severity: warn}\n\nexpectations:")],
                        {("warning", "rules.small_note", "rule_added")}, 0),
    "rule_removed": ([BUMP, ("  - name: shipped_has_date\n    when: status == \"shipped\"\n"
                             "    check: shipped_at != null and shipped_at >= created_at\n", "")],
                     {("warning", "rules.shipped_has_date", "rule_removed")}, 0),
    "rule_tightened": ([BUMP, ("check: shipped_at != null and shipped_at >= created_at",
                               "check: shipped_at != null and shipped_at > created_at")],
                       {("breaking", "rules.shipped_has_date", "rule_changed")}, 1),
    "expectation_added": ([BUMP, ("max: 0.01}\n", "max: 0.01}\n  - {name: ids_unique, field: order_id, metric: duplicate_count, max: 0}\n")],
                          {("breaking", "expectations.ids_unique", "expectation_added")}, 1),
    "expectation_tightened": ([BUMP, ("metric: row_count, min: 1000}", "metric: row_count, min: 5000}")],
                              {("breaking", "expectations.enough_rows", "min_tightened")}, 1),
    "drift_thresholds": ([BUMP, ("warn: 0.1, fail: 0.25", "warn: 0.2, fail: 0.2")],
                         {("warning", "drift.fields.amount", "drift_warn_loosened"),
                          ("warning", "drift.fields.amount", "drift_fail_tightened")}, 0),
    "owner_changed": ([BUMP, ("contact: commerce-data@example.com", "contact: orders@example.com")],
                      {("warning", "owner", "owner_changed")}, 0),
    "sla_loosened": ([BUMP, ("max_delay: 15m", "max_delay: 2h")], {("warning", "sla.freshness", "sla_loosened")}, 0),
    "sla_tightened": ([BUMP, ("max_delay: 15m", "max_delay: 5m")], {("info", "sla.freshness", "sla_tightened")}, 0),
    "dataset_renamed": ([BUMP, ("dataset: commerce.order_events", "dataset: commerce.orders")],
                        {("breaking", "dataset", "dataset_renamed")}, 1),
    "major_bumped": ([("version: 2.3.0", "version: 3.0.0"), ("min: 1, max: 100}", "min: 1, max: 50}")],
                     {("breaking", "fields.quantity", "max_tightened")}, 0),
    "version_not_bumped": ([("description: Order state.", "description: Where the order is.")],
                           {("info", "fields.status.description", "description_changed"),
                            ("warning", "version", "version_not_bumped")}, 0),
    "param_default": ([BUMP, ("default: 100000}", "default: 50000}")],
                      {("warning", "params.max_amount", "param_default_changed")}, 0),
    "param_limits": ([BUMP, ("default: 100000}", "default: 100000, min: 1}")],
                     {("info", "params.max_amount", "param_limits_changed")}, 0),
    "tier_changed": ([BUMP, ("when: total_spend >= $vip_spend}", "when: total_spend >= $vip_spend and orders >= 2}")],
                     {("warning", "grading.tiers.vip", "tier_changed")}, 0),
    "severity_raised": ([BUMP, ("pattern: '^[A-Z]{2}$', severity: warn}", "pattern: '^[A-Z]{2}$'}")],
                        {("breaking", "fields.customer.country", "severity_raised")}, 1),
    "warn_check_tightened": ([BUMP, ("pattern: '^[A-Z]{2}$', severity: warn}", "pattern: '^[A-Z]{3}$', severity: warn}")],
                             {("warning", "fields.customer.country", "pattern_changed")}, 0),
}


@pytest.mark.parametrize("case", sorted(DIFF_CASES))
def test_diff_classifies_each_change(tmp_path, case):
    edits, expected, code = DIFF_CASES[case]
    new = edited(tmp_path, "new.yaml", *edits)
    result = dq("diff", ORDERS, new, "--format", "json")
    report = json.loads(out(result))
    assert {(c["level"], c["path"], c["kind"]) for c in report["changes"]} == expected
    assert result.returncode == code
    assert report["blocks"] == (code == 1)
    assert report["counts"]["breaking"] == sum(1 for level, _, _ in expected if level == "breaking")


def test_diff_with_no_changes_exits_0():
    result = dq("diff", ORDERS, ORDERS)
    assert result.returncode == 0
    assert out(result).endswith("no changes\n")


def test_diff_text_names_lines_and_the_version_to_release(tmp_path):
    new = edited(tmp_path, "new.yaml", BUMP, ("min: 1, max: 100}", "min: 1, max: 50}"))
    text = out(dq("diff", ORDERS, new))
    assert "BREAKING  fields.quantity  max lowered from 100 to 50 (line 24)" in text
    assert text.endswith("1 breaking, 0 warning, 0 info: breaking changes need a major version (3.0.0)\n")


def test_diff_markdown_is_a_pull_request_comment(tmp_path):
    new = edited(tmp_path, "new.yaml", BUMP, ("[USD, EUR, GBP]", "[USD, EUR]"), ("  note:", "  channel: {type: string}\n  note:"),
                 ("contact: commerce-data@example.com", "contact: orders@example.com"))
    md = out(dq("diff", ORDERS, new, "--format", "markdown"))
    lines = md.splitlines()
    assert lines[0] == "### dq diff: `commerce.order_events` 2.3.0 → 2.4.0"
    assert "❌ **1 breaking change** under `backward` compatibility" in md and "**3.0.0**" in md
    assert "| ❌ breaking | `fields.currency` (line 25) | enum values removed: GBP |" in lines
    assert "| ⚠️ warning | `owner` (line 8) |" in md
    # information is folded away; breaking and warnings come first
    assert md.index("<details><summary>1 informational change</summary>") > md.index("⚠️ warning")
    assert "| ℹ️ info | `fields.channel` (line 30) | optional field added |" in lines


def test_diff_works_across_formats(tmp_path):
    odcs = tmp_path / "orders.odcs.yaml"
    assert dq("export", ORDERS, "--to", "odcs", "-o", odcs).returncode == 0
    same = dq("diff", ORDERS, odcs, "--format", "json")
    assert json.loads(out(same))["changes"] == [], out(same)
    text = odcs.read_text()
    assert text.count("maximum: 100}") == 1 and text.count('version: "2.3.0"') == 1
    changed = tmp_path / "changed.odcs.yaml"
    changed.write_text(text.replace("maximum: 100}", "maximum: 50}").replace('version: "2.3.0"', 'version: "2.4.0"'))
    result = dq("diff", ORDERS, changed, "--format", "json")
    assert [(c["level"], c["path"], c["kind"]) for c in json.loads(out(result))["changes"]] == [
        ("breaking", "fields.quantity", "max_tightened")]
    assert result.returncode == 1
    back = dq("diff", changed, ORDERS, "--format", "json")  # ODCS old, dq new
    assert [c["kind"] for c in json.loads(out(back))["changes"]] == ["max_loosened"]


def test_diff_of_an_invalid_contract_exits_2_with_its_errors(tmp_path):
    bad = edited(tmp_path, "bad.yaml", ("compatibility: backward", "compatibility: sideways"))
    result = dq("diff", ORDERS, bad)
    assert result.returncode == 2
    assert f"{bad}:13:16: error: 'compatibility' must be one of" in result.stderr.decode()


# ---- policy lint ----

POLICY_CASE = """\
dq: 1
dataset: shop.Orders
version: '1.0'
owner: {team: shop}
fields:
  order_id: {type: string, required: true, pattern: 'ord_[0-9]+'}
  email: {type: string, pii: true}
  phone: {type: string, pii: true, classification: internal, description: Contact phone.}
  sku: {type: string, pattern: '^SKU-[0-9]{4}$', description: Stock unit.}
"""


def test_policy_findings_have_positions_severities_and_rule_ids(tmp_path):
    path = tmp_path / "orders.yaml"
    path.write_text(POLICY_CASE)
    result = dq("lint", path)
    assert result.returncode == 1
    assert out(result).splitlines() == [
        f"{path}:2:10: warning: the contract has no description [dataset-description]",
        f"{path}:2:10: warning: the contract has no classification (public, internal, confidential, restricted) [dataset-classification]",
        f"{path}:3:10: error: version '1.0' is not MAJOR.MINOR.PATCH (dq diff reads the major) [semver]",
        f"{path}:4:1: error: owner 'shop' has no contact (an email or channel) [owner-contact]",
        f"{path}:6:3: warning: required field 'order_id' has no description [required-description]",
        f"{path}:6:53: warning: pattern on id field 'order_id' is not anchored: 'ord_[0-9]+' also matches longer values; write ^...$ [anchored-id-pattern]",
        f"{path}:7:3: error: pii field 'email' must be classified confidential or restricted, and has no classification [pii-classified]",
        f"{path}:8:52: error: pii field 'phone' must be classified confidential or restricted, not internal [pii-classified]",
    ]


def test_policy_findings_can_be_suppressed_inline(tmp_path):
    text = POLICY_CASE.replace(
        "  order_id: {type: string, required: true, pattern: 'ord_[0-9]+'}",
        "  # dq-lint: disable=anchored-id-pattern, required-description\n"
        "  order_id: {type: string, required: true, pattern: 'ord_[0-9]+'}").replace(
        "  email: {type: string, pii: true}", "  email: {type: string, pii: true}  # dq-lint: disable=pii-classified")
    text += "# dq-lint: disable-file=dataset-description\n"
    path = tmp_path / "orders.yaml"
    path.write_text(text)
    rules = re.findall(r"\[([a-z-]+)\]$", out(dq("lint", path)), re.M)
    assert rules == ["dataset-classification", "semver", "owner-contact", "pii-classified"]


def test_a_policy_file_sets_severities_and_house_patterns(tmp_path):
    contract = tmp_path / "orders.yaml"
    contract.write_text(POLICY_CASE)
    policy = tmp_path / "policy.yaml"
    policy.write_text("policy: 1\nrules:\n  semver: off\n  pii-classified: off\n  owner-contact: warn\n"
                      "  dataset-description: off\n  dataset-classification: off\n  consumers-listed: warn\n"
                      "dataset_pattern: '^[a-z]+\\.[a-z_]+$'\n")
    result = dq("lint", "--policy", policy, contract)
    assert re.findall(r": (error|warning): .*\[([a-z-]+)\]$", out(result), re.M) == [
        ("warning", "consumers-listed"), ("error", "dataset-pattern"), ("warning", "owner-contact"),
        ("warning", "required-description"), ("warning", "anchored-id-pattern")]
    assert result.returncode == 1  # dataset-pattern is an error
    assert f"{contract}:2:10: error: dataset 'shop.Orders' does not match the house pattern" in out(result)


def test_a_broken_policy_file_exits_2_with_positions(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text("policy: 1\nrules:\n  semvr: off\n  owner-contact: sometimes\n")
    result = dq("lint", "--policy", policy, ORDERS)
    assert result.returncode == 2
    err = result.stderr.decode()
    assert f"{policy}:3:3: error: unknown policy rule 'semvr' (did you mean 'semver'?)" in err
    assert f"{policy}:4:18: error: rule 'owner-contact' must be error, warn or off, not 'sometimes'" in err


def test_the_shipped_contracts_meet_the_default_policy():
    result = dq("lint", *CONTRACTS)
    assert result.returncode == 0, out(result)
    assert " error" not in out(result)


def test_list_rules_names_every_rule():
    rules = [line.split()[0] for line in out(dq("lint", "--list-rules")).splitlines()]
    assert {"owner-contact", "pii-classified", "required-description", "semver", "anchored-id-pattern"} <= set(rules)


# ---- dq docs ----


def test_docs_markdown_explains_the_contract():
    md = out(dq("docs", ORDERS))
    assert md.startswith("# Order events\n\n_commerce.order_events · version 2.3.0_\n")
    for heading in ["## About", "## Fields", "## Parameters", "## Rules", "## Expectations", "## Drift",
                    "## Service levels", "## Grading"]:
        assert f"\n{heading}\n" in md
    assert "- **Owner**: commerce-data (commerce-data@example.com)" in md
    assert "- **Consumers**: finance-reporting, fraud-scoring" in md
    assert ("| `email` | string |  | format `email` · mostly `0.99` | restricted · PII |  |") in md
    assert "| `customer.country` | string |  | pattern `^[A-Z]{2}$` · warn only |  |  |" in md
    assert "| `amount` | number |  | min `0` · max `$max_amount` |  | Gross amount in `currency`. |" in md
    assert "| `refund_not_above_amount` | always | `refund_amount == null or refund_amount <= amount` | warn |  |" in md
    assert "| `amount` | psi | 0.1 | 0.25 |" in md
    assert "| vip | `total_spend >= $vip_spend` |" in md and "| regular | otherwise |" in md


def test_docs_changelog_between_versions(tmp_path):
    new = edited(tmp_path, "new.yaml", BUMP, ("[USD, EUR, GBP]", "[USD, EUR]"))
    md = out(dq("docs", new, "--previous", ORDERS))
    assert "## Changes since 2.3.0" in md
    assert "| breaking | `fields.currency` | enum values removed: GBP |" in md


class Structure(HTMLParser):
    VOID = {"meta", "br", "link", "img", "input", "hr"}

    def __init__(self):
        super().__init__()
        self.stack, self.tags, self.errors, self.external = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") or (value and "url(" in value):
                self.external.append((tag, name, value))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def test_docs_html_is_self_contained_and_well_formed():
    page = out(dq("docs", ROOT / "contracts/tweets.yaml", "--format", "html"))
    parser = Structure()
    parser.feed(page)
    assert parser.errors == [] and parser.stack == []
    assert parser.external == []  # no stylesheet, script, font or image to fetch
    assert "<script" not in page and "@import" not in page
    assert page.count("<table>") == 3 and parser.tags.count("section") == 4  # about, fields, params, rules
    # values are escaped, not markup: the tweets contract has a pattern with an HTML tag in it
    assert "<code>^&lt;a href=&quot;https?://</code>" in page


# ---- ODCS ----


def schema_objects(example):
    """`file` for a document with one schema object, `file#name` for each of several."""
    names = [o.get("name") for o in load_yaml(example.read_text()).get("schema") or []]
    return [str(example)] if len(names) <= 1 else [f"{example}#{name}" for name in names]


@pytest.mark.parametrize("example", [p for e in ODCS_EXAMPLES for p in schema_objects(e)],
                         ids=lambda p: p.rsplit("/", 1)[-1])
def test_every_odcs_example_loads(example):
    result = dq("lint", "--no-policy", example)
    assert result.returncode == 0, out(result)
    file = example.split("#")[0]
    for line in out(result).splitlines():
        assert re.match(rf"{re.escape(file)}:\d+:\d+: warning: ODCS ", line), line


def test_several_odcs_schema_objects_are_chosen_by_name_and_listed_otherwise():
    full = ODCS_DIR / "full-example.odcs.yaml"
    result = dq("lint", "--no-policy", full)
    assert result.returncode == 1
    assert "error: ODCS schema holds several objects ('tbl', 'receivers'); choose one as FILE#name" in out(result)
    receivers = load_yaml(out(dq("export", f"{full}#receivers", "--to", "dq")))
    assert list(receivers["fields"])[:4] == ["id", "country_code", "receiver_name", "receiver_type"]
    missing = dq("lint", "--no-policy", f"{full}#nope")
    assert missing.returncode != 0 and "no object 'nope' (the objects: 'tbl', 'receivers')" in out(missing)


def test_odcs_parts_dq_cannot_run_are_warnings_naming_their_path(tmp_path):
    path = tmp_path / "checks.odcs.yaml"
    path.write_text("""\
apiVersion: v3.1.0
kind: DataContract
id: shop.orders
version: 1.0.0
status: active
schema:
  - name: orders
    properties:
      - name: id
        logicalType: string
        quality:
          - type: sql
            query: SELECT COUNT(*) FROM orders WHERE id IS NULL
            mustBe: 0
          - metric: nullValues
            mustNotBe: 5
          - metric: duplicateValues
            unit: percent
            mustBeLessThan: 1
""")
    result = dq("lint", "--no-policy", path)
    assert result.returncode == 0
    assert out(result).splitlines() == [
        f"{path}:12:13: warning: ODCS schema[0].properties[0] 'id'.quality[0]: sql quality rules are not run by dq (SQL runs against a database)",
        f"{path}:15:13: warning: ODCS schema[0].properties[0] 'id'.quality[1]: mustNotBe has no dq equivalent; the rule is not run by dq",
        f"{path}:17:13: warning: ODCS schema[0].properties[0] 'id'.quality[2]: metric 'duplicateValues' in percent is not run by dq",
    ]


def test_odcs_native_parts_become_dq_checks():
    dq_form = load_yaml(out(dq("export", ODCS_DIR / "all-data-types.odcs.yaml", "--to", "dq")))
    fields = dq_form["fields"]
    assert dq_form["dataset"] == "53581432-6c55-4ba2-a65f-72344a91553a" and dq_form["title"] == "my_table"
    assert fields["account_id"] == {"type": "string", "min_length": 11, "max_length": 11, "pattern": "ACC[0-9]{8}",
                                    "physical_type": "string"}  # carried for the round trip
    assert fields["txn_ref_date"] == {"type": "date", "exclusive_min": "2020-01-01", "max": "2021-01-01",
                                      "physical_type": "date"}
    assert fields["txn_timestamp"]["format"] == "%Y-%m-%d %H:%M:%S"
    assert {k: v for k, v in fields["age"].items() if k != "physical_type"} == {"type": "integer", "min": 18,
                                                                               "exclusive_max": 100}
    assert {k: v for k, v in fields["latest_txns"].items() if k != "physical_type"} == {
        "type": "array", "min_items": 0, "max_items": 3, "unique_items": True}
    assert fields["customer_details"]["fields"] == {"num_children": {"type": "any", "required": True},
                                                    "date_of_birth": {"type": "any", "required": True}}
    completeness = load_yaml(out(dq("export", ODCS_DIR / "column-completeness.odcs.yaml", "--to", "dq")))
    assert completeness["fields"]["UniqueID"] == {"type": "number", "unique": True, "title": "Unique identifier",
                                                  "physical_type": "int", "primary_key_position": 1}
    assert completeness["expectations"] == [
        {"name": "UniqueID_null_count", "metric": "null_count", "field": "UniqueID", "between": [0, 0],
         "description": "This column should not contain null values"}]
    validity = load_yaml(out(dq("export", ODCS_DIR / "column-validity.odcs.yaml", "--to", "dq")))
    assert validity["fields"]["air_quality_status"] == {"type": "string", "unique": True, "enum": ["", None, "n/a"],
                                                        "mostly": 0.95, "physical_type": "varchar",
                                                        "primary_key_position": 1}
    full = load_yaml(out(dq("export", f"{ODCS_DIR / 'full-example.odcs.yaml'}#tbl", "--to", "dq")))
    assert full["owner"] == {"team": "my-team", "contact": "daustin"}
    assert full["stewards"] == ["mhopper"]
    assert full["consumers"] == ["microstrategy_user_opr", "bq_queryman_user_opr", "risk_data_access_opr",
                                 "bq_unica_user_opr"]
    assert {"property": "retention", "value": 3, "unit": "y", "element": "tab1.txn_ref_dt"} in full["sla"]["terms"]
    assert full["expectations"][0] == {"name": "rcvr_cntry_code_null_count", "metric": "null_count",
                                       "field": "rcvr_cntry_code", "between": [0, 0],
                                       "description": "column should not contain null values"}
    assert full["expectations"][1]["metric"] == "row_count" and full["expectations"][1]["min"] == 1000001


def test_an_odcs_contract_validates_data(tmp_path):
    data = tmp_path / "orders.ndjson"
    data.write_text('{"cust_id": "c1", "prod_id": "p1", "qty": 2}\n{"cust_id": "c2", "prod_id": "p9", "qty": 1.5}\n'
                    '{"cust_id": "c3", "qty": 1}\n')
    result = dq("validate", "-c", ODCS_DIR / "kafka-schema.odcs.yaml", data, "--format", "json", "--no-history")
    report = json.loads(out(result))
    assert report["records"]["valid"] == 1 and report["records"]["invalid"] == 2
    failed = {r["id"] for r in report["rules"] if r["failed"]}
    assert failed == {"qty.type", "prod_id.required"}


@pytest.mark.parametrize("contract", CONTRACTS + [ORDERS, UNIONS], ids=lambda p: p.name)
def test_dq_to_odcs_to_dq_round_trip_is_equal(tmp_path, contract):
    odcs = tmp_path / "exported.odcs.yaml"
    assert dq("export", contract, "--to", "odcs", "-o", odcs).returncode == 0
    errors = list(jsonschema.Draft201909Validator(ODCS_SCHEMA).iter_errors(load_yaml(odcs.read_text())))
    assert [e.message for e in errors] == []
    direct = dq("export", contract, "--to", "dq")
    via_odcs = dq("export", odcs, "--to", "dq")
    assert out(direct) == out(via_odcs)
    assert dq("diff", contract, odcs).returncode == 0
    # and the canonical dq form is itself a fixed point
    again = tmp_path / "again.yaml"
    again.write_text(out(direct))
    assert out(dq("export", again, "--to", "dq")) == out(direct)


def test_an_exported_odcs_contract_validates_data_like_the_original(tmp_path):
    contract = ROOT / "contracts/github_events.yaml"
    data = ROOT / "examples/data/github_events.json"
    odcs = tmp_path / "github_events.odcs.yaml"
    assert dq("export", contract, "--to", "odcs", "-o", odcs).returncode == 0
    reports = []
    for c in (contract, odcs):
        report = json.loads(out(dq("validate", "-c", c, data, "--format", "json", "--no-history")))
        reports.append((report["records"], report["rules"]))
    assert reports[0] == reports[1]
    assert reports[0][0]["invalid"] > 0  # the data does break some checks: the comparison means something


# ---- the CI recipe ----


def test_the_ci_review_script_lints_and_diffs_changed_contracts(tmp_path):
    import os
    import shutil
    import subprocess

    from dq_cli import DQ

    repo = tmp_path / "repo"
    (repo / "contracts").mkdir(parents=True)
    shutil.copy(ORDERS, repo / "contracts/orders.yaml")
    shutil.copy(ROOT / "contracts/tweets.yaml", repo / "contracts/tweets.yaml")
    git = lambda *args: subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "start")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "contracts")
    script = ROOT / "examples/ci/review-contracts.sh"
    env = dict(os.environ, DQ=DQ)
    review = lambda: subprocess.run(["bash", script, "HEAD"], cwd=repo, env=env, capture_output=True, timeout=60)

    # nothing changed
    assert review().returncode == 0
    assert (repo / "dq-review.md").read_text() == "No contract changed.\n"
    # a compatible change and a new contract
    text = ORDERS.read_text()
    (repo / "contracts/orders.yaml").write_text(text.replace("version: 2.3.0", "version: 2.4.0").replace(
        "[USD, EUR, GBP]", "[USD, EUR, GBP, JPY]"))
    shutil.copy(ROOT / "contracts/nyc_taxi.yaml", repo / "contracts/nyc_taxi.yaml")
    git("add", "contracts/nyc_taxi.yaml")
    result = review()
    md = (repo / "dq-review.md").read_text()
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    assert "### dq diff: `commerce.order_events` 2.3.0 → 2.4.0" in md and "enum values added: JPY" in md
    assert "### dq: new contract `contracts/nyc_taxi.yaml`" in md
    assert "tweets" not in md
    # a breaking change without a major bump fails the check
    (repo / "contracts/orders.yaml").write_text(text.replace("version: 2.3.0", "version: 2.4.0").replace(
        "[USD, EUR, GBP]", "[USD, EUR]"))
    result = review()
    assert result.returncode == 1
    assert "❌ **1 breaking change**" in (repo / "dq-review.md").read_text()


def test_the_ci_recipe_files_parse():
    workflow = load_yaml((ROOT / "examples/ci/contract-review.yml").read_text())
    steps = workflow["jobs"]["review"]["steps"]
    assert any("review-contracts.sh" in step.get("run", "") for step in steps)
    hooks = load_yaml((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in hooks] == ["dq-lint", "dq-diff"]


def test_docs_html_renders_in_headless_chromium(tmp_path):
    import shutil
    import subprocess

    from PIL import Image

    page, shot = tmp_path / "orders.html", tmp_path / "orders.png"
    assert dq("docs", ORDERS, "--format", "html", "-o", page).returncode == 0
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "scripts/setup.sh installs chromium"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--window-size=1000,1400", f"--screenshot={shot}", page.as_uri()],
                   capture_output=True, timeout=120, check=True)
    image = Image.open(shot).convert("L")
    assert image.size == (1000, 1400)
    # The page is drawn: dark title text at the top left, table rules and zebra rows below.
    title = image.crop((0, 0, 500, 100))
    assert min(title.getdata()) < 80
    assert len(set(image.getdata())) > 20


def test_odcs_duplicates_over_several_properties_become_a_compound_unique(tmp_path):
    path = tmp_path / "pairs.odcs.yaml"
    path.write_text("""\
apiVersion: v3.1.0
kind: DataContract
id: shop.visits
version: 1.0.0
schema:
  - name: visits
    properties:
      - {name: shop, logicalType: string}
      - {name: day, logicalType: date}
    quality:
      - metric: duplicateValues
        arguments: {properties: [shop, day]}
        mustBe: 0
        name: one_visit_per_day
""")
    dq_form = load_yaml(out(dq("export", path, "--to", "dq")))
    assert dq_form["expectations"] == [{"name": "one_visit_per_day", "metric": "unique", "fields": ["shop", "day"]}]


def test_the_new_expectation_words_survive_export_and_diff(tmp_path):
    path = tmp_path / "words.yaml"
    path.write_text("""\
dq: 1
dataset: words
version: 1.0.0
owner: {team: t, contact: t@example.com}
fields:
  seq: {type: integer}
  kind: {type: string}
  x: {type: number}
expectations:
  - {name: up, metric: increasing, field: seq, strict: true, mostly: 0.99}
  - {name: pairs, metric: unique, fields: [seq, kind]}
  - {name: kinds, metric: chi_square, field: kind, partition: {values: [a, b], weights: [0.6, 0.4]}, min: 0.01}
  - {name: shape, metric: ks, field: x, distribution: {name: normal, mean: 0, stddev: 1}, min: 0.01}
  - {name: a_mean, metric: mean, field: x, when: 'kind == "a"', max: 5}
""")
    for target in ("dq", "odcs"):
        exported = tmp_path / f"out.{target}.yaml"
        exported.write_text(out(dq("export", path, "--to", target)))
        again = load_yaml(out(dq("export", exported, "--to", "dq")))
        assert again["expectations"] == load_yaml(path.read_text())["expectations"], target
    changed = tmp_path / "changed.yaml"
    changed.write_text(path.read_text().replace("strict: true, mostly: 0.99", "mostly: 0.95")
                       .replace("weights: [0.6, 0.4]", "weights: [0.5, 0.5]"))
    result = dq("diff", path, changed)
    lines = [" ".join(line.split()) for line in out(result).splitlines()]
    assert "WARNING expectations.up mostly lowered from 0.99 to 0.95 (line 10)" in lines
    assert "WARNING expectations.up no longer strict: equal neighbours pass (line 10)" in lines
    assert "BREAKING expectations.kinds now compares against another distribution (line 12)" in lines


@pytest.mark.parametrize("example", [p for e in ODCS_EXAMPLES for p in schema_objects(e)],
                         ids=lambda p: p.rsplit("/", 1)[-1])
def test_odcs_import_export_import_is_a_fixed_point(tmp_path, example):
    first = out(dq("export", example, "--to", "dq"))
    exported = tmp_path / "again.odcs.yaml"
    assert dq("export", example, "--to", "odcs", "-o", exported).returncode == 0
    errors = list(jsonschema.Draft201909Validator(ODCS_SCHEMA).iter_errors(load_yaml(exported.read_text())))
    assert [e.message for e in errors] == []
    assert out(dq("export", exported, "--to", "dq")) == first


def test_odcs_metadata_survives_the_round_trip(tmp_path):
    full = f"{ODCS_DIR / 'full-example.odcs.yaml'}#tbl"
    exported = tmp_path / "tbl.odcs.yaml"
    assert dq("export", full, "--to", "odcs", "-o", exported).returncode == 0
    source, again = load_yaml((ODCS_DIR / "full-example.odcs.yaml").read_text()), load_yaml(exported.read_text())
    assert again["servers"] == source["servers"]
    assert again["authoritativeDefinitions"] == source["authoritativeDefinitions"]
    table, tbl = again["schema"][0], source["schema"][0]
    for key in ("name", "physicalName", "physicalType", "description"):
        assert table[key] == tbl[key], key
    by_name = {p["name"]: p for p in table["properties"]}
    for p in tbl["properties"]:
        for key in ("physicalType", "primaryKeyPosition"):
            if key in p and not (key == "primaryKeyPosition" and p[key] < 0):
                assert by_name[p["name"]][key] == p[key], (p["name"], key)
    draft = tmp_path / "draft.odcs.yaml"
    draft.write_text((ODCS_DIR / "table-column.odcs.yaml").read_text().replace("status: active", "status: draft"))
    assert load_yaml(out(dq("export", draft, "--to", "odcs")))["status"] == "draft"  # not "active" again


def test_an_odcs_composite_primary_key_is_unique_together_not_per_column(tmp_path):
    path = tmp_path / "keys.odcs.yaml"
    path.write_text("""\
apiVersion: v3.1.0
kind: DataContract
id: shop.lines
version: 1.0.0
status: active
schema:
  - name: lines
    properties:
      - {name: order_id, logicalType: string, primaryKey: true, primaryKeyPosition: 1}
      - {name: line_no, logicalType: integer, primaryKey: true, primaryKeyPosition: 2}
      - {name: sku, logicalType: string}
""")
    dq_form = load_yaml(out(dq("export", path, "--to", "dq")))
    assert "unique" not in dq_form["fields"]["order_id"] and "unique" not in dq_form["fields"]["line_no"]
    assert dq_form["expectations"] == [{"name": "primary_key", "metric": "unique", "fields": ["order_id", "line_no"]}]
    again = load_yaml(out(dq("export", path, "--to", "odcs")))
    assert [p.get("primaryKey") for p in again["schema"][0]["properties"]] == [True, True, None]


def test_dq_expectations_are_also_native_odcs_quality_rules(tmp_path):
    # Another ODCS tool sees rowCount, nullValues and duplicateValues without reading dq's custom
    # property: with the property removed, dq reads the same expectations back from them.
    contract = tmp_path / "rules.yaml"
    contract.write_text("""\
dq: 1
dataset: shop.lines
version: 1.0.0
owner: {team: shop, contact: shop@example.com}
fields:
  order_id: {type: string, required: true}
  line_no: {type: integer, required: true}
  email: {type: string}
  status: {type: string, enum: [placed, paid, "0"], mostly: 0.9, severity: warn}
expectations:
  - {name: enough_rows, metric: row_count, min: 1000}
  - {name: few_missing_emails, metric: null_rate, field: email, max: 0.05, severity: warn}
  - {name: no_missing_ids, metric: null_count, field: order_id, between: [0, 0]}
  - {name: one_row_per_line, metric: unique, fields: [order_id, line_no]}
  - {name: not_native, metric: mean, field: line_no, min: 1}
""")
    exported = load_yaml(out(dq("export", contract, "--to", "odcs")))
    errors = list(jsonschema.Draft201909Validator(ODCS_SCHEMA).iter_errors(exported))
    assert [e.message for e in errors] == []
    table = exported["schema"][0]
    assert {"name": "enough_rows", "metric": "rowCount", "mustBeGreaterOrEqualTo": 1000} in table["quality"]
    plain = dict(exported)
    del plain["customProperties"]
    for p in plain["schema"][0]["properties"]:
        p.pop("customProperties", None)
    path = tmp_path / "plain.odcs.yaml"
    path.write_text(yaml.safe_dump(plain))
    plain_dq = load_yaml(out(dq("export", path, "--to", "dq")))
    assert plain_dq["fields"]["status"] == {"type": "string", "enum": ["placed", "paid", "0"], "severity": "warn",
                                            "mostly": 0.9}  # from invalidValues with validValues
    back = {e["name"]: e for e in plain_dq["expectations"]}
    assert back["enough_rows"] == {"name": "enough_rows", "metric": "row_count", "min": 1000}
    assert back["few_missing_emails"] == {"name": "few_missing_emails", "metric": "null_rate", "field": "email",
                                          "max": 0.05, "severity": "warn"}
    assert back["no_missing_ids"]["between"] == [0, 0]
    assert back["one_row_per_line"] == {"name": "one_row_per_line", "metric": "unique", "fields": ["order_id", "line_no"]}
    assert "not_native" not in back  # ODCS has no words for a mean: only dq's own property carries it
