"""NLU parse time: the trained model's whole NLU pipeline on the held-out test messages.

`make bench` runs it in the bot environment. Loads models/legalaid.tar.gz in this process (no
server, no HTTP), parses every message of tests/nlu/ a few times, and prints the median, p95 and
max per message, then the time spent in each pipeline component. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import logging
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_messages(folder: Path = ROOT / "tests" / "nlu") -> list[str]:
    messages = []
    for path in sorted(folder.glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if "intent" in item:
                messages += [line.strip()[2:].strip() for line in item["examples"].splitlines()
                             if line.strip().startswith("- ")]
    return messages


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def parse_all(processor, messages: list[str]) -> list[float]:
    """Milliseconds to parse each message with the whole NLU pipeline."""
    from rasa.core.channels.channel import UserMessage

    times = []
    for text in messages:
        start = time.perf_counter()
        await processor.parse_message(UserMessage(text, sender_id="bench"))
        times.append((time.perf_counter() - start) * 1000)
    return times


async def component_times(processor, messages: list[str]) -> dict[str, float]:
    """Median milliseconds per message in each graph node the parse runs."""
    from rasa.engine.graph import GraphNode

    spent: dict[str, list[float]] = collections.defaultdict(list)
    original = GraphNode.__call__

    def timed(node, *inputs):
        start = time.perf_counter()
        try:
            return original(node, *inputs)
        finally:
            spent[node._node_name].append((time.perf_counter() - start) * 1000)

    GraphNode.__call__ = timed  # type: ignore[method-assign]
    try:
        await parse_all(processor, messages)
    finally:
        GraphNode.__call__ = original  # type: ignore[method-assign]
    return {name: statistics.median(times) for name, times in spent.items()}


async def report(processor, messages: list[str], rounds: int) -> None:
    await parse_all(processor, messages[:20])  # warm-up: jieba's dictionary, caches
    times = [ms for _ in range(rounds) for ms in await parse_all(processor, messages)]
    lengths = [len(text) for text in messages]
    print(f"NLU parse, {len(messages)} test messages x {rounds} (median {statistics.median(lengths):.0f} "
          f"characters): median {statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms, "
          f"max {max(times):.1f} ms   (bar: median <= 10 ms)")
    for name, ms in sorted((await component_times(processor, messages)).items(), key=lambda item: -item[1]):
        print(f"  {name:<55} {ms:6.2f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "legalaid.tar.gz")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the test messages")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)

    from rasa.core.agent import Agent

    agent = Agent.load(str(args.model))
    messages = test_messages()
    asyncio.run(report(agent.processor, messages, args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
