"""Google Cloud Pub/Sub adapter: the stream gate inside a subscriber callback.

    from google.cloud import pubsub_v1
    import dq, dq.pubsub

    gate = dq.load("contracts/github_events.yaml").gate(window_messages=10_000)
    publisher = pubsub_v1.PublisherClient()
    callback = dq.pubsub.GateCallback(gate, handler, publisher=publisher,
                                      dead_letter_topic="projects/p/topics/events-dead-letter")
    future = pubsub_v1.SubscriberClient().subscribe("projects/p/subscriptions/events", callback)

For each message the callback asks the gate:
- accept: calls ``handler(message)``; acks when it returns, nacks when it raises;
- dead_letter: publishes the untouched bytes to the dead-letter topic with the
  message's attributes plus the reasons (``dq.rules``, ``dq.reason``, ...),
  acks once the publish is confirmed, nacks if it fails;
- pause (the circuit breaker is open): waits ``pause_backoff`` seconds, so a
  paused consumer does not spin on redeliveries, then nacks.

Every message received is acked or nacked exactly once; ``counts`` say which:
received == accepted + dead_lettered + paused + handler_errors + publish_errors.

Run as a consumer: ``python -m dq.pubsub CONTRACT --subscription ... --dead-letter-topic ...``
(``--help`` lists the options). See docs/streaming.md.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from typing import Any, Callable, Dict, Optional

from ._gate import ACCEPT, DEAD_LETTER, Gate, Window

log = logging.getLogger("dq.pubsub")

OUTCOMES = ("accepted", "dead_lettered", "paused", "handler_errors", "publish_errors")


class GateCallback:
    """A ``google.cloud.pubsub_v1`` subscriber callback that gates messages.
    Thread-safe: the client calls it from its executor's threads."""

    def __init__(self, gate: Gate, handler: Callable[[Any], None], *, publisher: Any = None,
                 dead_letter_topic: Optional[str] = None, pause_backoff: float = 1.0,
                 publish_timeout: float = 60.0):
        if publisher is None or not dead_letter_topic:
            raise ValueError("a dead-letter topic and a publisher are needed: invalid messages must go somewhere")
        self.gate = gate
        self.handler = handler
        self.publisher = publisher
        self.dead_letter_topic = dead_letter_topic
        self.pause_backoff = pause_backoff
        self.publish_timeout = publish_timeout
        self._lock = threading.Lock()
        self._counts: Dict[str, int] = dict.fromkeys(("received",) + OUTCOMES, 0)
        self.last_message_at = time.monotonic()

    @property
    def counts(self) -> Dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def _count(self, outcome: str) -> None:
        with self._lock:
            self._counts[outcome] += 1

    def __call__(self, message: Any) -> None:
        self.last_message_at = time.monotonic()
        self._count("received")
        judgement = self.gate.judge(message.data, message.publish_time)
        if judgement.decision == ACCEPT:
            self._ack_after(message, lambda: self.handler(message), "accepted", "handler_errors")
        elif judgement.decision == DEAD_LETTER:
            attributes = dict(message.attributes)
            attributes.update(judgement.reasons)
            self._ack_after(message, lambda: self.publisher.publish(
                self.dead_letter_topic, message.data, **attributes).result(timeout=self.publish_timeout),
                "dead_lettered", "publish_errors")
        else:
            time.sleep(self.pause_backoff)
            message.nack()
            self._count("paused")

    def _ack_after(self, message: Any, action: Callable[[], Any], outcome: str, failure: str) -> None:
        """Acks when `action` succeeds; nacks (the message comes back) when it raises."""
        try:
            action()
        except Exception:
            log.exception("%s on message %s: nacked", failure, message.message_id)
            message.nack()
            self._count(failure)
            return
        message.ack()
        self._count(outcome)


# The runnable consumer ------------------------------------------------------


def _metrics_server(port: int, text: Callable[[], str]):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            if self.path.split("?")[0] != "/metrics":
                self.send_error(404)
                return
            body = text().encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _consumer_metrics(callback: GateCallback, dataset: str) -> str:
    lines = ["# HELP dq_pubsub_messages_total Messages the consumer acked or nacked, by outcome.",
             "# TYPE dq_pubsub_messages_total counter"]
    for outcome, n in callback.counts.items():
        if outcome != "received":
            lines.append(f'dq_pubsub_messages_total{{dataset="{dataset}",outcome="{outcome}"}} {n}')
    return callback.gate.metrics() + "\n".join(lines) + "\n"


class _LineSink:
    """Valid messages appended to a file, one per line (newlines in the JSON,
    which can only be whitespace there, become spaces)."""

    def __init__(self, path: str):
        self._file = open(path, "ab")
        self._lock = threading.Lock()

    def __call__(self, message: Any) -> None:
        line = message.data.replace(b"\r", b" ").replace(b"\n", b" ") + b"\n"
        with self._lock:
            self._file.write(line)
            self._file.flush()


def main(argv: Optional[list] = None) -> int:
    import dq
    from google.cloud import pubsub_v1

    p = argparse.ArgumentParser(prog="python -m dq.pubsub",
                                description="Consume a Pub/Sub subscription through a dq stream gate.")
    p.add_argument("contract", help="the contract YAML file")
    p.add_argument("--subscription", required=True, help="projects/P/subscriptions/S")
    p.add_argument("--dead-letter-topic", required=True, help="projects/P/topics/T, for invalid messages")
    sink = p.add_mutually_exclusive_group(required=True)
    sink.add_argument("--sink", help="append valid messages to this NDJSON file")
    sink.add_argument("--output-topic", help="republish valid messages (bytes and attributes) to this topic")
    p.add_argument("--window-messages", type=int, default=0, help="close a window every N messages")
    p.add_argument("--window-seconds", type=float, default=0, help="close a window every S seconds")
    p.add_argument("--breaker-failures", type=int, default=100, help="open after N failures in a row (0: off)")
    p.add_argument("--breaker-rate-window", type=int, default=1000, help="measure the failure rate over N messages (0: off)")
    p.add_argument("--breaker-max-rate", type=float, default=0.5, help="open above this failure rate")
    p.add_argument("--breaker-open-seconds", type=float, default=10.0, help="stay open this long before a probe")
    p.add_argument("--pause-backoff", type=float, default=1.0, help="seconds to hold a paused message before nacking")
    p.add_argument("--baseline", help="baseline profile for drift (default: the contract's drift.baseline)")
    p.add_argument("--history", help="metric history for monitors (SQLite file)")
    p.add_argument("--reports", help="append each window's report as a JSON line to this file")
    p.add_argument("--metrics-port", type=int, help="serve Prometheus metrics on 127.0.0.1:PORT/metrics")
    p.add_argument("--max-outstanding", type=int, default=1000, help="flow control: messages held at once")
    p.add_argument("--idle-exit", type=float, default=0, help="stop after S seconds without a message (0: never)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s dq.pubsub %(levelname)s %(message)s")

    contract = dq.load(args.contract)
    baseline_path = args.baseline or (
        os.path.join(os.path.dirname(args.contract), contract.drift_baseline) if contract.drift_baseline else None)
    baseline = dq.Profile.load(baseline_path) if baseline_path else None
    reports = open(args.reports, "a") if args.reports else None

    def on_window(window: Window) -> None:
        r = window.report
        log.info("window %d: %s ok=%s", window.index, window.counts, r.ok)
        if reports is not None:
            reports.write(json.dumps(window.to_dict()) + "\n")
            reports.flush()

    gate = contract.gate(window_messages=args.window_messages, window_seconds=args.window_seconds,
                         max_consecutive_failures=args.breaker_failures, rate_window=args.breaker_rate_window,
                         max_failure_rate=args.breaker_max_rate, open_seconds=args.breaker_open_seconds,
                         baseline=baseline, history=args.history, on_window=on_window)
    publisher = pubsub_v1.PublisherClient()
    if args.sink:
        handler = _LineSink(args.sink)
    else:
        def handler(message: Any) -> None:
            publisher.publish(args.output_topic, message.data, **dict(message.attributes)).result(timeout=60)
    callback = GateCallback(gate, handler, publisher=publisher, dead_letter_topic=args.dead_letter_topic,
                            pause_backoff=args.pause_backoff)
    metrics = (_metrics_server(args.metrics_port, lambda: _consumer_metrics(callback, contract.dataset))
               if args.metrics_port else None)

    subscriber = pubsub_v1.SubscriberClient()
    flow = pubsub_v1.types.FlowControl(max_messages=args.max_outstanding)
    # Callbacks under way finish (and send their acks) before the stream closes.
    future = subscriber.subscribe(args.subscription, callback, flow_control=flow, await_callbacks_on_shutdown=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    log.info("consuming %s through %s %s", args.subscription, contract.dataset, contract.version)
    while not stop.wait(0.25):
        gate.tick()
        if future.done():
            break
        if args.idle_exit and time.monotonic() - callback.last_message_at > args.idle_exit:
            break
    failed = future.done() and not future.cancelled() and future.exception() is not None
    if failed:
        log.error("the subscription stream failed: %s", future.exception())
    future.cancel()
    try:
        future.result(timeout=30)
    except Exception:  # cancelled (or failed, reported above): the stream is over
        pass
    gate.close_window()
    subscriber.close()
    if metrics is not None:
        metrics.shutdown()
    print(json.dumps({"counts": callback.counts, "gate": gate.counts, "breaker_opened": gate.breaker_opened}))
    sys.stdout.flush()
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
