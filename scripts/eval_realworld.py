"""How well the running assistant understands real questions typed by the public.

The development set is the 500 questions of open-compass/LawBench `data/zero_shot/3-8.json`
(real questions from a public legal Q&A site). Their licence defers to the original site, so
the texts are never committed and never trained on: pass a local copy of the file. Our labels
(tests/nlu/real/lawbench-3-8.labels.tsv) are keyed by a hash of each question.

Each question is the first message of a new conversation with the whole assistant (Rasa,
actions, referral service, started here on free ports unless --rasa is given). The matter it
understood is the slot `matter` afterwards (contract 1 of DESIGN.md); "not understood" is a
reply of utter_default (「不好意思，我没太明白」).

    .venv-referral/bin/python -m scripts.eval_realworld --questions /path/to/3-8.json
    make eval-real QUESTIONS=/path/to/3-8.json

Prints accuracy (all, and without the questions marked ambiguous), macro-F1, per-code scores,
the confused pairs and the not-understood share. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import os
import re
import sys
import tempfile
import time
import unicodedata
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "nlu" / "real" / "lawbench-3-8.labels.tsv"
NOT_UNDERSTOOD = {"utter_default"}
NONE = "(none)"


def question_key(text: str) -> str:
    """The labels' key: SHA-256 of the question with NFKC applied and all whitespace removed."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Label:
    code: str
    ambiguous: bool


def read_labels(path: Path = LABELS) -> dict[str, Label]:
    labels = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("key\t"):
            continue
        key, code, ambiguous, _note = line.split("\t", 3)
        labels[key] = Label(code, ambiguous == "yes")
    return labels


def read_questions(path: Path) -> list[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [item["question"] if isinstance(item, dict) else str(item) for item in data]


def _request(url: str, body: dict | None = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def understood(rasa: str, token: str, text: str) -> tuple[str, bool, float]:
    """(matter slot, not understood, milliseconds) for ``text`` as a new conversation's first message."""
    sender = "eval-" + uuid.uuid4().hex
    start = time.perf_counter()
    _request(f"{rasa}/webhooks/rest/webhook", {"sender": sender, "message": text})
    elapsed = (time.perf_counter() - start) * 1000
    query = urllib.parse.urlencode({"token": token})
    tracker = _request(f"{rasa}/conversations/{sender}/tracker?{query}")
    assert isinstance(tracker, dict)
    uttered = {(e.get("metadata") or {}).get("utter_action") for e in tracker.get("events", [])
               if e.get("event") == "bot"}
    matter = (tracker.get("slots") or {}).get("matter") or NONE
    return matter, bool(uttered & NOT_UNDERSTOOD), elapsed


def f1_scores(pairs: list[tuple[str, str]], codes: list[str]) -> dict[str, tuple[float, float, float, int]]:
    scores = {}
    for code in codes:
        tp = sum(1 for gold, got in pairs if gold == code and got == code)
        predicted = sum(1 for _, got in pairs if got == code)
        support = sum(1 for gold, _ in pairs if gold == code)
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[code] = (precision, recall, f1, support)
    return scores


def report(rows: list[tuple[str, Label, str, bool]], latencies: list[float]) -> str:
    """rows: (question, label, matter understood, not understood)."""
    pairs = [(label.code, got) for _, label, got, _ in rows]
    clear = [(label.code, got) for _, label, got, _ in rows if not label.ambiguous]
    codes = sorted({gold for gold, _ in pairs})
    scores = f1_scores(pairs, codes)
    accuracy = sum(gold == got for gold, got in pairs) / len(pairs)
    clear_accuracy = sum(gold == got for gold, got in clear) / len(clear) if clear else 0.0
    macro_f1 = sum(s[2] for s in scores.values()) / len(scores)
    not_understood = sum(1 for *_, nu in rows if nu)
    no_matter = sum(1 for _, _, got, _ in rows if got == NONE)
    lines = [
        f"Real questions: {len(rows)} ({len(clear)} not marked ambiguous), {len(codes)} codes",
        (f"  matter accuracy {accuracy:.3f}   without ambiguous {clear_accuracy:.3f}   macro-F1 {macro_f1:.3f}"
        "   (bar: accuracy >= 0.85)"),
        (f"  not understood (utter_default) {not_understood / len(rows):.1%}   no matter recorded "
        f"{no_matter / len(rows):.1%}   (bar: <= 5 %)"),
        f"  first reply: median {sorted(latencies)[len(latencies) // 2]:.0f} ms",
        f"  {'code':<20} precision  recall     F1    n",
    ]
    for code, (precision, recall, f1, support) in sorted(scores.items(), key=lambda item: item[1][2]):
        lines.append(f"  {code:<20} {precision:9.2f} {recall:7.2f} {f1:6.2f} {support:4d}")
    confused = collections.Counter((label.code, got) for _, label, got, _ in rows if label.code != got)
    example = {(label.code, got): text for text, label, got, _ in rows}
    lines.append("  most confused (true -> understood, count, an example):")
    for (gold, got), count in confused.most_common(15):
        lines.append(f"    {gold} -> {got}  {count}  「{example[(gold, got)][:40]}」")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, required=True, help="local copy of LawBench data/zero_shot/3-8.json")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--rasa", help="a running Rasa server (default: start the assistant here)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions")
    args = parser.parse_args(argv)

    labels = read_labels(args.labels)
    questions = [q for q in read_questions(args.questions) if question_key(q) in labels]
    if not questions:
        raise SystemExit(f"none of the questions in {args.questions} has a label in {args.labels}")
    if args.limit:
        questions = questions[:args.limit]

    rows, latencies = [], []

    def run(rasa: str, token: str) -> None:
        for text in questions:
            matter, not_understood, elapsed = understood(rasa, token, text)
            rows.append((text, labels[question_key(text)], matter, not_understood))
            latencies.append(elapsed)

    if args.rasa:
        token = os.environ.get("RASA_API_TOKEN") or sys.exit("--rasa needs RASA_API_TOKEN for the tracker")
        run(args.rasa, token)
    else:
        from scripts.stack import launch, stop_launched

        token = "eval-" + uuid.uuid4().hex
        env = {**os.environ, "REFERRAL_API_TOKEN": "eval-" + uuid.uuid4().hex, "RASA_API_TOKEN": token}
        with tempfile.TemporaryDirectory(prefix="legalaid-eval-") as tmp:
            proc, ready = launch(["--free-ports", "--var-dir", tmp, "--log-dir", str(Path(tmp) / "logs")], env)
            try:
                run(ready["rasa"], token)
            finally:
                stop_launched(proc)
    print(report(rows, latencies))
    return 0


if __name__ == "__main__":
    sys.exit(main())
