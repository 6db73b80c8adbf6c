"""Where a scenario's payment rows came from: Postgres's shared buffers, the OS page cache or
the disk (issue 20: is verify's tail at 10M a cold cache or the coalescing?).

- `pg_statio_user_tables`: the payments table's and its indexes' block reads that missed shared
  buffers (`*_blks_read`) and those that hit (`*_blks_hit`). Postgres 15 flushes these about
  once a second, so the last second of a run may fall into the next sample.
- `/proc/<pid>/io` `read_bytes` summed over the cluster's processes: what the kernel actually
  read from storage for them (a read served from the page cache does not count). Backends that
  exit take their count with them, so this is exact for Payrail's pooled connections and misses
  pgbench's (its backends end with the run).

`BENCH_COLD=1` makes each Payrail scenario and the `pk_select` reference start cold: a
CHECKPOINT, then the payments table's and its indexes' files are written back and dropped from
the page cache (`posix_fadvise(DONTNEED)`, which touches only those files of this throwaway
cluster, not the machine's cache). With a small `BENCH_SHARED_BUFFERS` (bench/run) that is the
state of a large table read for the first time after a restart. It is an experiment's setting,
not the benchmark's: a normal run reads whatever the seed and the runs before left cached.
"""

import glob
import os
import subprocess

from benchlib import psql


def cold_wanted():
    return os.environ.get("BENCH_COLD") == "1"


def _cluster_pids():
    data = os.path.join(os.environ["PG_DIR"], "data")
    postmaster = int(open(os.path.join(data, "postmaster.pid")).readline())
    pids = [postmaster]
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = open(stat).read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == postmaster:
            pids.append(int(stat.split("/")[2]))
    return pids


def _storage_read_bytes():
    total = 0
    for pid in _cluster_pids():
        try:
            for line in open(f"/proc/{pid}/io"):
                if line.startswith("read_bytes:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def _statio(db_url):
    row = psql(db_url, "SELECT heap_blks_read, heap_blks_hit, idx_blks_read, idx_blks_hit "
                       "FROM pg_statio_user_tables WHERE relname = 'payments'")
    return [int(x or 0) for x in row.split("|")]


def sample(db_url):
    return {"statio": _statio(db_url), "read_bytes": _storage_read_bytes()}


def delta(db_url, before, requests):
    """What one run read, from `before` (a `sample`) to now; per request where it helps."""
    after = sample(db_url)
    heap_read, heap_hit, idx_read, idx_hit = (a - b for a, b in zip(after["statio"], before["statio"]))
    storage = after["read_bytes"] - before["read_bytes"]
    return {"heap_blks_read": heap_read, "heap_blks_hit": heap_hit, "idx_blks_read": idx_read,
            "idx_blks_hit": idx_hit, "storage_read_mib": round(storage / 2**20, 1),
            "storage_read_kib_per_request": round(storage / 1024 / max(1, requests), 2)}


def _payments_files(db_url):
    rels = psql(db_url, """
        SELECT pg_relation_filepath(c.oid) FROM pg_class c
        WHERE c.oid = 'payments'::regclass
           OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'payments'::regclass)""")
    data = os.path.join(os.environ["PG_DIR"], "data")
    files = []
    for rel in rels.split("\n"):
        base = os.path.join(data, rel)
        files += [base] + sorted(glob.glob(base + ".[0-9]*"))
    return [f for f in files if os.path.exists(f)]


def evict(db_url):
    """Writes back the payments files and drops them from the page cache (see the module docs);
    returns how many files, and how many of their pages the kernel still has cached."""
    psql(db_url, "CHECKPOINT")
    files = _payments_files(db_url)
    for path in files:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    return len(files), sum(_cached_pages(p) for p in files)


def _cached_pages(path):
    out = subprocess.run(["fincore", "--raw", "--noheadings", "--output", "PAGES", path],
                         capture_output=True, text=True).stdout.strip()
    return int(out or 0)


def lookup_counters(base):
    """Payrail's coalesced-lookup counters (`payrail_*lookup*_total`), by name."""
    import urllib.request
    with urllib.request.urlopen(base + "/metrics", timeout=5) as r:
        text = r.read().decode()
    return {name[len("payrail_"):]: float(value) for name, value in
            (line.split() for line in text.splitlines()
             if line.startswith("payrail_") and "lookup" in line and " " in line)}


def lookups_per_query(before, after):
    """Per kind (`status`, `payment`): lookups, queries, their ratio and the slow batches."""
    d = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    out = {}
    for kind in ("status", "payment"):
        lookups, queries = d.get(f"{kind}_lookups_total", 0), d.get(f"{kind}_lookup_queries_total", 0)
        if lookups:
            out[kind] = {"lookups": int(lookups), "queries": int(queries),
                         "per_query": round(lookups / max(1, queries), 2),
                         "slow_batches": int(d.get(f"{kind}_lookup_slow_batches_total", 0))}
    return out
