"""Budget frames: adopt one per financier, area and year, or revise it."""

from __future__ import annotations

from application.frames.commands import SetBudgetFrame
from application.shared.errors import NotFound
from application.shared.use_cases import Recorded, UseCases, use_case
from domain.frame import BudgetFrame
from domain.values import Actor, Money, text


class FrameUseCases(UseCases):
    @use_case
    def set_budget_frame(self, c: SetBudgetFrame, committed: Money, actor: Actor) -> Recorded:
        """Adopt the frame, or revise it if adopted; `committed` is what is committed in
        it already (the budget's totals for its financier, area and year), which the
        frame may not go below."""
        financier, area = text(c.financier, "financier"), text(c.area, "area", 200)
        amount = Money.parse(c.amount, "amount", positive=False)
        on = c.date or self.today()
        try:
            frame = self._load(BudgetFrame, BudgetFrame.id_of(financier, area, c.year))
        except NotFound:
            frame = BudgetFrame.adopt(
                financier=financier,
                area=area,
                year=c.year,
                amount=amount,
                on=on,
                committed=committed,
                actor=actor,
            )
        else:
            frame.revise(amount, on, c.reason, committed, actor)
        return self._save_together(frame)

    def get_budget_frame(self, financier: str, area: str, year: int) -> BudgetFrame:
        return self._load(BudgetFrame, BudgetFrame.id_of(financier, area, year))
