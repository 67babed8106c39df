"""商机 (opportunities) from need to signed or lost: validated writes (`writes`: create, move a
stage, set the next step, close as won or lost, record a proposal sent) and the reads the pages
show (`reads`). Every write validates like the daily-work forms (one Problem per field), reaches
only the accounts of the user's scope (derived here from the user, never from what a page says),
writes its audit row in its own transaction and refuses a change made on a stale version."""
