#!/usr/bin/env python3
"""Summarises a JFR recording for bench/run.sh --profile: where the CPU goes and what allocates.

    bench/jfr-top.py recording.jfr [top]

Prints Markdown: CPU samples by top frame (self), by method anywhere on the stack (total, once per sample), the most
frequent 8-frame stacks, allocation by allocating frame, and the collector's pauses. Uses the JDK's `jfr` tool.
"""
import collections
import json
import subprocess
import sys


def events(recording, kind):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", kind, recording],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["recording"]["events"]


def frame_name(frame):
    method = frame["method"]
    return f'{method["type"]["name"]}.{method["name"]}'


def frames(event):
    trace = event["values"].get("stackTrace") or {}
    return [frame_name(f) for f in trace.get("frames") or []]


def table(title, counter, total, top, unit="samples"):
    print(f"### {title}\n")
    print(f"| % | {unit} | frame |\n|---|---|---|")
    for name, n in counter.most_common(top):
        print(f"| {100.0 * n / total:.1f} | {n:.0f} | `{name}` |")
    print()


def main():
    recording = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    samples = [frames(e) for e in events(recording, "jdk.ExecutionSample")]
    samples = [s for s in samples if s]
    if not samples:
        print("No CPU samples recorded.\n")
        return
    self_time = collections.Counter(s[0] for s in samples)
    total_time = collections.Counter()
    for s in samples:
        total_time.update(set(s))
    stacks = collections.Counter(" <- ".join(s[:8]) for s in samples)
    n = len(samples)
    print(f"{n} CPU samples (Java code only; time in the kernel and in native code is not sampled by JFR).\n")
    table("CPU, self", self_time, n, top)
    table("CPU, total (method anywhere on the stack)", total_time, n, top)
    table("Hottest stacks (top 8 frames)", stacks, n, 12)

    allocation = collections.Counter()
    for e in events(recording, "jdk.ObjectAllocationSample"):
        stack = frames(e)
        # the first frame outside the JDK says who asked for the memory
        site = next((f for f in stack if not f.startswith(("java.", "jdk.", "sun."))), stack[0] if stack else "?")
        allocation[f'{e["values"]["objectClass"]["name"]} in {site}'] += e["values"]["weight"]
    if allocation:
        table("Allocation (sampled weight) by class and first non-JDK frame", allocation,
              sum(allocation.values()), 15, unit="bytes")

    pauses = [e["values"]["duration"] for e in events(recording, "jdk.GarbageCollection")]
    print(f"Garbage collections: {len(pauses)}.\n")


if __name__ == "__main__":
    main()
