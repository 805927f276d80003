"""Who may use the server and what a request may touch.

- Authentication: with a token (``--token`` or ``$DQ_SERVE_TOKEN``) or a users
  file (``--users``: one ``name:token`` per line), every request needs it: an
  ``Authorization: Bearer`` header (API), or the cookie the login page sets.
  Without either the server binds only to loopback addresses.
- CSRF: every form carries the value of a per-browser cookie (double submit,
  compared in constant time); JSON API calls must be sent as JSON or NDJSON,
  which a cross-site form cannot do without a CORS preflight the server never
  grants.
- Inputs: a data path is relative to ``--data`` and must resolve (symlinks
  followed) inside it."""
from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
from pathlib import Path
from typing import Dict, Optional


class Forbidden(Exception):
    """A request for something outside what the server serves (HTTP 403)."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_users(token: Optional[str], users_file: Optional[str]) -> Dict[str, str]:
    """token -> user name."""
    users: Dict[str, str] = {}
    if token:
        users[token] = "admin"
    if users_file:
        for number, line in enumerate(Path(users_file).read_text(encoding="utf-8").splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, sep, secret = line.partition(":")
            if not sep or not name.strip() or len(secret.strip()) < 16:
                raise ValueError(f"{users_file}:{number}: expected name:token with a token of 16 characters or more")
            users[secret.strip()] = name.strip()
    return users


def user_for(users: Dict[str, str], offered: Optional[str]) -> Optional[str]:
    """The user whose token was offered, compared in constant time."""
    if not offered:
        return None
    found = None
    for secret, name in users.items():
        if hmac.compare_digest(secret.encode(), offered.encode()):
            found = name
    return found


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_ok(cookie: Optional[str], form_value: Optional[str]) -> bool:
    return bool(cookie) and bool(form_value) and hmac.compare_digest(cookie.encode(), form_value.encode())


def confine(root: Path, relative: str) -> Path:
    """`relative` resolved under `root`, or Forbidden: absolute paths, `..`
    that climbs out and symlinks that lead out are all refused."""
    if not relative or os.path.isabs(relative) or relative.startswith(("~", "\\")) or "\x00" in relative:
        raise Forbidden(f"not a path under the data folder: {relative!r}")
    base = root.resolve()
    target = (base / relative).resolve()
    if target != base and base not in target.parents:
        raise Forbidden(f"outside the data folder: {relative!r}")
    return target
