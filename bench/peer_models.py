"""The benchmark contracts as pydantic v2 models (strict types, as dq reads
JSON: no "5" for 5), for bench/records_bench.py:

  FlatEvent    bench/contracts/flat_event.yaml
  GithubEvent  bench/contracts/github_events.yaml
"""
import datetime as dt
from typing import List, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, field_validator, model_validator

Strict = ConfigDict(extra="forbid")


def _not_before(v, year, month=1, day=1):
    if v < dt.datetime(year, month, day, tzinfo=dt.timezone.utc):
        raise ValueError(f"before {year}-{month:02d}-{day:02d}")
    return v


class FlatEvent(BaseModel):
    model_config = Strict
    event_id: StrictStr = Field(pattern=r"^evt_[0-9a-f]{16}$")
    session_id: StrictStr = Field(pattern=r"^[A-Z]{3}-[0-9]{6}$")
    user_id: StrictInt = Field(ge=1)
    type: Literal["view", "click", "add_to_cart", "purchase", "refund"]
    ts: dt.datetime
    amount: Optional[float] = Field(None, ge=0, le=100000)
    currency: Optional[Literal["USD", "EUR", "GBP", "JPY"]] = None
    quantity: Optional[StrictInt] = Field(None, ge=0, le=1000)
    country: Optional[StrictStr] = Field(None, min_length=2, max_length=2)
    device: Optional[Literal["ios", "android", "web"]] = None
    app_version: Optional[StrictStr] = Field(None, max_length=16)
    page: Optional[StrictStr] = Field(None, max_length=200)
    referrer: Optional[StrictStr] = Field(None, max_length=200)
    latency_ms: Optional[float] = Field(None, ge=0)
    is_test: Optional[StrictBool] = None
    retries: Optional[StrictInt] = Field(None, ge=0, le=10)
    score: Optional[float] = Field(None, ge=0, le=1)
    campaign: Optional[StrictStr] = None
    experiment: Optional[StrictStr] = None
    locale: Optional[StrictStr] = Field(None, max_length=10)

    @field_validator("ts")
    @classmethod
    def recent(cls, v):
        return _not_before(v, 2020)

    @model_validator(mode="after")
    def purchase_has_amount(self):
        if self.type == "purchase" and not (self.amount is not None and self.amount > 0):
            raise ValueError("purchase without amount")
        return self


HEX40 = r"^[0-9a-f]{40}$"
HEX32 = r"^[0-9a-f]{32}$"


class Actor(BaseModel):
    model_config = Strict
    id: StrictInt = Field(ge=1)
    login: StrictStr = Field(pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
    gravatar_id: Optional[StrictStr] = Field(None, pattern=HEX32)
    url: Optional[StrictStr] = None
    avatar_url: Optional[StrictStr] = None


class Repo(BaseModel):
    model_config = Strict
    id: StrictInt = Field(ge=1)
    name: StrictStr = Field(pattern=r"^[A-Za-z0-9-]+/[A-Za-z0-9_.-]+$")
    url: Optional[StrictStr] = None


class Org(BaseModel):
    model_config = Strict
    id: Optional[StrictInt] = Field(None, ge=1)
    login: Optional[StrictStr] = None
    gravatar_id: Optional[StrictStr] = Field(None, pattern=HEX32)
    url: Optional[StrictStr] = None
    avatar_url: Optional[StrictStr] = None


class Author(BaseModel):
    model_config = Strict
    email: Optional[StrictStr] = None
    name: Optional[StrictStr] = None


class Commit(BaseModel):
    model_config = Strict
    sha: StrictStr = Field(pattern=HEX40)
    message: Optional[StrictStr] = Field(None, max_length=65536)
    distinct: Optional[StrictBool] = None
    url: Optional[StrictStr] = None
    author: Optional[Author] = None


class Payload(BaseModel):
    model_config = ConfigDict(extra="allow")
    action: Optional[Literal["started", "created", "opened", "closed", "reopened", "edited", "deleted"]] = None
    size: Optional[StrictInt] = Field(None, ge=0)
    distinct_size: Optional[StrictInt] = Field(None, ge=0)
    push_id: Optional[StrictInt] = Field(None, ge=1)
    head: Optional[StrictStr] = Field(None, pattern=HEX40)
    before: Optional[StrictStr] = Field(None, pattern=HEX40)
    ref: Optional[StrictStr] = None
    ref_type: Optional[Literal["branch", "tag", "repository"]] = None
    description: Optional[StrictStr] = None
    commits: Optional[List[Commit]] = None


class GithubEvent(BaseModel):
    model_config = Strict
    id: StrictStr = Field(pattern=r"^[0-9]+$")
    type: Literal["PushEvent", "WatchEvent", "CreateEvent", "DeleteEvent", "ForkEvent", "IssuesEvent",
                  "IssueCommentEvent", "GollumEvent", "PullRequestEvent", "PullRequestReviewCommentEvent",
                  "CommitCommentEvent", "MemberEvent", "PublicEvent", "ReleaseEvent"]
    created_at: dt.datetime
    public: StrictBool
    actor: Actor
    repo: Repo
    org: Optional[Org] = None
    payload: Payload

    @field_validator("created_at")
    @classmethod
    def after_github_opened(cls, v):
        return _not_before(v, 2008, 2, 8)

    @model_validator(mode="after")
    def rules(self):
        p = self.payload
        if self.type == "PushEvent" and not (p.head is not None and p.size is not None and p.size >= 1):
            raise ValueError("push_has_head_and_size")
        if self.type == "PushEvent" and not (p.distinct_size is not None and p.distinct_size >= 1):
            raise ValueError("push_brings_new_commits")
        if self.type == "CreateEvent" and p.ref_type is None:
            raise ValueError("create_names_ref_type")
        if self.type == "WatchEvent" and p.action != "started":
            raise ValueError("watch_is_started")
        return self
