"""A case moves along its lifecycle; a closed case changes only by reopening."""

from datetime import date
from uuid import uuid4

import pytest

from domain.case import Case, CaseStatus, Direction, Document, SecrecyMarking
from domain.errors import DomainError, InvalidInput
from domain.values import Money
from tests.unit.builders import OFFICIAL, case, refused, settled


def document() -> Document:
    return Document(uuid4(), "Ansökan", Direction.INCOMING, date(2021, 12, 8), "SVID")


def walk(to: list[CaseStatus]) -> Case:
    registered = case()
    for status in to:
        reason = "Sökanden drar tillbaka" if status == CaseStatus.WITHDRAWN else None
        registered.change_status(status, reason, OFFICIAL)
    return settled(registered)


def test_a_case_runs_its_lifecycle_to_closed() -> None:
    closed = walk([CaseStatus.UNDER_REVIEW, CaseStatus.GRANTED, CaseStatus.CLOSED])
    assert closed.status == CaseStatus.CLOSED
    assert closed.version == 4


def test_a_status_off_the_lifecycle_is_refused_and_names_the_ways_on() -> None:
    registered = case()
    with refused("StatusChangeMustFollowLifecycle", registered) as refusal:
        registered.change_status(CaseStatus.GRANTED, None, OFFICIAL)
    assert "under_review, withdrawn" in refusal.value.message


def test_withdrawing_needs_a_reason() -> None:
    registered = case()
    with refused("ReasonMustBeGiven", registered):
        registered.change_status(CaseStatus.WITHDRAWN, "  ", OFFICIAL)


def test_a_closed_case_takes_no_documents_or_markings() -> None:
    closed = walk([CaseStatus.UNDER_REVIEW, CaseStatus.REJECTED, CaseStatus.CLOSED])
    with refused("ClosedCaseMustNotChange", closed):
        closed.register_document(document(), None, OFFICIAL)
    with refused("ClosedCaseMustNotChange", closed):
        closed.assess_secrecy(["applicant.name"], "OSL 31 kap. 16 §", "Ny prövning", OFFICIAL)


def test_reopening_a_closed_case_needs_a_reason() -> None:
    closed = walk([CaseStatus.UNDER_REVIEW, CaseStatus.REJECTED, CaseStatus.CLOSED])
    with refused("ReasonMustBeGiven", closed):
        closed.change_status(CaseStatus.UNDER_REVIEW, None, OFFICIAL)
    closed.change_status(CaseStatus.UNDER_REVIEW, "Nya uppgifter har kommit in", OFFICIAL)
    assert closed.status == CaseStatus.UNDER_REVIEW


def test_a_secret_document_is_registered_with_its_marking() -> None:
    registered = case()
    doc = document()
    registered.register_document(doc, "OSL 31 kap. 16 §", OFFICIAL)
    assert registered.documents[doc.id] == doc
    assert registered.is_secret(str(doc.id))
    events = registered.collect_events()
    assert [type(e).__name__ for e in events] == ["DocumentRegistered"]  # secret at once
    assert isinstance(events[0], Case.DocumentRegistered)
    assert events[0].secrecy == SecrecyMarking(str(doc.id), "OSL 31 kap. 16 §")


def test_a_document_id_is_registered_once() -> None:
    registered = case()
    doc = document()
    registered.register_document(doc, None, OFFICIAL)
    registered.collect_events()
    with refused("IdMustBeNew", registered):
        registered.register_document(doc, None, OFFICIAL)


def test_only_parts_of_the_case_can_be_marked_secret() -> None:
    registered = case()
    with refused("SecrecyMustConcernAPartOfTheCase", registered):
        registered.assess_secrecy(["diary_number"], "OSL 31 kap. 16 §", "Prövning", OFFICIAL)
    registered.assess_secrecy(["project.purpose"], "OSL 31 kap. 16 §", "Prövning", OFFICIAL)
    assert registered.secret_fields == {"project.purpose"}


def test_the_requested_amount_must_fit_the_total_budget() -> None:
    template = case()
    with pytest.raises(InvalidInput) as refusal:
        Case.register(
            case_id=uuid4(),
            diary_number=template.diary_number,
            title=template.title,
            applicant=template.applicant,
            project=template.project,
            programme=None,
            requested_amount=Money.parse("200000", "requested_amount"),
            total_budget=Money.parse("150000", "total_budget"),
            received_on=template.received_on,
            case_officer=template.case_officer,
            actor=OFFICIAL,
        )
    assert refusal.value.rule == "RequestedAmountMustNotExceedTotalBudget"
    assert refusal.value.field == "requested_amount"


def imported(statuses: list[CaseStatus], reason: str | None = None, **fields: object) -> Case:
    """The builders' case as another register had it, at the end of `statuses`."""
    template = case(pending=True)
    registration = {
        name: getattr(template, name)
        for name in (
            "diary_number",
            "title",
            "applicant",
            "project",
            "programme",
            "requested_amount",
            "total_budget",
            "received_on",
            "case_officer",
        )
    }
    return Case.import_from_register(
        case_id=uuid4(),
        actor=OFFICIAL,
        statuses=statuses,
        reason=reason,
        **(registration | {"documents": [document(), document()]} | fields),
    )


def test_a_case_from_another_register_is_one_event_at_the_status_it_reached() -> None:
    granted = imported([CaseStatus.UNDER_REVIEW, CaseStatus.GRANTED])
    [event] = granted.collect_events()
    assert isinstance(event, Case.Imported)
    assert (granted.status, granted.version, len(granted.documents)) == (CaseStatus.GRANTED, 1, 2)
    assert [granted.document_number(d) for d in granted.documents] == [1, 2]
    # The state it gives is the state a replay of the event gives.
    replayed = event.mutate(None)
    assert isinstance(replayed, Case)
    assert (replayed.status, replayed.documents) == (granted.status, granted.documents)
    assert imported([]).status == CaseStatus.REGISTERED
    # A case registered here is not one imported (Imported is a kind of Registered).
    assert [type(e) for e in case(pending=True).collect_events()] == [Case.Registered]


def test_a_status_from_another_register_must_be_reachable_by_the_lifecycle() -> None:
    with pytest.raises(DomainError) as refusal:
        imported([CaseStatus.GRANTED])
    assert refusal.value.rule == "StatusChangeMustFollowLifecycle"
    with pytest.raises(DomainError) as refusal:
        imported([CaseStatus.WITHDRAWN])
    assert refusal.value.rule == "ReasonMustBeGiven"
    assert imported([CaseStatus.WITHDRAWN], "Enligt registret").status == CaseStatus.WITHDRAWN
    same = document()
    with pytest.raises(DomainError) as refusal:
        imported([], documents=[same, same])
    assert refusal.value.rule == "IdMustBeNew"
