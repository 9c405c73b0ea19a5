"""The wire bytes of a reminder email, written directly rather than through `email`.

Reminders must go out at least half as fast as smtplib sends prebuilt bytes. Django's
`EmailMultiAlternatives.message().as_bytes()` takes about 0.6 ms an email, most of it in the
stdlib generator refolding every header through `email.header.Header`: that alone eats
most of the budget. `alternative` writes the same structure (multipart/alternative: plain
text, then HTML, with Django's headers in Django's order) in about 0.02 ms, and a parser
reads the same values from both. The parts that are easy to get wrong still come from
Django and the stdlib: `sanitize_address` for From and To, `email.charset` for RFC 2047
encoded-words, `email.quoprimime` for quoted-printable.

Decisions worth knowing:

- Header values other than Subject are structured (Message-ID, List-Unsubscribe, ...), so
  an ASCII value is written as given on one line, never folded (folding a URL at the
  wrong place changes it); a header line over 998 octets raises ValueError. Non-ASCII
  values become encoded-words, as in Django.
- Subject is written as given only when a parser reads it back unchanged (printable ASCII,
  no "=?", no space at either end) and the line fits 78 characters; otherwise it is
  encoded-words, exactly as `Header(subject, "utf-8", header_name="Subject").encode()`
  writes them, except that Header first splits the text at `str.splitlines()` boundaries
  (U+2028, U+0085, \\x0b, ...) and drops those characters; this keeps them.
- Both parts are always written; Django leaves out an empty plain-text part.
- The slow helpers (about 0.1 ms a call) run once per value: a reminder's subject and
  sender are the same for all its recipients, so their encodings are cached, and a plain
  recipient address (which `sanitize_address` returns unchanged) skips it altogether.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence
from email import quoprimime
from email.charset import Charset
from email.utils import formatdate
from secrets import token_hex

from django.conf import settings
from django.core.mail.message import BadHeaderError, sanitize_address

LINE_LIMIT = 998  # octets a line, without its CRLF (RFC 5322 2.1.1)
FOLD_AT = 78  # characters a header line should stay within (RFC 5322 2.1.1)
QP_LINE = 76  # characters a quoted-printable line may have (RFC 2045 6.7)

_UTF8 = Charset("utf-8")
_OWN_HEADERS = frozenset(
    ["content-type", "mime-version", "content-transfer-encoding", "subject", "from", "to", "date"]
)
_FIELD_NAME = re.compile(r"[!-9;-~]+")  # RFC 5322 ftext: printable ASCII but ":"
_PRINTABLE = re.compile(r"[!-~](?:[ -~]*[!-~])?")
# A dot-atom at an ASCII host name: sanitize_address returns it unchanged, and it is
# nearly every recipient. "=" is left to sanitize_address, whose parser decodes "=?...?="
# even in a local part.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/?^_`{|}~-]+"
_PLAIN_ADDRESS = re.compile(
    rf"{_ATEXT}(?:\.{_ATEXT})*@[A-Za-z0-9-]{{1,63}}(?:\.[A-Za-z0-9-]{{1,63}})*"
)


def alternative(
    *,
    from_email: str,
    to: str,
    subject: str,
    text: str,
    html: str,
    headers: Sequence[tuple[str, str]] = (),
    date: str | None = None,
) -> bytes:
    """The email as it goes on the wire: CRLF line ends, not dot-stuffed (smtplib does that).

    `headers` follow Date in the order given; they must not repeat a header written here.
    `date` defaults to now, formatted as Django does. Raises BadHeaderError for a CR or LF
    in any header name or value, ValueError for a header line over 998 octets.
    """
    if date is None:
        date = formatdate(localtime=settings.EMAIL_USE_LOCALTIME)
    head = "".join(
        [
            _header("Subject", subject),
            _address("From", from_email),
            _address("To", to),
            _header("Date", date),
            *(_extra(name, value) for name, value in headers),
        ]
    )
    if max(map(len, head.split("\r\n"))) > LINE_LIMIT:
        raise ValueError("A header line would be longer than 998 octets.")
    parts = [_part("text/plain", text), _part("text/html", html)]
    boundary = _boundary()
    while any(boundary in body for _, body in parts):
        boundary = _boundary()
    delimiter = b"--" + boundary
    return b"".join(
        [
            b'Content-Type: multipart/alternative;\r\n boundary="%s"\r\n' % boundary,
            b"MIME-Version: 1.0\r\n",
            head.encode("ascii"),
            b"\r\n",
            *(b"".join([delimiter, b"\r\n", *part, b"\r\n"]) for part in parts),
            delimiter,
            b"--\r\n",
        ]
    )


def _boundary() -> bytes:
    # "=_" never occurs in quoted-printable, so only 7bit and 8bit bodies can clash.
    return b"=_" + token_hex(16).encode()


def _forbid_newlines(name: str, value: str) -> None:
    # Django's rule (forbid_multi_line_headers): a newline would let a value add headers.
    if "\r" in name or "\n" in name or "\r" in value or "\n" in value:
        raise BadHeaderError(
            f"Header values can't contain newlines (got {value!r} for header {name!r})"
        )


def _header(name: str, value: str) -> str:
    _forbid_newlines(name, value)
    if name == "Subject":
        plain = (
            len(name) + 2 + len(value) <= FOLD_AT
            and (not value or _PRINTABLE.fullmatch(value) is not None)
            and "=?" not in value
        )
    else:
        plain = value.isascii()
    return f"{name}: {value if plain else _encoded_words(name, value)}\r\n"


def _extra(name: str, value: str) -> str:
    line = _header(name, value)  # first, so that a newline in the name is a BadHeaderError
    if _FIELD_NAME.fullmatch(name) is None:
        raise ValueError(f"Not a header name: {name!r}")
    if name.lower() in _OWN_HEADERS:
        raise ValueError(f"{name} is written by alternative() itself; pass it as its argument.")
    return line


@functools.lru_cache(maxsize=1024)
def _encoded_words(name: str, value: str) -> str:
    # The encoder Header uses for each of its lines, fed the whole value (see the module
    # docstring); the first line is shorter by "Name: ", the others by the folding space.
    widths = itertools.chain([FOLD_AT - len(name) - 2], itertools.repeat(FOLD_AT - 1))
    words = _UTF8.header_encode_lines(value, widths)
    # None stands for "nothing fits after a very long name": the first word goes there anyway.
    return "\r\n ".join(word for word in words if word is not None)


def address(value: str) -> str:
    """`value` as Django writes it into a header and hands it to smtplib: sanitised
    (encoded display name, IDN domain), at once for a plain address."""
    _forbid_newlines("address", value)
    return value if _PLAIN_ADDRESS.fullmatch(value) is not None else _sanitized(value)


def _address(name: str, value: str) -> str:
    _forbid_newlines(name, value)
    return f"{name}: {address(value)}\r\n"


@functools.lru_cache(maxsize=256)
def _sanitized(value: str) -> str:
    # Header.encode() inside folds long display names with a bare "\n".
    return sanitize_address(value, "utf-8").replace("\n", "\r\n")


def _part(content_type: str, body: str) -> tuple[bytes, bytes]:
    if "\r" in body:
        body = body.replace("\r\n", "\n").replace("\r", "\n")
    lines = body.split("\n")
    data = "\r\n".join(lines).encode()
    longest = max(map(len, lines))
    if longest * 4 > LINE_LIMIT and not data.isascii():  # up to 4 octets a character
        longest = max(len(line.encode()) for line in lines)
    if longest > LINE_LIMIT:
        # As Django does: quoted-printable is the one body encoding that wraps lines.
        encoding = "quoted-printable"
        data = quoprimime.body_encode(data.decode("latin-1"), QP_LINE, "\r\n").encode("ascii")
    else:
        encoding = "7bit" if data.isascii() else "8bit"
    head = (
        f'Content-Type: {content_type}; charset="utf-8"\r\n'
        "MIME-Version: 1.0\r\n"
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n"
    )
    return head.encode("ascii"), data
