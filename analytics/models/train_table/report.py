"""The readable (Chinese / English) report of `train-table`, from its JSON summary."""

from __future__ import annotations

from typing import Any


def _num(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _wrapped(head: str, items: list[str], width: int = 100) -> list[str]:
    lines, line = [], head
    for i, item in enumerate(items):
        piece = item + (", " if i < len(items) - 1 else "")
        if len(line) + len(piece) > width and line.strip():
            lines.append(line.rstrip())
            line = " " * len(head)
        line += piece
    lines.append(line.rstrip())
    return lines


def format_report(s: dict[str, Any]) -> str:
    """The report printed by `needsmine train-table` without --json."""
    lines = [
        f"needsmine train-table · {s['file']}",
        "",
        f"目标 target: {s['target']}  正类 positive = {s['positive']!r}, 负类 negative = {s['negative']!r}",
        f"训练行 rows: {s['rows']:,}  正类 positives: {s['positives']:,} ({s['positive_rate']:.1%})",
    ]
    numeric = [f for f in s["features"] if f["type"] == "numeric"]
    categorical = [f for f in s["features"] if f["type"] == "categorical"]
    lines.append(
        f"特征 features: {len(s['features'])} (数值 numeric {len(numeric)}, 类别 categorical {len(categorical)})"
    )
    rows = s["rows"] + s["dropped_missing_target"]
    for label, group in (("数值 numeric", numeric), ("类别 categorical", categorical)):
        if not group:
            continue
        names = []
        for f in group:
            extra = [f"{f['values']} values"] if f.get("values") is not None else []
            if f["missing"]:
                extra.append(f"{f['missing'] / rows:.0%} missing")
            names.append(f["column"] + (f" ({', '.join(extra)})" if extra else ""))
        lines += _wrapped(f"  {label}: ", names)
    lines += [f"  · {f['column']}: {f['detail']}" for f in s["features"] if f.get("detail")]
    if s["excluded"]:
        lines.append(f"排除 excluded: {len(s['excluded'])}")
        lines += [f"  · {e['column']} — {e['reason']}" for e in s["excluded"]]
    m = s["model"]
    lines += [
        "",
        f"模型 model: {m['kind']} — {m['description']}",
        f"  选择 chosen by: {m['chosen_by']}",
    ]
    if len(m["cv"]) > 1:
        for kind, figures in m["cv"].items():
            lines.append(
                f"  {kind:<9} CV AUC {_num(figures['auc'])}  PR-AUC "
                f"{_num(figures['pr_auc'])}  Brier {_num(figures['brier'], 4)}"
            )
    lines += [
        "",
        f"{m['cv_folds']} 折交叉验证（样本外）/ {m['cv_folds']}-fold cross-validation, out-of-fold:",
        f"  AUC {_num(s['auc'])}   PR-AUC {_num(s['pr_auc'])}   "
        f"前10%提升 top-decile lift {_num(s['lift_top_decile'], 2)}   "
        f"Brier {_num(s['brier'], 4)}   ECE {_num(s['ece'], 4)}",
        "  校准（10 个等量分箱）calibration, 10 equal-count bins:",
        "    箱 bin   预测 predicted   实际 observed   行 rows",
    ]
    for b in s["calibration"]:
        lines.append(
            f"    {b['bin']:>6}   {b['mean_predicted']:>14.3f}   {b['observed_rate']:>13.3f}   {b['count']:>7,}"
        )
    if s.get("importance"):
        lines += ["", "影响最大的列 columns that move scores most (mean |log-odds contribution|):"]
        lines += [f"  · {i['column']}: {i['mean_abs_contribution']:.3f}" for i in s["importance"]]
    if s.get("notes"):
        lines += [""] + [f"注 note: {n}" for n in s["notes"]]
    if s.get("out"):
        lines += ["", f"已写出 written: {s['out']} ({s['out_rows']:,} rows)"]
    lines.append(f"用时 time: {s['seconds']} s")
    return "\n".join(lines)
