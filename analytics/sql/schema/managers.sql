create table managers (
    manager_id varchar primary key,
    manager_name varchar not null,
    district varchar not null,
    team varchar not null
);
