"""Refusals raised by the domain. Each names the rule that broke."""


class DomainError(Exception):
    """A command was refused; nothing was recorded."""

    def __init__(self, rule: str, message: str, field: str | None = None) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    """The command carried a value that can never be right (bad input)."""


class RuleViolation(DomainError):
    """The command conflicts with what has already happened (a broken business rule)."""


class NotPermitted(DomainError):
    """The caller may not do this to this record (who they are, not what they sent)."""
