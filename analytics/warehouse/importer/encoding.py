"""Text encodings of CSV files: DuckDB reads UTF-8 only, operator exports are often GBK.

Files are transcoded in streaming chunks through incremental codecs, so a multibyte character
split across two chunks is carried over rather than broken, and memory stays flat.
"""

from __future__ import annotations

import codecs
import os
import tempfile
from pathlib import Path

CHUNK_BYTES = 1 << 24

# Tried in order (after a UTF-16 byte-order mark). GB18030 is a superset of GBK and GB2312.
SOURCE_ENCODINGS = ("utf-8", "gb18030")


class EncodingProblem(ValueError):
    """The file is in none of the encodings the importer reads, or cannot be written in one."""


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


def transcode(source: Path, target: Path, from_encoding: str, to_encoding: str) -> None:
    """Rewrite `source` as `target` in another encoding, chunk by chunk.

    Raises `EncodingProblem` naming the encoding and byte or character that failed.
    """
    decoder = codecs.getincrementaldecoder(from_encoding)()
    encoder = codecs.getincrementalencoder(to_encoding)()
    with source.open("rb") as src, target.open("wb") as dst:
        try:
            while chunk := src.read(CHUNK_BYTES):
                dst.write(encoder.encode(decoder.decode(chunk)))
            dst.write(encoder.encode(decoder.decode(b"", final=True), final=True))
        except UnicodeDecodeError as e:
            raise EncodingProblem(
                f"不是 UTF-8 或 GBK/GB18030 编码 / not UTF-8, GBK or GB18030 text ({e.reason})"
            ) from e
        except UnicodeEncodeError as e:
            raise EncodingProblem(
                f"字符 {e.object[e.start : e.end]!r} 无法用 {to_encoding} 编码 / "
                f"character cannot be written in {to_encoding}; use encoding='gb18030' or 'utf-8'"
            ) from e


def utf8_source(path: Path) -> tuple[Path, bool]:
    """A UTF-8 version of a CSV: the file itself, or a temporary transcoded copy.

    Returns (path to read, whether it is a temporary file the caller must delete).
    """
    with path.open("rb") as f:
        start = f.read(2)
    # Excel's "Unicode text" is UTF-16 with a byte-order mark; anything else is UTF-8 or GB18030.
    source_encoding = "utf-16" if start in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else None
    if source_encoding is None:
        if _is_utf8(path):
            return path, False
        source_encoding = SOURCE_ENCODINGS[1]
    fd, name = tempfile.mkstemp(prefix="needsmine-import-", suffix=".csv")
    os.close(fd)
    copy = Path(name)
    try:
        transcode(path, copy, source_encoding, "utf-8")
    except BaseException:
        copy.unlink(missing_ok=True)
        raise
    return copy, True
