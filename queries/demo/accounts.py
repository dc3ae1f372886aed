"""The demo's accounts: one sign-in per role (public passwords) and the generator's own user."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select
from sqlalchemy.orm import Session

from queries.demo.pilot import BATKEN, TALAS, DemoError
from queries.models import Oblast, Role, User, UserOblast
from queries.users import hash_password

DEMO_USERNAME = "demo-generator"


@dataclasses.dataclass(frozen=True)
class DemoAccount:
    """A sign-in for trying each role on the demo data; its password is public."""

    username: str
    password: str
    role: Role
    oblasts: tuple[str, ...]
    display_name: str


#: One account per role, listed on the sign-in page. They sign in only while the data is the
#: illustrative demo (dashboard.auth refuses them as soon as real data is present).
DEMO_ACCOUNTS = (
    DemoAccount("demo-admin", "demo-admin", Role.ADMIN, (), "Demo administrator"),
    DemoAccount("demo-manager", "demo-manager", Role.MANAGER, (), "Demo programme manager"),
    DemoAccount("demo-talas", "demo-talas", Role.OFFICIAL, (TALAS,), "Demo official, Talas"),
    DemoAccount("demo-batken", "demo-batken", Role.OFFICIAL, (BATKEN,), "Demo official, Batken"),
    DemoAccount("demo-viewer", "demo-viewer", Role.VIEWER, (), "Demo viewer"),
)


def ensure_demo_accounts(session: Session) -> int:
    """Create the demo accounts that are missing (never touching real accounts); return how many."""
    created = 0
    for account in DEMO_ACCOUNTS:
        if session.scalar(select(User.id).where(User.username == account.username)) is not None:
            continue
        user = User(
            username=account.username,
            display_name=account.display_name,
            role=account.role,
            password_hash=hash_password(account.password),
            is_active=True,
            is_demo=True,
        )
        session.add(user)
        session.flush()
        for pcode in account.oblasts:
            if session.get(Oblast, pcode) is not None:
                session.add(UserOblast(user_id=user.id, oblast_pcode=pcode))
        created += 1
    session.flush()
    return created


def demo_user(session: Session) -> User:
    """The generator's own user, created when missing; DemoError when a real user has its
    name."""
    user = session.scalar(select(User).where(User.username == DEMO_USERNAME))
    if user is None:
        user = User(
            username=DEMO_USERNAME,
            display_name="Demo data generator",
            role=Role.SYSTEM,
            is_demo=True,
        )
        session.add(user)
        session.flush()
    elif not user.is_demo:
        raise DemoError(f"a real user is named {DEMO_USERNAME!r}")
    return user
