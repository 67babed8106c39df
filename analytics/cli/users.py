"""`needsmine users`: the dashboard's users from the command line (the first admin of a real
warehouse is made here; later ones on the admin page)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from analytics import config

EXIT_OK, EXIT_BAD_INPUT = 0, 2
PASSWORD_ENV = "NEEDSMINE_PASSWORD"


def add_users_parser(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser("users", help="add, list or unlock the dashboard's users (sign-in, roles, scopes)")
    cmd.add_argument("action", choices=("add", "list", "unlock"))
    cmd.add_argument("username", nargs="?", help="user name (add, unlock)")
    cmd.add_argument("--role", choices=("manager", "head", "analyst", "admin"), help="role (add)")
    cmd.add_argument("--name", help="display name (add)")
    cmd.add_argument("--manager-id", help="the manager an account-manager user signs in as (add)")
    cmd.add_argument("--district", help="a head's district (add; none = the whole department)")
    cmd.add_argument("--db", help=f"warehouse file (default: ${config.DB_ENV} or data/needsmine.duckdb)")


def run_users(args: argparse.Namespace) -> int:
    from analytics.access import audit, auth
    from analytics.warehouse import db

    path = config.db_path(args.db)
    if not path.exists():
        print(f"needsmine users: {path}: 仓库不存在 / warehouse not found", file=sys.stderr)
        return EXIT_BAD_INPUT
    with db.connect(path) as con:
        if args.action == "list":
            print(auth.users(con).to_string(index=False))
            return EXIT_OK
        if not args.username:
            print("needsmine users: 需要用户名 / a user name is needed", file=sys.stderr)
            return EXIT_BAD_INPUT
        if args.action == "unlock":
            auth.unlock(con, args.username)
            audit.record(con, "cli", None, "admin", f"user {args.username}", "unlocked")
            return EXIT_OK
        if not args.role:
            print("needsmine users add: --role 必填 / --role is required", file=sys.stderr)
            return EXIT_BAD_INPUT
        password = os.environ.get(PASSWORD_ENV) or getpass.getpass(f"{args.username} 的密码 / password: ")
        try:
            user = auth.add_user(con, args.username, password, args.role, display_name=args.name,
                                 manager_id=args.manager_id, district=args.district)  # fmt: skip
        except auth.AuthError as err:
            print(f"needsmine users add: {err}", file=sys.stderr)
            return EXIT_BAD_INPUT
        audit.record(con, "cli", None, "admin", f"user {user.username}", f"saved with role {user.role}")
        print(f"已保存用户 / saved user {user.username} ({user.role})")
    return EXIT_OK
