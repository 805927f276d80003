"""dq serve: the self-service page and its JSON API.

    python -m dq.web --contracts contracts --data data --state .dq/serve
    dq serve --contracts contracts --data data          # the same, from the CLI

Governance owners browse the contracts (owner, lint, docs, versions and
diffs); the people who own the numbers run validate, grade, profile and drift
with the contract's params, watch the run and download its files; programs use
the same through /api (docs/serve.md). Needs the ``web`` extra (FastAPI,
uvicorn, python-multipart, Jinja2)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import List, Optional

from .security import is_loopback, load_users


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="dq serve", description="The self-service page over a contracts folder.")
    parser.add_argument("--contracts", required=True, type=Path, help="the folder of contracts (any format dq reads)")
    parser.add_argument("--data", required=True, type=Path, help="the folder runs may read inputs from")
    parser.add_argument("--state", type=Path, default=Path(".dq/serve"),
                        help="runs database, run files, uploads and metric history (default .dq/serve)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--token", default=os.environ.get("DQ_SERVE_TOKEN"),
                        help="the access token (default $DQ_SERVE_TOKEN); required off loopback")
    parser.add_argument("--users", help="a users file, one name:token per line; required off loopback (or --token)")
    parser.add_argument("--workers", type=int, default=1, help="runs executing at once; more wait in a queue")
    parser.add_argument("--max-upload-mb", type=int, default=100, help="largest upload or API body (default 100)")
    args = parser.parse_args(argv)

    for name in ("contracts", "data"):
        if not getattr(args, name).is_dir():
            parser.error(f"--{name} {getattr(args, name)} is not a folder")
    if args.token is not None and len(args.token) < 16:
        parser.error("--token needs 16 characters or more")
    try:
        users = load_users(args.token, args.users)
    except (OSError, ValueError) as e:
        parser.error(str(e))
    if not users and not is_loopback(args.host):
        parser.error(f"binding to {args.host} serves other machines: give --token or --users (docs/serve.md)")
    if args.workers < 1:
        parser.error("--workers must be 1 or more")

    import uvicorn

    from .app import Settings
    from .server import create_app

    app = create_app(Settings(contracts=args.contracts, data=args.data, state=args.state, users=users,
                              workers=args.workers, max_upload_bytes=args.max_upload_mb << 20))
    print(f"dq serve: http://{args.host}:{args.port}/ (contracts {args.contracts}, data {args.data}, "
          f"state {args.state})", file=sys.stderr, flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
