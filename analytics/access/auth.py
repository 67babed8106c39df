"""Local users: sign-in with salted, slow password hashes (Argon2id), lock-out, roles and scopes.

Roles (SPEC §1, issue 6): an account manager reaches only the accounts they manage; a head their
district's (or every account, for the department head: no district); an analyst sees aggregates
and the model pages but no key person's personal data; an admin manages users and retrains.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from analytics.access import audit

ROLES: tuple[str, ...] = ("manager", "head", "analyst", "admin")
MAX_FAILED_ATTEMPTS = 5
LOCKOUT = dt.timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8

# Argon2id with the library's defaults (RFC 9106 low-memory profile): salted, deliberately slow.
_hasher = PasswordHasher()


class AuthError(ValueError):
    """A user record that cannot be created or changed as asked (message names the field)."""


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: str
    manager_id: str | None = None
    district: str | None = None

    @property
    def sees_personal_data(self) -> bool:
        """Key people's names and phones, and interview notes (analysts see them masked)."""
        return self.role != "analyst"

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


def _validate(role: str, manager_id: str | None, password: str | None) -> None:
    if role not in ROLES:
        raise AuthError(f"role: {role!r} is not one of {', '.join(ROLES)}")
    if role == "manager" and not manager_id:
        raise AuthError("manager_id: an account manager's user needs the manager id they sign in as")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"password: at least {MIN_PASSWORD_LENGTH} characters")


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
    """Create (or replace) a user. A user without a password can sign in only through OIDC."""
    username = username.strip()
    if not username:
        raise AuthError("username: must not be empty")
    _validate(role, manager_id, password)
    if manager_id:
        known = con.cursor().execute("select count(*) from managers where manager_id = ?", [manager_id]).fetchone()[0]
        if not known:
            raise AuthError(f"manager_id: {manager_id!r} is not a manager in the warehouse")
    audit.ensure_tables(con)
    cur = con.cursor()
    cur.execute(
        """
        insert or replace into app_users
            (username, display_name, role, manager_id, district, password_hash, failed_attempts, locked_until,
             is_active, created_at)
        values (?, ?, ?, ?, ?, ?, 0, null, true, ?)
        """,
        [
            username,
            display_name or username,
            role,
            manager_id,
            district,
            hash_password(password) if password else None,
            dt.datetime.now().replace(microsecond=0),
        ],
    )
    return User(username, display_name or username, role, manager_id, district)


def _row_to_user(row) -> User:
    return User(username=row[0], display_name=row[1], role=row[2], manager_id=row[3], district=row[4])


def get_user(con: duckdb.DuckDBPyConnection, username: str) -> User | None:
    audit.ensure_tables(con)
    row = (
        con.cursor()
        .execute(
            "select username, display_name, role, manager_id, district from app_users where username = ? and is_active",
            [username],
        )
        .fetchone()
    )
    return _row_to_user(row) if row else None


def sign_in(con: duckdb.DuckDBPyConnection, username: str, password: str, now: dt.datetime | None = None) -> SignIn:
    """Check a password; count failures and lock the user out for LOCKOUT after MAX_FAILED_ATTEMPTS.

    Every attempt is written to the audit trail. An unknown user and a wrong password give the
    same answer to the person signing in (the reason is for the audit trail and tests).
    """
    audit.ensure_tables(con)
    now = now or dt.datetime.now()
    cur = con.cursor()
    row = cur.execute(
        "select username, display_name, role, manager_id, district, password_hash, failed_attempts, locked_until, "
        "is_active from app_users where username = ?",
        [username],
    ).fetchone()
    if row is None:
        audit.record(con, username, None, "sign_in_failed", "session", "unknown user")
        return SignIn(None, "unknown")
    user = _row_to_user(row)
    password_hash, failed, locked_until, active = row[5], row[6], row[7], row[8]
    if not active:
        audit.record(con, username, user.role, "sign_in_failed", "session", "inactive user")
        return SignIn(None, "inactive")
    if locked_until is not None and locked_until > now:
        audit.record(con, username, user.role, "sign_in_failed", "session", f"locked until {locked_until}")
        return SignIn(None, "locked", locked_until)
    try:
        ok = password_hash is not None and _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        failed += 1
        lock = now + LOCKOUT if failed >= MAX_FAILED_ATTEMPTS else None
        cur.execute(
            "update app_users set failed_attempts = ?, locked_until = ? where username = ?",
            [0 if lock else failed, lock, username],
        )
        audit.record(
            con,
            username,
            user.role,
            "locked_out" if lock else "sign_in_failed",
            "session",
            f"{MAX_FAILED_ATTEMPTS} failed attempts" if lock else "wrong password",
        )
        return SignIn(None, "locked" if lock else "wrong_password", lock)
    if _hasher.check_needs_rehash(password_hash):
        cur.execute("update app_users set password_hash = ? where username = ?", [hash_password(password), username])
    cur.execute("update app_users set failed_attempts = 0, locked_until = null where username = ?", [username])
    audit.record(con, username, user.role, "sign_in", "session")
    return SignIn(user)


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


def set_active(con: duckdb.DuckDBPyConnection, username: str, active: bool) -> None:
    con.cursor().execute("update app_users set is_active = ? where username = ?", [active, username])


def unlock(con: duckdb.DuckDBPyConnection, username: str) -> None:
    con.cursor().execute("update app_users set failed_attempts = 0, locked_until = null where username = ?", [username])


# The demo's users, one per role (named in the README). Their passwords are public: demo only.
DEMO_PASSWORD = "needsmine-demo"


def ensure_demo_users(con: duckdb.DuckDBPyConnection) -> list[User]:
    """Create the demo users if the warehouse has none: a manager (the one with most accounts), the
    head of that manager's district, the department head, an analyst and an admin."""
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
        add_user(
            con, "manager", DEMO_PASSWORD, "manager", display_name=f"{manager_name}（客户经理）", manager_id=manager_id
        ),
        add_user(con, "district_head", DEMO_PASSWORD, "head", display_name=f"{district}分部负责人", district=district),
        add_user(con, "head", DEMO_PASSWORD, "head", display_name="集团客户部负责人"),
        add_user(con, "analyst", DEMO_PASSWORD, "analyst", display_name="分析员"),
        add_user(con, "admin", DEMO_PASSWORD, "admin", display_name="系统管理员"),
    ]
    return made
