"""The one exception hierarchy of apiguard.

Every problem with what the user gave us (a file, an option, a git revision, a config) is an
`ApiguardError`; the CLI turns it into a located message and exit status 2, never a traceback.
"""

from __future__ import annotations


class ApiguardError(Exception):
    """A problem the user can fix: it carries where it happened and a hint how to fix it."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.hint = hint

    def render(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line:
                where += f":{self.line}"
                if self.column:
                    where += f":{self.column}"
            where += ": "
        text = f"{where}error: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class InputError(ApiguardError):
    """A spec (or a file it references) cannot be read, parsed or resolved."""


class UsageError(ApiguardError):
    """The command line asks for something impossible or unsafe."""
