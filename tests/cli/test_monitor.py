"""`dq monitor backtest` on a real NAB series and on the history `dq validate --as-of` writes."""
from dq_cli import ROOT, dq

SPEEDS = ROOT / "tests/data/nab/speed_7578.csv"
CONTRACT = """dq: 1
dataset: shop.orders
version: 1.0.0
owner: {team: shop, contact: shop@example.com}
fields:
  id: {type: integer}
monitors:
  - {metric: row_count, method: robust, window: 5, sigma: 3, direction: down}
"""


def test_backtest_prints_each_flagged_point_with_its_band():
    out = dq("monitor", "backtest", SPEEDS)
    assert out.returncode == 1, out.stderr  # anomalies found
    lines = out.stdout.decode().splitlines()
    assert lines[0] == "point\ttime\tvalue\texpected\tlow\thigh\tscore\tverdict"
    assert lines[-1].startswith("1127 points, ")
    flagged = [line.split("\t") for line in lines[1:-1]]
    assert flagged and all(float(f[2]) < float(f[4]) or float(f[2]) > float(f[5]) for f in flagged)
    alerts = [f for f in flagged if f[7] == "ALERT (new incident)"]
    assert 0 < len(alerts) < len(flagged)
    assert alerts[0][1].startswith("2015-09-")
    # Every point with --all; a method's own settings.
    every = dq("monitor", "backtest", SPEEDS, "--method", "robust", "--set", "window=60", "--set", "sigma=6",
               "--direction", "down", "--all")
    assert len(every.stdout.decode().splitlines()) == 1127 + 2
    assert b"warming up (0 of 30 values)" in every.stdout


def test_backtest_refuses_what_it_cannot_mean(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,value\n2026-01-01 00:00:00,1\n2026-01-01 00:05:00,n/a\n")
    out = dq("monitor", "backtest", bad)
    assert out.returncode == 2
    assert out.stderr.decode() == f"dq: {bad}:3: value 'n/a' is not a finite number\n"
    out = dq("monitor", "backtest", SPEEDS, "--method", "online_normal", "--set", "season=7")
    assert (out.returncode, out.stderr) == (2, b"dq: monitor: online_normal does not take 'season'\n")
    out = dq("monitor", "backtest", SPEEDS, "-m", "robust", "--seasons", "288,fortnight")
    assert out.stderr == b"dq: monitor: a season is a number of points, month_day or month_end, not 'fortnight'\n"
    out = dq("monitor", "backtest", SPEEDS, "-m", "robust", "--seasons", "288,month_day")
    assert out.returncode in (0, 1), out.stderr
    out = dq("monitor", "backtest", SPEEDS, "--set", "sigma")
    assert (out.returncode, out.stderr) == (2, b"dq: --set needs name=number, not 'sigma'\n")
    assert dq("monitor", "backtest").returncode == 2


def test_as_of_orders_runs_by_the_data_time_and_backtest_reads_the_history(tmp_path):
    contract = tmp_path / "orders.yaml"
    contract.write_text(CONTRACT)
    history = tmp_path / "history.sqlite"
    three = tmp_path / "three.ndjson"
    three.write_text('{"id": 1}\n{"id": 2}\n{"id": 3}\n')
    for day in ["01", "02", "03", "05", "06", "07", "04"]:  # the 4th back-filled last
        out = dq("validate", "-c", contract, three, "--history", history, "--as-of", f"2026-11-{day}")
        assert out.returncode == 0, out.stderr
    one = tmp_path / "one.ndjson"
    one.write_text('{"id": 1}\n')
    out = dq("validate", "-c", contract, one, "--history", history, "--as-of", "2026-11-08T06:00:00Z")
    assert out.returncode == 1
    assert "FAIL row_count:robust  1  expected [3, 3]  score 1.66667" in out.stdout.decode()
    out = dq("monitor", "backtest", "--history", history, "--dataset", "shop.orders", "--metric", "row_count",
             "--method", "robust", "--set", "window=5", "--set", "sigma=3", "--all")
    times = [line.split("\t")[1] for line in out.stdout.decode().splitlines()[1:-1]]
    assert times == [f"2026-11-0{d}T00:00:00Z" for d in range(1, 8)] + ["2026-11-08T06:00:00Z"]
    out = dq("validate", "-c", contract, one, "--history", history, "--as-of", "yesterday")
    assert out.returncode == 2
    assert b"--as-of needs a UTC date or time" in out.stderr
