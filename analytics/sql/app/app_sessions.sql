-- Remembered sign-ins: a browser that signed in keeps a random token in a cookie, so that a reload
-- (a new Streamlit session) does not ask for the password again. Only the token's SHA-256 is kept
-- here; a session ends at sign-out, at `expires_at`, when an admin ends it, or when its user's
-- `app_users.session_epoch` moves on (password or role set again, made inactive) — a token is live
-- only while its `session_epoch` is its user's. `user_agent`: the browser that signed in (a resume
-- from another one is audited as such).
create table if not exists app_sessions (
    token_hash varchar primary key,
    username varchar not null,
    created_at timestamp not null,
    expires_at timestamp not null,
    ended_at timestamp
);
-- Warehouses made before sessions could be revoked (issue 14): their old tokens have no epoch, so
-- they no longer resume (one more password sign-in).
alter table app_sessions add column if not exists session_epoch integer;
alter table app_sessions add column if not exists user_agent varchar;
