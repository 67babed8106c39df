-- 方案版本: each 服务方案 downloaded from the account view while the account had this open
-- opportunity: when, by whom, in which language, the file's name and the SHA-256 of its bytes.
create table if not exists opportunity_proposals (
    proposal_id varchar primary key,
    opportunity_id varchar not null,
    sent_at timestamp not null,
    sent_by varchar not null,
    language varchar not null,
    file_name varchar not null,
    sha256 varchar not null
);
