"""Users: accounts, their roles and oblasts, password hashes, the sessions they sign in with, and
the audit log of what they do."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Engine, delete, exists, func, or_, select, union, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from queries.models import (
    AuditEntry,
    Document,
    ImportBatch,
    MunicipalBudget,
    Municipality,
    Oblast,
    PriorityIssue,
    Role,
    SocialProject,
    TrainingEvent,
    User,
    UserOblast,
    UserSession,
)

log = logging.getLogger(__name__)

SYSTEM_USERNAME = "system"
#: Roles a person signs in with (the system user never signs in).
PERSON_ROLES = (Role.ADMIN, Role.MANAGER, Role.OFFICIAL, Role.VIEWER)
#: Roles that read every oblast; officials read their own oblasts only.
READ_ALL_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.VIEWER})
MIN_PASSWORD_LENGTH = 10
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,79}$")
#: scrypt, werkzeug's current default, named so that a future default does not change it silently
PASSWORD_METHOD = "scrypt"


class UserError(ValueError):
    """An account cannot be created or changed as asked (the message says why)."""


@dataclass(frozen=True)
class Account:
    """What the app knows of one user while serving a request."""

    id: int
    username: str
    display_name: str
    role: Role
    oblasts: frozenset[str]
    is_active: bool
    is_demo: bool
    stamp: str  # changes when the password changes: sessions signed before end

    @property
    def reads_all(self) -> bool:
        return self.role in READ_ALL_ROLES


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# --- passwords ------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """A salted scrypt hash of `password` (werkzeug's format: method$salt$hash)."""
    return generate_password_hash(password, method=PASSWORD_METHOD)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches the hash; a missing hash costs the same and never matches."""
    if not password_hash:
        check_password_hash(_no_user_hash(), password)
        return False
    return check_password_hash(password_hash, password)


@cache
def _no_user_hash() -> str:
    """A hash checked when a username is unknown, so both cases take as long."""
    return generate_password_hash("no such user", method=PASSWORD_METHOD)


def _stamp(password_hash: str | None) -> str:
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


# --- reading accounts ----------------------------------------------------------------------


def system_user(session: Session) -> User:
    """The user that stands for the application itself (installs, migrations), created once."""
    user = session.scalar(select(User).where(User.username == SYSTEM_USERNAME))
    if user is None:
        user = User(username=SYSTEM_USERNAME, display_name="Aimak Atlas", role=Role.SYSTEM)
        session.add(user)
        session.flush()
    return user


def _account(session: Session, user: User) -> Account:
    oblasts = session.scalars(
        select(UserOblast.oblast_pcode).where(UserOblast.user_id == user.id)
    ).all()
    return Account(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        oblasts=frozenset(oblasts),
        is_active=bool(user.is_active),
        is_demo=bool(user.is_demo),
        stamp=_stamp(user.password_hash),
    )


def find_account(
    engine: Engine, *, username: str | None = None, user_id: int | None = None
) -> Account | None:
    """The account with this username (case-insensitive) or id, or None."""
    with Session(engine) as session:
        user = _find(session, username=username, user_id=user_id)
        return _account(session, user) if user is not None else None


def _find(session: Session, *, username=None, user_id=None) -> User | None:
    if user_id is not None:
        return session.get(User, user_id)
    if username:
        return session.scalar(
            select(User).where(func.lower(User.username) == username.strip().lower())
        )
    return None


def accounts(engine: Engine) -> list[Account]:
    """Every account people sign in with, by username."""
    with Session(engine) as session:
        users = session.scalars(
            select(User).where(User.role != Role.SYSTEM).order_by(User.username)
        ).all()
        return [_account(session, user) for user in users]


def authenticate(engine: Engine, username: str, password: str) -> Account | None:
    """The active account whose password this is, else None (always one hash check)."""
    with Session(engine) as session:
        user = _find(session, username=username)
        usable = user is not None and user.is_active and user.role != Role.SYSTEM
        if not password_matches(user.password_hash if usable else None, password):
            return None
        return _account(session, user)


def data_oblasts(engine: Engine) -> frozenset[str]:
    """The oblasts that hold reporting data: what a user who reads every oblast reads."""
    by_municipality = [
        select(Municipality.oblast_pcode).where(
            exists().where(table.municipality_pcode == Municipality.pcode)
        )
        for table in (PriorityIssue, SocialProject, MunicipalBudget, Document)
    ]
    statement = union(*by_municipality, select(TrainingEvent.oblast_pcode))
    with engine.connect() as connection:
        return frozenset(connection.scalars(statement))


# --- sessions: one row per signed-in browser, revocable on the server ---------------------

#: A session's last_seen_at is written at most this often, not on every request.
SEEN_EVERY = dt.timedelta(minutes=5)


def _session_key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def open_session(engine: Engine, user_id: int, *, lifetime: dt.timedelta) -> str:
    """Record a new session of `user_id` and return its random id for the cookie (the table
    keeps only its hash); the user's sessions older than `lifetime` are deleted."""
    session_id = secrets.token_urlsafe(32)
    now = _now()
    with Session(engine) as session, session.begin():
        session.execute(
            delete(UserSession).where(
                UserSession.user_id == user_id, UserSession.created_at < now - lifetime
            )
        )
        session.add(
            UserSession(
                id_hash=_session_key(session_id), user_id=user_id, created_at=now, last_seen_at=now
            )
        )
    return session_id


def session_account(engine: Engine, session_id, *, lifetime: dt.timedelta) -> Account | None:
    """The account of a live session (known, not revoked, younger than `lifetime`), else None."""
    if not isinstance(session_id, str) or not session_id:
        return None
    now = _now()
    with Session(engine) as session:
        row = session.get(UserSession, _session_key(session_id))
        if row is None or row.revoked_at is not None or row.created_at <= now - lifetime:
            return None
        account = _account(session, session.get(User, row.user_id))
        if now - row.last_seen_at >= SEEN_EVERY:
            _seen(session, row.id_hash, now)
        return account


def _seen(session: Session, key: str, now: dt.datetime) -> None:
    """Note when a session was last used; a busy database only skips the note."""
    try:
        session.execute(
            update(UserSession).where(UserSession.id_hash == key).values(last_seen_at=now)
        )
        session.commit()
    except OperationalError as error:
        session.rollback()
        log.info("session last_seen_at not written: %s", error.orig)


def revoke_session(engine: Engine, session_id) -> None:
    """End one session (signing out); an unknown or ended one is left as it is."""
    if not isinstance(session_id, str) or not session_id:
        return
    with Session(engine) as session, session.begin():
        session.execute(
            update(UserSession)
            .where(UserSession.id_hash == _session_key(session_id))
            .where(UserSession.revoked_at.is_(None))
            .values(revoked_at=_now())
        )


def _revoke_sessions(session: Session, user_id: int) -> None:
    """End every session of a user, inside the caller's transaction."""
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=_now())
    )


# --- changing accounts (every change is audited) ------------------------------------------


def resolve_oblasts(session: Session, codes) -> list[str]:
    """Oblast P-codes for codes given as P-code, ISO 3166-2 code (KG-T) or English name."""
    found = []
    for code in codes or ():
        text = str(code).strip()
        pcode = session.scalar(
            select(Oblast.pcode).where(
                or_(
                    Oblast.pcode == text.upper(),
                    func.upper(Oblast.iso_code) == text.upper(),
                    func.lower(Oblast.name_en) == text.lower(),
                )
            )
        )
        if pcode is None:
            raise UserError(f"unknown oblast {text!r} (give its P-code, e.g. KG07000000000)")
        found.append(pcode)
    return sorted(set(found))


def _check_role(role, oblasts: list[str]) -> Role:
    try:
        role = Role(role)
    except ValueError:
        raise UserError(
            f"unknown role {role!r}: one of {', '.join(r.value for r in PERSON_ROLES)}"
        ) from None
    if role not in PERSON_ROLES:
        raise UserError(f"the role {role.value!r} is not for people")
    if role is Role.OFFICIAL and not oblasts:
        raise UserError("an oblast official needs at least one --oblast")
    if role is not Role.OFFICIAL and oblasts:
        raise UserError(f"a {role.value} reads every oblast: --oblast is only for officials")
    return role


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")


def add_user(
    engine: Engine,
    username: str,
    role,
    password: str,
    *,
    oblasts=(),
    display_name: str | None = None,
    is_demo: bool = False,
    actor_id: int | None = None,
) -> Account:
    """Create an account; audited as `user_add`."""
    if not USERNAME.match(username or ""):
        raise UserError(
            "a username has 2–80 letters, digits, dots, dashes, underscores or @, "
            "starting with a letter or digit"
        )
    _check_password(password)
    with Session(engine) as session, session.begin():
        codes = resolve_oblasts(session, oblasts)
        role = _check_role(role, codes)
        if _find(session, username=username) is not None:
            raise UserError(f"the username {username!r} is taken")
        user = User(
            username=username,
            display_name=display_name or username,
            role=role,
            password_hash=hash_password(password),
            is_active=True,
            is_demo=is_demo,
        )
        session.add(user)
        session.flush()
        session.add_all(UserOblast(user_id=user.id, oblast_pcode=code) for code in codes)
        add_audit(
            session,
            "user_add",
            actor_id,
            row_key=username,
            after={"role": role.value, "oblasts": codes},
        )
        session.flush()
        return _account(session, user)


def _existing(session: Session, username: str) -> User:
    user = _find(session, username=username)
    if user is None or user.role == Role.SYSTEM:
        raise UserError(f"no user {username!r}")
    return user


def set_role(
    engine: Engine, username: str, role, *, oblasts=(), actor_id: int | None = None
) -> Account:
    """Give a user a role (and, for officials, their oblasts); their sessions end; audited as
    `role_change`."""
    with Session(engine) as session, session.begin():
        user = _existing(session, username)
        codes = resolve_oblasts(session, oblasts)
        role = _check_role(role, codes)
        before = _account(session, user)
        user.role = role
        session.execute(delete(UserOblast).where(UserOblast.user_id == user.id))
        session.add_all(UserOblast(user_id=user.id, oblast_pcode=code) for code in codes)
        _revoke_sessions(session, user.id)
        add_audit(
            session,
            "role_change",
            actor_id,
            row_key=user.username,
            before={"role": before.role.value, "oblasts": sorted(before.oblasts)},
            after={"role": role.value, "oblasts": codes},
        )
        session.flush()
        return _account(session, user)


def disable_user(engine: Engine, username: str, *, actor_id: int | None = None) -> Account:
    """Stop a user from signing in (their sessions end too); audited as `user_disable`."""
    with Session(engine) as session, session.begin():
        user = _existing(session, username)
        was_active = bool(user.is_active)
        user.is_active = False
        _revoke_sessions(session, user.id)
        add_audit(
            session,
            "user_disable",
            actor_id,
            row_key=user.username,
            before={"active": was_active},
            after={"active": False},
        )
        session.flush()
        return _account(session, user)


def set_password(
    engine: Engine, username: str, password: str, *, actor_id: int | None = None
) -> Account:
    """Replace a user's password (every session of theirs ends); audited without the hash."""
    _check_password(password)
    with Session(engine) as session, session.begin():
        user = _existing(session, username)
        user.password_hash = hash_password(password)
        _revoke_sessions(session, user.id)
        add_audit(session, "password_change", actor_id, row_key=user.username)
        session.flush()
        return _account(session, user)


# --- the audit log ---------------------------------------------------------------------------


def add_audit(
    session: Session,
    action: str,
    actor_id: int | None,
    *,
    table_name: str | None = "app_user",
    row_key: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
    batch_id: int | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Append one audit entry inside the caller's transaction (actor None: the system user; `at`
    None: now)."""
    session.add(
        AuditEntry(
            at=at or _now(),
            user_id=actor_id if actor_id is not None else system_user(session).id,
            batch_id=batch_id,
            action=action[:40],
            table_name=table_name,
            row_key=(row_key or "")[:200] or None,
            before=before,
            after=after,
        )
    )


def add_batch(
    session: Session,
    kind: str,
    actor_id: int,
    *,
    file_name: str,
    started_at: dt.datetime,
    counts: dict,
    sha256: str | None = None,
    is_demo: bool = False,
) -> ImportBatch:
    """Record one import batch, finished now, inside the caller's transaction; return it with
    its id (for the audit entries of its rows)."""
    batch = ImportBatch(
        kind=kind,
        file_name=file_name,
        sha256=sha256,
        user_id=actor_id,
        started_at=started_at,
        finished_at=_now(),
        counts=counts,
        is_demo=is_demo,
    )
    session.add(batch)
    session.flush()
    return batch


def audit(
    engine: Engine,
    action: str,
    *,
    actor_id: int | None = None,
    table_name: str | None = None,
    row_key: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
    batch_id: int | None = None,
) -> None:
    """Append one entry to the audit log (actor None: the system user), in its own transaction."""
    with Session(engine) as session, session.begin():
        add_audit(
            session,
            action,
            actor_id,
            table_name=table_name,
            row_key=row_key,
            before=before,
            after=after,
            batch_id=batch_id,
        )
