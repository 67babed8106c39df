"""The daily-work forms (竞争信息, 走访记录, 客户挽留): what a manager records.

`checks` validates a form's fields (each problem named by field, in the user's language);
`records` writes an interview, a competitor report or a retention action in one transaction,
within the user's reach, and suggests needs from a note with the notes model; `period` chooses
the month the daily-work pages open on (the data's, as the sidebar shows it) and its as-of day.
"""
