"""What the importer knows beyond the schema: Chinese headers, value aliases, keys, references,
and what a plausible value is.

Column types, nullability and enum labels are read from the warehouse itself (the DDL in
`sql/schema/` is their one source); this module adds what a DDL cannot say. The plausibility
limits below (dates, ceilings, shrinking months, line length) are the place to change them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from analytics.config import AREA_LABELS_ZH


@dataclass(frozen=True)
class TableContract:
    name: str
    key: tuple[str, ...]
    # Columns whose values must exist in another table: column -> (table, column).
    references: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Monthly fact tables are replaced month by month; entity and event tables by key.
    replace_by_month: str | None = None
    # Chinese (and other) headers that operator exports use, per column.
    headers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Names a file of this table may carry (besides the table name itself).
    file_names: tuple[str, ...] = ()
    # The largest plausible value per numeric column; a larger one is refused (a typo, a unit
    # mix-up, a test value such as 999,999,999,999.99).
    ceilings: dict[str, int] = field(default_factory=dict)
    # Date columns that lie in the future by nature: column -> how many years ahead they may lie.
    future_years: dict[str, int] = field(default_factory=dict)
    # Free-text columns, in which tabs and line breaks are kept (every other text refuses them).
    free_text: tuple[str, ...] = ()


# Labels accepted for enum values besides the stored ones, keyed by enum type name.
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "area": {label: code for code, label in AREA_LABELS_ZH.items()},
    "profile_kind": {"基本资料": "basic", "个性化资料": "personal", "基础资料": "basic"},
    "billing_unit": {
        "按成员/月": "member_month",
        "按线路/月": "line_month",
        "按终端/月": "terminal_month",
        "按条": "message",
        "按账号/月": "seat_month",
    },
    "competitor": {"电信": "中国电信", "联通": "中国联通", "广电": "中国广电"},
    "carrier": {"移动": "中国移动", "电信": "中国电信", "联通": "中国联通", "广电": "中国广电"},
}

# Plausible dates: none after the end of the month after the current one (`MONTHS_AHEAD`, unless
# `future_years` of the table says otherwise), none before the warehouse's first billing month
# (the current month for an empty warehouse) less `YEARS_BEFORE_DATA` years — billing months of
# monthly tables less `MONTH_YEARS_BEFORE_DATA` years, since a bill older than that is a typo
# (200401 for 202401) rather than history.
MONTHS_AHEAD = 1
YEARS_BEFORE_DATA = 30
MONTH_YEARS_BEFORE_DATA = 10

# A month of a monthly table that an import would shrink by more than this share of its rows is
# refused unless the user confirms it (`needsmine import --allow-shrink`): a one-row file for a
# month of 6,814 rows is more likely a wrong file than a smaller month.
MAX_MONTH_SHRINK = 0.5

# The longest CSV record (bytes, UTF-8) the reader takes; a longer one is refused, naming its line.
MAX_LINE_BYTES = 2_000_000


def earliest_month(first_month: dt.date | None, today: dt.date, years: int) -> dt.date:
    """The first day of the earliest plausible month: `years` before the warehouse's first month
    (or before today's month when the warehouse holds none, or holds only later ones)."""
    start = min(first_month or today, today).replace(day=1)
    return start.replace(year=start.year - years)


def month_after(today: dt.date, months: int) -> dt.date:
    """The first day of the month `months` + 1 after today's: the exclusive end of plausible dates."""
    index = today.year * 12 + today.month - 1 + months + 1
    return dt.date(index // 12, index % 12 + 1, 1)


TRUE_WORDS = {"true", "t", "1", "y", "yes", "是", "统付", "√"}
FALSE_WORDS = {"false", "f", "0", "n", "no", "否", "个付", "个人付费", ""}


CONTRACTS: dict[str, TableContract] = {
    c.name: c
    for c in (
        TableContract(
            name="managers",
            key=("manager_id",),
            headers={
                "manager_id": ("客户经理编号", "客户经理工号", "工号"),
                "manager_name": ("客户经理姓名", "姓名", "客户经理"),
                "district": ("区县", "所属区县", "分公司"),
                "team": ("团队", "班组", "所属团队"),
                "phone": ("联系电话", "手机", "手机号码", "电话"),
                "email": ("邮箱", "电子邮箱", "电子邮件"),
            },
            file_names=("客户经理",),
        ),
        TableContract(
            name="products",
            key=("product_id",),
            headers={
                "product_id": ("产品编码", "产品编号", "业务编码"),
                "product_name": ("产品名称", "业务名称"),
                "area": ("信息化领域", "领域", "业务领域"),
                "billing_unit": ("计费单位", "计费方式"),
                "list_price_yuan": ("标准资费", "资费(元)", "标准资费(元)", "单价"),
            },
            file_names=("产品目录", "产品"),
            ceilings={"list_price_yuan": 10_000_000},
        ),
        TableContract(
            name="accounts",
            key=("account_id",),
            references={"manager_id": ("managers", "manager_id")},
            headers={
                "account_id": ("集团编号", "集团编码", "客户编号"),
                "account_name": ("集团名称", "客户名称"),
                "industry": ("行业", "所属行业", "行业类别"),
                "district": ("区县", "所属区县", "分公司"),
                "value_class": ("价值等级", "集团等级", "客户等级"),
                "is_key_account": ("重要集团", "是否重要集团", "重要集团标识"),
                "manager_id": ("客户经理", "客户经理编号", "客户经理工号"),
                "employee_count": ("员工数", "员工人数", "单位人数"),
                "ownership": ("单位性质", "所有制", "企业性质"),
                "opened_on": ("入网日期", "建档日期", "开户日期"),
                "agreement_expires_on": ("协议到期", "协议到期日", "协议到期日期"),
                "agreement_months": ("协议期限(月)", "协议期限", "协议年限(月)"),
                "status": ("状态", "集团状态", "客户状态"),
                "closed_on": ("销户日期", "离网日期"),
                "business_scope": ("经营范围", "经营范围描述"),
            },
            file_names=("集团客户", "集团"),
            ceilings={"employee_count": 5_000_000, "agreement_months": 240},
            future_years={"agreement_expires_on": 30},
            free_text=("business_scope",),  # a licence's scope may run over several lines
        ),
        TableContract(
            name="contacts",
            key=("contact_id",),
            references={"account_id": ("accounts", "account_id")},
            headers={
                "contact_id": ("关键人编号", "联系人编号"),
                "account_id": ("集团编号", "集团编码"),
                "contact_name": ("姓名", "关键人姓名"),
                "phone": ("电话", "手机号码", "联系电话"),
                "role": ("角色", "关键人角色"),
                "department": ("部门",),
                "title": ("职务",),
                "carrier": ("使用运营商", "运营商"),
            },
            file_names=("关键人",),
        ),
        TableContract(
            name="billing_monthly",
            key=("account_id", "billing_month", "product_id"),
            references={
                "account_id": ("accounts", "account_id"),
                "product_id": ("products", "product_id"),
            },
            replace_by_month="billing_month",
            headers={
                "account_id": ("集团编号", "集团编码"),
                "billing_month": ("账期", "月份", "账期月份"),
                "product_id": ("产品编码", "产品编号", "业务编码"),
                "revenue_yuan": ("收入", "收入(元)", "出账收入", "出账收入(元)"),
                "quantity": ("数量", "用户数", "计费数量"),
                "is_group_paid": ("统付", "是否统付", "付费方式"),
            },
            file_names=("账单", "月账单", "出账"),
            # One account's bill for one product in one month.
            ceilings={"revenue_yuan": 100_000_000, "quantity": 10_000_000},
        ),
        TableContract(
            name="members_monthly",
            key=("account_id", "billing_month"),
            references={"account_id": ("accounts", "account_id")},
            replace_by_month="billing_month",
            headers={
                "account_id": ("集团编号", "集团编码"),
                "billing_month": ("账期", "月份"),
                "member_count": ("成员数", "集团成员数"),
                "joined_count": ("新增成员", "新增成员数"),
                "left_group_count": ("成员流失", "流失成员数", "退出集团成员数"),
                "left_network_count": ("成员离网", "离网成员数"),
            },
            file_names=("成员", "集团成员"),
            ceilings={
                "member_count": 5_000_000,
                "joined_count": 5_000_000,
                "left_group_count": 5_000_000,
                "left_network_count": 5_000_000,
            },
        ),
        TableContract(
            name="interactions",
            key=("interaction_id",),
            references={
                "account_id": ("accounts", "account_id"),
                "manager_id": ("managers", "manager_id"),
            },
            headers={
                "interaction_id": ("走访编号", "接触编号"),
                "account_id": ("集团编号", "集团编码"),
                "manager_id": ("客户经理", "客户经理编号"),
                "occurred_at": ("走访时间", "接触时间", "时间"),
                "channel": ("方式", "接触方式", "走访方式"),
                "contact_role": ("接触对象", "对象角色"),
                "notes": ("走访记录", "纪要", "备注"),
                "needs_found": ("发现需求", "需求领域"),
            },
            file_names=("走访", "走访记录"),
            free_text=("notes",),
        ),
        TableContract(
            name="competitor_reports",
            key=("report_id",),
            references={
                "manager_id": ("managers", "manager_id"),
                "account_id": ("accounts", "account_id"),
            },
            headers={
                "report_id": ("上报编号", "信息编号"),
                "manager_id": ("客户经理", "上报人"),
                "account_id": ("集团编号", "集团编码"),
                "competitor": ("竞争对手", "竞争运营商"),
                "kind": ("信息类别", "类别"),
                "observed_at": ("发现时间", "获悉时间"),
                "reported_at": ("上报时间",),
                "description": ("内容", "信息内容", "描述"),
            },
            file_names=("竞争信息", "市场竞争信息"),
            free_text=("description",),
        ),
        TableContract(
            name="profile_updates",
            key=("update_id",),
            references={
                "account_id": ("accounts", "account_id"),
                "updated_by": ("managers", "manager_id"),
            },
            headers={
                "update_id": ("更新编号",),
                "account_id": ("集团编号", "集团编码"),
                "kind": ("资料类别", "类别"),
                "updated_at": ("更新时间",),
                "updated_by": ("更新人", "客户经理"),
            },
            file_names=("资料更新",),
        ),
        TableContract(
            name="complaints",
            key=("complaint_id",),
            references={"account_id": ("accounts", "account_id")},
            headers={
                "complaint_id": ("投诉编号", "工单号"),
                "account_id": ("集团编号", "集团编码"),
                "opened_at": ("投诉时间", "受理时间"),
                "category": ("投诉类别", "类别"),
                "severity": ("严重程度", "级别"),
                "resolved_at": ("解决时间", "办结时间"),
            },
            file_names=("投诉",),
        ),
    )
}

IMPORTABLE_TABLES: tuple[str, ...] = tuple(CONTRACTS)
