create table managers (
    manager_id varchar primary key,
    manager_name varchar not null,
    district varchar not null,
    team varchar not null,
    phone varchar,  -- optional: the manager's contact, printed on the customer's proposal
    email varchar
);
