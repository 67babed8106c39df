"""The administration page's tables as people read them (analytics/ui/admin.py)."""

from __future__ import annotations

import pandas as pd

from analytics.ui import admin


def test_codes_and_objects_are_worded_and_empty_cells_empty() -> None:
    events = pd.DataFrame(
        {
            "username": ["admin", "m1", "m1", "cli", "m1", "m1"],
            "role": ["admin", "manager", "manager", None, "manager", "head"],
            "action": ["view", "export", "sign_in", "admin", "view", "retrain"],
            "object": ["page model_quality", "compliance table", "session", "user li", "account 3100000001", "x"],
            "detail": [None, "规范.csv", None, "deactivated", None, None],
        }
    )
    shown = admin.worded(events)
    assert list(shown["role"]) == ["管理员", "客户经理", "客户经理", "", "客户经理", "负责人"]
    assert list(shown["action"]) == ["查看", "导出", "登录", "管理操作", "查看", "重新训练"]
    assert list(shown["object"]) == ["页面：模型质量", "表格：规范执行", "会话", "用户 li", "客户 3100000001", "x"]
    assert list(shown["detail"]) == ["", "规范.csv", "", "deactivated", "", ""]


def test_an_unknown_code_is_shown_as_recorded() -> None:
    shown = admin.worded(pd.DataFrame({"role": ["auditor"], "action": ["view"]}))
    assert list(shown["role"]) == ["auditor"]
