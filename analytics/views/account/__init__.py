"""客户视图 and the proposal made from it.

`view` loads one account as of a month (`AccountView`: profile, key people, consumption,
peers, score and reasons, recommendations, interviews, complaints, reports) within the user's
reach; `tables` turns it into the tables the page and the document show, in either language;
`proposal` writes the 服务方案 as a Word document, with `charts` drawing its figures.
"""
