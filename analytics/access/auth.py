"""Local users: sign-in with salted, slow password hashes (Argon2id), lock-out, roles and scopes.

Roles (SPEC §1, issue 6): an account manager reaches only the accounts they manage; a head their
district's (or every account, for the department head: no district); an analyst sees aggregates
and the model pages but no key person's personal data; a data steward imports the month's exports
(the import page and the data overview, no customer details); an admin manages users and retrains.

Sign-in under attack (issue 14): a refused attempt is counted by one UPDATE in the warehouse (never
read, added to and written back here) in the same transaction as its audit event, and the whole
transaction is tried again when DuckDB reports a write conflict with a parallel attempt — so 20
attempts at once are 20 counted and 20 audited. A name that is no user is counted and locked the
same way (`app_sign_in_failures`) and its password checked against a dummy hash: the form's answer
and its time tell nothing about which names exist. Changing a user's password, role, scope or
active flag raises their `session_epoch`, which ends every session they have (see sessions.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from analytics.access import attempts, audit
from analytics.access.attempts import atomically

ROLES: tuple[str, ...] = ("manager", "head", "analyst", "data_steward", "admin")
MAX_FAILED_ATTEMPTS = 5
LOCKOUT = dt.timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8  # after trimming surrounding spaces
MAX_PASSWORD_LENGTH = 1024

# Argon2id with the library's defaults (RFC 9106 low-memory profile): salted, deliberately slow.
_hasher = PasswordHasher()
# Checked instead when there is no hash to check (unknown name, no password): the same work.
_DUMMY_HASH = _hasher.hash("no user has this password: it only spends the time a real check does")

_USER_COLUMNS = "username, display_name, role, manager_id, district, session_epoch"


class AuthError(ValueError):
    """A user record that cannot be created or changed as asked (message names the field). `key`
    and `params`: the same reason as an i18n text (analytics/common/i18n/security.csv), if any."""

    def __init__(self, message: str, key: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.key, self.params = key, params


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: str
    manager_id: str | None = None
    district: str | None = None
    session_epoch: int = 0  # the user's epoch when this record was read (see sessions.py)

    @property
    def sees_personal_data(self) -> bool:
        """Key people's names and phones, and interview notes (analysts and data stewards see them masked)."""
        return self.role not in ("analyst", "data_steward")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class SignIn:
    user: User | None
    reason: str | None = None  # 'unknown', 'wrong_password', 'locked', 'inactive' when user is None
    locked_until: dt.datetime | None = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password: str | None, username: str) -> None:
    """The password policy: at least MIN_PASSWORD_LENGTH characters not counting surrounding
    spaces (so not all spaces), at most MAX_PASSWORD_LENGTH, and not the user name. AuthError if not."""
    if password is None:
        return
    if not password.strip():
        raise AuthError("password: must not be empty or only spaces", "security.password_blank")
    if len(password.strip()) < MIN_PASSWORD_LENGTH:
        raise AuthError(
            f"password: at least {MIN_PASSWORD_LENGTH} characters, not counting surrounding spaces",
            "security.password_short",
            n=MIN_PASSWORD_LENGTH,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AuthError(
            f"password: at most {MAX_PASSWORD_LENGTH} characters", "security.password_long", n=MAX_PASSWORD_LENGTH
        )
    if password.strip().casefold() == username.strip().casefold():
        raise AuthError("password: must not be the user name", "security.password_is_username")


def _validate(role: str, manager_id: str | None) -> None:
    if role not in ROLES:
        raise AuthError(f"role: {role!r} is not one of {', '.join(ROLES)}")
    if role == "manager" and not manager_id:
        raise AuthError("manager_id: an account manager's user needs the manager id they sign in as")


def add_user(
    con: duckdb.DuckDBPyConnection,
    username: str,
    password: str | None,
    role: str,
    *,
    display_name: str | None = None,
    manager_id: str | None = None,
    district: str | None = None,
) -> User:
    """Create (or replace) a user. A user without a password can sign in only through OIDC.
    Replacing one (a new password, role or scope) ends every session they had."""
    username = username.strip()
    if not username:
        raise AuthError("username: must not be empty")
    _validate(role, manager_id)
    check_password(password, username)
    if manager_id:
        known = con.cursor().execute("select count(*) from managers where manager_id = ?", [manager_id]).fetchone()[0]
        if not known:
            raise AuthError(f"manager_id: {manager_id!r} is not a manager in the warehouse")
    audit.ensure_tables(con)
    password_hash = hash_password(password) if password else None
    now = dt.datetime.now()

    def save(cur: duckdb.DuckDBPyConnection) -> int:
        old = cur.execute("select session_epoch from app_users where username = ?", [username]).fetchone()
        epoch = 0 if old is None else (old[0] or 0) + 1
        cur.execute(
            """
            insert or replace into app_users
                (username, display_name, role, manager_id, district, password_hash, failed_attempts, locked_until,
                 is_active, created_at, session_epoch)
            values (?, ?, ?, ?, ?, ?, 0, null, true, ?, ?)
            """,
            [username, display_name or username, role, manager_id, district, password_hash, now.replace(microsecond=0)]
            + [epoch],
        )
        _end_session_rows(cur, username, now)
        cur.execute("delete from app_sign_in_failures where username = ?", [username])
        return epoch

    epoch = atomically(con, save)
    return User(username, display_name or username, role, manager_id, district, epoch)


def set_password(con: duckdb.DuckDBPyConnection, username: str, password: str) -> bool:
    """A new password for an existing user (policy checked); ends their sessions and unlocks them.
    False: no such user."""
    check_password(password, username)
    audit.ensure_tables(con)
    password_hash = hash_password(password)
    return _change(con, username, "password_hash = ?, failed_attempts = 0, locked_until = null", [password_hash])


def set_active(con: duckdb.DuckDBPyConnection, username: str, active: bool) -> bool:
    """Make a user active or inactive; either way their sessions end (a token from before a
    deactivation does not come back with a reactivation). False: no such user."""
    audit.ensure_tables(con)
    return _change(con, username, "is_active = ?", [active])


def end_sessions(con: duckdb.DuckDBPyConnection, username: str) -> bool:
    """End every session of a user, in every browser (the admin's "end sessions"); they sign in
    again. False: no such user."""
    audit.ensure_tables(con)
    return _change(con, username, "", [])


def _change(con: duckdb.DuckDBPyConnection, username: str, assignments: str, params: list) -> bool:
    now = dt.datetime.now()

    def change(cur: duckdb.DuckDBPyConnection) -> bool:
        found = cur.execute(
            f"update app_users set {assignments + ', ' if assignments else ''}"
            "session_epoch = coalesce(session_epoch, 0) + 1 where username = ? returning username",
            [*params, username],
        ).fetchall()
        _end_session_rows(cur, username, now)
        return bool(found)

    return atomically(con, change)


def _end_session_rows(cur: duckdb.DuckDBPyConnection, username: str, now: dt.datetime) -> None:
    """Mark a user's live tokens ended (their epoch no longer matches anyway: this is for the record)."""
    cur.execute("update app_sessions set ended_at = ? where username = ? and ended_at is null", [now, username])


def unlock(con: duckdb.DuckDBPyConnection, username: str) -> bool:
    """Clear a user's failed attempts and lock. False: no such user."""
    audit.ensure_tables(con)
    return atomically(
        con,
        lambda cur: bool(
            cur.execute(
                "update app_users set failed_attempts = 0, locked_until = null where username = ? returning username",
                [username],
            ).fetchall()
        ),
    )


def _row_to_user(row) -> User:
    return User(*row[:5], session_epoch=row[5] or 0)


def get_user(con: duckdb.DuckDBPyConnection, username: str) -> User | None:
    """The active user of this name (as they are now), or None."""
    audit.ensure_tables(con)
    row = (
        con.cursor()
        .execute(f"select {_USER_COLUMNS} from app_users where username = ? and is_active", [username])
        .fetchone()
    )
    return _row_to_user(row) if row else None


def current(con: duckdb.DuckDBPyConnection, user: User) -> User | None:
    """`user` as the warehouse has them now, if their session may go on: still active and their
    sessions not ended since `user` was read (same epoch). One lookup by primary key."""
    row = (
        con.cursor()
        .execute(
            f"select {_USER_COLUMNS} from app_users where username = ? and is_active and session_epoch = ?",
            [user.username, user.session_epoch],
        )
        .fetchone()
    )
    return _row_to_user(row) if row else None


def sign_in(con: duckdb.DuckDBPyConnection, username: str, password: str, now: dt.datetime | None = None) -> SignIn:
    """Check a password; count failures and lock the name out for LOCKOUT once it has
    MAX_FAILED_ATTEMPTS refused attempts since its last good sign-in (or unlock); after a lock has
    expired, one more refusal locks it again. Right passwords are refused while locked.

    Every attempt is written to the audit trail in the transaction that counts it. An unknown
    name, an inactive user and a wrong password give the same answer (the reason is for the
    audit trail and tests), and unknown names are locked out like users.
    """
    audit.ensure_tables(con)
    now = now or dt.datetime.now()
    username = username[: audit.MAX_TEXT]  # no user has a longer name; a longer one is counted by its start
    row = (
        con.cursor().execute("select password_hash, is_active from app_users where username = ?", [username]).fetchone()
    )
    stored = row[0] if row else None
    ok = _verify(stored or _DUMMY_HASH, password) and stored is not None
    if ok and row[1]:
        user = atomically(con, lambda cur: _succeed(cur, username, stored, password, now))
        if user is not None:
            return SignIn(user)
    reason = "unknown" if row is None else "inactive" if not row[1] else "wrong_password"
    refused, locked_until = attempts.refuse(con, username, reason, now, MAX_FAILED_ATTEMPTS, LOCKOUT)
    return SignIn(None, refused, locked_until)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return len(password) <= MAX_PASSWORD_LENGTH and _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _succeed(cur: duckdb.DuckDBPyConnection, username: str, stored: str, password: str, now: dt.datetime):
    """The right password: clear the count, unless the name is locked (or the password changed
    since it was read) — then None, and the attempt is refused."""
    row = cur.execute(
        "update app_users set failed_attempts = 0, locked_until = null "
        "where username = ? and is_active and password_hash = ? and (locked_until is null or locked_until <= ?) "
        f"returning {_USER_COLUMNS}",
        [username, stored, now],
    ).fetchone()
    if row is None:
        return None
    if _hasher.check_needs_rehash(stored):
        cur.execute("update app_users set password_hash = ? where username = ?", [hash_password(password), username])
    user = _row_to_user(row)
    audit.write(cur, username, user.role, "sign_in", "session")
    return user


def scope_managers(con: duckdb.DuckDBPyConnection, user: User) -> tuple[str, ...] | None:
    """The managers whose accounts `user` may reach; None = every account."""
    if user.role == "manager":
        return (user.manager_id,)
    if user.role == "head" and user.district:
        rows = (
            con.cursor()
            .execute("select manager_id from managers where district = ? order by manager_id", [user.district])
            .fetchall()
        )
        return tuple(r[0] for r in rows)
    return None


def users(con: duckdb.DuckDBPyConnection):
    """Every user (no hashes) for the admin page."""
    audit.ensure_tables(con)
    return (
        con.cursor()
        .execute(
            "select username, display_name, role, manager_id, district, failed_attempts, locked_until, is_active, "
            "created_at from app_users order by role, username"
        )
        .df()
    )


# The demo's users, one per role (named in the README). Their passwords are public: demo only.
DEMO_PASSWORD = "needsmine-demo"


def ensure_demo_users(con: duckdb.DuckDBPyConnection) -> list[User]:
    """Create the demo users if the warehouse has none: a manager (the one with most accounts), the
    head of that manager's district, the department head, an analyst, a data steward and an admin."""
    audit.ensure_tables(con)
    if con.cursor().execute("select count(*) from app_users").fetchone()[0]:
        return []
    row = (
        con.cursor()
        .execute(
            """
        select managers.manager_id, managers.manager_name, managers.district
        from managers
        inner join accounts on accounts.manager_id = managers.manager_id
        group by all
        order by count(*) desc, managers.manager_id
        limit 1
        """
        )
        .fetchone()
    )
    if row is None:
        return []
    manager_id, manager_name, district = row
    made = [
        add_user(con, "manager", DEMO_PASSWORD, "manager", display_name=manager_name, manager_id=manager_id),
        add_user(con, "district_head", DEMO_PASSWORD, "head", display_name=f"{district}分部负责人", district=district),
        add_user(con, "head", DEMO_PASSWORD, "head", display_name="集团客户部负责人"),
        add_user(con, "analyst", DEMO_PASSWORD, "analyst", display_name="分析员"),
        add_user(con, "steward", DEMO_PASSWORD, "data_steward", display_name="数据管理员"),
        add_user(con, "admin", DEMO_PASSWORD, "admin", display_name="系统管理员"),
    ]
    return made
