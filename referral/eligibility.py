"""Contract 2 (DESIGN.md): `python -m referral.eligibility` reads one case as JSON on stdin and
prints the decision as JSON. The engine itself is `referral.rules.eligibility`."""

import sys

from referral.rules.eligibility import main

if __name__ == "__main__":
    sys.exit(main())
