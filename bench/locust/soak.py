#!/usr/bin/python3
"""Helpers of bench/locust/run.sh: the platform's own counts, and the soak sampler.

  soak.py sample --interval 30 --out soak.csv name=http://ops ...
      every interval, one row per process: RSS, goroutines, open files, the
      database pools' open and in-use connections, requests in flight (from
      /metrics on the operations listener); until SIGTERM
  soak.py summary soak.csv
      per process and measure: the level early in the run (median of the
      samples between 10 % and 30 % of the run, after the warm-up) against
      the level at its end (median of the last 20 %), and the slope per hour;
      flags growth that looks like a leak; exit 1 when something is flagged
  soak.py http-status name=http://ops ...
      alexandria_http_requests_total by status class over every process;
      exit 1 when any 5xx was counted
  soak.py p95 stats_stats.csv
      Locust's aggregate line: requests, failures, median, p95, p99, rps
  soak.py backlog name=http://ops ...
      one line: the outbox backlog summed over every process (a sample)
  soak.py events-check --gateway URL [--wait 120] name=http://ops ...
      after a run: waits until every outbox is empty, then until search holds
      exactly the items catalog lists as published; fails on a backlog left,
      a dead letter, or a published item search lacks (or one it has extra)
"""

import csv
import json
import re
import signal
import sys
import time
import urllib.parse
import urllib.request
from datetime import datetime, timezone

# A sample line: name, labels, value. Label values may hold "}" (the route
# label is a pattern such as "GET /v1/media/{id}"), so the label set is
# matched quote-aware: a plain [^}]* stopped at the pattern's first "}",
# the line did not match, and every request to a route with a path
# parameter was left out of the counts (and of the 5xx check).
SAMPLE_LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})?\s+(\S+)')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def scrape(url):
    with urllib.request.urlopen(url.rstrip("/") + "/metrics", timeout=10) as r:
        text = r.read().decode()
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE_LINE.match(line)
        if not m:
            continue
        labels = dict(LABEL.findall(m.group(2) or ""))
        try:
            value = float(m.group(3))
        except ValueError:
            continue
        yield m.group(1), labels, value


def targets(args):
    out = []
    for a in args:
        name, _, url = a.partition("=")
        out.append((name, url))
    return out


# Measures sampled, and how much growth from the early level to the end is
# flagged: (relative, absolute) — both must be exceeded.
MEASURES = {
    "rss_bytes": (0.30, 32 * 1024 * 1024),
    "goroutines": (0.25, 20),
    "open_fds": (0.25, 10),
    "db_open": (0.50, 5),
    "db_in_use": (1.00, 5),
}


def sample_once(url):
    row = {"rss_bytes": 0.0, "goroutines": 0.0, "open_fds": 0.0, "db_open": 0.0, "db_in_use": 0.0, "in_flight": 0.0}
    for name, _labels, value in scrape(url):
        if name == "process_resident_memory_bytes":
            row["rss_bytes"] = value
        elif name == "go_goroutines":
            row["goroutines"] = value
        elif name == "process_open_fds":
            row["open_fds"] = value
        elif name == "go_sql_open_connections":
            row["db_open"] += value
        elif name == "go_sql_in_use_connections":
            row["db_in_use"] += value
        elif name == "alexandria_http_requests_in_flight":
            row["in_flight"] += value
    return row


def cmd_sample(argv):
    interval, out, rest = 30.0, "soak.csv", []
    i = 0
    while i < len(argv):
        if argv[i] == "--interval":
            interval = float(argv[i + 1])
            i += 2
        elif argv[i] == "--out":
            out = argv[i + 1]
            i += 2
        else:
            rest.append(argv[i])
            i += 1
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    fields = ["time", "elapsed_s", "process", "rss_bytes", "goroutines", "open_fds", "db_open", "db_in_use",
              "in_flight", "loadavg1"]
    began = time.time()
    with open(out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        while not stop:
            now = time.time()
            load = open("/proc/loadavg").read().split()[0]
            for name, url in targets(rest):
                try:
                    row = sample_once(url)
                except OSError as e:
                    print(f"soak: {name}: {e}", file=sys.stderr)
                    continue
                row.update(time=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                           elapsed_s=round(now - began), process=name, loadavg1=load)
                w.writerow(row)
            f.flush()
            deadline = now + interval
            while not stop and time.time() < deadline:
                time.sleep(0.5)
    return 0


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    if n == 0:
        return 0.0
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def slope_per_hour(ts, ys):
    n = len(ts)
    if n < 2:
        return 0.0
    mt, my = sum(ts) / n, sum(ys) / n
    var = sum((t - mt) ** 2 for t in ts)
    if var == 0:
        return 0.0
    return sum((t - mt) * (y - my) for t, y in zip(ts, ys)) / var * 3600


def fmt(measure, v):
    if measure == "rss_bytes":
        return f"{v / 1048576:.1f} MiB"
    return f"{v:.0f}"


def cmd_summary(argv):
    rows = list(csv.DictReader(open(argv[0])))
    if not rows:
        print("soak: no samples")
        return 1
    by = {}
    for r in rows:
        by.setdefault(r["process"], []).append(r)
    flagged = 0
    span = max(float(r["elapsed_s"]) for r in rows)
    print(f"soak: {len(rows)} samples over {span / 60:.1f} min, {len(by)} process(es)")
    print(f"{'process':<12} {'measure':<11} {'min':>10} {'early':>10} {'end':>10} {'max':>10} {'slope/h':>11}  verdict")
    for proc, rs in sorted(by.items()):
        ts = [float(r["elapsed_s"]) for r in rs]
        early = [r for r, t in zip(rs, ts) if 0.1 * span <= t <= 0.3 * span] or rs[:max(1, len(rs) // 4)]
        late = [r for r, t in zip(rs, ts) if t >= 0.8 * span] or rs[-max(1, len(rs) // 4):]
        for m, (rel, absolute) in MEASURES.items():
            ys = [float(r[m]) for r in rs]
            e = median([float(r[m]) for r in early])
            z = median([float(r[m]) for r in late])
            s = slope_per_hour(ts, ys)
            grew = z - e > absolute and (e == 0 or (z - e) / e > rel)
            verdict = "GROWTH (leak?)" if grew else "steady"
            flagged += grew
            sl = f"{s / 1048576:+.1f} MiB" if m == "rss_bytes" else f"{s:+.1f}"
            print(f"{proc:<12} {m:<11} {fmt(m, min(ys)):>10} {fmt(m, e):>10} {fmt(m, z):>10} {fmt(m, max(ys)):>10} "
                  f"{sl:>11}  {verdict}")
    loads = [float(r["loadavg1"]) for r in rows]
    print(f"soak: load average (1 min) during the run: min {min(loads):.1f}, median {median(loads):.1f}, "
          f"max {max(loads):.1f}")
    print(f"soak: {flagged} measure(s) flagged" if flagged else "soak: nothing grew beyond its thresholds")
    return 1 if flagged else 0


def cmd_http_status(argv):
    total, by_class, by_status = 0, {}, {}
    for name, url in targets(argv):
        for metric, labels, value in scrape(url):
            if metric != "alexandria_http_requests_total":
                continue
            st = labels.get("status", "?")
            total += value
            by_status[st] = by_status.get(st, 0) + value
            cls = st[0] + "xx" if st[:1].isdigit() else st
            by_class[cls] = by_class.get(cls, 0) + value
    fivexx = by_class.get("5xx", 0)
    classes = ", ".join(f"{k} {v:.0f}" for k, v in sorted(by_class.items()))
    print(f"platform: {total:.0f} requests counted ({classes}); 499 (client closed) {by_status.get('499', 0):.0f}")
    if fivexx:
        bad = ", ".join(f"{k}: {v:.0f}" for k, v in sorted(by_status.items()) if k.startswith("5"))
        print(f"platform: FAIL: {fivexx:.0f} server errors ({bad})")
        return 1
    print("platform: no 5xx")
    return 0


def cmd_p95(argv):
    for r in csv.DictReader(open(argv[0])):
        if r.get("Name") == "Aggregated":
            print(f"locust: {r['Request Count']} requests, {r['Failure Count']} failures, "
                  f"median {r['50%']} ms, p95 {r['95%']} ms, p99 {r['99%']} ms, {float(r['Requests/s']):.1f} req/s")
            return 0
    print("locust: no aggregate line")
    return 1


def metric_sum(urls, metric, where=None):
    """The sum of metric over every process (samples whose labels match where)."""
    total = 0.0
    for _name, url in urls:
        for m, labels, value in scrape(url):
            if m == metric and all(labels.get(k) == v for k, v in (where or {}).items()):
                total += value
    return total


def cmd_backlog(argv):
    urls = targets(argv)
    try:
        print(f"{metric_sum(urls, 'alexandria_outbox_backlog'):.0f}")
    except OSError as e:  # a process not answering: say so, do not stop the sampler
        print(f"? ({e})")
    return 0


def get_json(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.load(r)


def list_ids(base, path, key):
    """Pages through a public list, returning the IDs of its items."""
    ids, token = [], ""
    for _ in range(10000):
        sep = "&" if "?" in path else "?"
        url = base + path + sep + "page_size=100" + ("&page_token=" + urllib.parse.quote(token) if token else "")
        page = get_json(url)
        for it in page.get("items", []):
            v = it
            for k in key.split("."):
                v = v.get(k, {}) if isinstance(v, dict) else {}
            ids.append(v)
        token = page.get("next_page_token") or ""
        if not token:
            break
    return ids


def cmd_events_check(argv):
    gateway, wait = None, 120.0
    rest = []
    it = iter(argv)
    for a in it:
        if a == "--gateway":
            gateway = next(it).rstrip("/")
        elif a == "--wait":
            wait = float(next(it))
        else:
            rest.append(a)
    urls = targets(rest)
    status = 0
    began = time.monotonic()
    while True:
        backlog = metric_sum(urls, "alexandria_outbox_backlog")
        if backlog == 0 or time.monotonic() - began > wait:
            break
        time.sleep(1)
    drained = time.monotonic() - began
    if backlog:
        print(f"events: FAIL: {backlog:.0f} events still in the outboxes after {wait:.0f} s")
        status = 1
    else:
        print(f"events: every outbox empty ({drained:.1f} s after the run)")
    published = metric_sum(urls, "alexandria_events_published_total")
    errors = metric_sum(urls, "alexandria_event_publish_errors_total")
    parked = metric_sum(urls, "alexandria_dead_letters")
    dead = metric_sum(urls, "alexandria_events_handled_total", {"result": "dead_letter"})
    retries = metric_sum(urls, "alexandria_events_handled_total", {"result": "retry"})
    dups = metric_sum(urls, "alexandria_events_handled_total", {"result": "duplicate"})
    print(f"events: {published:.0f} published, {errors:.0f} failed publish rounds (retried), "
          f"{retries:.0f} handler retries, {dups:.0f} duplicates dropped by inboxes, {dead:.0f} dead-lettered, {parked:.0f} parked")
    if parked or dead:
        print("events: FAIL: events were dead-lettered")
        status = 1
    if gateway:
        # Search is fed by catalog's events only: after the outage it must
        # hold exactly what catalog lists as published.
        while True:
            catalog = list_ids(gateway, "/v1/media", "id")
            search = list_ids(gateway, "/v1/search", "media.id")
            missing = set(catalog) - set(search)
            extra = set(search) - set(catalog)
            twice = len(search) - len(set(search))
            if (not missing and not extra and not twice) or time.monotonic() - began > wait:
                break
            time.sleep(2)
        print(f"events: catalog lists {len(set(catalog))} published items, search finds {len(set(search))}: "
              f"missing {len(missing)}, extra {len(extra)}, listed twice {twice}")
        if missing or extra or twice:
            print(f"events: FAIL: search differs from catalog, e.g. missing {sorted(missing)[:3]}, extra {sorted(extra)[:3]}")
            status = 1
    return status


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    cmd, argv = sys.argv[1], sys.argv[2:]
    return {"sample": cmd_sample, "summary": cmd_summary, "http-status": cmd_http_status, "p95": cmd_p95,
            "backlog": cmd_backlog, "events-check": cmd_events_check}[cmd](argv)


if __name__ == "__main__":
    sys.exit(main())
