create table contacts (
    contact_id varchar primary key,
    account_id varchar not null,
    contact_name varchar not null,
    phone varchar,
    role contact_role not null,
    department varchar,
    title varchar,
    carrier carrier not null
);
