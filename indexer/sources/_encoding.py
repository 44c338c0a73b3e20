"""Which text encoding an input is in: strict UTF-8 first, then a byte order mark, then the
legacy Japanese encodings (Shift_JIS/CP932, EUC-JP, ISO-2022-JP) that Japanese users' files
still come in.

Detection (charset-normalizer) only ever chooses among those legacy encodings: let loose on
short text it happily calls Japanese Shift_JIS "UTF-16" or a Latin-1 typo "cp1250", and UTF-8
is what nearly every file is, so a file that reads as UTF-8 is never second-guessed.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

SUPPORTED = "UTF-8, UTF-16/UTF-32 with a byte order mark, Shift_JIS (CP932), EUC-JP, ISO-2022-JP"

# UTF-32-LE's mark starts with UTF-16-LE's, so it is tested first
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_LEGACY = ("cp932", "euc_jp")  # cp932 is Shift_JIS as Windows writes it (a superset)
_ISO2022_ESCAPE = re.compile(rb"\x1b\$[@B]")  # ISO-2022-JP is 7-bit: UTF-8 would read it as junk
_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
    "utf-32": "UTF-32",
    "utf-32-le": "UTF-32",
    "utf-32-be": "UTF-32",
    "cp932": "Shift_JIS (CP932)",
    "shift_jis": "Shift_JIS (CP932)",
    "euc_jp": "EUC-JP",
    "iso2022_jp": "ISO-2022-JP",
}


class Undecodable(ValueError):
    """No supported encoding reads the bytes; ``offset`` is the first byte UTF-8 cannot read."""

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(reason)
        self.offset = offset


def display_name(codec: str) -> str:
    """The name people know an encoding by (``Shift_JIS (CP932)``, not ``cp932``)."""
    return _NAMES.get(codec, codec)


def noted(codec: str) -> str | None:
    """The display name to record on a post or reject: None for plain UTF-8 (the norm)."""
    return None if codec in ("utf-8", "utf-8-sig") else display_name(codec)


def bom_codec(data: bytes) -> str | None:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    return None


def is_wide(codec: str | None) -> bool:
    """UTF-16/32: NUL bytes are part of the text, and lines cannot be split on b"\\n"."""
    return codec is not None and codec.startswith(("utf-16", "utf-32"))


def detect_legacy(data: bytes) -> str | None:
    """The legacy Japanese encoding ``data`` reads as, or None (too chaotic in all of them)."""
    if _ISO2022_ESCAPE.search(data):
        try:
            data.decode("iso2022_jp")
            return "iso2022_jp"
        except UnicodeDecodeError:
            pass
    best = from_bytes(data, cp_isolation=list(_LEGACY)).best()
    return best.encoding if best is not None else None


def decode(data: bytes) -> tuple[str, str]:
    """(text, codec) of a whole input; raises Undecodable naming the first unreadable byte."""
    codec = bom_codec(data)
    if codec is not None:
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError as e:
            raise Undecodable(e.start, f"invalid {display_name(codec)} at byte {e.start}") from None
    if _ISO2022_ESCAPE.search(data) and detect_legacy(data) == "iso2022_jp":
        return data.decode("iso2022_jp"), "iso2022_jp"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        utf8_error = e
    codec = detect_legacy(data)
    if codec is not None:
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:  # detection samples; a bad byte further on still fails
            pass
    offset = utf8_error.start
    raise Undecodable(offset, f"not text in any supported encoding ({SUPPORTED}): "
                              f"invalid UTF-8 at byte {offset}")


def line_codec(sample: bytes) -> str:
    """The codec of a line-based (ASCII-compatible) file from its first bytes.

    UTF-8 unless most lines that hold non-ASCII bytes fail as UTF-8 and detection finds a
    legacy Japanese encoding for them; lines are then still decoded (and rejected) one by one.
    """
    lines = sample.split(b"\n")
    if len(lines) > 1:
        lines.pop()  # the sample may end inside a line (and inside a character)
    wide = [ln for ln in lines if not ln.isascii()]
    if not wide:
        iso = _ISO2022_ESCAPE.search(sample) and detect_legacy(sample) == "iso2022_jp"
        return "iso2022_jp" if iso else "utf-8"
    good = 0
    for ln in wide:
        try:
            ln.decode("utf-8")
            good += 1
        except UnicodeDecodeError:
            pass
    if good * 2 >= len(wide):
        return "utf-8"
    # detection needs bytes that decode whole, and one broken line must not spoil it: take
    # the legacy codecs that read the most lines, and let detection choose among them
    readable = {codec: [ln for ln in wide if _reads(ln, codec)] for codec in _LEGACY}
    most = max(len(lns) for lns in readable.values())
    if most * 2 < len(wide):
        return "utf-8"
    candidates = [codec for codec, lns in readable.items() if len(lns) == most]
    common = [ln for ln in wide if all(_reads(ln, c) for c in candidates)]
    best = from_bytes(b"\n".join(common), cp_isolation=candidates).best()
    return best.encoding if best is not None else "utf-8"


def _reads(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
        return True
    except UnicodeDecodeError:
        return False


def wide_layout(data: bytes) -> tuple[str, int, int]:
    """(codec without BOM, BOM length, code unit size) of UTF-16/32 data that starts with a BOM."""
    for bom, codec in _BOMS:
        if data.startswith(bom) and is_wide(codec):
            unit = 4 if codec == "utf-32" else 2
            endian = "le" if bom in (codecs.BOM_UTF32_LE, codecs.BOM_UTF16_LE) else "be"
            return f"{codec}-{endian}", len(bom), unit
    raise ValueError("no UTF-16/UTF-32 byte order mark")
