"""Refusals raised by the domain. Each names the rule that broke."""


class DomainError(Exception):
    """A command was refused; nothing was recorded.

    `message` is the rule's English text (the API's problem documents, logs, the CLI);
    `in_swedish` is the same refusal as a Swedish official writes it (the web pages).
    """

    def __init__(
        self, rule: str, message: str, field: str | None = None, *, in_swedish: str
    ) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message
        self.field = field
        self.in_swedish = in_swedish


class InvalidInput(DomainError):
    """The command carried a value that can never be right (bad input)."""


class RuleViolation(DomainError):
    """The command conflicts with what has already happened (a broken business rule)."""


class NotPermitted(DomainError):
    """The caller may not do this to this record (who they are, not what they sent)."""
