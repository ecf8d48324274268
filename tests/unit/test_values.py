"""Bad values are refused with the rule that names what is wrong."""

from datetime import date
from decimal import Decimal

import pytest

from domain.case import Direction
from domain.errors import InvalidInput
from domain.values import (
    DiaryNumber,
    Money,
    OrganisationNumber,
    Period,
    choice,
    register_prefix,
    text,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("150000", "150000.00"),
        ("150000.5", "150000.50"),
        (" 0.01 ", "0.01"),
        (42, "42.00"),
        (Decimal("1.10"), "1.10"),
    ],
)
def test_amounts_are_exact_to_the_öre(raw: object, expected: str) -> None:
    assert str(Money.parse(raw, "amount")) == expected


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("0", "AmountMustBePositive"),
        ("-100", "AmountMustBePositive"),
        ("abc", "AmountMustBeADecimalNumber"),
        ("", "AmountMustBeADecimalNumber"),
        ("NaN", "AmountMustBeADecimalNumber"),
        ("Infinity", "AmountMustBeADecimalNumber"),
        (150000.0, "AmountMustBeADecimalNumber"),
        (True, "AmountMustBeADecimalNumber"),
        (None, "AmountMustBeADecimalNumber"),
        ("100.001", "AmountMustHaveAtMostTwoDecimals"),
        ("1e15", "AmountMustBeWithinSensibleBounds"),
    ],
)
def test_bad_amounts_are_refused(raw: object, rule: str) -> None:
    with pytest.raises(InvalidInput) as refusal:
        Money.parse(raw, "amount")
    assert refusal.value.rule == rule
    assert refusal.value.field == "amount"


def test_a_float_is_refused_with_a_hint_to_send_text() -> None:
    with pytest.raises(InvalidInput, match=r'"150000\.00"'):
        Money.parse(0.1, "amount")


def test_zero_is_allowed_where_asked_for() -> None:
    assert Money.parse("0", "amount", positive=False) == Money.zero()


def test_a_period_must_not_end_before_it_starts() -> None:
    with pytest.raises(InvalidInput) as refusal:
        Period.of(date(2024, 6, 30), date(2022, 4, 1), "project.end")
    assert refusal.value.rule == "PeriodMustNotEndBeforeItStarts"
    assert refusal.value.field == "project.end"
    assert Period.of(date(2022, 4, 1), date(2022, 4, 1)).days == 1


@pytest.mark.parametrize("raw", ["802011-2234", "8020112234", " 802011-2234 "])
def test_organisation_numbers_are_normalised(raw: str) -> None:
    assert str(OrganisationNumber.parse(raw)) == "802011-2234"


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("802011-2235", "OrganisationNumberMustPassCheckDigit"),
        ("80201-12234", "OrganisationNumberMustHaveTenDigits"),
        ("802011-223", "OrganisationNumberMustHaveTenDigits"),
        ("SE802011223401", "OrganisationNumberMustHaveTenDigits"),
        ("", "OrganisationNumberMustHaveTenDigits"),
    ],
)
def test_bad_organisation_numbers_are_refused(raw: str, rule: str) -> None:
    with pytest.raises(InvalidInput) as refusal:
        OrganisationNumber.parse(raw)
    assert refusal.value.rule == rule


def test_a_diary_number_reads_back_as_itself() -> None:
    number = DiaryNumber.parse("RUN/664/2021")
    assert (number.prefix, number.sequence, number.year) == ("RUN", 664, 2021)
    assert str(number) == "RUN/664/2021"


@pytest.mark.parametrize(
    "raw",
    [
        "RUN/664",
        "run/664/2021",
        "RUN/0/2021",
        "RUN/664/21",
        "RUN-664-2021",
        "RUN/06/2021",
        "RUN/664/2021/1",
        "",
    ],
)
def test_diary_numbers_of_the_wrong_form_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as refusal:
        DiaryNumber.parse(raw)
    assert refusal.value.rule == "DiaryNumberMustReadPrefixSequenceYear"


@pytest.mark.parametrize("raw", ["run", "RUN1", "", "ABCDEFGHIJK"])
def test_register_prefixes_are_capital_letters(raw: str) -> None:
    with pytest.raises(InvalidInput) as refusal:
        register_prefix(raw)
    assert refusal.value.rule == "RegisterPrefixMustBeCapitalLetters"


def test_text_over_its_limit_or_blank_is_refused() -> None:
    with pytest.raises(InvalidInput) as too_long:
        text("x" * 201, "applicant.name")
    assert too_long.value.rule == "TextMustNotExceedLengthLimit"
    assert "200" in too_long.value.message
    with pytest.raises(InvalidInput) as blank:
        text("   ", "title")
    assert blank.value.rule == "TextMustNotBeBlank"
    assert text("  SVID ", "name") == "SVID"


def test_an_unknown_choice_lists_the_allowed_values() -> None:
    assert choice("incoming", Direction, "direction") is Direction.INCOMING
    with pytest.raises(InvalidInput) as refusal:
        choice("sideways", Direction, "direction")
    assert refusal.value.rule == "ValueMustBeOneOf"
    assert "incoming, internal, outgoing" in refusal.value.message


@pytest.mark.parametrize(
    ("raw", "start", "end"),
    [
        ("201203 — 201410", date(2012, 3, 1), date(2014, 10, 31)),
        ("2012-01 — 2013-11", date(2012, 1, 1), date(2013, 11, 30)),
        ("20220401-20240630", date(2022, 4, 1), date(2024, 6, 30)),
        ("2012-02 – 2012-02", date(2012, 2, 1), date(2012, 2, 29)),
        ("201112 - 201412", date(2011, 12, 1), date(2014, 12, 31)),
    ],
)
def test_periods_read_as_documents_write_them(raw: str, start: date, end: date) -> None:
    assert Period.parse_text(raw) == Period(start, end)


@pytest.mark.parametrize(
    ("raw", "rule", "named"),
    [
        ("20112-01 — 2014-10", "DateMustReadAsDayOrMonth", "'20112-01'"),
        ("201213 — 201410", "DateMustReadAsDayOrMonth", "'201213'"),
        ("20220230-20240630", "DateMustReadAsDayOrMonth", "'20220230'"),
        ("april 2022 till juni 2024", "PeriodTextMustNameTwoDates", "april"),
        ("201410 — 201203", "PeriodMustNotEndBeforeItStarts", "2014-10-01"),
    ],
)
def test_bad_periods_in_imported_text_name_the_part_that_is_wrong(
    raw: str, rule: str, named: str
) -> None:
    with pytest.raises(InvalidInput) as refusal:
        Period.parse_text(raw, "rows[9].period")
    assert refusal.value.rule == rule
    assert named in refusal.value.message
    assert refusal.value.field == "rows[9].period"


@pytest.mark.parametrize("raw", ["Ansökan\x00", "A\x07B", "\x1b[31mröd", "x\x7f"])
def test_control_characters_are_refused_in_text(raw: str) -> None:
    with pytest.raises(InvalidInput) as refusal:
        text(raw, "title")
    assert refusal.value.rule == "TextMustNotContainControlCharacters"
    assert text("Rad ett\nRad två\tflik", "description") == "Rad ett\nRad två\tflik"
