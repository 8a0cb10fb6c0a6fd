"""`referral.rules` is imported by the bot's environment too (Rasa's pins): it must not need
the service's framework, database layer or any service-only module of `referral`."""

import pkgutil
import subprocess
import sys

import referral.rules

SERVICE_ONLY = ("fastapi", "starlette", "sqlalchemy", "alembic", "pydantic", "uvicorn", "jinja2")


def test_every_rules_module_imports_without_the_service() -> None:
    modules = [f"referral.rules.{m.name}" for m in pkgutil.iter_modules(referral.rules.__path__)]
    assert {"referral.rules.eligibility", "referral.rules.city", "referral.rules.matters"} <= set(modules)
    program = "\n".join([
        "import sys",
        # a None entry makes `import x` raise ImportError
        *(f"sys.modules[{name!r}] = None" for name in SERVICE_ONLY),
        *(f"import {module}" for module in modules),
        ("service = sorted(m for m in sys.modules if m.startswith('referral.')"
         " and not m.startswith('referral.rules'))"),
        "assert not service, service",
    ])
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
