"""Who may see and do what.

`auth` (users, roles, Argon2id passwords, lock-out, each role's reach of accounts), `sessions`
(remembered sign-ins: a random token in a cookie, its hash in the warehouse), `audit` (the audit
trail of views, exports and changes), `privacy` (masking of key people's names and notes for
roles that must not see them), `pages` (the one page registry: name, group, icon, address and
the roles that open each page — used by the navigation and by every access check).
"""
