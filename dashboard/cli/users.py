"""`aimak user add|list|set-role|disable|password`: accounts from the command line (audited)."""

from __future__ import annotations

import getpass
import sys

from queries import users
from queries.users import PERSON_ROLES, UserError

from .common import say, upgraded_database

ROLES = [role.value for role in PERSON_ROLES]


def _oblasts(values) -> list[str]:
    """--oblast given several times, or comma-separated."""
    return [code for value in values or () for code in value.split(",") if code.strip()]


def read_password(from_stdin: bool) -> str:
    """The new password: one line of standard input, else typed twice at a terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UserError("no terminal to type a password at: pipe it in with --password-stdin")
    first = getpass.getpass("New password: ")
    if getpass.getpass("The same again: ") != first:
        raise UserError("the two passwords differ")
    return first


def describe(account) -> str:
    oblasts = ",".join(sorted(account.oblasts)) or "all"
    flags = [
        flag for flag, on in (("disabled", not account.is_active), ("demo", account.is_demo)) if on
    ]
    extra = f"  ({', '.join(flags)})" if flags else ""
    return f"{account.username:<24} {account.role.value:<9} {oblasts}{extra}"


def cmd_add(args, settings) -> None:
    engine = upgraded_database(settings)
    password = read_password(args.password_stdin)
    account = users.add_user(
        engine,
        args.username,
        args.role,
        password,
        oblasts=_oblasts(args.oblast),
        display_name=args.name,
    )
    say(f"Added: {describe(account)}")


def cmd_list(args, settings) -> None:
    for account in users.accounts(upgraded_database(settings)):
        say(describe(account))


def cmd_set_role(args, settings) -> None:
    account = users.set_role(
        upgraded_database(settings), args.username, args.role, oblasts=_oblasts(args.oblast)
    )
    say(f"Changed: {describe(account)}")


def cmd_disable(args, settings) -> None:
    account = users.disable_user(upgraded_database(settings), args.username)
    say(f"Disabled: {describe(account)}")


def cmd_password(args, settings) -> None:
    engine = upgraded_database(settings)
    account = users.set_password(engine, args.username, read_password(args.password_stdin))
    say(f"New password set for {account.username}; their other sessions have ended")


def add_commands(subparsers) -> None:
    """Register `aimak user ...` on the `aimak` command's subparsers."""
    user = subparsers.add_parser("user", help="add, list and change accounts")
    actions = user.add_subparsers(dest="action", required=True)
    oblast_help = "oblast of an official: P-code (KG07000000000), ISO code (KG-T) or English name"

    add = actions.add_parser("add", help="create an account (asks for its password)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--oblast", action="append", help=oblast_help + "; repeat for several")
    add.add_argument("--name", help="display name (default: the username)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(run=cmd_add)

    listing = actions.add_parser("list", help="every account with its role and oblasts")
    listing.set_defaults(run=cmd_list)

    set_role = actions.add_parser("set-role", help="change an account's role (and oblasts)")
    set_role.add_argument("username")
    set_role.add_argument("role", choices=ROLES)
    set_role.add_argument("--oblast", action="append", help=oblast_help)
    set_role.set_defaults(run=cmd_set_role)

    disable = actions.add_parser("disable", help="stop an account from signing in")
    disable.add_argument("username")
    disable.set_defaults(run=cmd_disable)

    password = actions.add_parser("password", help="set a new password for an account")
    password.add_argument("username")
    password.add_argument("--password-stdin", action="store_true")
    password.set_defaults(run=cmd_password)
