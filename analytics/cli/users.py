"""`needsmine users`: the dashboard's users from the command line (the first admin of a real
warehouse is made here; later ones on the admin page)."""

from __future__ import annotations

import argparse
import getpass
import os

from analytics import config
from analytics.cli.common import EXIT_OK, add_db_option, bad_input

PASSWORD_ENV = "NEEDSMINE_PASSWORD"
ACTIONS = ("add", "list", "unlock", "password", "deactivate", "activate", "end-sessions")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `users` to the command line's subcommands; the new parser."""
    parser = subparsers.add_parser(
        "users",
        help="add, list, unlock, (de)activate the dashboard's users, set a password, end their sessions",
    )
    parser.add_argument("action", choices=ACTIONS)
    parser.add_argument("username", nargs="?", help="user name (every action but list)")
    parser.add_argument("--role", choices=("manager", "head", "analyst", "admin"), help="role (add)")
    parser.add_argument("--name", help="display name (add)")
    parser.add_argument("--manager-id", help="the manager an account-manager user signs in as (add)")
    parser.add_argument("--district", help="a head's district (add; none = the whole department)")
    add_db_option(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    """List, unlock or add (password from $NEEDSMINE_PASSWORD or asked for) a user; the exit code."""
    from analytics.access import audit, auth
    from analytics.warehouse import db

    path = config.db_path(args.db)
    if not path.exists():
        return bad_input(f"needsmine users: {path}: 仓库不存在 / warehouse not found")
    with db.connect(path) as con:
        if args.action == "list":
            print(auth.users(con).to_string(index=False))
            return EXIT_OK
        if not args.username:
            return bad_input("needsmine users: 需要用户名 / a user name is needed")
        actions = _actions()
        if args.action in actions:
            act, what = actions[args.action]
            try:
                done = act(con, args.username)
            except auth.AuthError as err:
                return bad_input(f"needsmine users {args.action}: {err}")
            if not done:
                return bad_input(f"needsmine users {args.action}: 没有用户 / no user {args.username!r}")
            audit.record(con, "cli", None, "admin", f"user {args.username}", what)
            print(f"{args.username}: {what}")
            return EXIT_OK
        if not args.role:
            return bad_input("needsmine users add: --role 必填 / --role is required")
        password = _password(args.username)
        try:
            user = auth.add_user(
                con,
                args.username,
                password,
                args.role,
                display_name=args.name,
                manager_id=args.manager_id,
                district=args.district,
            )
        except auth.AuthError as err:
            return bad_input(f"needsmine users add: {err}")
        audit.record(con, "cli", None, "admin", f"user {user.username}", f"saved with role {user.role}")
        print(f"已保存用户 / saved user {user.username} ({user.role})")
    return EXIT_OK


def _password(username: str) -> str:
    return os.environ.get(PASSWORD_ENV) or getpass.getpass(f"{username} 的密码 / password: ")


def _actions():
    """action: (what it does to a user name, as the audit trail words it). Each but unlock and
    activate ends the user's sessions in every browser."""
    from analytics.access import auth

    return {
        "unlock": (auth.unlock, "unlocked"),
        "password": (lambda con, name: auth.set_password(con, name, _password(name)), "password set: sessions ended"),
        "deactivate": (lambda con, name: auth.set_active(con, name, False), "deactivated: sessions ended"),
        "activate": (lambda con, name: auth.set_active(con, name, True), "activated"),
        "end-sessions": (auth.end_sessions, "sessions ended"),
    }
