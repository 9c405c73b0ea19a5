"""The reminder's wire bytes: read back by the stdlib parser as written, as Django would
write them, and within the line rules of RFC 5322 and RFC 2045 whatever the input."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.header import Header, decode_header, make_header
from email.message import EmailMessage
from email.utils import formatdate, mktime_tz, parseaddr, parsedate_tz
from typing import Any

import pytest
import time_machine
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.reminders import mime

FROM = "Planner <noreply@planner.example>"
DATE = "Mon, 22 Mar 2027 08:00:00 +0100"
HEADERS = [
    ("Message-ID", "<reminder.42.phase-2.7@planner.example>"),
    ("List-Unsubscribe", "<https://planner.example/reminders/unsubscribe/eyJ1IjoxfQ:1tQ:abc/>"),
    ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    ("Auto-Submitted", "auto-generated"),
]
GERMAN_TEXT = (
    "Hallo Jürgen,\n\nPhase 2 beginnt morgen. Offene Aufgaben:\n"
    "- Modell-Registry einrichten (Tag 8)\n- Überwachung prüfen (Tag 9)\n\nGrüße\nPlanner\n"
)
GERMAN_HTML = (
    "<p>Hallo Jürgen,</p>\n<p>Phase 2 beginnt morgen.</p>\n<ul><li>Überwachung</li></ul>\n"
)
# What str.splitlines() splits at besides CR and LF: email.header.Header loses these.
SPLITLINES_ONLY = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
CASES = settings(max_examples=200, deadline=None)


def write(**given: Any) -> bytes:
    arguments: dict[str, Any] = {
        "from_email": FROM,
        "to": "juergen@example.org",
        "subject": "Phase 2 starts tomorrow",
        "text": "Hello\n",
        "html": "<p>Hello</p>\n",
        "headers": HEADERS,
        "date": DATE,
    }
    return mime.alternative(**{**arguments, **given})


def parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def parts(message: EmailMessage) -> list[EmailMessage]:
    found = list(message.iter_parts())
    assert all(isinstance(part, EmailMessage) for part in found)
    return found  # type: ignore[return-value]  # iter_parts is typed as yielding Message


def contents(message: EmailMessage) -> list[str]:
    """The decoded bodies, their line ends read as "\\n"."""
    return [part.get_content().replace("\r\n", "\n") for part in parts(message)]


def normalised(body: str) -> str:
    return body.replace("\r\n", "\n").replace("\r", "\n")


def raw_header(data: bytes, name: str) -> str:
    """A top-level header's value as written, folding (CRLF + space) kept."""
    block = data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    fields = block.replace("\r\n ", "\0 ").split("\r\n")
    values = [f.split(": ", 1)[1] for f in fields if f.split(":", 1)[0] == name]
    assert len(values) == 1, (name, values)
    return values[0].replace("\0 ", "\r\n ")


def assert_wire_rules(data: bytes, boundary: str) -> None:
    """CRLF line ends only, lines within 998 octets, the boundary only where it belongs,
    7-bit data everywhere but in 8bit bodies, quoted-printable lines within 76."""
    lines = data.split(b"\r\n")
    assert lines[-1] == b""
    assert not [line for line in lines if b"\r" in line or b"\n" in line]
    assert max(map(len, lines)) <= 998
    head, *segments, end = data.split(b"--" + boundary.encode())
    assert head.isascii()
    assert len(segments) == 2
    assert end == b"--\r\n"
    for segment in segments:
        part_head, _, body = segment.partition(b"\r\n\r\n")
        assert part_head.isascii()
        if b"Content-Transfer-Encoding: 8bit" not in part_head:
            assert body.isascii()
        if b"Content-Transfer-Encoding: quoted-printable" in part_head:
            assert max(map(len, body.split(b"\r\n"))) <= 76


def django_bytes(
    *, subject: str, text: str, html: str, from_email: str, to: str, headers: Any
) -> bytes:
    message = EmailMultiAlternatives(subject, text, from_email, [to], headers=dict(headers))
    message.attach_alternative(html, "text/html")
    # Django's SafeMIMEMultipart takes linesep; the stubs type message() as the stdlib's.
    built: Any = message.message()
    data: bytes = built.as_bytes(linesep="\r\n")
    return data


# --- What a parser reads ----------------------------------------------------------------


def test_german_reminder_reads_back_as_written():
    subject = "Phase 2 beginnt morgen – Team „Datenküche Zürich“"
    to = "Jürgen Müller <juergen@example.org>"
    message = parse(write(subject=subject, to=to, text=GERMAN_TEXT, html=GERMAN_HTML))

    assert message.is_multipart()
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parts(message)] == ["text/plain", "text/html"]
    assert message["Subject"] == subject
    assert message["From"] == FROM
    (address,) = message["To"].addresses
    assert (address.display_name, address.addr_spec) == ("Jürgen Müller", "juergen@example.org")
    assert message["Date"] == DATE
    assert [(name, message[name]) for name, _ in HEADERS] == HEADERS
    assert contents(message) == [GERMAN_TEXT, GERMAN_HTML]
    assert [p["Content-Transfer-Encoding"] for p in parts(message)] == ["8bit", "8bit"]
    assert [p.get_content_charset() for p in parts(message)] == ["utf-8", "utf-8"]


def test_headers_come_in_djangos_order():
    message = parse(write(headers=[*HEADERS, ("X-Planner-Team", "ml-platform")]))

    assert message.keys() == [
        "Content-Type",
        "MIME-Version",
        "Subject",
        "From",
        "To",
        "Date",
        *(name for name, _ in HEADERS),
        "X-Planner-Team",
    ]
    for part in parts(message):
        assert part.keys() == ["Content-Type", "MIME-Version", "Content-Transfer-Encoding"]


def test_idn_recipient_domain_goes_out_as_punycode():
    data = write(to="Jürgen <user@bücher.example>")

    assert raw_header(data, "To").endswith(" <user@xn--bcher-kva.example>")
    (address,) = parse(data)["To"].addresses
    assert (address.display_name, address.domain) == ("Jürgen", "xn--bcher-kva.example")
    assert raw_header(write(to="user@bücher.example"), "To") == "user@xn--bcher-kva.example"


def test_short_ascii_subject_goes_out_as_is():
    assert raw_header(write(subject="Phase 2 starts tomorrow"), "Subject") == (
        "Phase 2 starts tomorrow"
    )


@pytest.mark.parametrize(
    "subject",
    [
        "Grüße aus Zürich – Phase 2",
        "Phase 2 starts tomorrow for the Machine Learning Platform team in Zurich, day 8",
        "x" * 1200,  # one word longer than a line may be
        "=?utf-8?q?hi?=",  # would be read as an encoded-word
        "  indented",  # a parser strips a plain value's leading space
        "tab\there",
    ],
)
def test_other_subjects_are_encoded_words_as_header_writes_them(subject):
    data = write(subject=subject)

    expected = Header(subject, "utf-8", header_name="Subject").encode(linesep="\r\n")
    assert raw_header(data, "Subject") == expected
    assert parse(data)["Subject"] == subject
    assert_wire_rules(data, parse(data).get_boundary() or "")


@pytest.mark.parametrize("subject", ["Teil 1\u2028Teil 2", "a\x0bb", "x\x85y", "Ende\x1c"])
def test_subject_keeps_the_characters_header_would_drop(subject):
    # Header splits at str.splitlines() boundaries and loses them; the writer must not.
    assert parse(write(subject=subject))["Subject"] == subject


@pytest.mark.parametrize(
    "name",
    ["X-Planner-Team", "X-" + "Long" * 20],  # no room for an encoded-word after the name
)
def test_non_ascii_extra_header_is_encoded_and_reads_back(name):
    data = write(headers=[(name, "Datenküche Zürich")])

    assert raw_header(data, name).startswith("=?utf-8?")
    assert parse(data)[name] == "Datenküche Zürich"
    assert_wire_rules(data, parse(data).get_boundary() or "")


# --- Bodies -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Hello\nworld\n", "7bit"),
        ("Grüße\n", "8bit"),
        ("x" * 998, "7bit"),  # exactly the limit
        ("x" * 999, "quoted-printable"),
        ("ü" * 499 + "\n", "8bit"),  # 998 octets in 499 characters
        ("ü" * 500 + "\n", "quoted-printable"),  # 1000 octets in 500 characters
        ("short\n" + "€" * 400 + "\nshort", "quoted-printable"),
    ],
)
def test_body_encoding_follows_django(text, encoding):
    data = write(text=text)
    message = parse(data)

    assert parts(message)[0]["Content-Transfer-Encoding"] == encoding
    assert contents(message)[0] == text
    assert_wire_rules(data, message.get_boundary() or "")


def test_every_line_end_becomes_one_crlf():
    data = write(text="a\rb\nc\r\nd\n\re\r\r\n")

    assert b"\r\n\r\na\r\nb\r\nc\r\nd\r\n\r\ne\r\n\r\n\r\n--" in data
    assert contents(parse(data))[0] == "a\nb\nc\nd\n\ne\n\n"


def test_lines_that_mean_something_elsewhere_are_left_to_smtplib():
    text = "From the team\n.\n..\n--\n-- \nContent-Type: text/html\n"
    data = write(text=text)

    # No ">From" mangling and no dot-stuffing here: smtplib stuffs dots, nobody mangles.
    assert b"\r\nFrom the team\r\n.\r\n..\r\n--\r\n-- \r\n" in data
    assert contents(parse(data))[0] == text


def test_boundary_is_drawn_again_when_a_body_contains_it(monkeypatch):
    draws = iter(["0" * 32, "1" * 32])
    monkeypatch.setattr(mime, "token_hex", lambda _: next(draws))
    text = "Quoting a message:\n--=_" + "0" * 32 + "\n"

    data = write(text=text)
    message = parse(data)

    assert message.get_boundary() == "=_" + "1" * 32
    assert contents(message)[0] == text
    assert_wire_rules(data, "=_" + "1" * 32)


def test_boundaries_differ_between_emails():
    assert parse(write()).get_boundary() != parse(write()).get_boundary()


# --- Date -------------------------------------------------------------------------------


@pytest.mark.parametrize("localtime", [False, True])
def test_date_defaults_to_now_as_django_formats_it(settings, localtime):
    settings.EMAIL_USE_LOCALTIME = localtime
    with time_machine.travel(datetime(2027, 3, 22, 8, 0, tzinfo=UTC), tick=False):
        data = write(date=None)
        expected = formatdate(localtime=localtime)

    assert raw_header(data, "Date") == expected
    moment = parsedate_tz(str(parse(data)["Date"]))
    assert moment is not None
    assert mktime_tz(moment) == datetime(2027, 3, 22, 8, 0, tzinfo=UTC).timestamp()
    if not localtime:
        assert expected == "Mon, 22 Mar 2027 08:00:00 -0000"


# --- Refused ----------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r", "\r\n"])
@pytest.mark.parametrize(
    "given",
    [
        lambda nl: {"subject": f"Hello{nl}Bcc: victim@example.org"},
        lambda nl: {"headers": [("X-Planner-Team", f"ml{nl}Bcc: victim@example.org")]},
        lambda nl: {"headers": [(f"X-Planner{nl}Bcc", "victim@example.org")]},
        lambda nl: {"to": f"juergen@example.org{nl}Bcc: victim@example.org"},
        lambda nl: {"from_email": f"Planner{nl} <noreply@planner.example>"},
        lambda nl: {"date": f"{DATE}{nl}Bcc: victim@example.org"},
    ],
    ids=["subject", "header value", "header name", "to", "from", "date"],
)
def test_newline_in_a_header_is_a_bad_header_error(given, newline):
    with pytest.raises(BadHeaderError):
        write(**given(newline))


@pytest.mark.parametrize("name", ["Subject", "from", "TO", "Date", "Content-Type", "MIME-Version"])
def test_extra_header_may_not_repeat_one_written_here(name):
    with pytest.raises(ValueError, match="written by alternative"):
        write(headers=[(name, "x")])


@pytest.mark.parametrize("name", ["", "X Team", "X:Team", "X-Tëam"])
def test_extra_header_name_must_be_a_field_name(name):
    with pytest.raises(ValueError, match="Not a header name"):
        write(headers=[(name, "x")])


@pytest.mark.parametrize(
    "given",
    [
        {"headers": [("List-Unsubscribe", "<https://planner.example/" + "a" * 980 + ">")]},
        {"to": "A" * 1000 + " <a@example.org>"},
    ],
)
def test_ascii_header_line_over_998_octets_is_refused(given):
    with pytest.raises(ValueError, match="longer than 998"):
        write(**given)


def test_ascii_header_of_998_octets_is_written():
    value = (
        "<https://planner.example/"
        + "a" * (998 - len("List-Unsubscribe: <https://planner.example/>"))
        + ">"
    )
    data = write(headers=[("List-Unsubscribe", value)])

    assert parse(data)["List-Unsubscribe"] == value
    assert_wire_rules(data, parse(data).get_boundary() or "")


# --- The same as Django -----------------------------------------------------------------


def assert_same_as_django(**given: Any) -> None:
    ours, django = parse(write(date=None, **given)), parse(django_bytes(**given))

    for name in ["Subject", "From", "To", *(name for name, _ in given["headers"])]:
        # Django's generator refolds long values onto a continuation line and drops
        # trailing space: the stdlib parser then reads a space more or less at the ends.
        assert ours[name].strip() == django[name].strip(), name
    assert contents(ours) == contents(django)
    assert [p.get_content_type() for p in parts(ours)] == ["text/plain", "text/html"]
    assert [p.get_content_type() for p in parts(django)] == ["text/plain", "text/html"]


@pytest.mark.parametrize(
    "given",
    [
        {"subject": "Phase 2 beginnt – „Datenküche Zürich“", "text": GERMAN_TEXT},
        {"subject": "Phase 2 starts tomorrow", "to": "Emil Engineer <engineer@example.org>"},
        {"subject": "A long subject " * 10, "to": "Jürgen Müller <user@bücher.example>"},
        {"subject": "Long lines", "text": "x" * 1500 + "\n", "html": "<p>" + "ü" * 600},
        {"subject": "Line ends", "text": "a\rb\r\nc\n", "html": "<p>\r\n</p>"},
    ],
)
def test_a_parser_reads_the_same_as_from_django(given):
    arguments: dict[str, Any] = {"from_email": FROM, "to": "juergen@example.org"}
    arguments |= {"headers": HEADERS, "text": "Hello\n", "html": "<p>Hello</p>\n"} | given
    assert_same_as_django(**arguments)

    ours = parse(write(**arguments))
    django = parse(django_bytes(**arguments))
    assert [p["Content-Transfer-Encoding"] for p in parts(ours)] == [
        p["Content-Transfer-Encoding"] for p in parts(django)
    ]


# Words Django's header folding keeps as they are (one space between, none at the ends).
tame_words = st.lists(
    st.text(
        st.characters(codec="utf-8", categories=["L", "N"]) | st.sampled_from(".,-'!&()"),
        min_size=1,
        max_size=12,
    ),
    min_size=1,
    max_size=12,
).map(" ".join)


@CASES
# Django leaves out an empty text part; the writer always writes both.
@given(subject=tame_words, name=tame_words, text=st.text(min_size=1), html=st.text())
def test_a_parser_reads_the_same_as_from_django_for_any_text(subject, name, text, html):
    to = f'"{name}" <user@bücher.example>'
    assert_same_as_django(
        subject=subject, from_email=FROM, to=to, text=text, html=html, headers=HEADERS
    )


# --- Properties over any input ----------------------------------------------------------

TRICKY_LINES = [
    "From the team",
    ".",
    "..",
    "--",
    "-- ",
    "--=_" + "0" * 32,
    "--=_0123456789abcdef0123456789abcdef--",
    "=?utf-8?q?x?=",
    "Content-Type: text/html",
    "",
]
any_line = st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=60)
# Repeated characters of 1 to 4 octets: long lines on both sides of 998 octets, cheaply.
long_line = st.builds(lambda c, n: c * n, st.sampled_from("aü€😀 =."), st.integers(240, 1300))
bodies = st.lists(
    any_line | st.sampled_from(TRICKY_LINES) | long_line | st.sampled_from(["\n", "\r\n", "\r"]),
    max_size=12,
).map("".join)
atoms = st.text("abcxyz0189_+-", min_size=1, max_size=8)
local_parts = st.lists(atoms, min_size=1, max_size=3).map(".".join)
domains = st.sampled_from(["example.org", "bücher.example", "Planner.Example", "straße.example"])
display_names = st.text(
    st.characters(codec="utf-8", categories=["L", "N"]) | st.sampled_from(" .-'"),
    min_size=1,
    max_size=90,
).map(lambda s: " ".join(s.split()))


@CASES
@given(
    subject=st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=200),
    name=display_names,
    local=local_parts,
    domain=domains,
    text=bodies,
    html=bodies,
    team=tame_words,
)
def test_any_email_reads_back_and_keeps_to_the_line_rules(
    subject, name, local, domain, text, html, team
):
    to = f'"{name}" <{local}@{domain}>' if name else f"{local}@{domain}"
    headers = [*HEADERS, ("X-Planner-Team", team + " ü")]
    data = write(subject=subject, to=to, text=text, html=html, headers=headers)
    message = parse(data)

    assert_wire_rules(data, message.get_boundary() or "")
    assert message["Subject"] == subject
    assert message["From"] == FROM
    (address,) = message["To"].addresses
    assert (address.username, address.domain) == (local, domain.encode("idna").decode())
    # Python 3.11's parser reads a space between the encoded-words of a long display name
    # (CPython gh-128110); RFC 2047 6.2 says to ignore it, and decode_header does.
    display_name, _ = parseaddr(raw_header(data, "To").replace("\r\n", ""))
    assert str(make_header(decode_header(display_name))) == name
    assert [(n, message[n]) for n, _ in headers] == headers
    assert contents(message) == [normalised(text), normalised(html)]


@CASES
@given(
    st.text(st.characters(codec="utf-8", exclude_characters="\r\n" + SPLITLINES_ONLY), max_size=300)
)
def test_subject_is_as_given_or_as_header_encodes_it(subject):
    written = raw_header(write(subject=subject), "Subject")

    if written != subject:
        assert written == Header(subject, "utf-8", header_name="Subject").encode(linesep="\r\n")
    else:
        assert subject.isascii()
        assert len("Subject: " + subject) <= 78


@CASES
@given(
    st.emails()
    | st.builds("{}@{}".format, local_parts, domains)
    | st.sampled_from(
        [
            "=?utf-8?q?x?=@example.org",  # the parser decodes this local part
            "a.b+c@Example.ORG",
            "Lea Lead <lea@example.org>",
            '"Lead, Lea" <lea@example.org>',
            "user@[192.0.2.1]",
            "Jürgen Müller <user@bücher.example>",
            "A very long display name that Header has to fold somewhere " * 3 + "<a@b.example>",
        ]
    )
)
def test_to_is_what_sanitize_address_writes(address):
    expected = sanitize_address(address, "utf-8").replace("\n", "\r\n")
    assert raw_header(write(to=address), "To") == expected
