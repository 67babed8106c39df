"""客户视图 and the documents made from it.

`view` loads one account as of a month (`AccountView`: profile, key people, consumption,
peers, score and reasons, recommendations, interviews, complaints, reports) within the user's
reach; `tables` turns it into the tables the page and the document show, in either language;
`documents` writes the customer's 服务方案 and the manager's internal 客户经营简报 as Word
documents, with `charts` drawing their figures.
"""
