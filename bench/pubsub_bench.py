"""The Pub/Sub adapter's cost per message over the raw client callback.

  python bench/pubsub_bench.py [messages=50000] [runs=5]

Both callbacks get real google.cloud.pubsub_v1 Message objects (built from
PubsubMessage protos, acking into a queue as the client's dispatcher would)
carrying ~600-byte flat events, and hand each message to the same handler:
  raw:  handler(message); message.ack()
  dq:   dq.pubsub.GateCallback: gate.judge(data, publish_time), handler, ack
The difference is what dq adds per message.
"""
import os
import queue
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("PUBSUB_EMULATOR_HOST", "127.0.0.1:9")  # a client that never connects: nothing is published

from google.cloud import pubsub_v1  # noqa: E402
from google.cloud.pubsub_v1.subscriber.message import Message  # noqa: E402
from google.protobuf import timestamp_pb2  # noqa: E402
from google.pubsub_v1 import types  # noqa: E402

import dq  # noqa: E402
import dq.pubsub  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from prepare_data import flat_event as make_event  # noqa: E402

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 5


def main():
    import random

    contract = dq.load(ROOT / "bench" / "contracts" / "flat_event.yaml")
    rng = random.Random(3)
    events = []
    while len(events) < 1000:
        e = make_event(rng, len(events))
        e = e.replace("/details", "/" + "x" * max(0, 600 - len(e)) + "details")  # 600 bytes
        if contract.validate_json(e).ok:  # valid only: the dead-letter path would publish
            events.append(e.encode())
    published = timestamp_pb2.Timestamp()
    published.GetCurrentTime()

    def messages():
        requests = queue.Queue()
        return [Message(types.PubsubMessage(data=events[i % len(events)], message_id=str(i),
                                            publish_time=published)._pb, f"ack-{i}", 0, requests)
                for i in range(COUNT)]

    sink = []

    def handler(message):
        sink.append(message.data)

    def raw(message):
        handler(message)
        message.ack()

    gate = contract.gate()
    gated = dq.pubsub.GateCallback(gate, handler, publisher=pubsub_v1.PublisherClient(),
                                   dead_letter_topic="projects/bench/topics/dead-letter")

    def run(callback):
        batch = messages()
        sink.clear()
        start = time.perf_counter()
        for m in batch:
            callback(m)
        seconds = time.perf_counter() - start
        assert len(sink) == COUNT
        return seconds / COUNT * 1e6

    def judge_only():
        batch = messages()
        start = time.perf_counter()
        for m in batch:
            gate.judge(m.data, m.publish_time)
        return (time.perf_counter() - start) / COUNT * 1e6

    raw_us, dq_us, judge_us = [], [], []
    for _ in range(RUNS):  # interleaved, so drifts of a shared machine hit both
        raw_us.append(run(raw))
        dq_us.append(run(gated))
        judge_us.append(judge_only())
    assert gated.counts["accepted"] == RUNS * COUNT and gate.counts["paused"] == 0

    r, d, j = statistics.median(raw_us), statistics.median(dq_us), statistics.median(judge_us)
    print(f"Pub/Sub adapter: {COUNT} messages of {len(events[0])} bytes per run, {RUNS} runs (median)\n")
    print("| callback | µs/message |")
    print("|---|---:|")
    print(f"| raw client callback (handler + ack) | {r:.2f} |")
    print(f"| dq.pubsub.GateCallback (judge + handler + ack) | {d:.2f} |")
    print(f"| gate.judge(data, publish_time) alone | {j:.2f} |")
    print(f"| **dq's overhead per message** | **{d - r:.2f}** |")


if __name__ == "__main__":
    main()
