-- Written by `needsmine score` (analytics/models/win.py): each open opportunity's probability of
-- being won (签约) as the win model sees it from its opening, and the top reasons in Chinese words.
create table if not exists opportunity_scores (
    opportunity_id varchar not null,
    win_probability double not null,
    win_reasons varchar[] not null,
    scored_at timestamp not null
);
