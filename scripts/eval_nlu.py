"""NLU quality on the held-out test sets in tests/nlu/ (never used for training).

`make eval-nlu` runs it with the trained model. A benchmark, not a test: it prints
accuracy, macro-F1, the most confused pairs and a fallback-threshold sweep; with `--check`
it exits 1 when the matter codes are below the quality bar of issue 4.

Matter codes are scored as the bot uses them: `matter_<code>` and the follow-up questions
`question_<code>_<what>` both name <code>; a message the classifier is unsure about
(nlu_fallback) counts as `other`, which is what the bot then records.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from actions.bot_answers import underlying_problem  # noqa: E402
from bot.matters import matter_code  # noqa: E402
from bot.safety import SAFETY_INTENTS  # noqa: E402

FALLBACK = "nlu_fallback"
BAR_ACCURACY = 0.90
BAR_MACRO_F1 = 0.88


def code_of(intent: str) -> str | None:
    """The matter code an intent names, `other` for a fallback, None for a dialogue intent."""
    return "other" if intent == FALLBACK else matter_code(intent)


def load_examples(paths: list[Path]) -> list[tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for path in paths:
        for message in load_data(str(path)).intent_examples:
            examples.append((message.get("text"), message.get("intent")))
    return examples


def top_intent(parse: dict, threshold: float) -> tuple[str, float]:
    """The classifier's own best intent, with the fallback applied at ``threshold``."""
    ranking = [r for r in parse.get("intent_ranking", []) if r["name"] != FALLBACK]
    if not ranking:
        return FALLBACK, 0.0
    best = ranking[0]
    return (best["name"] if best["confidence"] >= threshold else FALLBACK), best["confidence"]


def scores(pairs: list[tuple[str, str]]) -> tuple[float, float, dict[str, tuple[float, float, float, int]]]:
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    truth = [t for t, _ in pairs]
    predicted = [p for _, p in pairs]
    labels = sorted(set(truth))
    accuracy = sum(t == p for t, p in pairs) / len(pairs)
    macro = f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)
    p, r, f, n = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    return accuracy, macro, {label: (p[i], r[i], f[i], int(n[i])) for i, label in enumerate(labels)}


def confused(rows: list[tuple[str, str, str]], top: int) -> list[tuple[tuple[str, str], int, str]]:
    counts = collections.Counter((t, p) for _, t, p in rows if t != p)
    example = {(t, p): text for text, t, p in rows if t != p}
    return [(pair, n, example[pair]) for pair, n in counts.most_common(top)]


async def parse_all(model: Path, texts: list[str]) -> list[dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "legalaid.tar.gz")
    parser.add_argument("--tests", type=Path, default=ROOT / "tests" / "nlu")
    parser.add_argument("--threshold", type=float, default=None,
                        help="fallback threshold (default: the FallbackClassifier's in config.yml)")
    parser.add_argument("--check", action="store_true", help="exit 1 below the quality bar")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    import structlog  # Rasa logs every parse at debug level through structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

    import yaml

    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    fallback = next(c for c in config["pipeline"] if c["name"] == "FallbackClassifier")
    threshold = fallback["threshold"] if args.threshold is None else args.threshold

    files = sorted(args.tests.glob("*.yml"))
    examples = load_examples(files)
    parses = asyncio.run(parse_all(args.model, [text for text, _ in examples]))

    matter_rows, intent_rows = [], []
    for (text, intent), parse in zip(examples, parses, strict=True):
        # the configured fallback (threshold and ambiguity) as the bot applies it, or another threshold
        predicted = parse["intent"]["name"] if args.threshold is None else top_intent(parse, threshold)[0]
        intent_rows.append((text, intent, predicted))
        if predicted in SAFETY_INTENTS:
            # the danger reply comes first; the bot records the problem the classifier saw under it
            predicted = underlying_problem(parse) or predicted
        if intent.startswith("matter_"):
            matter_rows.append((text, code_of(intent), code_of(predicted) or f"({predicted})"))

    print(f"model: {args.model.name}   test files: {', '.join(f.name for f in files)}")
    print(f"fallback: threshold {threshold}" + ("" if args.threshold is not None else
          f", ambiguity {fallback.get('ambiguity_threshold', 0.1)} (config.yml)"))
    accuracy, macro, per_code = scores([(t, p) for _, t, p in matter_rows])
    print(f"\nMatter codes: {len(matter_rows)} messages, {len(per_code)} codes")
    print(f"  accuracy {accuracy:.3f}   macro-F1 {macro:.3f}   "
          f"(bar: accuracy >= {BAR_ACCURACY}, macro-F1 >= {BAR_MACRO_F1})")
    print(f"  {'code':<20}{'precision':>10}{'recall':>8}{'F1':>7}{'n':>5}")
    for code, (p, r, f, n) in sorted(per_code.items(), key=lambda item: item[1][2]):
        print(f"  {code:<20}{p:>10.2f}{r:>8.2f}{f:>7.2f}{n:>5}")
    print("  most confused (true -> predicted, count, an example):")
    for (t, p), n, text in confused(matter_rows, 10):
        print(f"    {t} -> {p}  {n}  「{text}」")

    for prefix, title in (("question_", "Follow-up questions"), ("", "Dialogue intents")):
        rows = [row for row in intent_rows
                if (row[1].startswith(prefix) if prefix else not row[1].startswith(("matter_", "question_")))]
        if not rows:
            continue
        intent_accuracy = sum(t == p for _, t, p in rows) / len(rows)
        line = f"\n{title}: {len(rows)} messages, intent accuracy {intent_accuracy:.3f}"
        if prefix:
            code_rows = [(code_of(t), code_of(p)) for _, t, p in rows]
            line += f", topic (matter code) accuracy {sum(t == p for t, p in code_rows) / len(code_rows):.3f}"
        print(line)
        for (t, p), n, text in confused(rows, 5):
            print(f"    {t} -> {p}  {n}  「{text}」")

    print("\nFallback threshold sweep, without the ambiguity rule (matter-code messages; a fallback is `other`):")
    print(f"  {'threshold':>9}{'fell back':>11}{'acc. of the rest':>18}{'code accuracy':>15}")
    matter_parses = [(code_of(intent), parse) for (_, intent), parse in zip(examples, parses, strict=True)
                     if intent.startswith("matter_")]
    for sweep in (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5):
        predicted = [(truth, top_intent(parse, sweep)[0]) for truth, parse in matter_parses]
        kept = [(truth, code_of(intent)) for truth, intent in predicted if intent != FALLBACK]
        fallen = len(predicted) - len(kept)
        kept_accuracy = sum(t == p for t, p in kept) / len(kept) if kept else 0.0
        code_accuracy = sum(truth == code_of(intent) for truth, intent in predicted) / len(predicted)
        print(f"  {sweep:>9.2f}{fallen / len(predicted):>11.1%}{kept_accuracy:>18.3f}{code_accuracy:>15.3f}")

    passed = accuracy >= BAR_ACCURACY and macro >= BAR_MACRO_F1
    print(f"\nquality bar: {'met' if passed else 'NOT met'}")
    return 0 if passed or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
