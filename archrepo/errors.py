"""Errors for people: every problem carries a file, a line, what is wrong and how to fix it.

The CLI has one handler that turns an :class:`ArchrepoError` into a clear message and exit code 2;
nothing below the CLI prints or exits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "ArchrepoError",
    "ConfigError",
    "Diagnostic",
    "Level",
    "ModelError",
    "QueryError",
    "RenderError",
    "RuleError",
    "UsageError",
    "excerpt",
]

EXCERPT_CHARS = 80
_MESSAGE_CHARS = 600  # a last bound on a message, whatever values it quotes (each should quote an excerpt)


def _bounded(message: str) -> str:
    return message if len(message) <= _MESSAGE_CHARS else message[:_MESSAGE_CHARS - 1] + "…"


def excerpt(value: object, limit: int = EXCERPT_CHARS) -> str:
    """A value as an error message may quote it: at most ``limit`` characters, on one line, "…" when cut. A
    message never echoes a whole value (it may be a file read by mistake, or a secret)."""
    text = (value if isinstance(value, str) else repr(value)).translate(_CONTROL)
    return text if len(text) <= limit else text[:limit - 1] + "…"


# control characters as escapes, so that a quoted value can neither break a line nor drive a terminal
_CONTROL = {code: f"\\x{code:02x}" for code in (*range(32), 127)} | {10: "\\n", 13: "\\r", 9: "\\t"}


class Level(StrEnum):
    """How bad a diagnostic is: errors make the input invalid, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in a file the user wrote."""

    file: str
    line: int
    message: str
    hint: str | None = None
    level: Level = Level.ERROR
    element: str | None = None

    def format(self) -> str:
        """`file:line: level: message` and, on the next line, the hint. Text quoted from the files (a name, a
        value) cannot act on the terminal: control characters show as escapes (``\\x1b``, ``\\n``)."""
        from archrepo.escaping import terminal_text

        where = f"{self.file}:{self.line}" if self.line else self.file
        text = terminal_text(f"{where}: {self.level.value}: {self.message}")
        if self.hint:
            text += f"\n  hint: {terminal_text(self.hint)}"
        return text

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"file": self.file, "line": self.line, "message": self.message}
        if self.hint:
            data["hint"] = self.hint
        if self.element:
            data["element"] = self.element
        data["level"] = self.level.value
        return data


class ArchrepoError(Exception):
    """Base of every error archrepo reports to a person (exit code 2)."""

    exit_code = 2

    def __init__(self, message: str, *, file: str | None = None, line: int = 0, hint: str | None = None,
                 diagnostics: Sequence[Diagnostic] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.hint = hint
        self.diagnostics: list[Diagnostic] = list(diagnostics)

    def format(self) -> str:
        """The error as people read it: its diagnostics, or a single located message."""
        if self.diagnostics:
            lines = [d.format() for d in self.diagnostics]
            errors = sum(1 for d in self.diagnostics if d.level is Level.ERROR)
            lines.append(f"{self.message} ({errors} error{'s' if errors != 1 else ''})")
            return "\n".join(lines)
        from archrepo.escaping import terminal_text

        return Diagnostic(self.file or "archrepo", self.line, self.message, self.hint).format() \
            if self.file else (terminal_text(f"error: {self.message}")
                               + (f"\n  hint: {terminal_text(self.hint)}" if self.hint else ""))


class ConfigError(ArchrepoError):
    """archrepo.yaml is missing, unreadable or invalid."""


class ModelError(ArchrepoError):
    """The model files are invalid (parse, schema or reference errors)."""

    @classmethod
    def from_diagnostics(cls, diagnostics: Iterable[Diagnostic], what: str = "the model is invalid") -> ModelError:
        return cls(what, diagnostics=sorted(diagnostics))


class RuleError(ArchrepoError):
    """A rule file is invalid, or a rule cannot run."""


class QueryError(ArchrepoError):
    """A SPARQL query given by the user is malformed or refused."""


class RenderError(ArchrepoError):
    """A diagram could not be rendered (Graphviz is missing, failed, or wrote something unusable)."""


class UsageError(ArchrepoError):
    """A command was called with arguments that do not fit (unknown id, bad option value)."""


@dataclass
class DiagnosticSink:
    """Collects diagnostics so that every problem of a run is reported, not just the first."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, file: str, line: int, message: str, hint: str | None = None,
              element: str | None = None) -> None:
        self.items.append(Diagnostic(file, line, _bounded(message), hint, Level.ERROR, element))

    def warning(self, file: str, line: int, message: str, hint: str | None = None,
                element: str | None = None) -> None:
        self.items.append(Diagnostic(file, line, _bounded(message), hint, Level.WARNING, element))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level is Level.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level is Level.WARNING]


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where a command asks for it: it unwinds like Ctrl-C (subprocesses are ended, nothing half
    written), and the command line exits with 143 (128 + SIGTERM)."""
