-- Remembered sign-ins: a browser that signed in keeps a random token in a cookie, so that a reload
-- (a new Streamlit session) does not ask for the password again. Only the token's SHA-256 is kept
-- here; a session ends at sign-out, at `expires_at`, or when its user is made inactive.
create table if not exists app_sessions (
    token_hash varchar primary key,
    username varchar not null,
    created_at timestamp not null,
    expires_at timestamp not null,
    ended_at timestamp
);
