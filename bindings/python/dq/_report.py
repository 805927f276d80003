"""Report: what a batch, a file or a table did against a contract."""
from __future__ import annotations

import html
import json
from typing import Any, Dict, List

from ._types import _deprecated

_FAILURE_COLUMNS = ["record", "row", "line", "path", "rule", "severity", "message", "value"]


class Report:
    """A validation report.

    ``to_dict()`` has the stable keys of ``schemas/report.schema.json``:
    ok, contract, records {total, valid, invalid, malformed}, rules,
    expectations, drift, malformed. ``to_pandas()`` is one row per violation of
    each rejected record (up to ``max_failures``), as a pandas DataFrame.
    """

    def __init__(self, native: Any):
        self._dict: Dict[str, Any] = json.loads(native.json)
        self._text: str = native.text
        self._native = native  # failures convert to Python objects only when asked for
        self.failures_truncated: bool = native.failures_truncated

    @property
    def ok(self) -> bool:
        return bool(self._dict["ok"])

    @property
    def records(self) -> Dict[str, int]:
        return dict(self._dict["records"])

    @property
    def rules(self) -> List[Dict[str, Any]]:
        return list(self._dict["rules"])

    @property
    def expectations(self) -> List[Dict[str, Any]]:
        return list(self._dict["expectations"])

    @property
    def drift(self) -> List[Dict[str, Any]]:
        return list(self._dict["drift"])

    @property
    def profile(self):
        """The dq.Profile computed in the same pass, or None."""
        from ._profile import Profile

        native = self._native.profile
        return Profile(native) if native is not None else None

    def to_dict(self) -> Dict[str, Any]:
        return json.loads(json.dumps(self._dict))  # a deep copy the caller may change

    def to_json(self, indent: int = 2) -> str:
        return json.dumps(self._dict, indent=indent, ensure_ascii=False)

    def to_text(self) -> str:
        return self._text

    def failure_rows(self) -> List[Dict[str, Any]]:
        """The failures as plain dicts (no pandas needed)."""
        return [
            {
                "record": f.record,
                "row": f.record - 1,
                "line": f.line,
                "path": f.path,
                "rule": f.rule,
                "severity": f.severity,
                "message": f.message,
                "value": f.value,
            }
            for f in self._native.failures
        ]

    def to_pandas(self):
        """The failures as a pandas DataFrame, one row per violation of each
        rejected record: record (1-based), row (0-based position in the
        input), line (0 for tables), path, rule, severity, message, value."""
        import pandas as pd

        return pd.DataFrame(self.failure_rows(), columns=_FAILURE_COLUMNS)

    @property
    def failures(self):
        """Deprecated: ``to_pandas()`` (every DataFrame dq gives comes from a
        ``to_pandas()``, as in pyarrow and polars)."""
        _deprecated("Report.failures", "Report.to_pandas()")
        return self.to_pandas()

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        r = self._dict["records"]
        return (
            f"<dq.Report {'PASSED' if self.ok else 'FAILED'} {self._dict['contract']['dataset']}: "
            f"{r['total']} records, {r['valid']} valid, {r['invalid']} invalid, {r['malformed']} malformed>"
        )

    def __str__(self) -> str:
        return self._text

    def _repr_html_(self) -> str:
        d = self._dict
        r = d["records"]
        e = html.escape
        status = "PASSED" if d["ok"] else "FAILED"
        color = "#1a7f37" if d["ok"] else "#cf222e"
        out = [
            f"<div><b style='color:{color}'>{status}</b> {e(d['contract']['dataset'])} "
            f"{e(d['contract']['version'])} &mdash; {r['total']} records: {r['valid']} valid, "
            f"{r['invalid']} invalid, {r['malformed']} malformed</div>"
        ]
        if d["rules"]:
            out.append(
                "<table><thead><tr><th>check</th><th>severity</th><th>failed</th><th>%</th>"
                "<th>ok</th><th>example</th></tr></thead><tbody>"
            )
            for rule in d["rules"]:
                share = 100.0 * rule["failed"] / r["total"] if r["total"] else 0.0
                sample = rule["samples"][0] if rule["samples"] else None
                example = (
                    f"record {sample['record']}: {e(sample['path'])} {e(sample['message'])} "
                    f"<code>{e(sample['value'])}</code>"
                    if sample
                    else ""
                )
                out.append(
                    f"<tr><td><code>{e(rule['id'])}</code></td><td>{e(rule['severity'])}</td>"
                    f"<td>{rule['failed']}</td><td>{share:.2f}</td><td>{'yes' if rule['ok'] else 'no'}</td>"
                    f"<td>{example}</td></tr>"
                )
            out.append("</tbody></table>")
        failed = [x for x in d["expectations"] if not x["ok"]] + [x for x in d["drift"] if x["status"] in ("warn", "fail")]
        if failed:
            items = "".join(
                f"<li><code>{e(x.get('id') or x['field'] + ' ' + x['method'])}</code> = {x['value']}"
                f" ({e(x.get('status', 'failed'))})</li>"
                for x in failed
            )
            out.append(f"<div>expectations and drift:<ul>{items}</ul></div>")
        if d["malformed"]:
            items = "".join(
                f"<li>record {m['record']} (line {m['line']}, byte {m['offset']}): {e(m['message'])}</li>"
                for m in d["malformed"]
            )
            out.append(f"<div>malformed records:<ul>{items}</ul></div>")
        return "".join(out)
