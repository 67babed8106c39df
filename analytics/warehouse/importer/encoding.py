"""Text encodings of CSV files: DuckDB reads UTF-8 only, operator exports are often GBK.

Files are transcoded in streaming chunks through incremental codecs, so a multibyte character
split across two chunks is carried over rather than broken, and memory stays flat. A byte that
fits no encoding is reported with its line and offset, found by a second pass that runs only
then.
"""

from __future__ import annotations

import codecs
import os
import tempfile
from pathlib import Path

from analytics.warehouse.importer.problems import reason

CHUNK_BYTES = 1 << 24

# Tried in order (after a UTF-16 byte-order mark). GB18030 is a superset of GBK and GB2312.
SOURCE_ENCODINGS = ("utf-8", "gb18030")
# Lines with non-ASCII bytes sampled to tell a UTF-8 file with a stray byte from a GBK file.
SAMPLE_LINES = 1000


class EncodingProblem(ValueError):
    """The file is in none of the encodings the importer reads, or cannot be written in one.

    `line` is the file line (1-based) of the first byte that failed, when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as f:
        try:
            while chunk := f.read(CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _mostly_utf8(path: Path) -> bool:
    """Whether a file that is not valid UTF-8 still reads as UTF-8 on most of its non-ASCII lines
    (a UTF-8 export with a stray byte) rather than as GBK (whose lines almost never do)."""
    good = bad = 0
    with path.open("rb") as f:
        for raw in f:
            if raw.isascii():
                continue
            try:
                raw.decode("utf-8")
                good += 1
            except UnicodeDecodeError:
                bad += 1
            if good + bad >= SAMPLE_LINES:
                break
    return good > bad


def locate_bad_bytes(path: Path, encoding: str) -> tuple[int, int, int, bytes] | None:
    """Where `encoding` first fails in `path`: (file line, byte within the line, both 1-based;
    byte offset in the file, 0-based; the bytes that failed), or None.

    Lines are split at b"\\n", which no byte of a UTF-8 or GB18030 multibyte character can be.
    """
    offset = 0
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                raw.decode(encoding)
            except UnicodeDecodeError as e:
                return number, e.start + 1, offset + e.start, raw[e.start : e.end]
            offset += len(raw)
    return None


def _hex(data: bytes) -> str:
    return " ".join(f"0x{b:02X}" for b in data[:4])


def _decode_problem(path: Path, encoding: str, key: str, error: UnicodeDecodeError | None) -> EncodingProblem:
    found = locate_bad_bytes(path, encoding) if encoding in SOURCE_ENCODINGS else None
    if found is None:
        detail = error.reason if error else "?"
        return EncodingProblem(reason("encoding_unknown_place", encoding=encoding, detail=detail))
    line, byte, offset, data = found
    return EncodingProblem(reason(key, byte=byte, offset=offset, bytes=_hex(data), encoding=encoding), line)


def transcode(source: Path, target: Path, from_encoding: str, to_encoding: str) -> None:
    """Rewrite `source` as `target` in another encoding, chunk by chunk.

    Raises `EncodingProblem` naming the encoding and the line and byte, or character, that failed.
    """
    decoder = codecs.getincrementaldecoder(from_encoding)()
    encoder = codecs.getincrementalencoder(to_encoding)()
    with source.open("rb") as src, target.open("wb") as dst:
        try:
            while chunk := src.read(CHUNK_BYTES):
                dst.write(encoder.encode(decoder.decode(chunk)))
            dst.write(encoder.encode(decoder.decode(b"", final=True), final=True))
        except UnicodeDecodeError as e:
            failed = e
        except UnicodeEncodeError as e:
            raise EncodingProblem(
                f"字符 {e.object[e.start : e.end]!r} 无法用 {to_encoding} 编码 / "
                f"character cannot be written in {to_encoding}; use encoding='gb18030' or 'utf-8'"
            ) from e
        else:
            return
    raise _decode_problem(source, from_encoding, "encoding_bad_bytes", failed) from failed


def detect(path: Path) -> str:
    """The encoding a CSV is read in: "utf-16" (with a byte-order mark), "utf-8" or "gb18030".

    Raises `EncodingProblem` for a UTF-8 file with a byte that is not UTF-8, naming where.
    """
    with path.open("rb") as f:
        start = f.read(2)
    # Excel's "Unicode text" is UTF-16 with a byte-order mark; anything else is UTF-8 or GB18030.
    if start in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    if _is_utf8(path):
        return "utf-8"
    if _mostly_utf8(path):
        raise _decode_problem(path, "utf-8", "encoding_stray_utf8", None)
    return SOURCE_ENCODINGS[1]


def utf8_source(path: Path) -> tuple[Path, bool, str]:
    """A UTF-8 version of a CSV: the file itself, or a temporary transcoded copy.

    Returns (path to read, whether it is a temporary file the caller must delete, the file's own
    encoding as Python names it for reading: "utf-8-sig", "gb18030" or "utf-16").
    """
    encoding = detect(path)
    if encoding == "utf-8":
        return path, False, "utf-8-sig"
    fd, name = tempfile.mkstemp(prefix="needsmine-import-", suffix=".csv")
    os.close(fd)
    copy = Path(name)
    try:
        transcode(path, copy, encoding, "utf-8")
    except BaseException:
        copy.unlink(missing_ok=True)
        raise
    return copy, True, encoding
