"""What a project is, in one place.

Which opportunities make a project: a signed (签约) opportunity whose area is delivered as a
project rather than ordered off the shelf — 移动办公 (`mobile_office`: OA, e-mail, video
conferencing rolled out to the members) is a 解决方案, 生产控制 (`production_control`: IoT
terminals, fleet management, video surveillance, positioning, a 5G private network, installed on
site) a 行业应用 — and whose first-year value (12 × expected monthly + one-off) is at least
`MIN_FIRST_YEAR_YUAN`: below that it is a product order, not a project. 基础通信 (lines, V网) and
服务营销 (ring-back tones, SMS, 400 numbers) are connectivity and standard services: no project.

Billing followed: a contract signed in month M is billed from M + 1 (the operator bills whole
months; the demo's first bills come 3–25 days after signing). From that month through the
warehouse's latest billing month, the revenue of the project's products on the account, less
what the account already paid for them before (the average of the `BASELINE_MONTHS` months before
the contract), is set against the expected monthly value × the months due:
到账正常 at `NORMAL_SHARE` of it or more, 低于预期 below, 未到账 when nothing arrived, 未到计费期
while no month is due yet.
"""

from __future__ import annotations

KINDS: dict[str, str] = {"mobile_office": "解决方案", "production_control": "行业应用"}
MIN_FIRST_YEAR_YUAN = 5000
MILESTONES: tuple[str, ...] = ("立项", "方案评审", "合同", "实施", "验收")
CONTRACT = "合同"
ROLES: tuple[str, ...] = ("行业经理", "解决方案经理", "售前工程师", "实施工程师", "项目经理")
MAX_NAME = 100
MAX_PLANNED_YEARS = 5  # a planned date at most this far ahead
BASELINE_MONTHS = 3
NORMAL_SHARE = 0.8
STATUSES: tuple[str, ...] = ("到账正常", "低于预期", "未到账", "未到计费期")
NORMAL, LOW, NONE, NOT_DUE = STATUSES
