-- Demo only: per opportunity, the mechanism's probability that it is won (签约), given what was so
-- when it was opened (`win_probability`, see demo/mechanism.py), and how its outcome was drawn:
-- `is_won` true (签约) or false (未成交), null while it is still open. What the win model is judged
-- against; nothing but evaluation reads it.
create table truth_opportunities (
    opportunity_id varchar not null,
    win_probability real not null check (win_probability between 0 and 1),
    is_won boolean
);
