"""Masking of key people's personal data for roles that may not see it (issue 6)."""

from __future__ import annotations

import pandas as pd

from analytics.common import i18n

MASK = "*"
PERSONAL_COLUMNS = ("contact_name", "phone", "notes")


def mask_name(name: object) -> object:
    """'张伟' → '张*', '欧阳娜娜' → '欧***': the family name stays, enough to tell people apart."""
    if not isinstance(name, str) or not name:
        return name
    return name[0] + MASK * max(len(name) - 1, 1)


def mask_phone(phone: object) -> object:
    """'13812345678' → '138****5678'."""
    if not isinstance(phone, str) or len(phone) < 7:
        return MASK * 4 if isinstance(phone, str) and phone else phone
    return phone[:3] + MASK * (len(phone) - 7) + phone[-4:]


def mask_text(text: object, lang: str = i18n.DEFAULT_LANGUAGE) -> object:
    """Free text about people (interview notes) is withheld entirely, said so in `lang`."""
    return i18n.text("privacy.withheld", lang) if isinstance(text, str) and text else text


def mask_frame(frame: pd.DataFrame, sees_personal_data: bool, lang: str = i18n.DEFAULT_LANGUAGE) -> pd.DataFrame:
    """The frame with its personal columns masked unless the role may see them."""
    if sees_personal_data:
        return frame
    out = frame.copy()
    for column, mask in (("contact_name", mask_name), ("phone", mask_phone)):
        if column in out.columns:
            out[column] = out[column].map(mask)
    if "notes" in out.columns:
        out["notes"] = out["notes"].map(lambda text: mask_text(text, lang))
    return out


def mask_account_view(view, lang: str = i18n.DEFAULT_LANGUAGE):
    """An account view (analytics.views.account.view.AccountView) without key people's names and phones or
    the interview notes — what a role without personal data sees, on the page and in a proposal."""
    import dataclasses

    return dataclasses.replace(
        view, contacts=mask_frame(view.contacts, False, lang), interviews=mask_frame(view.interviews, False, lang)
    )
