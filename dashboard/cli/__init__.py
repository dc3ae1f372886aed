"""The `aimak` command: one argparse parser; each module of this package adds its sub-commands.

The sub-command modules (serve, database, demo, boundaries, reports, users, imports,
documents) share
`common` and never import this module back.
"""

from __future__ import annotations

import argparse

from . import boundaries, database, demo, documents, imports, reports, serve, users
from .common import run

#: the modules that add sub-commands, in the order `aimak --help` lists them
COMMAND_MODULES = (serve, database, demo, boundaries, reports, users, imports, documents)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="aimak", description="Aimak Atlas")
    commands = root.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        module.add_commands(commands)
    return root


def main(argv: list[str] | None = None) -> int:
    return run(parser().parse_args(argv))
