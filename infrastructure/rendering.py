"""Decision documents and the lists a committee receives, as Markdown, HTML and PDF.

`decision_blocks` is the template of a decision: the headings and their order, as in
a diary-style delegation decision (seed 003); `meeting_blocks` that of the list of
decisions reported to one meeting. Each renderer only knows how to write a block in
its format.
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

from application.decision_register.queries import DecisionRegisterEntry, MeetingList
from application.decisions.documents import DecisionDocument
from application.shared.swedish import kronor


@dataclass(frozen=True)
class Lines:
    """Short lines kept as they are: the header, the signature, a list of documents."""

    lines: tuple[str, ...]


@dataclass(frozen=True)
class Title:
    text: str


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraphs:
    text: str


@dataclass(frozen=True)
class Numbered:
    items: tuple[str, ...]


Block = Lines | Title | Heading | Paragraphs | Numbered


def decision_blocks(doc: DecisionDocument) -> list[Block]:
    """The template of a delegation decision, in the order officials write it."""
    header = [doc.unit, doc.case_officer, "", doc.decided_on, doc.diary_number]
    if doc.version > 1:
        header.append(f"Version {doc.version}")
    blocks: list[Block] = [
        Lines(tuple(header)),
        Title(doc.title),
        Heading("Ärendebeskrivning"),
        Paragraphs(doc.description),
        Heading("Beslutsunderlag"),
        Lines(tuple(doc.basis)),
        Heading("Delegationsbestämmelse och delegation"),
        Paragraphs(doc.delegation),
        Heading("Beslut"),
        Numbered(tuple(doc.points)),
    ]
    if doc.commitments:
        blocks.append(Lines(tuple(doc.commitments)))
    blocks.append(Lines((doc.signer_name, doc.signer_title)))
    if doc.reported_to:
        blocks += [
            Heading("Anmälan"),
            Paragraphs(f"Beslutet anmäls till {_in_sentence(doc.reported_to)}"),
        ]
    if doc.extract_to:
        blocks += [Heading("Utdrag till"), Lines(tuple(doc.extract_to))]
    if doc.notes:
        blocks += [Heading("Rättelser och ändringar"), Lines(tuple(doc.notes))]
    return blocks


def _in_sentence(name: str) -> str:
    """'Regionala utvecklingsnämnden' reads 'regionala utvecklingsnämnden' mid-sentence."""
    return name[:1].lower() + name[1:]


def meeting_blocks(meeting: MeetingList) -> list[Block]:
    """The anmälan of delegation decisions to one meeting: under each paragraph, the
    decisions in the order they were taken."""
    day = meeting.meeting_date.isoformat()
    blocks: list[Block] = [
        Lines((meeting.committee, f"Sammanträde {day}")),
        Title("Anmälan av delegationsbeslut"),
    ]
    if not meeting.items:
        blocks.append(Paragraphs(f"Inga delegationsbeslut är anmälda till sammanträdet {day}."))
    for paragraph in meeting.paragraphs:
        items = [e for e in meeting.items if e.report and e.report.paragraph == paragraph]
        blocks += [
            Heading(f"{paragraph} Anmälan av delegationsbeslut"),
            Numbered(tuple(_reported_decision(e) for e in items)),
        ]
    blocks.append(
        Paragraphs(
            f"{len(meeting.items)} delegationsbeslut anmäls till {_in_sentence(meeting.committee)}."
        )
    )
    return blocks


def _reported_decision(e: DecisionRegisterEntry) -> str:
    line = (
        f"{e.diary_number} {e.case_title}. Beslut {e.decided_on.isoformat()} av "
        f"{e.decided_by.name}, {e.decided_by.title}, enligt "
        f"{e.delegation.order_title}, punkt {e.delegation.point} ({e.matter})"
    )
    if e.amount:
        line += f", {kronor(e.amount)}"
    line += "."
    if e.revoked_on:
        line += f" Återkallat {e.revoked_on.isoformat()}."
    return line


# --- Markdown ------------------------------------------------------------------------


def to_markdown(doc: DecisionDocument) -> str:
    return blocks_to_markdown(decision_blocks(doc))


def meeting_to_markdown(meeting: MeetingList) -> str:
    return blocks_to_markdown(meeting_blocks(meeting))


def blocks_to_markdown(blocks: list[Block]) -> str:
    parts: list[str] = []
    for block in blocks:
        match block:
            case Lines(lines):
                parts.append("  \n".join(_md(line) for line in lines).replace("  \n  \n", "\n\n"))
            case Title(text):
                parts.append(f"# {_md(text)}")
            case Heading(text):
                parts.append(f"## {_md(text)}")
            case Paragraphs(text):
                parts.append("\n\n".join(_md(p) for p in text.split("\n\n")))
            case Numbered(items):
                parts.append("\n".join(f"{i}. {_md(item)}" for i, item in enumerate(items, 1)))
    return "\n\n".join(parts) + "\n"


def _md(text: str) -> str:
    """Text that Markdown shows as written (no accidental emphasis, links or lists)."""
    for char in "\\`*_[]<>#":
        text = text.replace(char, f"\\{char}")
    return text


# --- HTML ------------------------------------------------------------------------------

_STYLE = (
    "body{font-family:Georgia,serif;max-width:42rem;margin:2rem auto;line-height:1.45}"
    "h1{font-size:1.4rem;margin-top:2rem}h2{font-size:1.1rem;margin-top:1.6rem}"
    ".lines{margin:1rem 0}"
)


def to_html(doc: DecisionDocument) -> str:
    return blocks_to_html(f"{doc.diary_number} {doc.title}", decision_blocks(doc))


def meeting_to_html(meeting: MeetingList) -> str:
    title = f"{meeting.committee} {meeting.meeting_date.isoformat()}"
    return blocks_to_html(title, meeting_blocks(meeting))


def blocks_to_html(title: str, blocks: list[Block]) -> str:
    body: list[str] = []
    for block in blocks:
        match block:
            case Lines(lines):
                body.append(
                    f'<p class="lines">{"<br>".join(html.escape(line) for line in lines)}</p>'
                )
            case Title(text):
                body.append(f"<h1>{html.escape(text)}</h1>")
            case Heading(text):
                body.append(f"<h2>{html.escape(text)}</h2>")
            case Paragraphs(text):
                body.extend(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n"))
            case Numbered(items):
                listed = "".join(f"<li>{html.escape(item)}</li>" for item in items)
                body.append(f"<ol>{listed}</ol>")
    return (
        '<!doctype html>\n<html lang="sv"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


# --- PDF -------------------------------------------------------------------------------

# DejaVu Sans, embedded (the letters used, subset): Sámi (á č đ ŋ š ŧ ž), Finnish,
# Polish (ą ć ę ł ń ś ź ż) and every other Latin letter print as written. The PDF's
# built-in Helvetica covers Latin-1 only and printed the others as "?".
FONTS = Path(__file__).with_name("fonts")
FONT = "DejaVuSans"


def to_pdf(doc: DecisionDocument) -> bytes:
    """The document as PDF. A version of a decision document never changes, and
    embedding the font takes a while (about 0.15 s), so recent ones are kept."""
    return _pdf(doc.to_json())


@functools.lru_cache(maxsize=128)
def _pdf(document: str) -> bytes:
    doc = DecisionDocument.from_json(document)
    return blocks_to_pdf(f"{doc.diary_number} {doc.title}", decision_blocks(doc))


def meeting_to_pdf(meeting: MeetingList) -> bytes:
    """A list changes as decisions are reported to the meeting: made anew each time."""
    title = f"{meeting.committee} {meeting.meeting_date.isoformat()}"
    return blocks_to_pdf(title, meeting_blocks(meeting))


def blocks_to_pdf(title: str, blocks: list[Block]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font(FONT, "", FONTS / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.set_title(title)
    pdf.set_margins(25, 20, 25)
    pdf.add_page()

    def write(text: str, size: float, style: str = "", gap: float = 2) -> None:
        pdf.set_font(FONT, style, size)
        pdf.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    for block in blocks:
        match block:
            case Lines(lines):
                write("\n".join(lines), 10.5, gap=4)
            case Title(text):
                write(text, 15, "B", gap=5)
            case Heading(text):
                write(text, 12, "B")
            case Paragraphs(text):
                for paragraph in text.split("\n\n"):
                    write(paragraph, 10.5, gap=3)
            case Numbered(items):
                for i, item in enumerate(items, 1):
                    write(f"{i}. {item}", 10.5)
    return bytes(pdf.output())
