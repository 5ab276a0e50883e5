"""Demo data, one module per feature: core (places, accounts, campaign; seed_demo runs the rest),
history, difficulties, volunteers, inspections. Imported only by the CLI (`flask seed-demo`), the
tests and the benchmarks; no feature imports it.
"""

from app.demo.core import DEMO_PASSWORD, demo_logins, demo_password_hash, seed_demo

__all__ = ["DEMO_PASSWORD", "demo_logins", "demo_password_hash", "seed_demo"]
