"""Features of Chinese interview notes: character n-grams per clause, with the n-grams of a
clause that declines a need kept apart from those of a clause that voices one.

Character n-grams need no word segmentation. Negation is the one thing a bag of n-grams gets
wrong: "客户说暂不需要视频会议" shares every content n-gram with "想开视频会议", so a plain model
tags both. Following the usual negation-scope trick (Das & Chen 2001; NegEx), every n-gram of a
clause that holds a negation cue is marked "¬": the model then learns separate weights for
declined mentions, and a declined mention it has never seen carries no weight at all instead of
the weight of the need it names.

The cues are ordinary Chinese for declining an intention ("暂不", "不打算", "没有…计划"), not
phrases of the demo generator. Capability negations ("不稳定", "不方便", "无法通知家长",
"没有统一号码", "不想再手工登记") are deliberately *not* cues: they voice a pain point, i.e. a need.

Beyond fixed cues: a negation covers its clause and the clauses before it in the sentence, back
to a clause opening with a contrast ("问了下视频会议，客户说腾讯会议就够了" declines the meeting;
"想开视频会议，但短信暂不考虑" still voices it), and the cues include declines that name no
intention (already solved elsewhere, enough as it is, no budget, decided by headquarters).

An alias lexicon (lexicon.csv) follows every alias of an area (探头, 摄像头, 监控 …) with that
area's mark, so what the model learns about one word carries to the others. Single characters
are not features (办 in 办公室主任 says nothing), except the area marks.

`ClauseNgrams` is the readable definition (one note at a time, pure Python); `ClauseNgramCounts`
computes the same counts with numpy over millions of notes and is what the model uses.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import Tags
from sklearn.utils.validation import check_is_fitted

from analytics.config import AREAS

NEGATED = "¬"
# Clause boundaries: sentence and clause punctuation, full and half width, and line breaks. The
# enumeration comma 、 is not one: in "视频监控、定位都不需要" the cue covers both.
BOUNDARIES = "。，；！？,;!?\n\r"
CLAUSE_SPLIT = re.compile(f"[{BOUNDARIES}]+")
# A negation covers its clause and the clauses before it in the sentence (the thing declined
# is mostly named first: "视频会议，腾讯会议够用了"), back to a clause opening with a contrast.
SENTENCE_ENDS = "。；！？;!?\n\r"
CONTRAST = "但|但是|不过|可是|只是|而是|另外|还有"
CONTRAST_OPENING = re.compile(f"(?:^|(?<=[{BOUNDARIES}\x00]))(?:{CONTRAST})")
# Cues of a declined need: an outright refusal, or "no plan / intention / need" in the clause.
NEGATION_CUES = (
    r"暂不|暂未|暂缓|先不|不需要|不必|无需|不考虑|不打算|不准备|不计划|不会上|不感兴趣|无意|没兴趣"
    rf"|未考虑|拒绝|(?:没|暂无|尚无|并无|毫无)[^{BOUNDARIES}\x00]*?"
    r"(?:计划|打算|需求|需要|意向|想法|预算)"
    # Declines that name no intention: already solved elsewhere, enough as it is, no money this
    # year, decided above the branch ("已经找海康做了", "腾讯会议够用了", "今年预算用完了").
    r"|够用|就够了|用完了|没钱|经费紧张|嫌贵|没必要|用不上|不折腾|不换|不弄|不参与|不会动|做不了主|轮不到"
    r"|(?:今年|暂时|短期)不(?:做|上|弄|搞|投入)|明年再|已经(?:找|在用|上了)"
    rf"|(?:总部|上级)[^{BOUNDARIES}\x00]*?(?:统一|审批|决定|说了算)"
)
# Normalisation: lower case, full-width ASCII (Ａ, ５, ，) folded to ASCII, spaces dropped.
_FOLD = {code: chr(code - 0xFEE0).lower() for code in range(0xFF01, 0xFF5F)}
SPACES = " \t\x0b\x0c\xa0\u3000"
_FOLD.update({ord(space): None for space in SPACES})

CODE_BITS = 21  # a Unicode code point (+1) fits in 21 bits, so three fit in a uint64 key
NEGATED_BIT = np.uint64(1) << np.uint64(63)
SEPARATOR = "\x00"  # between notes when many are encoded at once


# The alias lexicon (lexicon.csv beside this file: area, alias, note): words customers use for
# an area's needs (探头 / 摄像头 / 监控, 短号 / 内部号码 / 集团网, 群发 / 通知家长 …). Every
# alias found in a note is followed by its area's mark, one private-use character per area, so
# that the model shares what it learns about one alias with all others of the area, including
# aliases its training notes never used. Edit the CSV to teach the model new words.
LEXICON_PATH = Path(__file__).with_name("lexicon.csv")
AREA_MARKS = {area: chr(0xE000 + j) for j, area in enumerate(AREAS)}
MARK_FIRST, MARK_LAST = 0xE000, 0xE000 + len(AREAS) - 1
_NO_MARKS = dict.fromkeys(range(MARK_FIRST, MARK_LAST + 1))


class LexiconError(ValueError):
    """A lexicon file that cannot be used, with the file, row, column and reason."""


def read_lexicon(path: Path | str = LEXICON_PATH) -> tuple[tuple[str, str], ...]:
    """(area, alias) pairs of a lexicon CSV (columns area, alias; others ignored), aliases lower
    case. Raises LexiconError naming file, row, column and reason for an unknown area, a blank
    alias or a missing column."""
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"area", "alias"} - set(reader.fieldnames or ())
        if missing:
            raise LexiconError(f"{path}: row 1: column {', '.join(sorted(missing))} missing")
        pairs = []
        for row_number, row in enumerate(reader, start=2):
            area, alias = (row.get("area") or "").strip(), (row.get("alias") or "").strip().lower()
            if area not in AREAS:
                raise LexiconError(f"{path}: row {row_number}, column area: unknown area {area!r} (one of {AREAS})")
            if not alias:
                raise LexiconError(f"{path}: row {row_number}, column alias: blank alias")
            pairs.append((area, alias))
    return tuple(dict.fromkeys(pairs))


@functools.lru_cache(maxsize=8)
def _lexicon_regex(lexicon: tuple[tuple[str, str], ...]) -> tuple[re.Pattern, dict[str, str]]:
    marks: dict[str, str] = {}
    for area, alias in lexicon:
        marks[alias] = marks.get(alias, "") + AREA_MARKS[area]
    alternatives = []
    for alias in sorted(marks, key=len, reverse=True):  # the longest alias wins
        pattern = re.escape(alias)
        if alias[0].isascii() and alias[0].isalnum():  # "oa" not in "board", "400" not in "1400"
            pattern = "(?<![a-z0-9])" + pattern
        if alias[-1].isascii() and alias[-1].isalnum():
            pattern += "(?![a-z0-9])"
        alternatives.append(pattern)
    return re.compile("|".join(alternatives)), marks


def mark_aliases(text: str, lexicon: tuple[tuple[str, str], ...] | None) -> str:
    """Lower-cased `text` with each lexicon alias followed by its area's mark (the marks' own
    characters, should a note hold them, are removed first: only the lexicon places marks)."""
    text = text.lower().translate(_NO_MARKS)
    if not lexicon:
        return text
    pattern, marks = _lexicon_regex(tuple(lexicon))
    return pattern.sub(lambda match: match.group(0) + marks[match.group(0)], text)


LEXICON = read_lexicon()


def normalise(text: str, lexicon: tuple[tuple[str, str], ...] | None = None) -> str:
    return mark_aliases(text, lexicon).translate(_FOLD)


class ClauseNgrams:
    """Analyzer (one note → list of features): the character n-grams of each clause of the
    normalised note, prefixed with "¬" in a clause holding a negation cue; no n-gram spans two
    clauses. The definition `ClauseNgramCounts` reproduces; usable as a CountVectorizer analyzer."""

    def __init__(
        self,
        min_n: int = 1,
        max_n: int = 3,
        negation: str | None = NEGATION_CUES,
        lexicon: tuple[tuple[str, str], ...] | None = None,
    ):
        self.min_n, self.max_n, self.negation, self.lexicon = min_n, max_n, negation, lexicon

    def __call__(self, text: str) -> list[str]:
        cue = re.compile(self.negation) if self.negation else None
        # Segments: sentences, cut again before a clause opening with a contrast.
        segments: list[list[str]] = [[]]
        for i, piece in enumerate(re.split(f"([{BOUNDARIES}]+)", normalise(text, self.lexicon))):
            if i % 2:  # a run of boundary marks
                if any(mark in SENTENCE_ENDS for mark in piece):
                    segments.append([])
                continue
            if re.match(f"(?:{CONTRAST})", piece):
                segments.append([])
            segments[-1].append(piece)
        grams: list[str] = []
        for segment in segments:
            cues = [i for i, clause in enumerate(segment) if cue is not None and cue.search(clause)]
            last = max(cues, default=-1)
            for position, clause in enumerate(segment):
                prefix = NEGATED if position <= last else ""
                for n in range(self.min_n, min(self.max_n, len(clause)) + 1):
                    grams.extend(
                        prefix + clause[i : i + n]
                        for i in range(len(clause) - n + 1)
                        if n > 1 or MARK_FIRST <= ord(clause[i]) <= MARK_LAST  # see _encode
                    )
        return grams


def _widen_scope(
    cue_clause: np.ndarray,
    chars: np.ndarray,
    is_boundary: np.ndarray,
    is_separator: np.ndarray,
    clause_of: np.ndarray,
    text: str,
) -> np.ndarray:
    """Negated clauses: a clause with a cue, and every clause before it in its segment. A segment
    is a sentence, cut again where a clause opens with a contrast (但, 不过 …): "问了下视频会议，
    客户说用腾讯会议就够了" declines the meeting, "想开视频会议，但短信暂不考虑" still voices it."""
    clauses = cue_clause.size
    index = np.arange(clauses)
    # Clause k >= 1 opens after the k-th boundary character; it opens a sentence when that
    # character ends one (or separates notes).
    boundary_chars = chars[is_boundary]
    opens_sentence = np.ones(clauses, dtype=bool)
    opens_sentence[1:] = np.isin(boundary_chars[: clauses - 1], [ord(m) for m in SENTENCE_ENDS]) | (
        boundary_chars[: clauses - 1] == 0
    )
    contrast = np.zeros(clauses, dtype=bool)
    for match in CONTRAST_OPENING.finditer(text):
        contrast[clause_of[match.start()]] = True
    segment = np.cumsum(opens_sentence | contrast)
    last_cue = np.full(int(segment[-1]) + 1, -1, dtype=np.int64)
    np.maximum.at(last_cue, segment[cue_clause], index[cue_clause])
    return index <= last_cue[segment]


def _encode(
    texts: list[str], min_n: int, max_n: int, negation: str | None, lexicon: tuple[tuple[str, str], ...] | None = None
):
    """(note index, n-gram key) of every n-gram of `texts`, computed over one flat array of code
    points: a key packs up to three (code point + 1)s in 21-bit fields; bit 63 marks "¬"."""
    joined = SEPARATOR.join(texts)
    if joined.count(SEPARATOR) != len(texts) - 1:  # a note holding the separator itself
        joined = SEPARATOR.join(text.replace(SEPARATOR, "") for text in texts)
    chars = np.frombuffer(mark_aliases(joined, lexicon).encode("utf-32-le"), dtype=np.uint32).copy()
    full_width = (chars >= 0xFF01) & (chars <= 0xFF5E)  # lower() already made Ａ into ａ
    chars[full_width] -= 0xFEE0
    chars = chars[~np.isin(chars, [ord(space) for space in SPACES])]

    is_separator = chars == 0
    is_boundary = np.isin(chars, [ord(mark) for mark in BOUNDARIES]) | is_separator
    note_of = np.cumsum(is_separator)
    clause_of = np.cumsum(is_boundary)
    negated_clause = np.zeros(int(clause_of[-1]) + 1 if chars.size else 1, dtype=bool)
    if negation:
        text = chars.tobytes().decode("utf-32-le")
        starts = [match.start() for match in re.finditer(negation, text)]
        negated_clause[clause_of[np.asarray(starts, dtype=np.int64)]] = True
        negated_clause = _widen_scope(negated_clause, chars, is_boundary, is_separator, clause_of, text)

    # The n-grams starting at each position, built by shifting slices (no fancy indexing):
    # key of length n at p = key of length n-1 at p, then the code point at p+n-1.
    codes = chars.astype(np.uint64) + np.uint64(1)
    negated = negated_clause[clause_of] if negation else None
    inside = ~is_boundary  # an n-gram is kept when none of its characters is a boundary
    key, kept = np.zeros(chars.size, dtype=np.uint64), np.ones(chars.size, dtype=bool)
    rows, keys = [], []
    for n in range(1, max_n + 1):
        width = chars.size - n + 1
        if width <= 0:
            break
        key = (key[:width] << np.uint64(CODE_BITS)) | codes[n - 1 :]
        kept = kept[:width] & inside[n - 1 :]
        if n < min_n:
            continue
        keep = kept
        if n == 1:  # a single character means little; an area mark means its area
            keep = kept & (chars >= MARK_FIRST) & (chars <= MARK_LAST)
        gram = key[keep]
        if negated is not None:
            gram[negated[:width][keep]] |= NEGATED_BIT
        rows.append(note_of[:width][keep])
        keys.append(gram)
    if not keys:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    return np.concatenate(rows), np.concatenate(keys)


def decode_key(key: int) -> str:
    """The feature (n-gram, "¬"-prefixed if negated) a key stands for."""
    prefix = NEGATED if key >> 63 else ""
    key &= (1 << 63) - 1
    chars = []
    while key:
        chars.append(chr((key & ((1 << CODE_BITS) - 1)) - 1))
        key >>= CODE_BITS
    return prefix + "".join(reversed(chars))


def distinct_texts(texts: Iterable[str]) -> tuple[np.ndarray, list[str]]:
    """(codes, distinct) with texts[i] == distinct[codes[i]]; a missing text counts as ""."""
    values = texts if isinstance(texts, np.ndarray) else np.asarray(list(texts), dtype=object)
    codes, uniques = pd.factorize(values.astype(object, copy=False))  # missing → -1
    distinct = [str(text) for text in uniques]
    if (codes < 0).any():
        codes = np.where(codes < 0, len(distinct), codes)
        distinct.append("")
    return codes, distinct


class ClauseNgramCounts(TransformerMixin, BaseEstimator):
    """Count matrix of `ClauseNgrams` features, vectorised with numpy (no Python loop per note
    or per n-gram), for notes by the million.

    Each distinct note is encoded once (notes repeat a lot) and `min_df` counts distinct notes:
    an n-gram must occur in that many different notes to enter the vocabulary. n-grams up to 3
    characters (three code points fill a 64-bit key). Notes are processed `chunk_size` at a time
    to bound memory. `negation` is a regular expression searched within each clause; a custom one
    must not match across clause punctuation (write [^，。] rather than "." between its parts).
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] = (1, 3),
        negation: str | None = NEGATION_CUES,
        min_df: int = 2,
        chunk_size: int = 10_000,
        lexicon: tuple[tuple[str, str], ...] | None = None,
    ):
        self.ngram_range = ngram_range
        self.negation = negation
        self.min_df = min_df
        self.chunk_size = chunk_size
        self.lexicon = lexicon

    def _chunks(self, texts: Iterable[str]):
        """(codes, number of distinct notes, iterator over chunks of distinct notes yielding
        (offset of the chunk, note index within the chunk, n-gram key))."""
        min_n, max_n = self.ngram_range
        if not 1 <= min_n <= max_n <= 3:
            raise ValueError(f"ngram_range must lie within (1, 3), got {self.ngram_range}")
        # One note per row: a bare string would be read as notes of one character each, and a
        # table (a DataFrame iterates over its column names) as something else again.
        if isinstance(texts, str):
            raise ValueError("ClauseNgramCounts expects an iterable of notes, got a single string")
        if getattr(texts, "ndim", 1) != 1:
            raise ValueError(f"ClauseNgramCounts expects one note per row (1-D), got shape {texts.shape}")
        codes, distinct = distinct_texts(texts)

        def chunks():
            for offset in range(0, len(distinct), self.chunk_size):
                chunk = distinct[offset : offset + self.chunk_size]
                yield (offset, *_encode(chunk, min_n, max_n, self.negation, self.lexicon))

        return codes, len(distinct), chunks()

    def fit(self, texts: Iterable[str], y: object = None) -> ClauseNgramCounts:
        """Learn the vocabulary (`vocabulary_`, sorted n-gram keys); returns self."""
        _, _, chunks = self._chunks(texts)
        seen, frequency = [np.zeros(0, dtype=np.uint64)], [np.zeros(0, dtype=np.int64)]
        for _, rows, keys in chunks:
            key, column = np.unique(keys, return_inverse=True)
            present = sparse.csr_matrix(
                (np.ones(rows.size, dtype=np.float32), (rows, column)),
                shape=(int(rows.max()) + 1 if rows.size else 0, key.size),
            )  # summing the duplicates leaves one entry per (note, n-gram)
            seen.append(key)
            frequency.append(np.bincount(present.indices, minlength=key.size))
        key, inverse = np.unique(np.concatenate(seen), return_inverse=True)
        document_frequency = np.bincount(inverse, weights=np.concatenate(frequency))
        self.vocabulary_ = key[document_frequency >= self.min_df]
        return self

    def transform(self, texts: Iterable[str]) -> sparse.csr_matrix:
        """Counts of the vocabulary's n-grams: a float32 CSR matrix, one row per note."""
        check_is_fitted(self, "vocabulary_")
        codes, n_distinct, chunks = self._chunks(texts)
        vocabulary = self.vocabulary_
        all_rows, all_columns = [], []
        for offset, rows, keys in chunks:
            column = np.searchsorted(vocabulary, keys)
            known = column < vocabulary.size
            known[known] = vocabulary[column[known]] == keys[known]
            all_rows.append((rows[known] + offset).astype(np.int32))
            all_columns.append(column[known].astype(np.int32))
        rows = np.concatenate(all_rows) if all_rows else np.zeros(0, dtype=np.int32)
        columns = np.concatenate(all_columns) if all_columns else np.zeros(0, dtype=np.int32)
        counts = sparse.csr_matrix(
            (np.ones(rows.size, dtype=np.float32), (rows, columns)),
            shape=(n_distinct, vocabulary.size),
        )  # duplicates (a repeated n-gram) are summed
        return counts[codes]

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """The vocabulary as text: each n-gram, "¬"-prefixed when negated."""
        check_is_fitted(self, "vocabulary_")
        return np.asarray([decode_key(int(key)) for key in self.vocabulary_], dtype=object)

    def __sklearn_tags__(self) -> Tags:
        # As scikit-learn's CountVectorizer: a 1-D sequence of texts, not a 2-D table; so
        # scikit-learn's common checks, which all feed 2-D numbers, do not apply to it.
        tags = super().__sklearn_tags__()
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True  # a missing note counts as an empty one
        tags.transformer_tags.preserves_dtype = []  # text in, float32 counts out
        return tags
