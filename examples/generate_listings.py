#!/usr/bin/env python3
"""Deterministic listing records for contracts/agent_sales.yaml, with the dirt real feeds have.

    python examples/generate_listings.py --rows 1000000 --seed 7 -o listings.ndjson
    python examples/generate_listings.py --rows 1000000 --seed 7 -o listings.csv

The same seed and row count give the same records in either format (by the
output's extension), byte for byte on every run. Agents' activity follows a
Pareto law, so a few close most of the volume, as in real markets.

Dirt, at fixed rates: a missing price (1%), a price written for people
("$1,250,000", 3%), dates as 03/14/2025 (4% of records), a repeated record
(0.5%: a duplicate listing id), a state written out (0.2%), and a line cut
short (0.1%: malformed; in CSV the last fields are missing).
"""
import argparse
import datetime
import random
import sys

FIRST = ["Maria", "James", "Wei", "Aisha", "Carlos", "Olga", "David", "Priya", "Kenji", "Fatima",
         "Liam", "Sofia", "Noah", "Amara", "Lucas", "Elena", "Omar", "Grace", "Mateo", "Hana"]
LAST = ["Lopez", "Smith", "Chen", "Khan", "Garcia", "Ivanova", "Cohen", "Patel", "Sato", "Haddad",
        "Murphy", "Rossi", "Nguyen", "Okafor", "Silva", "Novak", "Farah", "Kim", "Torres", "Berg"]
BROKERAGES = ["Harbor Realty", "Summit Homes", "Keystone Partners", "Bluebird Realty",
              "Prairie & Co", "Cityline Brokers", "Evergreen Estates", "North Star Realty"]
CITIES = [("Austin", "TX"), ("Denver", "CO"), ("Seattle", "WA"), ("Miami", "FL"), ("Boston", "MA"),
          ("Phoenix", "AZ"), ("Atlanta", "GA"), ("Chicago", "IL"), ("Portland", "OR"),
          ("Nashville", "TN"), ("Raleigh", "NC"), ("San Diego", "CA")]
STATE_NAMES = {"TX": "Texas", "CO": "Colorado", "WA": "Washington", "FL": "Florida", "MA": "Massachusetts",
               "AZ": "Arizona", "GA": "Georgia", "IL": "Illinois", "OR": "Oregon", "TN": "Tennessee",
               "NC": "North Carolina", "CA": "California"}
STATUSES = ["sold", "active", "pending", "withdrawn"]
STATUS_WEIGHTS = [55, 25, 12, 8]
COLUMNS = ["listing_id", "agent_id", "agent_name", "brokerage", "status", "price", "list_date",
           "close_date", "city", "state", "bedrooms"]
DAY0 = 738_672  # date(2023, 6, 1).toordinal()


def civil(ordinal):
    d = datetime.date.fromordinal(ordinal)
    return d.year, d.month, d.day


def make_agents(rng, count):
    agents = []
    for i in range(count):
        city, state = rng.choice(CITIES)
        agents.append({
            "id": f"A{i + 1:06d}",
            "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "brokerage": rng.choice(BROKERAGES) if rng.random() < 0.9 else None,
            "city": city, "state": state,
            "price_level": rng.lognormvariate(12.9, 0.5),  # a median near $400k
            "weight": rng.paretovariate(1.3),
        })
    return agents


def date_text(rng, ordinal, other_format_rate):
    y, m, d = civil(ordinal)
    if rng.random() < other_format_rate:
        return f"{m:02d}/{d:02d}/{y}"
    return f"{y}-{m:02d}-{d:02d}"


def records(rows, seed):
    """Yields (values, cut): values by column (None = absent), cut = make the line malformed."""
    rng = random.Random(seed)
    agents = make_agents(rng, max(20, rows // 50))
    cum = []
    total = 0.0
    for a in agents:
        total += a["weight"]
        cum.append(total)
    recent = []
    batch = []
    for n in range(rows):
        if not batch:
            batch = rng.choices(agents, cum_weights=cum, k=min(4096, rows - n))
        agent = batch.pop()
        if recent and rng.random() < 0.005:  # the feed sends a listing twice
            yield rng.choice(recent), False
            continue
        status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        listed = DAY0 + rng.randrange(0, 1000)
        price = round(agent["price_level"] * rng.lognormvariate(0, 0.35), -3)
        r = rng.random()
        if r < 0.01:
            price_value = None
        elif r < 0.04:
            price_value = f'"${int(price):,}"'
        else:
            price_value = str(int(price))
        state = agent["state"] if rng.random() >= 0.002 else STATE_NAMES[agent["state"]]
        values = {
            "listing_id": f'"L{n + 1:09d}"',
            "agent_id": f'"{agent["id"]}"',
            "agent_name": f'"{agent["name"]}"',
            "brokerage": f'"{agent["brokerage"]}"' if agent["brokerage"] else None,
            "status": f'"{status}"',
            "price": price_value,
            "list_date": f'"{date_text(rng, listed, 0.04)}"',
            "close_date": f'"{date_text(rng, listed + rng.randrange(20, 120), 0.04)}"' if status == "sold" else None,
            "city": f'"{agent["city"]}"',
            "state": f'"{state}"',
            "bedrooms": str(rng.randrange(0, 7)),
        }
        recent.append(values)
        if len(recent) > 1000:
            recent.pop(0)
        yield values, rng.random() < 0.001


def ndjson_line(values, cut, rng):
    line = "{" + ",".join(f'"{k}":{values[k]}' for k in COLUMNS if values[k] is not None) + "}"
    return line[: rng.randrange(5, len(line) - 1)] if cut else line


def csv_line(values, cut, _rng):
    cells = []
    for k in COLUMNS:
        v = values[k]
        if v is None:
            cells.append("")
        elif v.startswith('"'):
            text = v[1:-1]
            cells.append(f'"{text}"' if "," in text else text)
        else:
            cells.append(v)
    return ",".join(cells[:-3] if cut else cells)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("-o", "--output", default="-", help=".csv for CSV, anything else NDJSON; - for stdout")
    args = parser.parse_args()
    csv = args.output.endswith(".csv")
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8", newline="\n")
    cut_rng = random.Random(args.seed + 1)  # where lines are cut: its own stream, the same for both formats
    line = csv_line if csv else ndjson_line
    chunk = []
    if csv:
        chunk.append(",".join(COLUMNS))
    for values, cut in records(args.rows, args.seed):
        chunk.append(line(values, cut, cut_rng))
        if len(chunk) >= 10000:
            out.write("\n".join(chunk) + "\n")
            chunk = []
    if chunk:
        out.write("\n".join(chunk) + "\n")
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
