"""Reporters: pure functions from a CheckResult to text, one module each, chosen from an explicit registry
(:mod:`archrepo.report.registry`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from archrepo.registry import resolve
from archrepo.report.options import ReportOptions
from archrepo.report.registry import REPORTERS

if TYPE_CHECKING:
    from archrepo.rules.check import CheckResult

__all__ = ["REPORTERS", "ReportOptions", "render"]

Reporter = Callable[["CheckResult", ReportOptions], str]


def render(fmt: str, result: CheckResult, options: ReportOptions) -> str:
    """The report of ``result`` in format ``fmt`` (a key of REPORTERS)."""
    reporter: Reporter = resolve(REPORTERS[fmt])
    return reporter(result, options)
