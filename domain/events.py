"""Every event the domain records, so that a stored topic always names a known class."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from domain.case import Case
from domain.commitment import CoFinancingCommitment
from domain.decision import DelegationDecision
from domain.delegation import DelegationOrder
from domain.diary import DiarySeries
from domain.frame import BudgetFrame
from domain.read_log import SecretRead
from domain.staff import StaffDirectory

EVENTS: tuple[type[Aggregate.Event], ...] = (
    DelegationOrder.Adopted,
    DelegationOrder.ProvisionAdded,
    DelegationOrder.ProvisionAmended,
    DelegationOrder.ProvisionRevoked,
    DelegationOrder.Superseded,
    DiarySeries.Opened,
    DiarySeries.NumberAllocated,
    DiarySeries.NumberClaimed,
    DiarySeries.NumbersClaimed,
    Case.Registered,
    Case.Imported,
    Case.DocumentRegistered,
    Case.SecrecyMarked,
    Case.SecrecyAssessed,
    Case.AccessGranted,
    Case.FileAttached,
    Case.StatusChanged,
    Case.DecisionRecorded,
    CoFinancingCommitment.Proposed,
    CoFinancingCommitment.Committed,
    CoFinancingCommitment.UsageRecorded,
    CoFinancingCommitment.PaymentRecorded,
    CoFinancingCommitment.ReclaimRecorded,
    CoFinancingCommitment.Amended,
    CoFinancingCommitment.Released,
    CoFinancingCommitment.Cancelled,
    DelegationDecision.Taken,
    DelegationDecision.Corrected,
    DelegationDecision.Revoked,
    DelegationDecision.Reported,
    DelegationDecision.ProtocolAnnounced,
    DelegationDecision.DocumentStored,
    StaffDirectory.Opened,
    StaffDirectory.PersonEntered,
    StaffDirectory.TitleAdded,
    SecretRead.Logged,
    BudgetFrame.Adopted,
    BudgetFrame.Revised,
)

EVENTS_BY_TOPIC: Mapping[str, type[Aggregate.Event]] = MappingProxyType(
    {get_topic(cls): cls for cls in EVENTS}
)


def event_type(topic: str) -> type[Aggregate.Event]:
    """The class of a stored topic; an unknown one is history this code cannot read."""
    try:
        return EVENTS_BY_TOPIC[topic]
    except KeyError:
        msg = f"no event of the domain is stored under the topic {topic!r}"
        raise LookupError(msg) from None
