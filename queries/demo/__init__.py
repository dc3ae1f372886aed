"""The illustrative demo dataset: the 2013–2015 GIZ/DPI municipal social procurement pilot.

Deterministic (one ``random.Random(SEED)``, no clock in the data), written in one
transaction, every row marked ``is_demo``. The 12 municipalities and their P-codes are
real; every figure is invented for illustration.

The rooms: `pilot` (the fixed facts: municipalities, NGOs, sector profiles, trainings,
rates), `accounts` (the demo sign-ins and the generator's user), `draw` (how figures are
drawn), `writer` and `reporting` (the generator's steps), `seeding` (write, detect, remove).
This module names what the rest of the app uses.
"""

from queries.demo.accounts import DEMO_ACCOUNTS, DemoAccount, ensure_demo_accounts
from queries.demo.draw import phase_for
from queries.demo.pilot import (
    DEMO_LABEL,
    DEMO_MUNICIPALITIES,
    SEED,
    UNITS_SOURCE,
    DemoError,
    DemoMunicipality,
)
from queries.demo.seeding import (
    DEMO_REMOVED,
    demo_was_removed,
    ensure_units,
    has_demo_data,
    remove_demo,
    seed_demo,
)

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_LABEL",
    "DEMO_MUNICIPALITIES",
    "DEMO_REMOVED",
    "SEED",
    "UNITS_SOURCE",
    "DemoAccount",
    "DemoError",
    "DemoMunicipality",
    "demo_was_removed",
    "ensure_demo_accounts",
    "ensure_units",
    "has_demo_data",
    "phase_for",
    "remove_demo",
    "seed_demo",
]
