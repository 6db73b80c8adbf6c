"""The benchmark's table and target check, from the result dict bench/driver.py builds (and from
a saved JSON: `python3 bench/report.py bench/out/bench-….json`, e.g. to compare 100k and 10M)."""
import json
import sys

# scenario -> (reference used for the ratio, second reference shown beside it)
REFERENCES = {
    "verify": ("select_only_builtin", "pk_select"),
    "bare_verify": ("select_only_builtin", None),
    "http_ceiling": ("select_only_builtin", None),
    "verify_half_load": (None, None),
    "retrieve": ("select_only_builtin", "pk_select"),
    "list_first": ("select_only_builtin", None),
    "list_deep": (None, None),
    "create": ("create_tx", "create_all"),
    "create_replay": ("create_tx", None),
}


def ms(us):
    return f"{us / 1000:.2f}"


def kinstr(s):
    """Thousands of instructions Payrail ran per request (user + kernel), or '-' without perf."""
    if "kinstr_user" not in s:
        return "-"
    return f"{s['kinstr_user'] + s['kinstr_kernel']:.0f}"


def print_table(r):
    a = r["args"]
    workers = lambda n: f"{n}" if n else "one per core"  # noqa: E731
    print(f"\nPayrail benchmark: {a['payments']:,} payments, c={a['connections']}, wrk -t{a['threads']}, "
          f"{a['duration']} s per run, {r['machine']['cores']} cores, {r['started']}")
    if "workers" in a:  # runs saved before the option existed used actix's default
        print(f"HTTP workers: Payrail {workers(a['workers'])}, "
              f"bare handler {workers(a.get('bare_workers', 0))}")
    print(f"{'scenario':<17}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'p99.9 ms':>9}{'CPU %':>7}{'RSS MiB':>8}"
          f"{'mach %':>7}{'kI/req':>8}  {'ratio to pgbench':<40}")
    for name, s in r["scenarios"].items():
        lat = s["latency_us"]
        refs = []
        for ref in REFERENCES.get(name, (None, None)):
            if ref and ref in r["reference"]:
                refs.append(f"{s['rps'] / r['reference'][ref]['tps']:.2f} x {ref}")
        print(f"{name:<17}{s['rps']:>8.0f}{ms(lat['p50']):>8}{ms(lat['p99']):>8}{ms(lat['p999']):>9}"
              f"{s.get('payrail_cpu_pct', 0):>7.0f}{s.get('payrail_peak_rss_mib', 0):>8.1f}"
              f"{s.get('machine_busy_pct', 0):>7.0f}{kinstr(s):>8}  {', '.join(refs)}")
    print(f"\n{'pgbench reference':<22}{'TPS':>8}{'p50 ms':>8}{'p99 ms':>8}{'p99.9 ms':>9}")
    for name, p in r["reference"].items():
        lat = p["latency_us"]
        print(f"{name:<22}{p['tps']:>8.0f}{ms(lat['p50']):>8}{ms(lat['p99']):>8}{ms(lat['p999']):>9}")
    s = r.get("seed", {})
    print(f"\nseed {s.get('payments', 0):,} payments: {s.get('seconds')} s, rows in {s.get('rows_seconds')} s "
          f"then indexes (+ VACUUM ANALYZE "
          f"{s.get('vacuum_analyze_seconds')} s), payments table {s.get('payments_table_mib')} MiB; "
          f"start-up to ready {r.get('startup_to_ready_ms')} ms; idle RSS {r.get('idle_rss_mib')} MiB; "
          f"peak RSS (VmHWM) {r.get('peak_rss_mib_lifetime')} MiB; replay pool {r.get('replay_pool_keys')} keys")
    print_targets(r)


def print_targets(r):
    sc, ref = r["scenarios"], r["reference"]
    checks = []
    def check(label, value, ok):
        checks.append((label, value, ok))
    def ratio(name, reference, target, label):
        if name in sc and reference in ref:
            x = sc[name]["rps"] / ref[reference]["tps"]
            check(f"{name} >= {target} x {label}", f"{x:.2f}", x >= target)
    # Issue 20's targets.
    ratio("verify", "select_only_builtin", 0.8, "pgbench -S")
    ratio("retrieve", "select_only_builtin", 0.5, "pgbench -S")
    ratio("list_first", "select_only_builtin", 0.25, "pgbench -S")
    ratio("create", "create_tx", 0.6, "pgbench insert tx")
    if "verify_half_load" in sc:
        h = sc["verify_half_load"]
        check("verify p99 < 2 ms at half load", f"{ms(h['latency_us']['p99'])} ms at {h['rps']:.0f} req/s "
              f"(target {h.get('target_rps')})", h["latency_us"]["p99"] < 2000)
    if "verify" in sc:
        lat = sc["verify"]["latency_us"]
        x = lat["p99"] / max(1, lat["p50"])
        check("verify p99 within 3 x p50 at full load (the target is at 10M)", f"{x:.1f} x", x <= 3)
    if "list_first" in sc and "list_deep" in sc:
        x = sc["list_deep"]["latency_us"]["p50"] / max(1, sc["list_first"]["latency_us"]["p50"])
        check("deep list page ~ first (p50 ratio <= 1.2)", f"{x:.2f}", x <= 1.2)
    peak = max([s.get("payrail_peak_rss_mib", 0) for s in sc.values()] + [r.get("peak_rss_mib_lifetime", 0)])
    check("peak RSS < 32 MiB", f"{peak} MiB", peak < 32)
    if "idle_rss_mib" in r:
        check("idle RSS < 20 MiB", f"{r['idle_rss_mib']} MiB", r["idle_rss_mib"] < 20)
    if "startup_to_ready_ms" in r:
        check("start-up to ready < 1 s", f"{r['startup_to_ready_ms']} ms", r["startup_to_ready_ms"] < 1000)
    print("\ntargets:")
    for label, value, ok in checks:
        print(f"  {'MET   ' if ok else 'MISSED'} {label}: {value}")


def compare_scale(small, large):
    """verify/retrieve latency at 10M within 1.2x of 100k."""
    for name in ("verify", "retrieve"):
        a, b = small["scenarios"][name]["latency_us"], large["scenarios"][name]["latency_us"]
        x = b["p50"] / max(1, a["p50"])
        print(f"  {'MET   ' if x <= 1.2 else 'MISSED'} {name} p50 at {large['args']['payments']:,} / at "
              f"{small['args']['payments']:,}: {x:.2f} (p99 {b['p99'] / max(1, a['p99']):.2f})")


if __name__ == "__main__":
    runs = [json.load(open(p)) for p in sys.argv[1:]]
    for run in runs:
        print_table(run)
    if len(runs) == 2:
        print("\nscale:")
        compare_scale(*sorted(runs, key=lambda x: x["args"]["payments"]))
