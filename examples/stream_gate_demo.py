"""The stream gate on a real Pub/Sub stream, on this machine.

Starts Google's in-memory Pub/Sub server (build/pubsub_server, built by
scripts/setup.sh from tests/pubsub_server), publishes the 30 real GitHub events
of examples/data/github_events.json ten times over with a few copies broken,
and runs the consumer `python -m dq.pubsub` on the subscription. Then it shows
what reached the sink, what reached the dead-letter topic and why, and the
consumer's window reports.

    python examples/stream_gate_demo.py
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT / "contracts" / "github_events.yaml"


def main():
    server = subprocess.Popen([str(ROOT / "build" / "pubsub_server" / "pubsub_server"), "-timeout", "5m"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    os.environ["PUBSUB_EMULATOR_HOST"] = server.stdout.readline().strip()
    from google.cloud import pubsub_v1

    publisher, subscriber = pubsub_v1.PublisherClient(), pubsub_v1.SubscriberClient()
    topics = {}
    for name in ("events", "events-dead-letter"):
        topic = publisher.topic_path("demo", name)
        publisher.create_topic(name=topic)
        subscriber.create_subscription(name=subscriber.subscription_path("demo", name + "-sub"), topic=topic)
        topics[name] = topic

    events = json.loads((ROOT / "examples" / "data" / "github_events.json").read_text())
    published = 0
    for copy in range(10):
        for i, event in enumerate(events):
            event = dict(event, id=f"{event['id']}{copy:02d}")
            data = json.dumps(event).encode()
            if copy == 3 and i < 3:  # a few broken on the way: a cut message, a wrong type, a bad id
                data = [data[:80], data.replace(b'"public": true', b'"public": "yes"'),
                        data.replace(f'"id": "{event["id"]}"'.encode(), b'"id": "evt-x"')][i]
            publisher.publish(topics["events"], data, seq=str(published)).result()
            published += 1
    print(f"published {published} messages to {topics['events']}")

    with tempfile.TemporaryDirectory() as tmp:
        sink, reports = Path(tmp) / "valid.ndjson", Path(tmp) / "windows.ndjson"
        command = [sys.executable, "-m", "dq.pubsub", str(CONTRACT),
                   "--subscription", subscriber.subscription_path("demo", "events-sub"),
                   "--dead-letter-topic", topics["events-dead-letter"], "--sink", str(sink),
                   "--window-messages", "100", "--reports", str(reports), "--idle-exit", "2"]
        print("$ python -m dq.pubsub contracts/github_events.yaml --subscription ... --dead-letter-topic ... "
              "--sink valid.ndjson --window-messages 100 --reports windows.ndjson --idle-exit 2")
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        print(result.stdout.strip())
        print(f"\nsink: {len(sink.read_bytes().splitlines())} valid messages")
        for line in reports.read_text().splitlines():
            w = json.loads(line)
            r = w["report"]
            failed = ", ".join(f"{rule['id']} ×{rule['failed']}" for rule in r["rules"]) or "none"
            print(f"window {w['window']}: {w['counts']}  ok={r['ok']}  failed checks: {failed}")

    response = subscriber.pull(subscription=subscriber.subscription_path("demo", "events-dead-letter-sub"),
                               max_messages=100, timeout=10)
    print(f"\ndead-letter topic: {len(response.received_messages)} messages, bytes untouched, with reasons:")
    for received in sorted(response.received_messages, key=lambda r: int(r.message.attributes["seq"])):
        a = received.message.attributes
        print(f"  seq {a['seq']}: {a['dq.error']}: {a.get('dq.rules', '')} {a['dq.reason'][:110]}")
    subscriber.close()
    server.stdin.close()
    server.wait(timeout=10)


if __name__ == "__main__":
    main()
