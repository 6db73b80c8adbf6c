"""Helpers for bench/driver.py: signed HTTP calls, psql, process sampling, and running wrk and
pgbench with their results parsed into plain dicts. Standard library only, so `bench/run` works
on a fresh machine with python3."""
import glob
import hashlib
import hmac
import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")
BENCH_DIR = os.path.dirname(os.path.abspath(__file__))


def sign(secret: str, ts: str, message: bytes) -> str:
    return hmac.new(secret.encode(), ts.encode() + message, hashlib.sha256).hexdigest()


def call(base, merchant, secret, method, path, body=None, timeout=10):
    """One request signed as docs/signing.md says (v1); returns (status, parsed JSON or text)."""
    ts = str(int(time.time()))
    data = json.dumps(body, separators=(",", ":")).encode() if body is not None else None
    headers = {
        "X-Merchant-Id": merchant,
        "X-Timestamp": ts,
        "X-HMAC-Signature": sign(secret, ts, data if data else path.encode()),
    }
    if data:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def psql(url, sql=None, file=None, variables=None, quiet=True):
    """Runs SQL with psql (stops on the first error); returns stdout (unaligned, tuples only)."""
    cmd = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url]
    for k, v in (variables or {}).items():
        cmd += ["-v", f"{k}={v}"]
    cmd += ["-c", sql] if sql is not None else ["-f", file]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"psql failed: {out.stderr.strip()}")
    return out.stdout.strip()


class Sampler:
    """Samples one process (RSS from /proc/<pid>/status, CPU from /proc/<pid>/stat) and the whole
    machine's busy share (/proc/stat) while a load runs."""

    def __init__(self, pid, interval=0.1):
        self.pid, self.interval = pid, interval
        self.peak_rss_kib = 0
        self._stop = threading.Event()

    def _status_kib(self, field):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def rss_kib(self):
        return self._status_kib("VmRSS")

    def hwm_kib(self):
        """Peak RSS over the process's life."""
        return self._status_kib("VmHWM")

    def cpu_ticks(self):
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime

    @staticmethod
    def machine():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        idle = v[3] + v[4]
        return sum(v) - idle, sum(v)

    def _loop(self):
        while not self._stop.is_set():
            self.peak_rss_kib = max(self.peak_rss_kib, self.rss_kib())
            time.sleep(self.interval)

    def __enter__(self):
        self.t0, self.c0, self.m0 = time.monotonic(), self.cpu_ticks(), self.machine()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join()
        elapsed = time.monotonic() - self.t0
        self.cpu_pct = 100.0 * (self.cpu_ticks() - self.c0) / CLK_TCK / elapsed
        busy, total = self.machine()
        self.machine_busy_pct = 100.0 * (busy - self.m0[0]) / max(1, total - self.m0[1])


class InstructionCounter:
    """Counts the instructions Payrail retires during a run (`perf stat`, when perf and the CPU's
    counters are there). Unlike req/s and CPU %, instructions per request hardly move with the
    host's noise, so two builds can be compared on a busy machine.

    With BENCH_CALLGRIND=1 (the driver then runs Payrail under valgrind's callgrind, for VMs
    without hardware counters) it zeroes callgrind's counters when the run starts and dumps them
    when it ends: user-space instructions only, and under valgrind Payrail runs tens of times
    slower, so more lookups queue per batch than natively (the driver records how many)."""

    def __init__(self, pid, path):
        self.path = path
        self.pid = pid
        self.callgrind = os.environ.get("BENCH_CALLGRIND") == "1"
        if self.callgrind:
            self.proc = None
            subprocess.run(["callgrind_control", "-z", str(pid)], capture_output=True, timeout=300)
            return
        try:
            self.proc = subprocess.Popen(["perf", "stat", "-x", ",", "-e", "instructions:u,instructions:k",
                                          "-p", str(pid), "-o", path], stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)
        except FileNotFoundError:
            self.proc = None

    def per_request(self, requests):
        """Stops counting; thousands of instructions per request, user and kernel."""
        if self.callgrind:
            return self._callgrind_per_request(requests)
        if self.proc is None:
            return {}
        self.proc.send_signal(2)
        self.proc.wait()
        counts = {}
        for line in open(self.path):
            fields = line.strip().split(",")
            if len(fields) > 2 and fields[0].isdigit():
                counts[fields[2].split(":")[-1]] = int(fields[0])
        if requests <= 0 or not {"u", "k"} <= counts.keys():
            return {}
        return {"kinstr_user": round(counts["u"] / requests / 1000, 1),
                "kinstr_kernel": round(counts["k"] / requests / 1000, 1)}


    def _callgrind_per_request(self, requests):
        subprocess.run(["callgrind_control", "-d", str(self.pid)], capture_output=True, timeout=300)
        dumps = glob.glob(os.path.join(os.path.dirname(self.path), f"callgrind.out.{self.pid}.*"))
        if not dumps or requests <= 0:
            return {}
        newest = max(dumps, key=lambda p: int(p.rsplit(".", 1)[1]))
        for line in open(newest):
            if line.startswith("totals:"):
                return {"kinstr_user": round(int(line.split()[1]) / requests / 1000, 1),
                        "kinstr_kernel": 0.0, "callgrind_dump": newest}
        return {}


def run_wrk(url, scenario, duration, connections, threads, env, sampler_pid=None):
    """Runs wrk with bench/lua/payrail.lua; returns the script's BENCH_RESULT plus derived fields."""
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency",
           "-s", os.path.join(BENCH_DIR, "lua", "payrail.lua"), url]
    full_env = dict(os.environ, BENCH_DIR=os.path.join(BENCH_DIR, "lua"), BENCH_SCENARIO=scenario, **env)
    sampler = Sampler(sampler_pid) if sampler_pid else None
    if sampler:
        sampler.__enter__()
    out = subprocess.run(cmd, capture_output=True, text=True, env=full_env)
    if sampler:
        sampler.__exit__(None, None, None)
    line = next((l for l in out.stdout.splitlines() if l.startswith("BENCH_RESULT ")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk {scenario} failed: {out.stdout}\n{out.stderr}")
    res = json.loads(line.split(" ", 1)[1])
    res["rps"] = res["requests"] / (res["duration_us"] / 1e6)
    res["stdout"] = [l for l in out.stdout.splitlines() if l.startswith("SELFCHECK")]
    if sampler:
        res["payrail_cpu_pct"] = round(sampler.cpu_pct, 1)
        res["machine_busy_pct"] = round(sampler.machine_busy_pct, 1)
        res["payrail_peak_rss_mib"] = round(sampler.peak_rss_kib / 1024, 1)
    return res


def percentile(sorted_values, p):
    if not sorted_values:
        return 0
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def run_pgbench(url, duration, connections, threads, workdir, builtin=None, script=None,
                variables=None, sampling=0.2):
    """pgbench -M prepared; TPS from its report, latency percentiles from its per-transaction
    log (sampled at `sampling`)."""
    prefix = os.path.join(workdir, "pgbench_log")
    for f in os.listdir(workdir):
        if f.startswith("pgbench_log"):
            os.remove(os.path.join(workdir, f))
    cmd = ["pgbench", "-n", "-r", "-M", "prepared", "-c", str(connections), "-j", str(threads),
           "-T", str(duration), "-l", f"--log-prefix={prefix}", f"--sampling-rate={sampling}"]
    cmd += [builtin] if builtin else ["-f", script]
    for k, v in (variables or {}).items():
        cmd += ["-D", f"{k}={v}"]
    cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"pgbench failed: {out.stdout}\n{out.stderr}")
    tps = None
    failed = 0
    for line in out.stdout.splitlines():
        if line.startswith("tps =") and "without initial" in line:
            tps = float(line.split("=")[1].split()[0])
        if line.startswith("number of failed transactions"):
            failed = int(line.split(":")[1].split()[0])
    lat = []
    for f in os.listdir(workdir):
        if f.startswith("pgbench_log"):
            with open(os.path.join(workdir, f)) as fh:
                lat.extend(int(l.split()[2]) for l in fh if l.strip())
    lat.sort()
    # -r: average latency of each statement (ms), to see where a script's time goes.
    statements = [l.strip() for l in out.stdout.splitlines()
                  if l.startswith("  ") and l.strip()[:1].isdigit() and not l.strip().startswith("\\")]
    return {"tps": tps, "failed": failed, "statement_ms": statements,
            "latency_us": {"p50": percentile(lat, 50), "p99": percentile(lat, 99),
                           "p999": percentile(lat, 99.9), "samples": len(lat)}}
