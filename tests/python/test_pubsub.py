"""The stream gate end to end over the real Pub/Sub protocol.

Google's in-memory Pub/Sub server (the Go package pstest, built from
tests/pubsub_server) listens on 127.0.0.1; the official google-cloud-pubsub
client talks to it through PUBSUB_EMULATOR_HOST. Messages are real GitHub
events (examples/data/github_events.json), each with its own id, some
corrupted on purpose.
"""
import collections
import concurrent.futures
import copy
import json
import os
import random
import select
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import dq
import dq.pubsub

from google.cloud import pubsub_v1  # noqa: E402 (the official client; scripts/setup.sh installs it)

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "contracts" / "github_events.yaml"
PROJECT = "dq-test"


def build_server() -> Path:
    """Builds tests/pubsub_server (once; Go caches the rest)."""
    source = ROOT / "tests" / "pubsub_server"
    binary = ROOT / "build" / "pubsub_server" / "pubsub_server"
    go = shutil.which("go") or ("/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists() else None)
    if go is None:
        pytest.fail("Go is needed to build the Pub/Sub test server (tests/pubsub_server)")
    newest = max(p.stat().st_mtime for p in source.iterdir())
    if not binary.exists() or binary.stat().st_mtime < newest:
        env = dict(os.environ, GOTOOLCHAIN="local", GOFLAGS="-mod=readonly")
        subprocess.run([go, "build", "-o", str(binary), "."], cwd=source, env=env, check=True, timeout=600)
    return binary


@pytest.fixture(scope="module")
def pubsub_server():
    process = subprocess.Popen([str(build_server()), "-timeout", "10m"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    ready, _, _ = select.select([process.stdout], [], [], 30)
    assert ready, "the Pub/Sub server did not start"
    address = process.stdout.readline().strip()
    assert address.startswith("127.0.0.1:"), address
    previous = os.environ.get("PUBSUB_EMULATOR_HOST")
    os.environ["PUBSUB_EMULATOR_HOST"] = address
    yield address
    if previous is None:
        del os.environ["PUBSUB_EMULATOR_HOST"]
    else:
        os.environ["PUBSUB_EMULATOR_HOST"] = previous
    process.stdin.close()  # the server stops when its input closes
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def clients(pubsub_server):
    publisher = pubsub_v1.PublisherClient()
    subscriber = pubsub_v1.SubscriberClient()
    yield publisher, subscriber
    subscriber.close()


def topic_with_subscription(clients, name, ack_deadline=10):
    publisher, subscriber = clients
    topic = publisher.topic_path(PROJECT, name)
    publisher.create_topic(name=topic)
    subscription = subscriber.subscription_path(PROJECT, name + "-sub")
    subscriber.create_subscription(name=subscription, topic=topic, ack_deadline_seconds=ack_deadline)
    return topic, subscription


# Messages ---------------------------------------------------------------------

Message = collections.namedtuple("Message", "seq data kind")

CORRUPTIONS = ("truncated", "actor_id_text", "bad_id", "no_repo", "bad_utf8")


def corrupt(event, kind):
    e = copy.deepcopy(event)
    if kind == "truncated":
        data = json.dumps(e).encode()
        return data[: len(data) // 2]
    if kind == "actor_id_text":
        e["actor"]["id"] = str(e["actor"]["id"])
    elif kind == "bad_id":
        e["id"] = "evt-" + e["id"]
    elif kind == "no_repo":
        del e["repo"]
    elif kind == "bad_utf8":
        return json.dumps(e).encode().replace(b'"login":"', b'"login":"\xff\xfe', 1).replace(
            b'"login": "', b'"login": "\xff\xfe', 1)
    return json.dumps(e).encode()


def github_messages(n, corrupt_share=0.05, seed=7):
    """n real GitHub events, each with a unique id; about corrupt_share of them
    broken in one of five ways. One of the 30 events breaks a rule of the
    contract as it is (a push with no new commit): its copies are kind "real"."""
    contract = dq.load(CONTRACT)
    events = json.loads((ROOT / "examples" / "data" / "github_events.json").read_text())
    rng = random.Random(seed)
    out = []
    for seq in range(n):
        event = copy.deepcopy(events[seq % len(events)])
        event["id"] = f"{event['id']}{seq:06d}"
        if rng.random() < corrupt_share:
            kind = CORRUPTIONS[seq % len(CORRUPTIONS)]
            out.append(Message(seq, corrupt(event, kind), kind))
        else:
            data = json.dumps(event).encode()
            out.append(Message(seq, data, "valid" if contract.validate_json(data).ok else "real"))
    return out


def publish(publisher, topic, messages):
    futures = [publisher.publish(topic, m.data, seq=str(m.seq)) for m in messages]
    for f in futures:
        f.result(timeout=60)


def expected_rules(contract, data):
    """The rule ids the contract finds in `data`, in contract order."""
    verdict = contract.validate_json(data)
    order = {rule: i for i, rule in enumerate(contract.checks)}
    return sorted({v.rule for v in verdict.violations}, key=order.__getitem__)


def pull_all(subscriber, subscription, want, timeout=60.0, every=None):
    """Pulls and acks until `want` distinct messages (by seq) arrived or time
    is up; returns {seq: received message}. `every`, a list, gets the seq of
    every message pulled, duplicates included."""
    got = {}
    deadline = time.monotonic() + timeout
    while len(got) < want and time.monotonic() < deadline:
        try:
            response = subscriber.pull(subscription=subscription, max_messages=1000, timeout=5)
        except Exception:  # DeadlineExceeded: nothing there yet
            continue
        if response.received_messages:
            subscriber.acknowledge(subscription=subscription,
                                   ack_ids=[r.ack_id for r in response.received_messages])
        for r in response.received_messages:
            got.setdefault(int(r.message.attributes["seq"]), r.message)
            if every is not None:
                every.append(int(r.message.attributes["seq"]))
    return got


def consume_until_acked(subscriber, subscription, callback, count, timeout=120):
    """Runs `callback` on the subscription until `count` messages were acked
    (accepted or dead-lettered), then stops the subscriber."""
    future = subscriber.subscribe(subscription, callback, await_callbacks_on_shutdown=True)
    try:
        wait_for(lambda: callback.counts["accepted"] + callback.counts["dead_lettered"] >= count, timeout,
                 "every message to be acked")
    finally:
        stop(future)


def nothing_left(subscriber, subscription):
    try:
        response = subscriber.pull(subscription=subscription, max_messages=10, timeout=3)
    except Exception:
        return True
    return len(response.received_messages) == 0


def stop(future):
    future.cancel()  # the client's documented shutdown: cancel, then wait for it
    future.result(timeout=60)


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


# Tests ------------------------------------------------------------------------


def test_valid_messages_reach_the_sink_once_and_invalid_ones_the_dead_letter_topic_intact(clients):
    publisher, subscriber = clients
    contract = dq.load(CONTRACT)
    topic, subscription = topic_with_subscription(clients, "events")
    dead_topic, dead_subscription = topic_with_subscription(clients, "events-dead")
    messages = github_messages(3000)
    valid = {m.seq for m in messages if m.kind == "valid"}
    invalid = {m.seq for m in messages if m.kind != "valid"}
    assert len(invalid) > 100 and any(m.kind == "real" for m in messages)
    publish(publisher, topic, messages)

    sink, lock, windows = [], threading.Lock(), []

    def handler(message):
        with lock:
            sink.append((int(message.attributes["seq"]), message.data))

    gate = contract.gate(window_messages=500, on_window=windows.append)
    callback = dq.pubsub.GateCallback(gate, handler, publisher=publisher, dead_letter_topic=dead_topic)
    consume_until_acked(subscriber, subscription, callback, len(messages))
    gate.close_window()

    # Every valid message reached the sink exactly once, byte for byte.
    seqs = [seq for seq, _ in sink]
    assert sorted(seqs) == sorted(valid)
    assert all(data == messages[seq].data for seq, data in sink)

    # Every invalid one is on the dead-letter topic, bytes untouched, with its
    # attributes and the contract's reasons.
    dead = pull_all(subscriber, dead_subscription, len(invalid))
    assert set(dead) == invalid
    for seq, m in dead.items():
        original = messages[seq]
        assert m.data == original.data, seq
        a = dict(m.attributes)
        assert a["seq"] == str(seq) and a["dq.contract"] == "github.public_events 1.0.0"
        if original.kind in ("truncated", "bad_utf8"):
            assert a["dq.error"] == "malformed" and a["dq.reason"].startswith("byte "), a
        else:
            assert a["dq.error"] == "invalid"
            assert a["dq.rules"] == ",".join(expected_rules(contract, original.data))
            assert int(a["dq.violations"]) >= 1
        rule = {"actor_id_text": "actor.id.type", "bad_id": "id.pattern", "no_repo": "repo.required",
                "real": "rules.push_brings_new_commits"}.get(original.kind)
        if rule:
            assert rule in a["dq.rules"].split(","), a
    assert nothing_left(subscriber, dead_subscription)
    assert nothing_left(subscriber, subscription)

    # Counts reconcile: the adapter's, the gate's and the windows'.
    counts = callback.counts
    assert counts["accepted"] == len(valid) and counts["dead_lettered"] == len(invalid)
    assert counts["received"] == sum(counts[o] for o in dq.pubsub.OUTCOMES)
    assert gate.counts == {"received": counts["received"], "accepted": counts["accepted"] + counts["handler_errors"],
                           "dead_lettered": counts["dead_lettered"] + counts["publish_errors"],
                           "paused": counts["paused"]}
    assert sum(w.report.records["total"] for w in windows) == gate.counts["accepted"] + gate.counts["dead_lettered"]
    assert all(w.report.records["total"] >= 500 for w in windows[:-1])
    assert 'dq_gate_messages_total{dataset="github.public_events",decision="dead_letter"} %d' % len(invalid) \
        in gate.metrics()


def test_a_burst_of_broken_messages_opens_the_breaker_and_nothing_is_acked_while_open(clients):
    publisher, subscriber = clients
    contract = dq.load(CONTRACT)
    topic, subscription = topic_with_subscription(clients, "burst")
    dead_topic, dead_subscription = topic_with_subscription(clients, "burst-dead")
    event = json.loads((ROOT / "examples" / "data" / "github_events.json").read_text())[0]
    broken = [Message(i, corrupt(dict(event, id=f"{event['id']}{i:06d}"), "actor_id_text"), "actor_id_text")
              for i in range(200)]
    fixed = [Message(200 + i, json.dumps(dict(event, id=f"{event['id']}{200 + i:06d}")).encode(), "valid")
             for i in range(300)]
    publish(publisher, topic, broken)

    sink = []
    gate = contract.gate(max_consecutive_failures=50, rate_window=0, open_seconds=3600)
    callback = dq.pubsub.GateCallback(gate, lambda m: sink.append(m), publisher=publisher,
                                      dead_letter_topic=dead_topic, pause_backoff=0.02)
    # One callback thread: decisions happen in the order messages arrive.
    scheduler = pubsub_v1.subscriber.scheduler.ThreadScheduler(
        executor=concurrent.futures.ThreadPoolExecutor(max_workers=1))
    future = subscriber.subscribe(subscription, callback, scheduler=scheduler, await_callbacks_on_shutdown=True)
    try:
        wait_for(lambda: gate.breaker == "open", 60, "the breaker to open")
        # The producer is fixed; its good messages arrive while the breaker is open.
        publish(publisher, topic, fixed)
        wait_for(lambda: callback.counts["paused"] >= 300, 60, "paused messages")
        time.sleep(1.0)
        counts = callback.counts
    finally:
        stop(future)

    # Exactly the first run of 50 was dead-lettered; nothing was acked after.
    assert gate.breaker_opened == 1
    assert counts["dead_lettered"] == 50 and counts["accepted"] == 0 and sink == []
    assert callback.counts["dead_lettered"] == 50 and callback.counts["accepted"] == 0
    assert gate.counts["paused"] == callback.counts["paused"]
    dead = pull_all(subscriber, dead_subscription, 50)
    assert len(dead) == 50 and set(dead) <= {m.seq for m in broken}
    assert nothing_left(subscriber, dead_subscription)

    # Nothing lost: whatever was not dead-lettered is still in the subscription.
    rest = pull_all(subscriber, subscription, 450)
    assert set(rest) | set(dead) == {m.seq for m in broken + fixed}
    assert not set(rest) & set(dead)
    assert all(rest[s].data == (broken + fixed)[s].data for s in rest)


def run_consumer(subscription, dead_topic, sink, reports):
    return subprocess.Popen(
        [sys.executable, "-m", "dq.pubsub", str(CONTRACT), "--subscription", subscription,
         "--dead-letter-topic", dead_topic, "--sink", str(sink), "--reports", str(reports),
         "--window-messages", "200", "--max-outstanding", "100"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))


def sink_ids(sink):
    """The ids of the sink's complete lines (the consumer may be mid-write)."""
    if not sink.exists():
        return collections.Counter()
    complete = sink.read_bytes().rpartition(b"\n")[0]
    return collections.Counter(json.loads(line)["id"] for line in complete.splitlines())


def test_a_consumer_killed_mid_stream_and_restarted_loses_nothing(clients, tmp_path):
    publisher, subscriber = clients
    contract = dq.load(CONTRACT)
    topic, subscription = topic_with_subscription(clients, "restart")
    dead_topic, dead_subscription = topic_with_subscription(clients, "restart-dead")
    messages = github_messages(2000, seed=11)
    valid_ids = {json.loads(m.data)["id"] for m in messages if m.kind == "valid"}
    invalid = {m.seq for m in messages if m.kind != "valid"}
    publish(publisher, topic, messages)
    sink, reports = tmp_path / "sink.ndjson", tmp_path / "reports.ndjson"

    first = run_consumer(subscription, dead_topic, sink, reports)
    try:
        wait_for(lambda: sink.exists() and sink.read_bytes().count(b"\n") >= 400, 120, "the first consumer to start")
    finally:
        first.kill()  # SIGKILL: no goodbye, leases simply expire
        first.wait(timeout=30)
    before = sink.read_bytes().count(b"\n")
    assert before < len(valid_ids), "the first consumer finished before it was killed"

    # The second consumer gets what the first never acked: at once what was
    # not leased, the rest when the dead consumer's leases expire.
    second = run_consumer(subscription, dead_topic, sink, reports)
    try:
        wait_for(lambda: set(sink_ids(sink)) >= valid_ids, 180, "every valid event in the sink")
        dead = pull_all(subscriber, dead_subscription, len(invalid), timeout=180)
    finally:
        second.terminate()  # SIGTERM: a clean stop, acks sent, counts printed
        out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err[-3000:]
    summary = json.loads(out.strip().splitlines()[-1])

    ids = sink_ids(sink)
    lines = sum(ids.values())
    assert set(ids) == valid_ids  # every valid event reached the sink
    # Redelivered at most: what the first consumer held (100 outstanding) when killed.
    assert lines - len(ids) <= 100
    assert set(dead) == invalid
    assert nothing_left(subscriber, subscription)

    counts = summary["counts"]
    assert counts["received"] == sum(counts[o] for o in dq.pubsub.OUTCOMES)
    assert summary["gate"]["received"] == counts["received"]
    assert counts["accepted"] == lines - before
    # The second consumer's windows reported every message it judged.
    windows = [json.loads(line) for line in reports.read_text().splitlines()]
    assert windows and all(set(w) >= {"window", "counts", "report"} for w in windows)


def test_a_failing_handler_leaves_the_message_for_redelivery(clients):
    publisher, subscriber = clients
    topic, subscription = topic_with_subscription(clients, "flaky")
    dead_topic, _ = topic_with_subscription(clients, "flaky-dead")
    messages = [m for m in github_messages(200, corrupt_share=0) if m.kind == "valid"][:50]
    publish(publisher, topic, messages)
    attempts, sink, lock = collections.Counter(), [], threading.Lock()

    def handler(message):
        seq = int(message.attributes["seq"])
        with lock:
            attempts[seq] += 1
            if seq % 5 == 0 and attempts[seq] == 1:
                raise RuntimeError("the database is down")  # the first try of every fifth message
            sink.append(seq)

    callback = dq.pubsub.GateCallback(dq.load(CONTRACT).gate(), handler, publisher=publisher,
                                      dead_letter_topic=dead_topic)
    future = subscriber.subscribe(subscription, callback, await_callbacks_on_shutdown=True)
    try:
        wait_for(lambda: callback.counts["accepted"] >= len(messages), 60, "every message to be handled")
    finally:
        stop(future)
    failing = {m.seq for m in messages if m.seq % 5 == 0}
    assert sorted(sink) == sorted(m.seq for m in messages)
    assert all(attempts[s] == 2 for s in failing)
    counts = callback.counts
    assert counts["handler_errors"] == len(failing)
    assert counts["received"] == len(messages) + len(failing)
    assert counts["received"] == sum(counts[o] for o in dq.pubsub.OUTCOMES)


class FlakyPublisher:
    """The real publisher client, whose dead-letter publish fails on the first
    try of the messages in `failing`: the sink failing mid-stream."""

    def __init__(self, publisher, failing):
        self.publisher = publisher
        self.failing = failing
        self.tries = collections.Counter()
        self.lock = threading.Lock()

    def publish(self, topic, data, **attributes):
        seq = int(attributes["seq"])
        with self.lock:
            self.tries[seq] += 1
            fail = seq in self.failing and self.tries[seq] == 1
        if fail:
            raise RuntimeError("the dead-letter topic is unavailable")
        return self.publisher.publish(topic, data, **attributes)


def test_a_failing_dead_letter_publish_nacks_and_the_message_is_dead_lettered_once_on_redelivery(clients):
    publisher, subscriber = clients
    topic, subscription = topic_with_subscription(clients, "dlq-flaky")
    dead_topic, dead_subscription = topic_with_subscription(clients, "dlq-flaky-dead")
    messages = github_messages(3000)
    invalid = {m.seq for m in messages if m.kind != "valid"}
    valid = {m.seq for m in messages if m.kind == "valid"}
    failing = set(sorted(invalid)[::2])  # every other dead letter, through the stream
    assert len(failing) > 10
    publish(publisher, topic, messages)
    sink, lock = [], threading.Lock()

    def handler(message):
        with lock:
            sink.append(int(message.attributes["seq"]))

    flaky = FlakyPublisher(publisher, failing)
    callback = dq.pubsub.GateCallback(dq.load(CONTRACT).gate(), handler, publisher=flaky,
                                      dead_letter_topic=dead_topic)
    consume_until_acked(subscriber, subscription, callback, len(messages))
    every = []
    dead = pull_all(subscriber, dead_subscription, len(invalid), every=every)
    assert set(dead) == invalid                          # none lost
    assert sorted(every) == sorted(invalid)              # none dead-lettered twice
    assert sorted(sink) == sorted(valid)                 # valid ones handled once
    assert nothing_left(subscriber, dead_subscription)
    assert nothing_left(subscriber, subscription)
    assert all(flaky.tries[s] == 2 for s in failing)
    counts = callback.counts
    assert counts["publish_errors"] == len(failing)
    assert counts["received"] == len(messages) + len(failing)
    assert counts["received"] == sum(counts[o] for o in dq.pubsub.OUTCOMES)
