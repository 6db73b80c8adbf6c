#!/usr/bin/env python3
"""The benchmark itself (bench/run builds Payrail and starts Postgres, then runs this).

Starts the gateway simulators (`payrail sim`) and Payrail (production mode: Postgres, sandbox
off, JSON logs) on loopback, seeds N payments shaped like a real one, then measures each scenario
with wrk and the matching reference with pgbench on the same Postgres at the same concurrency.
Writes a table to stdout and everything to bench/out/<stamp>.json. See bench/README.md."""
import argparse
import base64
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from benchlib import BENCH_DIR, InstructionCounter, Sampler, call, psql, run_pgbench, run_wrk, sign
import pg_reads
from report import print_table

PSC_CREDENTIALS = {"merchant_id": "1000", "api_key": "PSTG6ELOB2YXKO4ZHRQ6NKTSBY",
                   "api_secret": "MpkvVlXvYTZVPPJ0LReNA-g_yC7V7foe4UAj7tgWJSM"}


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_ready(url, proc, limit=30.0):
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except Exception:
            pass
        time.sleep(0.002)
    raise RuntimeError(f"{url} not ready after {limit}s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--payments", type=int, default=100_000)
    ap.add_argument("--duration", type=int, default=20)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--workers", type=int, default=1,
                    help="Payrail's HTTP workers (0: actix's default, one per core)")
    ap.add_argument("--bare-workers", type=int, default=0,
                    help="the bare handler's HTTP workers (0: actix's default, one per core)")
    ap.add_argument("--pgbench-scale", type=int, default=10)
    ap.add_argument("--audit", action="store_true",
                    help="after seeding, run `payrail audit` over the store and record its time and peak RSS")
    ap.add_argument("--only", default="", help="comma-separated scenarios to run (default: all); "
                    "their pgbench references run with them")
    args = ap.parse_args()
    binary, pg_url = os.environ["PAYRAIL_BIN"], os.environ["PG_URL"]
    out_dir = os.path.join(BENCH_DIR, "out")
    work = os.path.join(out_dir, "work")
    os.makedirs(work, exist_ok=True)
    base_db = pg_url.rsplit("/", 1)[0]
    db_url, pgb_url = base_db + "/payrail", base_db + "/pgbench"
    psql(pg_url, "CREATE DATABASE payrail")
    psql(pg_url, "CREATE DATABASE pgbench")
    result = {"machine": {"cores": os.cpu_count(), "kernel": os.uname().release},
              "args": vars(args), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
              "postgres": psql(pg_url, "SHOW server_version"), "scenarios": {}, "reference": {}}
    procs = []
    try:
        run(args, binary, db_url, pgb_url, work, result, procs)
    except Exception as e:
        result["error"] = str(e)
        log(f"FAILED: {e}")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = os.path.join(out_dir, f"bench-{args.payments}-{stamp}.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
    print_table(result)
    print(f"\nJSON: {path}")
    if "error" in result:
        sys.exit(1)


def run(args, binary, db_url, pgb_url, work, result, procs):
    sim_port, port = free_port(), free_port()
    env = dict(os.environ, DATABASE_URL=db_url, PAYRAIL__SANDBOX__ENABLED="false",
               PAYRAIL__SECURITY__MASTER_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
               PAYRAIL__ADMIN__TOKEN=secrets.token_urlsafe(24),
               PAYRAIL__SERVER__LISTEN=f"127.0.0.1:{port}", PAYRAIL__LOG__FORMAT="json",
               PAYRAIL__LOG__LEVEL=os.environ.get("BENCH_LOG_LEVEL", "info"))
    if args.workers:
        env["PAYRAIL__SERVER__WORKERS"] = str(args.workers)
    def cli(*a):
        out = subprocess.run([binary, *a], env=env, cwd=work, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"payrail {' '.join(a)}: {out.stderr}")
        return out.stdout.strip()

    sim_log = open(os.path.join(work, "sim.log"), "w")
    procs.append(subprocess.Popen([binary, "sim", "--listen", f"127.0.0.1:{sim_port}"], env=env,
                                  cwd=work, stdout=sim_log, stderr=subprocess.STDOUT))
    log(cli("migrate"))
    merchant = json.loads(cli("merchant", "create", "--name", "Bench Shop"))
    mid, secret = merchant["id"], merchant["secret"]
    sim_base = f"http://127.0.0.1:{sim_port}/paystablecoin"
    acc = json.loads(cli("provider", "connect", "--merchant", mid, "--provider", "paystablecoin",
                         "--credentials", json.dumps(PSC_CREDENTIALS), "--base-url", sim_base))
    # pgbench's create transactions write as a second merchant, so they never show in the lists.
    pgm = json.loads(cli("merchant", "create", "--name", "pgbench"))
    pga = json.loads(cli("provider", "connect", "--merchant", pgm["id"], "--provider", "paystablecoin",
                         "--credentials", json.dumps(PSC_CREDENTIALS), "--base-url", sim_base))

    # Start-up to ready on an up-to-date schema (migrations were applied above).
    app_log = open(os.path.join(work, "payrail.log"), "w")
    t0 = time.monotonic()
    # BENCH_CALLGRIND=1: Payrail serves under callgrind, which counts its instructions per run
    # (benchlib.InstructionCounter) where the VM has no hardware counters for perf.
    callgrind = os.environ.get("BENCH_CALLGRIND") == "1"
    prefix = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={work}/callgrind.out.%p"] if callgrind else []
    app = subprocess.Popen([*prefix, binary, "serve"], env=env, cwd=work, stdout=app_log, stderr=subprocess.STDOUT)
    procs.insert(0, app)
    base = f"http://127.0.0.1:{port}"
    wait_ready(base + "/readyz", app, limit=300.0 if callgrind else 30.0)
    result["startup_to_ready_ms"] = round((time.monotonic() - t0) * 1000, 1)
    log(f"payrail ready in {result['startup_to_ready_ms']} ms (pid {app.pid})")

    # A real payment through the API and the simulator: the template the seed copies.
    status, created = call(base, mid, secret, "POST", "/v1/payments",
                           {"amount": "10.00", "currency": "USD", "order_id": "template-1",
                            "provider": "paystablecoin", "idempotency_key": "template-1"})
    assert status == 201, (status, created)
    template = created["id"]
    time.sleep(2)
    result["idle_rss_mib"] = round(Sampler(app.pid).rss_kib() / 1024, 1)

    # Seed. Payment i was created at start_ms + i * step_ms, over the 30 days before the template.
    n = args.payments
    end_ms = int(time.time() * 1000) - 3_600_000
    step_ms = max(1, (30 * 86_400_000) // n)
    start_ms = end_ms - step_ms * n
    ids_sql = open(os.path.join(BENCH_DIR, "sql", "ids.sql")).read()
    ids_sql = ids_sql.replace("{{start_ms}}", str(start_ms)).replace("{{step_ms}}", str(step_ms))
    ids_path = os.path.join(work, "ids.sql")
    open(ids_path, "w").write(ids_sql)
    psql(db_url, file=ids_path)
    t0 = time.monotonic()
    schema_before = schema_of(db_url)
    psql(db_url, file=os.path.join(BENCH_DIR, "sql", "seed_defer.sql"), variables={"template": template})
    chunk = max(1, min(250_000, -(-n // 2)))
    def seed_chunk(lo):
        psql(db_url, file=os.path.join(BENCH_DIR, "sql", "seed.sql"),
             variables={"lo": lo, "hi": min(n, lo + chunk), "template": template})
        return min(n, lo + chunk)
    # Two chunks at a time: one Postgres backend per core.
    with ThreadPoolExecutor(max_workers=2) as pool:
        for done, hi in enumerate(pool.map(seed_chunk, range(0, n, chunk)), 1):
            log(f"seeded chunk {done} (up to {hi}) of {-(-n // chunk)} ({time.monotonic() - t0:.0f} s)")
    rows_s = time.monotonic() - t0
    psql(db_url, file=os.path.join(BENCH_DIR, "sql", "seed_restore.sql"))
    log(f"indexes and constraints rebuilt ({time.monotonic() - t0:.0f} s)")
    if schema_of(db_url) != schema_before:
        raise RuntimeError("the seeded tables' indexes, constraints or triggers differ from the migrations'")
    seed_s = time.monotonic() - t0
    t0 = time.monotonic()
    psql(db_url, "VACUUM ANALYZE payments")
    psql(db_url, "VACUUM ANALYZE attempts")
    psql(db_url, "VACUUM ANALYZE payment_events")
    result["seed"] = {"payments": n, "seconds": round(seed_s, 1), "rows_seconds": round(rows_s, 1),
                      "vacuum_analyze_seconds": round(time.monotonic() - t0, 1),
                      "payments_table_mib": round(int(psql(db_url, "SELECT pg_total_relation_size('payments')")) / 2**20)}
    log(f"seed: {result['seed']}")
    if args.audit:
        result["audit"] = audit(binary, env, work)
        log(f"audit: {result['audit']}")

    wrk_env = {"BENCH_MERCHANT": mid, "BENCH_SECRET": secret, "BENCH_N": str(n),
               "BENCH_START_MS": str(start_ms), "BENCH_STEP_MS": str(step_ms),
               "BENCH_TAG": secrets.token_hex(4)}
    result["lua_sign_us"] = self_check(base, mid, secret, wrk_env, db_url, n, template)
    # Deep page: the cursor of seeded payment n/2 (newest first, so about half the list ahead).
    mid_i = n // 2
    mid_id = psql(db_url, f"SELECT bench.pay_id({mid_i})")
    cursor = base64.urlsafe_b64encode(f"{(start_ms + mid_i * step_ms) * 1000}|{mid_id}".encode()).decode().rstrip("=")
    status, page = call(base, mid, secret, "GET", f"/v1/payments?limit=20&starting_after={cursor}")
    assert status == 200 and page["data"][0]["id"] == psql(db_url, f"SELECT bench.pay_id({mid_i - 1})"), (status, page)
    wrk_env["BENCH_CURSOR"] = cursor

    c, d, th = args.connections, args.duration, args.threads
    only = set(filter(None, args.only.split(",")))
    # Half load is paced from verify's maximum; replays replay the keys create stored.
    only |= {"verify" for o in only if o == "verify_half_load"} | {"create" for o in only if o == "create_replay"}
    wanted = lambda *names: not only or bool(only.intersection(names))

    def cold(name):
        if pg_reads.cold_wanted():
            files, cached = pg_reads.evict(db_url)
            log(f"{name} starts cold: {files} payments files dropped from the page cache ({cached} pages left)")

    def payrail(name, scenario, **extra):
        if not wanted(name):
            return None
        cold(name)
        if args.warmup:
            run_wrk(base, scenario, args.warmup, c, th, dict(wrk_env, **extra))
        # BENCH_PERF=<scenario>: record a CPU profile of Payrail during that run (perf, if present).
        perf = None
        if os.environ.get("BENCH_PERF") == name:
            perf = subprocess.Popen(["perf", "record", "-F", "499", "-g", "-p", str(app.pid), "-o",
                                     os.path.join(work, f"perf-{name}.data")], stderr=subprocess.DEVNULL)
        reads, batched = pg_reads.sample(db_url), pg_reads.lookup_counters(base)
        counter = InstructionCounter(app.pid, os.path.join(work, f"instructions-{name}.csv"))
        r = run_wrk(base, scenario, d, c, th, dict(wrk_env, **extra), sampler_pid=app.pid)
        if perf:
            perf.send_signal(2)
            perf.wait()
        r.update(counter.per_request(r["requests"]))
        r["pg_reads"] = pg_reads.delta(db_url, reads, r["requests"])
        r["batching"] = pg_reads.lookups_per_query(batched, pg_reads.lookup_counters(base))
        r.pop("stdout")
        bad = sum(r["errors"].values())
        log(f"{name}: {r['rps']:.0f} req/s p99 {r['latency_us']['p99']} us cpu {r.get('payrail_cpu_pct')}% "
            f"k-instructions/req {r.get('kinstr_user')} user + {r.get('kinstr_kernel')} kernel "
            f"rss {r.get('payrail_peak_rss_mib')} MiB errors {bad} reads {r['pg_reads']} batching {r['batching']}")
        if bad:
            raise RuntimeError(f"{name}: {r['errors']} (non-2xx or socket errors: the run is invalid)")
        result["scenarios"][name] = r
        return r

    def bare(name="bare_verify", database=True):
        """The same verify load against bench/bare, started for this run only. Without the
        database (`http_ceiling`) it answers every signed request at once: what any endpoint can
        reach on this machine with this load generator."""
        bare_port = free_port()
        proc = subprocess.Popen([os.environ["BARE_BIN"]], env=dict(
            os.environ, DATABASE_URL=db_url, LISTEN=f"127.0.0.1:{bare_port}", BENCH_MERCHANT=mid,
            BENCH_SECRET=secret, BARE_NO_DATABASE="0" if database else "1",
            **({"WORKERS": str(args.bare_workers)} if args.bare_workers else {})),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            bare_base = f"http://127.0.0.1:{bare_port}"
            t0 = time.monotonic()
            while time.monotonic() - t0 < 10:
                try:
                    call(bare_base, mid, secret, "GET", f"/v1/payments/{template}/verify")
                    break
                except Exception:
                    time.sleep(0.05)
            status, body = call(bare_base, mid, secret, "GET", f"/v1/payments/{template}/verify")
            assert status == 200 and body["status"] == "pending", (status, body)
            if args.warmup:
                run_wrk(bare_base, "verify", args.warmup, c, th, wrk_env)
            counter = InstructionCounter(proc.pid, os.path.join(work, f"instructions-{name}.csv"))
            r = run_wrk(bare_base, "verify", d, c, th, wrk_env, sampler_pid=proc.pid)
            r.update(counter.per_request(r["requests"]))
            r.pop("stdout")
            if sum(r["errors"].values()):
                raise RuntimeError(f"{name}: {r['errors']}")
            log(f"{name}: {r['rps']:.0f} req/s p99 {r['latency_us']['p99']} us cpu {r.get('payrail_cpu_pct')}%")
            result["scenarios"][name] = r
        finally:
            proc.terminate()
            proc.wait(timeout=10)

    def pgbench(name, **kw):
        on_payments = name == "pk_select"
        if on_payments:
            cold(name)
        reads = pg_reads.sample(db_url)
        r = run_pgbench(duration=d, connections=c, threads=th, workdir=work, **kw)
        if on_payments:
            r["pg_reads"] = pg_reads.delta(db_url, reads, int(r["tps"] * d))
        log(f"pgbench {name}: {r['tps']:.0f} tps p99 {r['latency_us']['p99']} us reads {r.get('pg_reads')}")
        result["reference"][name] = r
        return r

    t0 = time.monotonic()
    subprocess.run(["pgbench", "-i", "-q", "-s", str(args.pgbench_scale), pgb_url], check=True,
                   capture_output=True)
    log(f"pgbench -i -s {args.pgbench_scale}: {time.monotonic() - t0:.1f} s")
    sql = lambda f: os.path.join(BENCH_DIR, "sql", f)
    pg_vars = {"n": n, "m": mid}
    pgbench("select_only_builtin", url=pgb_url, builtin="-S")
    if wanted("verify", "verify_half_load", "retrieve"):
        pgbench("pk_select", url=db_url, script=sql("pgbench_verify.sql"), variables=pg_vars)
    v = payrail("verify", "verify")
    if v and os.environ.get("BARE_BIN", "none") != "none":
        bare()
        bare("http_ceiling", database=False)
    if v and wanted("verify_half_load"):
        # Half of the maximum: each connection pauses between requests (wrk has no rate option);
        # the pause is corrected once by the latency seen at that pause, and the achieved rate is
        # reported.
        target = v["rps"] / 2
        pause = c * 1000.0 / target
        probe = run_wrk(base, "verify", 5, c, th, dict(wrk_env, BENCH_DELAY_MS=f"{pause:.3f}"))
        pause = max(0.0, pause - probe["latency_us"]["mean"] / 1000.0)
        h = payrail("verify_half_load", "verify", BENCH_DELAY_MS=f"{pause:.3f}")
        h["target_rps"] = round(target)
    payrail("retrieve", "retrieve")
    payrail("list_first", "list_first")
    payrail("list_deep", "list_deep")
    if wanted("create", "create_replay"):
        create_vars = {"m": pgm["id"], "acc": pga["id"], "now_ms": int(time.time() * 1000)}
        pgbench("create_tx", url=db_url, script=sql("pgbench_create_tx.sql"), variables=create_vars)
        pgbench("create_all", url=db_url, script=sql("pgbench_create_all.sql"), variables=create_vars)
        payrail("create", "create")
    if wanted("create_replay"):
        keys_path = os.path.join(work, "keys.txt")
        keys = psql(db_url, f"SELECT key FROM idempotency_keys WHERE merchant_id = '{mid}' AND state = 'done' AND key LIKE 'bk-%'")
        open(keys_path, "w").write(keys + "\n")
        result["replay_pool_keys"] = keys.count("\n") + 1
        payrail("create_replay", "replay", BENCH_KEYS=keys_path)
    result["peak_rss_mib_lifetime"] = round(Sampler(app.pid).hwm_kib() / 1024, 1)
    time.sleep(3)
    result["rss_after_load_mib"] = round(Sampler(app.pid).rss_kib() / 1024, 1)


def audit(binary, env, work):
    """`payrail audit` over the seeded store: its wall time, peak RSS and summary line."""
    t0 = time.monotonic()
    proc = subprocess.Popen([binary, "audit"], env=env, cwd=work, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    sampler = Sampler(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            peak = max(peak, sampler.hwm_kib())
        except OSError:
            break
        time.sleep(0.5)
    out, err = proc.communicate()
    lines = out.strip().splitlines()
    return {"exit_code": proc.returncode, "seconds": round(time.monotonic() - t0, 1),
            "peak_rss_mib": round(peak / 1024, 1), "summary": lines[-1] if lines else err.strip()[-300:],
            "violations_shown": lines[:-1][:5]}


def schema_of(db_url):
    """Every index and constraint of the seeded tables, as Postgres would recreate them, and
    every trigger with whether it is enabled."""
    return psql(db_url, """
        SELECT string_agg(d, E'\n' ORDER BY d) FROM (
          SELECT indexdef AS d FROM pg_indexes
          WHERE tablename IN ('payments', 'attempts', 'payment_events', 'outbox_events')
          UNION ALL
          SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
          FROM pg_constraint
          WHERE conrelid IN ('payments'::regclass, 'attempts'::regclass, 'payment_events'::regclass,
                             'outbox_events'::regclass)
          UNION ALL
          SELECT tgrelid::regclass || ' trigger ' || tgname || ' ' || tgenabled::text
          FROM pg_trigger WHERE NOT tgisinternal
        ) s""")


def self_check(base, mid, secret, wrk_env, db_url, n, template):
    """The Lua signer against openssl and Python, and every scenario's request shape once."""
    r = run_wrk(base, "selfcheck", 1, 1, 1, wrk_env)
    got = dict(l.split(" ", 2)[1:] for l in r["stdout"])
    hmac1 = subprocess.run(["openssl", "dgst", "-sha256", "-hmac", "himo_sk_test_123", "-r"],
                           input=b'1714764000{"amount": "10.00"}', capture_output=True).stdout.split()[0].decode()
    want = {"sha256('abc')": subprocess.run(["openssl", "dgst", "-sha256", "-r"], input=b"abc",
                                           capture_output=True).stdout.split()[0].decode(),
            "hmac1": hmac1,
            "hmac2": sign("k" * 100, "", b"m" * 200),
            "hmac3": sign("prl_sk_x", "1714764000", b"/v1/payments/"),
            "pay_id": psql(db_url, f"SELECT bench.pay_id({n - 1})")}
    result_sign_us = got.pop("sign_us", None)
    signer = got.pop("signer", "lua")
    log(f"signing ({signer}) costs {result_sign_us} us per request in wrk")
    for k, v in want.items():
        if got.get(k) != v:
            raise RuntimeError(f"self-check {k}: lua {got.get(k)} != {v}")
    status, _ = call(base, mid, secret, "GET", f"/v1/payments/{want['pay_id']}/verify")
    assert status == 200, f"verify of a seeded payment answered {status}"
    status, _ = call(base, mid, secret, "GET", f"/v1/payments/{template}")
    assert status == 200, status
    log(f"self-check: wrk's SHA-256 and HMAC ({signer}) and ids match openssl, Python and Postgres; "
        "seeded rows readable")
    return float(result_sign_us) if result_sign_us else None


if __name__ == "__main__":
    main()
