"""`needsmine notes FILE`: tag a CSV/XLSX of interview notes from another system with the trained
notes model of the warehouse (the same one the pages use): areas with probabilities, products and
competitors named, competitor offers, and the needs the note declines (area, the words or products
naming it, and why: `analytics/models/notes/declines.py`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from analytics.cli.common import EXIT_OK, add_db_option, bad_input, json_default, warehouse_not_found

# Headers that name the notes column, compared case- and whitespace-insensitively.
NOTE_HEADERS = (
    "notes",
    "note",
    "备注",
    "走访记录",
    "访谈内容",
    "访谈记录",
    "纪要",
    "内容",
    "interview notes",
    "comments",
)
FORMATS = (".csv", ".xlsx", ".xls")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `notes` to the command line's subcommands; the new parser."""
    parser = subparsers.add_parser(
        "notes",
        help="tag a CSV/XLSX of interview notes: areas, products, competitors, competitor offers, declined needs",
        description=(
            "Read the notes column of FILE (found by its header: notes, 备注, 走访记录, 访谈内容, 纪要, 内容 …, "
            "or --column) and tag each row with the warehouse's trained notes model. Opens the warehouse "
            "read-only, so it runs beside a dashboard."
        ),
    )
    parser.add_argument("file", help="CSV (UTF-8 or GBK) or XLSX of notes")
    parser.add_argument("--column", help="header of the notes column (default: found by name)")
    parser.add_argument("--out", help="write the tagged rows to this .xlsx file")
    parser.add_argument("--json", action="store_true", help="print the tagged rows as one JSON object")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    add_db_option(parser)
    return parser


def _key(header: object) -> str:
    return "".join(str(header).split()).lower()


def find_column(headers: list[object], wanted: str | None = None) -> object | None:
    """The header of the notes column: `wanted`, else the first known notes header; None if absent."""
    keys = {_key(h): h for h in reversed(headers)}
    if wanted is not None:
        return keys.get(_key(wanted))
    return next((keys[_key(name)] for name in NOTE_HEADERS if _key(name) in keys), None)


def read_notes_file(path: Path):
    """The file as a DataFrame of text; raises ValueError with a message naming the file."""
    import pandas as pd

    from analytics.warehouse.importer.encoding import EncodingProblem, detect

    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"{path}: 未知格式 {suffix or '(无扩展名)'}，请用 CSV 或 XLSX / unknown format, use CSV or XLSX"
        )
    try:
        if suffix == ".csv":
            try:
                encoding = detect(path)
            except EncodingProblem as err:
                raise ValueError(f"{path}: {err}") from err
            frame = pd.read_csv(path, dtype=str, encoding=encoding, keep_default_na=False)
        else:
            frame = pd.read_excel(path, dtype=str).fillna("")
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path}: 文件为空 / the file is empty") from None
    except (ValueError, OSError) as err:
        if isinstance(err, ValueError) and str(err).startswith(str(path)):
            raise
        raise ValueError(f"{path}: 无法读取 / cannot be read ({err})") from err
    return frame


def tag(notes: list[str], model, products) -> list[dict]:
    """One dict per note: areas (probability per area), predicted areas, products, competitors,
    offers, and `declined`: the needs it declines ({area or None, words, reason, clause})."""
    from analytics.models.notes.declines import declines
    from analytics.models.notes.mentions import mentions
    from analytics.models.notes.offers import offers

    probability = model.predict_proba(notes)
    predicted = probability >= model.thresholds
    named = mentions(notes, products)
    said = offers(notes, products)
    declined = declines(notes, model, products)
    names = dict(zip(products["product_id"], products["product_name"], strict=True))
    rows = []
    for i, note in enumerate(notes):
        rows.append(
            {
                "note": note,
                "areas": [a for a, hit in zip(model.areas, predicted[i], strict=True) if hit],
                "probabilities": {a: round(float(p), 4) for a, p in zip(model.areas, probability[i], strict=True)},
                "products": [names.get(p, p) for p in named["products"].iloc[i]],
                "competitors": list(named["competitors"].iloc[i]),
                "offers": [
                    {**o._asdict(), "product": names.get(o.product, o.product) if o.product else None}
                    for o in said.iloc[i]
                ],
                "declined": [{**d._asdict(), "words": list(d.words)} for d in declined[i]],
            }
        )
    return rows


def _offer_text(offer: dict) -> str:
    period = {"month": "元/月", "year": "元/年", "one_off": "元（一次性）"}.get(offer["period"] or "", "元")
    what = f" {offer['product']}" if offer["product"] else ""
    if offer["kind"] == "free":
        amount = "免费"
    elif offer["kind"] == "difference":
        amount = f"我方{'贵' if offer['amount'] > 0 else '便宜'}{abs(offer['amount']):g}{period}"
    else:
        amount = f"{offer['amount']:g}{period}"
    return f"{offer['competitor']}{what}: {amount}"


def run(args: argparse.Namespace) -> int:
    from analytics import config
    from analytics.models import registry
    from analytics.models.notes.declines import decline_text
    from analytics.models.persistence import ModelFileError, load_model
    from analytics.warehouse import db

    path = Path(args.file)
    if not path.exists():
        return bad_input(f"{path}: 文件不存在 / file not found")
    try:
        frame = read_notes_file(path)
    except ValueError as err:
        return bad_input(str(err))
    headers = list(frame.columns)
    column = find_column(headers, args.column)
    if column is None:
        wanted = f"'{args.column}'" if args.column else "notes/备注/走访记录/访谈内容/纪要/内容"
        found = ", ".join(str(h) for h in headers) or "(无 / none)"
        return bad_input(
            f"{path}: 没有记录列 {wanted}；表头为: {found} / no notes column {wanted}; headers found: {found}"
        )
    if frame.empty:
        return bad_input(f"{path}: 文件没有数据行 / the file has no rows")

    db_path = config.db_path(args.db)
    model_path = registry.path_of(config.models_dir(db_path), "notes")
    if not model_path.exists():
        return bad_input(
            f"{model_path}: 模型不存在，请先运行 needsmine train / model not trained yet (run needsmine train)"
        )
    try:
        model, _ = load_model(model_path)
    except ModelFileError as err:
        return bad_input(str(err))
    if not db_path.exists():
        return warehouse_not_found(db_path)
    con = db.connect(db_path, read_only=True)
    try:
        products = con.execute(
            "select product_id, product_name, area::varchar as area from products order by product_id"
        ).df()
    finally:
        con.close()

    notes = frame[column].astype(str).tolist()
    rows = tag(notes, model, products)
    for i, row in enumerate(rows):
        row["row"] = i + 2  # the CSV line / spreadsheet row it came from (row 1 holds the headers)

    if args.out:
        _write_xlsx(Path(args.out), frame, column, rows, model.areas)
    if args.json:
        print(
            json.dumps(
                {"file": str(path), "column": str(column), "rows": rows}, ensure_ascii=False, default=json_default
            )
        )
    elif not args.out:
        for row in rows:
            offers_text = "；".join(_offer_text(o) for o in row["offers"])
            declined_text = "；".join(decline_text(d) for d in row["declined"])
            print(
                f"{row['row']}\t{'、'.join(row['areas']) or '-'}\t{'、'.join(row['products']) or '-'}\t"
                f"{'、'.join(row['competitors']) or '-'}\t{offers_text or '-'}\t{declined_text or '-'}"
            )
    if not args.quiet:
        print(f"{len(rows)} notes tagged from {path}", file=sys.stderr)
    return EXIT_OK


def _write_xlsx(out: Path, frame, column, rows: list[dict], areas) -> None:
    """The input rows with the tags beside them, every text cell formula-safe."""
    import pandas as pd

    from analytics.models.notes.declines import decline_text
    from analytics.views.exports import formula_safe

    tagged = frame.copy()
    tagged["areas"] = ["、".join(r["areas"]) for r in rows]
    for area in areas:
        tagged[f"p_{area}"] = [r["probabilities"][area] for r in rows]
    tagged["products"] = ["、".join(r["products"]) for r in rows]
    tagged["competitors"] = ["、".join(r["competitors"]) for r in rows]
    tagged["offers"] = ["；".join(_offer_text(o) for o in r["offers"]) for r in rows]
    # One cell per note, and the areas alone for filtering: "mobile_office（腾讯会议）：现有的够用".
    tagged["declined_areas"] = ["、".join(dict.fromkeys(d["area"] for d in r["declined"] if d["area"])) for r in rows]
    tagged["declined"] = ["；".join(decline_text(d) for d in r["declined"]) for r in rows]
    out.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(out) as writer:
        formula_safe(tagged).to_excel(writer, index=False, sheet_name="notes")
