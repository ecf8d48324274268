"""Secret from the first event; a new assessment replaces the old; grants are dated."""

from datetime import date
from uuid import uuid4

import pytest

from domain.case import (
    PERSONAL_DATA_GROUND,
    AccessGrant,
    Case,
    Direction,
    Document,
    SecrecyMarking,
)
from domain.errors import InvalidInput
from domain.values import Applicant, OrganisationNumber
from tests.unit.builders import OFFICIAL, case, refused, settled

UNIT = "Näringsliv och samhällsbyggnad"


def registered(
    number: str = "802011-2234", fields: tuple[str, ...] = (), ground: str | None = None
) -> Case:
    template = case()
    return Case.register(
        case_id=uuid4(),
        diary_number=template.diary_number,
        title=template.title,
        applicant=Applicant("Sven Svensson", OrganisationNumber.parse(number)),
        project=template.project,
        programme=None,
        requested_amount=None,
        total_budget=None,
        received_on=template.received_on,
        case_officer=template.case_officer,
        actor=OFFICIAL,
        secret_fields=fields,
        secrecy_ground=ground,
    )


def test_parts_marked_at_registration_are_in_the_first_event() -> None:
    secret = registered(fields=("title", "project.purpose"), ground="OSL 31 kap. 16 §")
    (first,) = secret.collect_events()
    assert isinstance(first, Case.Registered)
    assert first.secrecy == (
        SecrecyMarking("title", "OSL 31 kap. 16 §"),
        SecrecyMarking("project.purpose", "OSL 31 kap. 16 §"),
    )
    assert secret.secret_fields == {"title", "project.purpose"}


@pytest.mark.parametrize(
    ("number", "personal"),
    [
        ("802011-2234", False),  # a legal person: 20 or more in digits 3–4
        ("800101-1231", True),  # a sole trader's personnummer
        ("800161-1238", True),  # a samordningsnummer: the day plus 60
    ],
)
def test_a_natural_persons_name_is_secret_from_the_start(number: str, personal: bool) -> None:
    assert OrganisationNumber.parse(number).is_personal_identity_number is personal
    applicant = registered(number)
    expected = {"applicant.name"} if personal else set()
    assert applicant.secret_fields == expected
    if personal:
        assert applicant.secrecy["applicant.name"].ground == PERSONAL_DATA_GROUND


def test_a_persons_name_stays_secret_whatever_else_is_marked() -> None:
    named = registered("800101-1231", ("project.purpose",), "OSL 31 kap. 16 §")
    assert named.secret_fields == {"project.purpose", "applicant.name"}
    assert named.secrecy["applicant.name"].ground == PERSONAL_DATA_GROUND


@pytest.mark.parametrize(
    ("ground", "rule"),
    [
        ("Sekretess", "SecrecyGroundMustBeAnOslProvision"),
        ("OSL 99 kap. 1 §", "SecrecyGroundMustBeAnOslProvision"),
        ("  ", "MarkingNeedsAGround"),
    ],
)
def test_a_ground_must_be_a_provision_of_the_secrecy_act(ground: str, rule: str) -> None:
    with pytest.raises(InvalidInput) as refusal:
        registered(fields=("title",), ground=ground)
    assert refusal.value.rule == rule


def test_a_marking_of_a_field_that_does_not_exist_is_refused() -> None:
    with pytest.raises(InvalidInput) as refusal:
        registered(fields=("applicant.shoe_size",), ground="OSL 31 kap. 16 §")
    assert refusal.value.rule == "SecrecyMustConcernAPartOfTheCase"


def test_an_assessment_replaces_every_marking_and_an_empty_one_lifts_them() -> None:
    secret = settled(registered(fields=("title",), ground="OSL 31 kap. 16 §"))
    doc = Document(uuid4(), "Affärsplan", Direction.INCOMING, date(2021, 12, 9), "SVID")
    secret.register_document(doc, None, OFFICIAL)
    secret.assess_secrecy([], "OSL 31 kap. 16 §", "Prövad", OFFICIAL, [str(doc.id)])
    assert secret.secret_fields == frozenset()
    assert secret.is_secret(str(doc.id))
    secret.assess_secrecy(["project.name"], "OSL 31 kap. 16 §", "Ny prövning", OFFICIAL)
    assert secret.secret_fields == {"project.name"}
    assert secret.is_secret(str(doc.id)), "documents left out keep their markings"
    secret.assess_secrecy([], None, "Sekretessen har upphört", OFFICIAL, [])
    assert not secret.has_secrets
    secret = settled(secret)
    with refused("ReasonMustBeGiven", secret):
        secret.assess_secrecy(["title"], "OSL 31 kap. 16 §", " ", OFFICIAL)


def test_the_officers_unit_and_those_granted_may_read_secrets_until_the_grant_ends() -> None:
    secret = settled(registered(fields=("title",), ground="OSL 31 kap. 16 §"))
    person = uuid4()
    assert secret.may_read_secrets([], UNIT.upper(), date(2022, 1, 1))
    assert not secret.may_read_secrets([person], "Ekonomi", date(2022, 1, 1))
    grant = AccessGrant(person, "Eva", "Granskar ärendet", date(2022, 6, 30))
    with refused("GrantMustNotEndBeforeToday", secret):
        secret.grant_access(grant, OFFICIAL, today=date(2022, 7, 1))
    secret.grant_access(grant, OFFICIAL, today=date(2022, 1, 1))
    assert secret.may_read_secrets([person], "Ekonomi", date(2022, 6, 30))
    assert not secret.may_read_secrets([person], "Ekonomi", date(2022, 7, 1))
    assert not secret.may_read_secrets([uuid4()], None, date(2022, 1, 1))
