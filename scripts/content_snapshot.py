"""What Rasa trains on, as one canonical JSON document: the merged domain (every response name
and text, intents, entities, slots, forms, actions), every NLU example, synonym, regex and lookup
table, and every rule and story step.

Files can be moved, split and reordered freely: the snapshot does not depend on which file
holds what, or in which order. Two snapshots being equal proves a content move lossless.

    .venv-bot/bin/python -m scripts.content_snapshot > after.json
    make content-diff BASE=HEAD~1   # the same for the working tree and an earlier commit, diffed

Run from the repository root (or pass --root) with the bot environment.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any


def snapshot(root: Path) -> dict[str, Any]:
    os.chdir(root)
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config("config.yml", "domain.yml", ["data"])
    domain = importer.get_domain().as_dict()
    domain["responses"] = dict(sorted(domain.get("responses", {}).items()))
    for key in ("intents", "entities", "actions"):
        domain[key] = sorted(domain.get(key, []), key=lambda item: json.dumps(item, sort_keys=True))

    nlu = importer.get_nlu_data()
    examples = sorted(
        json.dumps({"intent": m.get("intent"), "text": m.get("text"), "entities": m.get("entities") or []},
                   ensure_ascii=False, sort_keys=True)
        for m in nlu.intent_examples
    )
    blocks: dict[str, list[list[str]]] = {}
    for step in importer.get_stories().story_steps:
        kind = "rule" if step.__class__.__name__ == "RuleStep" else "story"
        blocks.setdefault(f"{kind}: {step.block_name}", []).append([str(event) for event in step.events])
    return {
        "domain": domain,
        "nlu": {
            "examples": examples,
            "synonyms": dict(sorted(nlu.entity_synonyms.items())),
            "regex_features": sorted(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in nlu.regex_features),
            "lookup_tables": sorted(json.dumps(t, ensure_ascii=False, sort_keys=True) for t in nlu.lookup_tables),
        },
        "rules_and_stories": {name: sorted(steps) for name, steps in sorted(blocks.items())},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (default: .)")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    result = snapshot(args.root.resolve())
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    summary = (f"{len(result['domain']['responses'])} responses, {len(result['domain']['intents'])} intents, "
               f"{len(result['nlu']['examples'])} examples, {len(result['rules_and_stories'])} rules and stories")
    print(summary, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
