-- Written by `needsmine train` and `needsmine score` (analytics/models/history.py): the scores as
-- they were made, one row per model, score month and account, kept to be compared with what
-- happened once the label window after the score month has elapsed (模型监控). Only scores made out
-- of time are kept: the model that made them learned from no outcome after trained_through_month,
-- and score_month >= trained_through_month, so the outcome they are judged by (the months after
-- score_month) was unknown to it. A month's scores of a model are written once and never replaced.
create table if not exists score_history (
    model varchar not null,
    score_month date not null,
    account_id varchar not null,
    probability double not null,
    -- 'backtest': a model fitted at an earlier rolling origin, on what was known then;
    -- 'saved': the model that scored the accounts (written by training and by each scoring)
    source varchar not null,
    trained_through_month date not null,
    recorded_at timestamp not null
);
