"""HTTP Range requests (RFC 9110 §14) for one representation of known size. Pure functions.

Policy:
- No ``Range`` header, another unit than ``bytes``, or a header that does not parse: the whole
  file (200). RFC 9110 lets a server ignore a Range it does not understand.
- One range (``a-b``, ``a-``, ``-n``): 206 with exactly those bytes, the end clipped to the
  file; a range that starts at or after the end of the file, or ``-0``: 416.
- Several ranges (``bytes=0-1,5-9``): the whole file (200). Browsers never send them for media,
  and a multipart/byteranges body buys nothing here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# DIGIT is ASCII (RFC 5234); ``\Z`` so a trailing newline is not silently accepted.
_RANGE_SPEC = re.compile(r"^[ \t]*([0-9]*)[ \t]*-[ \t]*([0-9]*)[ \t]*\Z")
# A position past any file we store; longer numbers are capped to it, because ``int()``
# refuses strings of more than 4300 digits (a ValueError, i.e. a 500, for a long header).
_HUGE = 10**18


def _position(digits: str) -> int:
    digits = digits.lstrip("0") or "0"
    return _HUGE if len(digits) > 18 else int(digits)


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


class Unsatisfiable(Exception):
    """The Range header asked only for bytes past the end of the file (answer 416)."""


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The byte range to send for ``header`` on a file of ``size`` bytes.

    None means "send the whole file"; raises ``Unsatisfiable`` for a 416.
    """
    if not header:
        return None
    unit, sep, spec = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    specs = spec.split(",")
    if len(specs) != 1:
        return None
    match = _RANGE_SPEC.match(specs[0])
    if not match:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        # Suffix range: the last n bytes.
        suffix = _position(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return ByteRange(max(0, size - suffix), size - 1)
    start = _position(first)
    if last != "" and _position(last) < start:
        return None  # invalid syntax: ignore the header
    if start >= size:
        raise Unsatisfiable
    end = size - 1 if last == "" else min(_position(last), size - 1)
    return ByteRange(start, end)
