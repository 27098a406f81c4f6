"""Judging a whole CSV before it is read: its checksum, NUL bytes and text encoding.

The planner sees only the first megabyte; a NUL byte or a foreign encoding can sit
anywhere after it. One streaming pass (`scan_text`) hashes the file and notes what the
rest of the file holds, and `text_encoding` decides from it: UTF-8 (with or without a
byte order mark) and Windows-1252 are read, UTF-16 with a byte order mark too; anything
else, or a NUL byte, refuses the file with a message naming what was found.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer

from cqi_core.ingest.readerror import ReadError

#: Bytes read at a time.
CHUNK = 1 << 20


@dataclass(frozen=True)
class TextScan:
    """What one streaming pass over a whole CSV found (its start is judged by `csv_head`)."""

    sha256: str
    """Content hash of the file."""
    utf8: bool
    """All of the file is valid UTF-8."""
    nul_line: int | None
    """Line (1 = header) of the first NUL byte, None when there is none."""
    sample: bytes
    """Lines holding bytes above 0x7F, up to `SAMPLE_BYTES` (to judge a non-UTF-8 file)."""
    undefined: bytes
    """Which of the bytes Windows-1252 leaves undefined occur anywhere in the file."""


#: Bytes Windows-1252 leaves undefined: text really written in it never holds them.
CP1252_UNDEFINED = b"\x81\x8d\x8f\x90\x9d"
#: Bytes of non-ASCII lines kept to decide the encoding of a file that is not UTF-8.
SAMPLE_BYTES = 64 << 10
_HIGH = re.compile(rb"[\x80-\xff]")


def high_lines(data: bytes, room: int) -> list[bytes]:
    """Whole lines of `data` holding a byte above 0x7F, at most `room` bytes of them."""
    out, pos = [], 0
    while room > 0 and (m := _HIGH.search(data, pos)):
        start = data.rfind(b"\n", 0, m.start()) + 1
        end = data.find(b"\n", m.start())
        end = len(data) if end < 0 else end + 1
        line = data[start:end][:room]
        out.append(line)
        room -= len(line)
        pos = end
    return out


def scan_text(path: Path, utf16: bool = False) -> TextScan:
    """SHA-256, UTF-8 validity, first NUL byte and a non-ASCII sample, in one streaming pass.

    Args:
        utf16: the file is UTF-16 (its NUL bytes are half of its characters, not damage).
    """
    h = hashlib.sha256()
    dec = codecs.getincrementaldecoder("utf-8")()
    ok, nul, lines = True, None, 0
    undefined: set[int] = set()
    sample: list[bytes] = []
    room = SAMPLE_BYTES
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            if ok:
                try:
                    dec.decode(chunk)
                except UnicodeDecodeError:
                    ok = False
            if not utf16 and nul is None:
                i = chunk.find(b"\0")
                if i >= 0:
                    nul = lines + chunk.count(b"\n", 0, i) + 1
                lines += chunk.count(b"\n")
            if chunk.isascii():  # nearly every chunk of an export: nothing more to note
                continue
            undefined.update(b for b in CP1252_UNDEFINED if b in chunk)
            if room > 0:
                got = high_lines(chunk, room)
                sample += got
                room -= sum(len(g) for g in got)
    if ok:
        try:
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            ok = False
    return TextScan(sha256=h.hexdigest(), utf8=ok, nul_line=nul, sample=b"".join(sample),
                    undefined=bytes(sorted(undefined)))


#: Encodings a file that is not UTF-8 is weighed against: Windows-1252 (accepted) and the
#: multi-byte encodings of East Asian text (refused: read as Windows-1252 they would load
#: as nonsense without a word of warning).
_WEIGHED = ["cp1252", "cp932", "shift_jis", "euc_jp", "gb18030", "big5", "euc_kr"]
_LANG = {"cp932": "Japanese", "shift_jis": "Japanese", "euc_jp": "Japanese",
         "gb18030": "Chinese", "big5": "Chinese", "euc_kr": "Korean"}


def check_windows_1252(sample: bytes, undefined: bytes = b"") -> None:
    """Accept non-UTF-8 text only when it reads as Windows-1252 text.

    The rule: a byte Windows-1252 leaves undefined refuses the file outright; otherwise
    charset-normalizer weighs the non-ASCII lines as Windows-1252 against the common
    East Asian multi-byte encodings, and anything but Windows-1252 winning refuses it.

    Raises:
        ReadError: the text is in another encoding (the message says what to do).
    """
    fix = " Save it again as \"CSV UTF-8\" and import that."
    bad = sorted({b for b in sample + undefined if b in CP1252_UNDEFINED})
    best = charset_normalizer.from_bytes(sample, cp_isolation=_WEIGHED).best() if sample \
        else None
    if sample and (best is None or best.encoding != "cp1252"):
        if best is not None and best.encoding in _LANG:
            raise ReadError(f"is neither UTF-8 nor Windows-1252 text: it looks like "
                            f"{_LANG[best.encoding]} text in {best.encoding}." + fix)
        if not bad:
            raise ReadError("is neither UTF-8 nor Windows-1252 text (its encoding could not "
                            "be recognised)." + fix)
    if bad:
        shown = ", ".join(f"0x{b:02X}" for b in bad)
        raise ReadError(f"is neither UTF-8 nor Windows-1252 text: it holds bytes ({shown}) "
                        f"that Windows-1252 does not use." + fix)


def text_encoding(scan: TextScan, head_encoding: str) -> str:
    """The encoding to read a whole CSV with, judged on all of it.

    Raises:
        ReadError: the file holds a NUL byte, or is neither UTF-8 nor Windows-1252 text.
    """
    if scan.nul_line is not None:
        raise ReadError(f"is not a text table: line {scan.nul_line} holds a NUL byte (binary "
                        f"data), so the file is damaged or not a CSV. Export it again as CSV.")
    if head_encoding == "utf-16":
        return "utf-16"
    if scan.utf8:
        return head_encoding
    check_windows_1252(scan.sample, scan.undefined)
    return "cp1252"
