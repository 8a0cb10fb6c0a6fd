"""Benchmark the running assistant: start-up, reply latency, a whole application, memory.

`make bench` runs it. Starts the stack on free ports with a throw-away SQLite database,
prints figures, stops. A measurement, not a test: it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from scripts.stack import launch, stop_launched


def say(rasa: str, sender: str, message: str) -> list[dict]:
    request = urllib.request.Request(
        f"{rasa}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MiB."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total_kib, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
        except OSError:
            pass
        todo.extend(children.get(current, []))
    return total_kib / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# The eligibility pre-screen with its longest common path (household and income asked).
SCREENING = ["我能申请法律援助吗", "被车撞了", "没有请", "都不是", "一家五口", "每月三千来块", "不急"]
APPLICATION = ["我要申请法律援助", "同意", "我叫张三", "13812345678", "镇雄县",
               "老板拖欠我三个月工资，一共九千元", "对"]


def time_conversations(rasa: str, name: str, messages: list[str], expected: str, times: int) -> list[float]:
    """Milliseconds for each of ``times`` whole conversations; each must end with ``expected`` in a reply."""
    durations = []
    for i in range(times):
        sender, start = f"bench-{name}-{i}", time.perf_counter()
        for message in messages:
            replies = say(rasa, sender, message)
        durations.append((time.perf_counter() - start) * 1000)
        if not any(expected in r.get("text", "") for r in replies):
            raise SystemExit(f"bench: {name} conversation {i} did not end as expected: {replies}")
    return durations


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=60, help="single-turn messages to time")
    parser.add_argument("--applications", type=int, default=5, help="whole applications to time")
    parser.add_argument("--desk-backlog", type=int, default=5000, help="referrals behind the staff desk (0: skip)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="legalaid-bench-") as tmp:
        env = {**os.environ, "REFERRAL_API_TOKEN": "bench-" + uuid.uuid4().hex}
        t0 = time.monotonic()
        proc, ready = launch(["--free-ports", "--var-dir", tmp, "--log-dir", str(Path(tmp) / "logs")], env)
        try:
            rasa = ready["rasa"]
            say(rasa, "bench-warmup", "你好")
            first_reply = time.monotonic() - t0

            latencies = []
            questions = ["你好", "老板拖欠我三个月工资怎么办", "你能做什么", "谢谢"]
            for i in range(args.messages):
                start = time.perf_counter()
                say(rasa, f"bench-{i}", questions[i % len(questions)])
                latencies.append((time.perf_counter() - start) * 1000)

            flows = time_conversations(rasa, "app", APPLICATION, "受理编号", args.applications)
            screenings = time_conversations(rasa, "screen", SCREENING, "符合申请法律援助的条件", args.applications)

            rss = {name: tree_rss_mib(pid) for name, pid in ready["pids"].items()}
        finally:
            stop_launched(proc)

    print(f"start-up to READY (all three answer):    {ready['startup_seconds']:.1f} s")
    print(f"start-up to first reply (incl. migrate): {first_reply:.1f} s")
    print(f"single-turn reply, {args.messages} msgs:          median {statistics.median(latencies):.0f} ms, "
          f"p95 {percentile(latencies, 0.95):.0f} ms, max {max(latencies):.0f} ms")
    print(f"whole application ({len(APPLICATION)} turns, ticket): median {statistics.median(flows):.0f} ms "
          f"over {args.applications}")
    print(f"whole screening ({len(SCREENING)} turns, result):   median {statistics.median(screenings):.0f} ms "
          f"over {args.applications}")
    for name, mib in rss.items():
        print(f"RSS {name:<9} {mib:7.0f} MiB")
    if args.desk_backlog:
        from scripts.bench_desk import run as bench_desk

        with tempfile.TemporaryDirectory(prefix="legalaid-desk-bench-") as tmp:
            print(f"referral desk on SQLite ({args.desk_backlog} referrals; PostgreSQL: python -m scripts.bench_desk"
                  " --postgres)")
            print("\n".join(bench_desk(f"sqlite:///{tmp}/desk.db", args.desk_backlog, 40)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
