"""The needs a note declines: area, the words or products that name it, why, and the clause.

The notes model already finds declines: the clauses its negation scope covers (`text`: a clause
holding a cue — 暂不, 不考虑, 已经找…, 够用了, 预算用完了, 总部统一… — and the clauses before it
in its sentence, back to a clause opening with a contrast). Their n-grams carry the "¬" mark, so
that a declined need does not count as a need. This module reads those same clauses back out and
says what they decline:

- **area**: an area is declined when the declined clauses name one of its lexicon aliases
  (监控, 视频会议, 群发 …) or one of its products, or when the notes model, reading the declined
  clauses *as if voiced* (negation off: the n-grams of the need itself), finds the area's need
  at its own threshold. "厂区监控的事，已经找海康做了" declines production control (监控);
  "腾讯会议够用了" mobile office (the model reads 会议); "视频会议今年预算用完了" mobile office.
  Failing those, a product used instead (substitutes.csv: 腾讯会议, 钉钉 → mobile office; 海康,
  大华 → production control) names the area: "已经找海康做了" declines production control. These
  words are not in the model's lexicon, since a vendor a customer names is not by itself a need.
  A decline that names no area ("老板说今年预算用完了") is kept with area None: the note says
  no, but not to what. Edit substitutes.csv (columns area, alias) to add vendors.
- **words**: the aliases and product names of that area found in the declined clauses, as
  written in the note; products by their catalogue name.
- **reason**: which kind of decline the cue is (REASONS, first match wins), else "refused".

One decline per (sentence segment, area). A note that only voices needs declines nothing.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from analytics.models.notes.mentions import product_patterns
from analytics.models.notes.text import (
    BOUNDARIES,
    CONTRAST,
    LEXICON,
    NEGATION_CUES,
    SENTENCE_ENDS,
    SPACES,
    distinct_texts,
    normalise,
    read_lexicon,
)

SUBSTITUTES_PATH = Path(__file__).with_name("substitutes.csv")
SUBSTITUTES = read_lexicon(SUBSTITUTES_PATH)

# The kinds of decline, tried in this order on the cue and its clause.
REASONS: tuple[tuple[str, str], ...] = (
    ("headquarters", r"总部|上级|集团统一|做不了主|轮不到|说了算"),
    ("elsewhere", r"已经(?:找|在用|上了|装了|有了|做了|用了)|在用别家|找[^，。；]*做了"),
    ("budget", r"预算|没钱|经费|嫌贵|太贵|用完了"),
    ("enough", r"够用|就够了|没必要|用不上|不折腾|不换"),
    ("not_now", r"暂|先不|明年再|今年不|短期不|以后再"),
)
REASON_WORDS = {
    "headquarters": ("总部/上级决定", "decided by headquarters"),
    "elsewhere": ("已在别处解决", "already solved elsewhere"),
    "budget": ("没有预算", "no budget"),
    "enough": ("现有的够用", "enough as it is"),
    "not_now": ("暂不考虑", "not for now"),
    "refused": ("不需要", "not wanted"),
}
_REASONS = tuple((name, re.compile(pattern)) for name, pattern in REASONS)
_SPLIT = re.compile(f"([{BOUNDARIES}]+)")
_AROUND_BOUNDARIES = re.compile(f"[{SPACES}]*([{BOUNDARIES}])[{SPACES}]*")
_CONTRAST = re.compile(f"(?:{CONTRAST})")


class Decline(NamedTuple):
    area: str | None
    words: tuple[str, ...]  # aliases and product names of the area, as the note writes them
    reason: str  # a key of REASON_WORDS
    clause: str  # the declined clauses, as written


class _Span(NamedTuple):
    clause: str  # original text of the declined clauses, joined by "，"
    cue: str  # the declined clauses, normalised (what the cue and reason are read from)


def declined_spans(text: object, negation: str | None = NEGATION_CUES) -> list[_Span]:
    """The declined parts of one note, one per sentence segment that holds a cue: the clauses the
    notes model marks "¬" (same segments and scope as `text.ClauseNgrams`)."""
    if not isinstance(text, str) or not negation:
        return []
    cue = re.compile(negation)
    original = _SPLIT.split(_AROUND_BOUNDARIES.sub(r"\1", text))
    folded = _SPLIT.split(normalise(text))
    if len(original) != len(folded):  # spaces the two splits read differently: show the folded text
        original = folded
    segments: list[list[tuple[str, str]]] = [[]]
    for i, (piece, plain) in enumerate(zip(original, folded, strict=True)):
        if i % 2:  # a run of boundary marks
            if any(mark in SENTENCE_ENDS for mark in plain):
                segments.append([])
            continue
        if _CONTRAST.match(plain):
            segments.append([])
        segments[-1].append((piece.strip(), plain))
    spans = []
    for segment in segments:
        last = max((k for k, (_, plain) in enumerate(segment) if cue.search(plain)), default=-1)
        if last >= 0:
            kept = [c for c in segment[: last + 1] if c[1]]
            spans.append(_Span("，".join(o for o, _ in kept), "，".join(p for _, p in kept)))
    return spans


def reason_of(declined: str) -> str:
    """The kind of decline of normalised declined clauses (a key of REASON_WORDS)."""
    return next((name for name, pattern in _REASONS if pattern.search(declined)), "refused")


def _voiced_proba(model, texts: list[str]) -> np.ndarray:
    """The notes model's probabilities of `texts` read with negation off: what need the declined
    clauses would voice were they not declined."""
    count = copy.copy(model.pipeline.steps[0][1])
    count.negation = None
    return model.pipeline[1:].predict_proba(count.transform(texts))


def _aliases_by_area(lexicon) -> dict[str, list[str]]:
    by_area: dict[str, list[str]] = {}
    for area, alias in lexicon:
        by_area.setdefault(area, []).append(alias)
    for aliases in by_area.values():
        aliases.sort(key=len, reverse=True)
    return by_area


def _found(aliases: list[str], text: str) -> list[str]:
    """The aliases in lower-cased `text`, longest first, none inside an already found one."""
    found: list[str] = []
    for alias in aliases:
        if alias in text and not any(alias in longer for longer in found):
            found.append(alias)
    return found


def declines(
    texts: Iterable[str], model, products: pd.DataFrame, *, lexicon=LEXICON, substitutes=SUBSTITUTES
) -> list[list[Decline]]:
    """The declines of each text (aligned with `texts`). `model`: a fitted NotesModel; `products`:
    the catalogue with product_id, product_name and area (products named count for their area)."""
    codes, distinct = distinct_texts(texts)
    spans = [declined_spans(text, model.pipeline.steps[0][1].negation) for text in distinct]
    flat = [span for note in spans for span in note]
    if not flat:
        return [[] for _ in codes]
    voiced = _voiced_proba(model, [span.clause for span in flat]) >= model.thresholds
    aliases, instead = _aliases_by_area(lexicon), _aliases_by_area(substitutes)
    patterns = product_patterns(products)
    area_of = dict(zip(products["product_id"].astype(str), products["area"].astype(str), strict=True))
    name_of = dict(zip(products["product_id"].astype(str), products["product_name"], strict=True))
    out: list[list[Decline]] = []
    k = 0
    for note in spans:
        found: list[Decline] = []
        for span in note:
            lowered = span.clause.lower()
            named = [p for p, pattern in patterns.items() if pattern and re.search(pattern, lowered)]
            reason = reason_of(span.cue)
            areas = []
            for j, area in enumerate(model.areas):
                words = [_as_written(span.clause, w) for w in _found(aliases.get(area, []), lowered)]
                words += [name_of[p] for p in named if area_of.get(p) == area]
                used = [
                    _as_written(span.clause, w)
                    for w in _found(instead.get(area, []), lowered)
                    if not any(w in found_word.lower() for found_word in words)  # 会议 in 视频会议
                ]
                if words or voiced[k, j]:
                    areas.append(Decline(area, tuple(dict.fromkeys(words + used)), reason, span.clause))
            if not areas:  # no need named: a product used instead may name it
                for area in model.areas:
                    used = [_as_written(span.clause, w) for w in _found(instead.get(area, []), lowered)]
                    if used:
                        areas.append(Decline(area, tuple(used), reason, span.clause))
            found.extend(areas or [Decline(None, (), reason, span.clause)])
            k += 1
        out.append(found)
    return [out[c] for c in codes]


def _as_written(clause: str, lowered_alias: str) -> str:
    """The alias as the note spells it ("OA" for the lexicon's "oa")."""
    at = clause.lower().find(lowered_alias)
    return clause[at : at + len(lowered_alias)] if at >= 0 else lowered_alias


def decline_text(decline: Decline | dict, lang: str = "zh") -> str:
    """One decline in words: "production_control（监控）：已在别处解决"."""
    d = decline._asdict() if isinstance(decline, Decline) else decline
    words = f"（{'、'.join(d['words'])}）" if d["words"] else ""
    reason = REASON_WORDS[d["reason"]][0 if lang == "zh" else 1]
    return f"{d['area'] or '?'}{words}：{reason}"
