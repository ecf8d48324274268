"""A decision document's PDF prints every Latin letter as written: the font is
embedded, and what is written maps back to the letters (what a reader copies out)."""

from __future__ import annotations

import re
import zlib

from application.decisions.documents import DecisionDocument
from infrastructure.rendering import to_pdf

SAMI = "Sámediggi: Čáhcesuolu, đ ŋ ŧ š ž"
POLISH = "Łódź, źdźbło, gęś, żółć, Gdańsk"
FINNISH = "Hyvää päivää, Åbo Akademi"


def document() -> DecisionDocument:
    return DecisionDocument(
        decision_id="d",
        version=1,
        unit="Näringsliv och samhällsbyggnad",
        case_officer="Áile Niillasdóttir",
        decided_on="2022-03-10",
        diary_number="RUN/664/2021",
        title=f"Samarbete: {SAMI}",
        description=f"{POLISH}. {FINNISH} – “citat” …",
        basis=["RUN/664/2021-1 Ansökan"],
        delegation="punkt 8.1",
        points=["Beviljas"],
        commitments=[],
        signer_name="Ánde Čoarvi",
        signer_title="Enhetschef",
        reported_to=None,
        extract_to=["Sámediggi"],
    )


def _mapped_letters(pdf: bytes) -> set[str]:
    """The letters the PDF's ToUnicode maps name (what a reader's copy gives back)."""
    letters: set[str] = set()
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            text = zlib.decompress(stream)
        except zlib.error:
            text = stream
        if b"beginbfchar" in text or b"beginbfrange" in text:
            for code in re.findall(rb"<([0-9A-Fa-f]{4})>", text):
                letters.add(chr(int(code, 16)))
    return letters


def test_sami_polish_and_finnish_letters_are_printed_as_written() -> None:
    pdf = to_pdf(document())
    assert pdf.startswith(b"%PDF-")
    assert b"/FontFile2" in pdf  # the font is in the file, not left to the reader's
    assert b"DejaVuSans" in pdf
    letters = _mapped_letters(pdf)
    for letter in set(SAMI + POLISH + FINNISH + "–“…") - {" ", ",", ":", "."}:
        assert letter in letters, letter
