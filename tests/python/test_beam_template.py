"""dq beam template: the Flex Template of the grading pipeline, generated from
a contract. Dataflow cannot run here; the files are checked against the
contract, and the generated pipeline runs on Beam's local runner with
template parameters set, giving dq grade's answers."""
import json
import re
import subprocess
import sys

import pytest

import dq
from dq.beam_template import BASE_IMAGE, write_template
from test_beam import assert_same_rows

AGENTS = "contracts/agent_sales.yaml"


def test_the_metadata_parameters_are_the_contracts_params(root, tmp_path):
    meta = write_template(root / AGENTS, tmp_path)
    assert json.loads((tmp_path / "metadata.json").read_text()) == meta
    card = dq.describe(root / AGENTS)
    names = [p["name"] for p in meta["parameters"]]
    assert names == ["input", "output"] + [p["name"] for p in card["params"]]
    by_name = {p["name"]: p for p in meta["parameters"]}
    assert by_name["input"]["isOptional"] is False and by_name["output"]["isOptional"] is False
    for param in card["params"]:
        entry = by_name[param["name"]]
        assert entry["isOptional"] == (param["default"] is not None)
        assert param["description"] in entry["helpText"]
        for regex in entry.get("regexes", []):
            assert re.match(regex, param["default"]), (param["name"], regex)  # the default passes
    assert re.match(by_name["gold_deals"]["regexes"][0], "12") and not re.match(by_name["gold_deals"]["regexes"][0], "1.5")
    assert re.match(by_name["since"]["regexes"][0], "2025-06-30") and not re.match(by_name["since"]["regexes"][0], "June")
    assert not re.match(by_name["include_active"]["regexes"][0], "yes")
    assert "at least 1" in by_name["gold_deals"]["helpText"]


def test_the_dockerfile_uses_the_documented_launcher_image_and_entry_point(root, tmp_path):
    write_template(root / AGENTS, tmp_path)
    lines = (tmp_path / "Dockerfile").read_text().splitlines()
    assert f"FROM {BASE_IMAGE}" in lines
    assert BASE_IMAGE == "gcr.io/dataflow-templates-base/python311-template-launcher-base"
    env = dict(re.match(r'ENV (\w+)="(.*)"', l).groups() for l in lines if l.startswith("ENV "))
    assert env["FLEX_TEMPLATE_PYTHON_PY_FILE"] == "${WORKDIR}/main.py"
    assert env["FLEX_TEMPLATE_PYTHON_REQUIREMENTS_FILE"] == "${WORKDIR}/requirements.txt"
    copied = next(l for l in lines if l.startswith("COPY ")).split()[1:-1]
    assert all((tmp_path / name).is_file() for name in copied)
    assert (tmp_path / "contract.yaml").read_bytes() == (root / AGENTS).read_bytes()


def test_the_generated_pipeline_grades_with_template_parameters(root, tmp_path):
    template = tmp_path / "template"
    write_template(root / AGENTS, template)
    listings = tmp_path / "listings.ndjson"
    subprocess.run([sys.executable, root / "examples/generate_listings.py", "--rows", "5000", "-o", listings], check=True)
    out = tmp_path / "out"
    subprocess.run([sys.executable, template / "main.py", "--input", str(listings), "--output", str(out),
                    "--gold_deals", "3", "--export_tiers", "platinum,gold", "--runner", "DirectRunner"],
                   check=True, capture_output=True, timeout=600)
    graded = [json.loads(l) for f in out.glob("graded-*.ndjson") for l in f.read_text().splitlines()]
    want = dq.load(root / AGENTS, params={"gold_deals": 3, "export_tiers": "platinum,gold"}).grade(listings)
    assert_same_rows(graded, want)
    dead = [json.loads(l) for f in out.glob("dead_letters-*.ndjson") for l in f.read_text().splitlines()]
    assert len(dead) == want.summary["rows"]["invalid"] + want.summary["rows"]["malformed"]
    refused = subprocess.run([sys.executable, template / "main.py", "--input", str(listings), "--output", str(out),
                              "--gold_deals", "0"], capture_output=True, timeout=600)
    assert refused.returncode != 0 and b"below its min 1" in refused.stderr


def test_a_param_named_like_the_pipelines_options_is_refused(tmp_path):
    contract = tmp_path / "c.yaml"
    contract.write_text("dq: 1\ndataset: x\nversion: 1.0.0\nowner: {team: t, contact: t@example.com}\n"
                        "params:\n  input: {type: string, default: a}\nfields:\n  id: {type: integer}\n")
    with pytest.raises(ValueError, match="named 'input'"):
        write_template(contract, tmp_path / "t")
