"""A delegation decision is valid only under a provision in force, within its limit."""

from datetime import date
from uuid import uuid4

from domain.case import CaseStatus, Direction, Document
from domain.commitment import CommitmentState
from domain.decision import (
    BasisDocument,
    BasisDocumentMustBeRegisteredInTheCase,
    CommitteeReport,
    DecisionFile,
    DecisionText,
)
from tests.unit.builders import (
    OFFICIAL,
    WORDING,
    case,
    commitment,
    decision,
    order,
    provision,
    refused,
    settled,
)


def test_a_decision_within_its_delegation_is_taken() -> None:
    c = case()
    offer = commitment(c)
    taken = decision(c, order(provision(limit="500000")), [offer])
    assert taken.decided_amount.amount == 150000
    assert taken.delegation.point == "8.1"
    assert taken.diary_number == c.diary_number
    assert taken.document_version == 1


def test_an_acting_delegate_holds_the_title_and_the_decision_says_acting() -> None:
    c = case()
    taken = decision(c, order(), [], title="REGIONAL  utvecklingsdirektör")
    assert taken.decided_by.title == "Tf. regional utvecklingsdirektör"  # as the directory has it


def test_a_provision_that_does_not_exist_is_refused() -> None:
    c = case()
    with refused("ProvisionMustExist", c):
        decision(c, order(), [], point="9.9")


def test_a_provision_not_yet_in_force_is_refused() -> None:
    c = case(received_on=date(2018, 1, 1))
    with refused("ProvisionMustBeInForceOnDecisionDate"):
        decision(c, order(), [], decided_on=date(2018, 12, 31))


def test_a_provision_no_longer_in_force_is_refused() -> None:
    adopted = order(provision("8.1"))
    adopted.revoke_provision("8.1", date(2022, 1, 1), OFFICIAL)
    with refused("ProvisionMustBeInForceOnDecisionDate"):
        decision(case(), adopted, [], decided_on=date(2022, 3, 10))


def test_the_order_is_read_as_it_stood_on_the_decision_date() -> None:
    adopted = order(provision("8.1", limit="100000"))
    adopted.amend_provision(provision("8.1", limit="200000"), date(2022, 3, 1), OFFICIAL)
    c = case()
    with refused("DecidedAmountMustNotExceedProvisionLimit"):
        decision(c, adopted, [commitment(c)], decided_on=date(2022, 2, 28))
    assert decision(c, adopted, [commitment(c)], decided_on=date(2022, 3, 1)).decided_amount


def test_another_title_is_refused() -> None:
    c = case()
    with refused("DecisionMakerMustHoldDelegatedTitle") as refusal:
        decision(c, order(), [], title="Ekonomichef")
    assert "'Regional utvecklingsdirektör'" in refusal.value.message


def test_a_limit_below_the_amount_is_refused_and_commits_nothing() -> None:
    c = case()
    offer = commitment(c, "600000.00")
    with refused("DecidedAmountMustNotExceedProvisionLimit", c, offer) as refusal:
        decision(c, order(provision(limit="500000")), [offer])
    assert "500 000.00 SEK" in refusal.value.message
    assert offer.state == CommitmentState.PROPOSED


def test_a_commitment_of_another_case_is_refused() -> None:
    c = case()
    with refused("CommitmentMustBelongToDecisionCase"):
        decision(c, order(), [commitment(case())])


def test_a_second_decision_cannot_change_a_taken_one() -> None:
    c = case()
    offer = commitment(c)
    first = decision(c, order(), [offer])
    offer.commit(first.id, first.decided_on, OFFICIAL)
    offer.collect_events()
    with refused("CommitmentMustBeProposed", offer):
        decision(c, order(), [offer])


def test_a_commitment_listed_twice_is_refused() -> None:
    c = case()
    offer = commitment(c)
    with refused("EachNameMustAppearOnce"):
        decision(c, order(), [offer, offer])


def test_a_decision_in_the_future_or_before_receipt_is_refused() -> None:
    c = case()
    with refused("DecisionDateMustNotBeInTheFuture"):
        decision(c, order(), [], decided_on=date(2022, 6, 2))
    with refused("DecisionMustNotPrecedeReceipt"):
        decision(c, order(), [], decided_on=date(2021, 12, 7))


def test_no_decision_in_a_withdrawn_case() -> None:
    c = case()
    c.change_status(CaseStatus.WITHDRAWN, "Sökanden drog tillbaka ansökan", OFFICIAL)
    with refused("CaseMustBeOpenForDecision"):
        decision(c, order(), [])


def test_a_correction_is_a_new_version_with_a_reason() -> None:
    taken = settled(decision(case(), order(), []))
    fixed = DecisionText(WORDING.description, WORDING.basis, WORDING.points, ("SVID", "Åvki"))
    with refused("ReasonMustBeGiven", taken):
        taken.correct("", fixed, OFFICIAL)
    with refused("CorrectionMustChangeSomething", taken):
        taken.correct("Skrivfel", WORDING, OFFICIAL)
    assert taken.correct("Utdrag saknades", fixed, OFFICIAL) == ["extract_to"]
    assert taken.document_version == 2
    assert taken.wording.extract_to == ("SVID", "Åvki")


def test_a_revoked_decision_no_longer_changes() -> None:
    taken = decision(case(), order(), [])
    taken.revoke("Fattat på felaktigt underlag", date(2022, 4, 1), OFFICIAL)
    taken.collect_events()
    with refused("RevokedDecisionMustNotChange", taken):
        taken.revoke("igen", date(2022, 4, 2), OFFICIAL)
    with refused("RevokedDecisionMustNotChange", taken):
        taken.correct("x", WORDING, OFFICIAL)


REPORT = CommitteeReport("Regionala utvecklingsnämnden", date(2022, 4, 6), "§ 45")


def test_a_decision_is_reported_once_and_not_before_it_was_taken() -> None:
    taken = settled(decision(case(), order(), []))
    early = CommitteeReport(REPORT.committee, date(2022, 3, 9), "§ 1")
    with refused("ReportMustNotPrecedeDecision", taken):
        taken.report_to_committee(early, OFFICIAL)
    taken.report_to_committee(REPORT, OFFICIAL)
    taken.collect_events()
    with refused("DecisionMustBeReportedOnce", taken):
        taken.report_to_committee(REPORT, OFFICIAL)


def test_the_appeal_period_runs_from_the_announcement() -> None:
    taken = settled(decision(case(), order(), []))
    with refused("AnnouncementMustFollowReport", taken):
        taken.record_announcement(date(2022, 4, 12), OFFICIAL)
    taken.report_to_committee(REPORT, OFFICIAL)
    taken.collect_events()
    with refused("AnnouncementMustNotPrecedeMeeting", taken):
        taken.record_announcement(date(2022, 4, 5), OFFICIAL)
    assert taken.record_announcement(date(2022, 4, 12), OFFICIAL) == date(2022, 5, 3)
    taken.collect_events()
    with refused("AnnouncementMustBeRecordedOnce", taken):
        taken.record_announcement(date(2022, 4, 13), OFFICIAL)


def test_a_decision_that_cannot_be_appealed_has_no_appeal_period() -> None:
    taken = decision(case(), order(provision(appealable=False)), [])
    taken.report_to_committee(REPORT, OFFICIAL)
    assert taken.record_announcement(date(2022, 4, 12), OFFICIAL) is None
    assert taken.appeal_ends_on is None


def test_each_version_of_the_document_is_stored_once_with_its_hash() -> None:
    taken = settled(decision(case(), order(), []))
    assert taken.files == ()
    sent = DecisionFile(1, "RUN-664-2021-v1.pdf", "application/pdf", 1234, "ab" * 32)
    with refused("HashMustBeSha256", taken):
        taken.store_document(DecisionFile(1, "x.pdf", "application/pdf", 1234, "AB"), OFFICIAL)
    with refused("FileMustNotBeEmpty", taken):
        taken.store_document(DecisionFile(1, "x.pdf", "application/pdf", 0, "ab" * 32), OFFICIAL)
    taken.store_document(sent, OFFICIAL)
    assert taken.file_of(1) == sent
    assert taken.file_of(2) is None
    with refused("DocumentVersionMustBeStoredOnce", settled(taken)):
        taken.store_document(sent, OFFICIAL)


def test_a_case_finds_its_document_by_number_or_id_and_a_basis_names_it() -> None:
    c = case()
    for title in ("Ansökan", "Komplettering"):
        new = Document(uuid4(), title, Direction.INCOMING, date(2021, 12, 8), None)
        c.register_document(new, None, OFFICIAL)
    registered = list(c.documents.values())[1]
    reference = c.document_reference(registered.id)
    assert c.document_named(reference) == registered
    assert c.document_named(f" {registered.id} ") == registered
    assert c.document_named(f"{reference}0") is None
    assert reference.endswith("-2")
    assert c.document_named(f"RUN/1/1999-{c.document_number(registered.id)}") is None
    rule = BasisDocumentMustBeRegisteredInTheCase("RUN/1/1999-1", str(c.diary_number), False)
    assert rule.is_broken()
    assert "RUN/1/1999-1" in rule.message()
    with_document = DecisionText(
        WORDING.description,
        WORDING.basis,
        WORDING.points,
        WORDING.extract_to,
        (BasisDocument(0, registered.id, 1),),
    )
    assert WORDING.changed_fields(with_document) == ["basis"]


def test_the_limit_is_checked_against_what_the_decision_itself_grants() -> None:
    c = case()
    limited = order(provision(limit="100000"))
    # With no commitment linked, the decision's own amount is what counts, not 0 kr.
    with refused("DecidedAmountMustNotExceedProvisionLimit") as over:
        decision(c, limited, [], amount="100000.01")
    assert over.value.field == "amount"
    granted = decision(c, limited, [], amount="100000")
    assert (str(granted.decided_amount), granted.amount_stated) == ("100000.00", True)
    # Stated beside commitments, it is checked too, and must cover them.
    with refused("DecidedAmountMustNotExceedProvisionLimit"):
        decision(c, order(provision(limit="500000")), [commitment(c)], amount="600000")
    with refused("CommitmentsMustNotExceedDecidedAmount"):
        decision(c, order(), [commitment(c)], amount="149999.99")
    both = decision(c, order(), [commitment(c)], amount="200000")
    assert str(both.decided_amount) == "200000.00"


def test_a_decision_without_commitments_must_state_its_amount() -> None:
    with refused("DecisionWithoutCommitmentsMustStateItsAmount") as missing:
        decision(case(), order(), [], unstated=True)
    assert missing.value.field == "amount"
    with refused("AmountMustNotBeNegative"):
        decision(case(), order(), [], amount="-1")
    c = case()
    linked = decision(c, order(), [commitment(c)])
    assert (str(linked.decided_amount), linked.amount_stated) == ("150000.00", False)
