"""dq.from_pydantic: a pydantic v2 model becomes a contract that judges JSON records as the model
does in strict mode (differential on generated records), with warnings for what cannot be said."""
import datetime
import enum
import json
import random
import uuid
from typing import Annotated, Dict, List, Literal, Optional

import pydantic
import pytest
from pydantic import BaseModel, ConfigDict, Field

import dq


class Currency(str, enum.Enum):
    EUR = "EUR"
    USD = "USD"


class Line(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: Annotated[str, Field(min_length=1, max_length=20)]
    qty: Annotated[int, Field(ge=1, le=999)]
    unit_price: Annotated[float, Field(ge=0)] = 0.0


class Customer(BaseModel):
    id: Annotated[int, Field(gt=0)]
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    segment: Literal["retail", "b2b"] = "retail"


class Order(BaseModel):
    model_config = ConfigDict(extra="forbid")
    order_id: uuid.UUID
    placed_at: datetime.datetime
    delivery_date: Optional[datetime.date] = None
    currency: Currency
    amount: Annotated[float, Field(gt=0, lt=100_000)]
    customer: Customer
    lines: Annotated[List[Line], Field(min_length=1, max_length=50)]
    note: Optional[Annotated[str, Field(max_length=140)]] = None
    paid: bool = False


def valid(rng):
    return {
        "order_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "placed_at": f"2026-03-{rng.randint(10, 28)}T08:{rng.randint(10, 59)}:00Z",
        "delivery_date": rng.choice([None, "2026-04-02"]),
        "currency": rng.choice(["EUR", "USD"]),
        "amount": round(rng.uniform(1, 900), 2),
        "customer": {"id": rng.randint(1, 9999), "country": rng.choice(["DE", "FR"]), "segment": "retail"},
        "lines": [{"sku": f"S{rng.randint(1, 99)}", "qty": rng.randint(1, 9)} for _ in range(rng.randint(1, 3))],
        "note": rng.choice([None, "leave at the door"]),
        "paid": rng.choice([True, False]),
    }


BREAKS = [
    ("order_id", "not-a-uuid"), ("placed_at", "yesterday"), ("delivery_date", "2026-02-30"), ("currency", "GBP"),
    ("amount", 0), ("amount", 100_000), ("amount", "12"), ("customer", {"id": 0, "country": "DE"}),
    ("customer", {"id": 3, "country": "de"}), ("customer", {"id": 3, "country": "DE", "segment": "gov"}),
    ("lines", []), ("lines", [{"sku": "", "qty": 1}]), ("lines", [{"sku": "A", "qty": 1000}]),
    ("lines", [{"sku": "A", "qty": 1, "gift": True}]), ("note", "x" * 141), ("paid", "yes"), ("extra", 1),
    ("customer", {"id": 3, "country": "DE", "vip": True}),  # Customer allows extra keys
    ("lines", [{"sku": "A", "qty": 2.5}]),
]


def test_the_contract_judges_records_as_the_model_does_in_strict_mode():
    contract = dq.from_pydantic(Order)
    assert contract.dataset == "Order" and contract.warnings == []
    rng = random.Random(3)
    records = [valid(rng) for _ in range(40)]
    for record in list(records):
        for key, value in rng.sample(BREAKS, 6):
            broken = dict(record)
            broken[key] = value
            records.append(broken)
    agree = 0
    for record in records:
        text = json.dumps(record)
        try:
            Order.model_validate_json(text, strict=True)
            theirs = True
        except pydantic.ValidationError:
            theirs = False
        ours = contract.validate_json(text).ok
        assert ours == theirs, (record, contract.validate_json(text).violations)
        agree += 1
    assert agree == len(records) > 250


def test_what_a_model_says_that_dq_cannot_is_a_warning():
    class Tally(BaseModel):
        counts: Dict[str, int]  # a map: its values cannot be checked per key in dq

    contract = dq.from_pydantic(Tally, dataset="tallies")
    assert contract.dataset == "tallies"
    assert any("additionalProperties" in str(w) or "additional properties" in str(w) for w in contract.warnings)


def test_a_json_schema_dict_or_file(tmp_path):
    schema = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}, "required": ["n"]}
    contract = dq.from_json_schema(schema, dataset="numbers")
    assert contract.validate({"n": 1}).ok and not contract.validate({"n": 0}).ok
    path = tmp_path / "n.schema.json"
    path.write_text(json.dumps({"$schema": "http://json-schema.org/draft-07/schema#", **schema}))
    assert dq.load(path).validate({"n": 2}).ok  # dq.load knows a JSON Schema by its $schema
    with pytest.raises(dq.ContractError):
        dq.from_json_schema({"type": "array"})  # records are objects
