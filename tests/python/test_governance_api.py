"""dq.lint, dq.diff and dq.docs: the governance tools from Python, the same
findings, changes and pages as the command line."""
import dq


def test_lint_returns_errors_and_policy_findings_with_their_rules(root, tmp_path):
    assert [d for d in dq.lint(root / "contracts/nyc_taxi.yaml") if d.severity == "error"] == []
    contract = tmp_path / "orders.yaml"
    contract.write_text("dq: 1\ndataset: shop.orders\nversion: 1.0.0\nowner: {team: shop, contact: s@example.com}\n"
                        "fields:\n  id: {type: integer}\n  amount: {type: number, min: 10, max: 1}\n")
    findings = dq.lint(contract)
    errors = [d for d in findings if d.severity == "error"]
    assert len(errors) == 1 and errors[0].line == 7 and "lower bound 10" in errors[0].message
    rules = {d.rule for d in findings if d.rule}
    assert "dataset-description" in rules  # the house policy's defaults
    described = next(d for d in findings if d.rule == "dataset-description")
    assert str(described).endswith("[dataset-description]")
    policy = tmp_path / "policy.yaml"
    policy.write_text("policy: 1\nrules: {dataset-description: off, dataset-classification: off}\n")
    assert "dataset-description" not in {d.rule for d in dq.lint(contract, policy=policy)}


def test_diff_classifies_changes_and_blocks_a_breaking_change_without_a_major_bump(root, tmp_path):
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    head = "dq: 1\ndataset: shop.orders\nowner: {team: shop, contact: s@example.com}\nfields:\n  id: {type: integer}\n"
    old.write_text(head + "  amount: {type: number, max: 100000}\nversion: 1.0.0\n")
    new.write_text(head + "  amount: {type: number, max: 5000}\nversion: 1.1.0\n")
    change = dq.diff(old, new)
    assert change.blocks and not change.major_bumped
    assert (change.dataset, change.old_version, change.new_version) == ("shop.orders", "1.0.0", "1.1.0")
    breaking = [c for c in change.changes if c["level"] == "breaking"]
    assert [c["path"] for c in breaking] == ["fields.amount"]
    assert "5000" in breaking[0]["message"]
    assert "breaking" in change.to_markdown().lower() and "fields.amount" in change.to_text()
    new.write_text(head + "  amount: {type: number, max: 5000}\nversion: 2.0.0\n")
    assert not dq.diff(old, new).blocks  # a major bump announces it


def test_docs_renders_the_review_page(root):
    html = dq.docs(root / "contracts/nyc_taxi.yaml")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "nyc.yellow_taxi_trips" in html and "http" not in html.split("<body", 1)[0].split("<style", 1)[0]
    markdown = dq.docs(root / "contracts/nyc_taxi.yaml", "markdown")
    assert markdown.startswith("# ") and "nyc.yellow_taxi_trips" in markdown
    try:
        dq.docs(root / "contracts/nyc_taxi.yaml", "pdf")
    except dq.DqError as e:
        assert "html or markdown" in str(e)
    else:
        raise AssertionError("an unknown format must be refused")


def test_a_loaded_contract_gives_its_docs_export_and_lint(root):
    contract = dq.load(root / "contracts/nyc_taxi.yaml")
    assert contract.path == str(root / "contracts/nyc_taxi.yaml")
    assert contract.docs("markdown") == dq.docs(root / "contracts/nyc_taxi.yaml", "markdown")
    odcs = contract.export("odcs")
    assert "apiVersion" in odcs.text and odcs.text == dq.export_contract(contract.path, "odcs").text
    assert [d for d in contract.lint() if d.severity == "error"] == []
    from_text = dq.loads((root / "contracts/nyc_taxi.yaml").read_text())
    assert from_text.path is None
    try:
        from_text.docs()
    except dq.DqError as e:
        assert "not loaded from a file" in str(e)
    else:
        raise AssertionError("a contract from text has no file to render")
