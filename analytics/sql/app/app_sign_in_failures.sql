-- Refused sign-ins for user names that are not users: counted and locked exactly like a user's
-- `app_users.failed_attempts`, so that the sign-in form answers an unknown name as it answers a
-- known one (no "locked" only for real users: no way to tell which names exist).
create table if not exists app_sign_in_failures (
    username varchar primary key,
    failed_attempts integer not null,
    locked_until timestamp,
    last_failed_at timestamp not null
);
