"""信息化项目 (informatization projects, issue 15 item 2): a signed opportunity of a solution or an
industry application followed as a project — its milestones, its collaborators, and whether the
revenue its products were expected to bring arrived.

Modules: `analytics.common.project_terms` (which opportunities make a project, the milestones, roles, the billing rule),
`writes` (make a project from a signed opportunity, set a milestone's dates, add or remove a
collaborator: validated, scoped, audited, refused on a stale version), `reads` (the projects of a
user's reach with their billing followed, the signed opportunities still without a project, one
project's milestones, collaborators and months)."""
