"""Schemas that would expand without end (references used many times over, at every level) or
nest too deep are refused with one message, quickly, in every format that expands references."""
import json
import time

import pytest

import dq


def json_schema_bomb(levels, width):
    defs = {f"d{i}": {"type": "object", "properties": {f"p{j}": {"$ref": f"#/$defs/d{i + 1}"} for j in range(width)}}
            for i in range(levels)}
    defs[f"d{levels}"] = {"type": "string"}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
            "properties": {"x": {"$ref": "#/$defs/d0"}}, "$defs": defs}


def avro_bomb(levels, width):
    inner = {"type": "record", "name": "L0", "fields": [{"name": "v", "type": "string"}]}
    for i in range(1, levels):
        inner = {"type": "record", "name": f"L{i}",
                 "fields": [{"name": "f0", "type": inner}] + [{"name": f"f{j}", "type": f"L{i - 1}"} for j in range(1, width)]}
    return inner


def proto_bomb(levels, width):
    lines = ['syntax = "proto3";', "message L0 { string v = 1; }"]
    for i in range(1, levels):
        fields = " ".join(f"L{i - 1} f{j} = {j + 1};" for j in range(width))
        lines.append(f"message L{i} {{ {fields} }}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("kind", ["jsonschema", "avro", "protobuf"])
def test_an_expanding_schema_is_one_error_not_a_hang(tmp_path, kind):
    if kind == "jsonschema":
        path = tmp_path / "bomb.schema.json"
        path.write_text(json.dumps(json_schema_bomb(12, 8)))  # 8^12 fields if expanded
    elif kind == "avro":
        path = tmp_path / "bomb.avsc"
        path.write_text(json.dumps(avro_bomb(12, 8)))
    else:
        path = tmp_path / "bomb.proto"
        path.write_text(proto_bomb(12, 8))
    start = time.monotonic()
    with pytest.raises(dq.ContractError) as refused:
        dq.load(path)
    assert time.monotonic() - start < 10
    text = str(refused.value)
    assert "expands to more than" in text
    assert text.count("expands to more than") == 1


def test_a_json_schema_nested_too_deep_is_one_error(tmp_path):
    schema = {"type": "string"}
    for _ in range(200):
        schema = {"type": "object", "properties": {"a": schema}}
    path = tmp_path / "deep.schema.json"
    path.write_text(json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}))
    with pytest.raises(dq.ContractError) as refused:
        dq.load(path)
    assert str(refused.value).count("error") <= 2  # the limit, said once (YAML's own nesting bound may say it first)
