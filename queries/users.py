"""Users: the actors of every change."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from queries.models import Role, User

SYSTEM_USERNAME = "system"


def system_user(session: Session) -> User:
    """The user that stands for the application itself (installs, migrations), created once."""
    user = session.scalar(select(User).where(User.username == SYSTEM_USERNAME))
    if user is None:
        user = User(username=SYSTEM_USERNAME, display_name="Aimak Atlas", role=Role.SYSTEM)
        session.add(user)
        session.flush()
    return user
