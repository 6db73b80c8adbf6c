#!/usr/bin/env python3
"""Times the console overview's reads at scale (issue 18): not a test, CI does not run it.

Seeds N payments exactly as bench/driver.py does (bench/sql/: a real PayStableCoin payment
copied N times over the last 30 days, 9 in 10 completed; secondary indexes rebuilt after the
load), VACUUM ANALYZEs (as autovacuum would after a bulk load: the overview's index-only scans
need the visibility map), then times through Payrail itself: `GET /v1/admin/stats` for several
windows and groupings, and the whole `GET /console` page (both windows by gateway and method,
hosted conversion, refunds, backlog, circuits, reconciler lag). Each stats answer's totals are
checked against a count of the rows themselves (the run fails on a difference), and the size
of the hourly rollup is recorded. Needs PAYRAIL_BIN and PG_URL (a superuser URL):

    source scripts/pg.sh; start_pg
    PAYRAIL_BIN=target/release/payrail PG_URL=$PG_URL python3 bench/console_queries.py --payments 1000000
"""
import argparse
import base64
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import BENCH_DIR, call, psql  # noqa: E402
from driver import PSC_CREDENTIALS, free_port, log, wait_ready  # noqa: E402

RUNS = 5


def timed_get(url, headers):
    """Median and max wall time (ms) of RUNS GETs, after one warm-up; every answer must be 200."""
    times = []
    for i in range(RUNS + 1):
        req = urllib.request.Request(url, headers=headers)
        t0 = time.monotonic()
        with urllib.request.urlopen(req, timeout=600) as r:
            assert r.status == 200, (url, r.status)
            r.read()
        if i:
            times.append((time.monotonic() - t0) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def seed(db_url, n, template):
    end_ms = int(time.time() * 1000) - 3_600_000
    step_ms = max(1, (30 * 86_400_000) // n)
    ids_sql = open(os.path.join(BENCH_DIR, "sql", "ids.sql")).read()
    ids_sql = ids_sql.replace("{{start_ms}}", str(end_ms - step_ms * n)).replace("{{step_ms}}", str(step_ms))
    path = os.path.join(BENCH_DIR, "out", "work", "console-ids.sql")
    open(path, "w").write(ids_sql)
    psql(db_url, file=path)
    t0 = time.monotonic()
    psql(db_url, file=os.path.join(BENCH_DIR, "sql", "seed_defer.sql"), variables={"template": template})
    chunk = max(1, min(250_000, -(-n // 2)))

    def seed_chunk(lo):
        psql(db_url, file=os.path.join(BENCH_DIR, "sql", "seed.sql"),
             variables={"lo": lo, "hi": min(n, lo + chunk), "template": template})
        return min(n, lo + chunk)

    with ThreadPoolExecutor(max_workers=2) as pool:
        for hi in pool.map(seed_chunk, range(0, n, chunk)):
            log(f"seeded up to {hi} ({time.monotonic() - t0:.0f} s)")
    psql(db_url, file=os.path.join(BENCH_DIR, "sql", "seed_restore.sql"))
    psql(db_url, "VACUUM ANALYZE payments")
    psql(db_url, "VACUUM ANALYZE refunds")
    return round(time.monotonic() - t0, 1)


def console_cookie(base, token):
    data = f"token={urllib.parse.quote(token)}".encode()
    req = urllib.request.Request(base + "/console/login", data=data, method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(req, timeout=30)
    except urllib.error.HTTPError as e:
        return e.headers["Set-Cookie"].split(";")[0]
    raise RuntimeError("sign-in did not answer 303")


def check_against_rows(base, admin, db_url, query, frm, to):
    """The stats answer's totals against a count of the rows themselves: (created, paid)."""
    req = urllib.request.Request(f"{base}/v1/admin/stats?{query}", headers=admin)
    with urllib.request.urlopen(req, timeout=600) as r:
        body = json.loads(r.read())
    answered = (sum(g["count"] for g in body["groups"]), sum(g["completed"] for g in body["groups"]))
    counted = psql(db_url, "SELECT count(*) || ' ' || count(*) FILTER (WHERE payrail_is_paid(status)) "
                   f"FROM payments WHERE created_at >= '{frm}' AND created_at < '{to}'")
    counted = tuple(int(x) for x in counted.split())
    if answered != counted:
        raise RuntimeError(f"stats {query} answered {answered}, the rows say {counted}")
    return {"created": counted[0], "paid": counted[1]}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--payments", type=int, default=1_000_000)
    args = ap.parse_args()
    binary, pg_url = os.environ["PAYRAIL_BIN"], os.environ["PG_URL"]
    work = os.path.join(BENCH_DIR, "out", "work")
    os.makedirs(work, exist_ok=True)
    db_url = pg_url.rsplit("/", 1)[0] + "/payrail_console"
    psql(pg_url, "DROP DATABASE IF EXISTS payrail_console")
    psql(pg_url, "CREATE DATABASE payrail_console")
    sim_port, port = free_port(), free_port()
    token = secrets.token_urlsafe(24)
    env = dict(os.environ, DATABASE_URL=db_url, PAYRAIL__SANDBOX__ENABLED="false",
               PAYRAIL__SECURITY__MASTER_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
               PAYRAIL__ADMIN__TOKEN=token, PAYRAIL__SERVER__LISTEN=f"127.0.0.1:{port}",
               PAYRAIL__LOG__LEVEL="warn")

    def cli(*a):
        out = subprocess.run([binary, *a], env=env, cwd=work, capture_output=True, text=True, check=True)
        return out.stdout.strip()

    procs = [subprocess.Popen([binary, "sim", "--listen", f"127.0.0.1:{sim_port}"], env=env, cwd=work,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        cli("migrate")
        m = json.loads(cli("merchant", "create", "--name", "Bench Shop"))
        cli("provider", "connect", "--merchant", m["id"], "--provider", "paystablecoin",
            "--credentials", json.dumps(PSC_CREDENTIALS),
            "--base-url", f"http://127.0.0.1:{sim_port}/paystablecoin")
        procs.append(subprocess.Popen([binary, "serve"], env=env, cwd=work,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        base = f"http://127.0.0.1:{port}"
        wait_ready(base + "/readyz", procs[-1])
        status, created = call(base, m["id"], m["secret"], "POST", "/v1/payments",
                               {"amount": "10.00", "currency": "USD", "order_id": "template-1",
                                "provider": "paystablecoin", "idempotency_key": "template-1"})
        assert status == 201, (status, created)
        result = {"payments": args.payments, "seed_seconds": seed(db_url, args.payments, created["id"]),
                  "postgres": psql(pg_url, "SHOW server_version"), "runs": RUNS, "timings": {},
                  "checked": {}}
        admin = {"Authorization": f"Bearer {token}"}
        now = time.time()
        iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))  # noqa: E731
        for label, days, group in [("24h provider", 1, "provider"), ("7d provider", 7, "provider"),
                                   ("7d method", 7, "method"), ("30d merchant", 30, "merchant"),
                                   ("366d currency", 366, "currency")]:
            q = f"from={iso(now - days * 86400)}&to={iso(now)}&group_by={group}"
            result["timings"][f"GET /v1/admin/stats {label}"] = timed_get(f"{base}/v1/admin/stats?{q}", admin)
            result["checked"][label] = check_against_rows(base, admin, db_url, q, iso(now - days * 86400), iso(now))
        cookie = {"Cookie": console_cookie(base, token)}
        result["timings"]["GET /console (whole overview)"] = timed_get(base + "/console", cookie)
        result["stat_hours_rows"] = int(psql(db_url, "SELECT count(*) FROM stat_hours"))
    finally:
        for p in procs:
            p.terminate()
    out = os.path.join(BENCH_DIR, "out", f"console-{args.payments}-{time.strftime('%Y%m%d-%H%M%S')}.json")
    json.dump(result, open(out, "w"), indent=2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
