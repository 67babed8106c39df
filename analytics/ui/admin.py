"""The administration page's tables as people read them: roles, audit actions and the objects of
the audit trail by name ("page model_quality" reads 页面：模型质量), no empty cell drawn as None."""

from __future__ import annotations

import contextlib

import pandas as pd

from analytics.access import pages
from analytics.ui.language import label, t

# Columns holding codes, and the i18n kind that names each code.
CODED = {"role": "user_role", "action": "audit_action"}
# The kinds of object the audit trail records as "<kind> <what>" (analytics/ui/trail.py and the
# sign-in, admin and export code), worded by `audit_object.<kind>` with {what}.
OBJECT_KINDS = ("page", "account", "user")
WHOLE_OBJECTS = ("session", "models", "import")


def object_name(obj: object) -> object:
    """An audit trail object in words: pages by their title, accounts and users with their kind,
    exported tables by the page they come from; anything else as it was recorded."""
    if not isinstance(obj, str):
        return "" if pd.isna(obj) else obj
    if obj in WHOLE_OBJECTS:
        return t(f"audit_object.{obj}")
    kind, _, what = obj.partition(" ")
    if kind == "page":
        with contextlib.suppress(KeyError):
            what = t(pages.get(what).title_key)
        return t("audit_object.page", what=what)
    if kind in OBJECT_KINDS and what:
        return t(f"audit_object.{kind}", what=what)
    if obj.endswith(" table"):
        source = obj.removesuffix(" table").replace(" ", "_")
        try:
            source = t(pages.get(source).title_key)
        except KeyError:
            source = obj.removesuffix(" table")
        return t("audit_object.table", what=source)
    return obj


def worded(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its role and action codes replaced by their names in this run's language (a
    code without a name, such as a role a newer version wrote, is shown as it is), audit objects
    in words and empty text cells empty (the browser draws a missing value as "None")."""
    changed = {
        column: frame[column].map(lambda code, kind=kind: "" if pd.isna(code) else label(kind, code))
        for column, kind in CODED.items()
        if column in frame.columns
    }
    if "object" in frame.columns:
        changed["object"] = frame["object"].map(object_name)
    for column in frame.columns:
        if column not in changed and (frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column])):
            changed[column] = frame[column].fillna("")
    return frame.assign(**changed) if changed else frame
