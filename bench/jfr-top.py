#!/usr/bin/env python3
"""Where a controller JFR recording (from run-sync-bench.sh --jfr) spent CPU or waited.

  bench/jfr-top.py cpu  WORK/run-1/controller-fanout.jfr    # CPU samples by mailcert frame
  bench/jfr-top.py park WORK/run-1/controller-connect.jfr   # time parked (locks, semaphores)

For each sample (cpu: jdk.ExecutionSample) or park (jdk.ThreadPark, weighted by its duration;
idle pool threads waiting for work are left out) it takes the innermost frames of the project
(org.mailcert.*) and sums them, so a hot JDK routine is charged to the mailcert code that called
it. Native work (TLS in OpenSSL, RocksDB), JIT compiler and GC threads are not in these samples.
Needs `jfr` from the JDK on PATH.
"""
import collections
import re
import subprocess
import sys


def events(kind, path):
    name = {"cpu": "jdk.ExecutionSample", "park": "jdk.ThreadPark"}[kind]
    text = subprocess.run(["jfr", "print", "--stack-depth", "64", "--events", name, path],
                          check=True, capture_output=True, text=True).stdout
    return text.split(name + " {")[1:]


IDLE = ("java.util.concurrent.ThreadPoolExecutor.getTask", "ScheduledThreadPoolExecutor$DelayedWorkQueue.take")


def millis(event):
    m = re.search(r"duration = ([\d.]+) (s|ms|us|ns)", event)
    if not m:
        return 0.0
    return float(m.group(1)) * {"s": 1000.0, "ms": 1.0, "us": 1e-3, "ns": 1e-6}[m.group(2)]


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("cpu", "park"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    kind, path = sys.argv[1], sys.argv[2]
    weight = collections.Counter()
    count = collections.Counter()
    threads = collections.Counter()
    total = 0.0
    for e in events(kind, path):
        w = 1.0 if kind == "cpu" else millis(e)
        frames = re.findall(r"^\s+([\w$.<>]+)\(", e, re.M)
        if kind == "park" and any(f.endswith(IDLE) for f in frames):
            continue
        mine = [f.replace("org.mailcert.", "") for f in frames if f.startswith("org.mailcert.")]
        key = " < ".join(mine[:3]) if mine else "(outside mailcert code) " + (frames[0] if frames else "?")
        thread = re.search(r'(?:sampledThread|eventThread) = "([^"]*)"', e)
        threads[re.sub(r"\d+", "N", thread.group(1)) if thread else "?"] += w
        weight[key] += w
        count[key] += 1
        total += w
    unit = "samples" if kind == "cpu" else "ms parked"
    print(f"{path}: {total:.0f} {unit}")
    print("by thread:")
    for k, w in threads.most_common(5):
        print(f"  {100 * w / total:5.1f} %  {k}")
    print("by innermost mailcert frames:")
    for k, w in weight.most_common(15):
        print(f"  {100 * w / total:5.1f} %  {w:10.0f}  {count[k]:6d}x  {k}")


if __name__ == "__main__":
    main()
