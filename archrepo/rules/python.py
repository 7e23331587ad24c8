"""Python graph rules (``python: module:function``), loaded only from trusted places.

Rules are data, not code from strangers: a merge request must not be able to run code in CI by adding
a rule file. So a module is imported only from an installed package (``archrepo.rules.builtin``, an
organisation's own package installed in the environment) or from a repository path that
``archrepo.yaml`` lists under ``python_rules``. Files anywhere else in the repository, including the
working directory Python would otherwise search first, are never imported.

A Python rule is trusted code: it receives the loaded model itself (copying a model of 10,000 applications for
every rule would cost more than the rules), so it must treat it as read-only; a rule that changes an element's
data changes what the rules after it see. The engine runs it in a worker thread within its time budget and
reports whatever it raises, ``SystemExit`` included, as a failure of that rule.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from archrepo.errors import excerpt
from archrepo.rules.context import RuleContext
from archrepo.rules.definitions import RuleDefinition, Severity
from archrepo.rules.violation import Finding, RuleRunError

__all__ = ["python_rule_source", "resolve_python_rule", "run_python_rule"]


def _environment() -> list[Path]:
    """Where installed code lives: the Python environment (a virtual environment may sit inside the repository)."""
    return sorted({Path(p).resolve() for p in (sys.prefix, sys.exec_prefix, sys.base_prefix)})


def _trusted_search_path(root: Path, allowed: list[Path]) -> list[str]:
    """sys.path without the repository and the working directory (unless a path is part of the Python
    environment, such as a virtual environment's site-packages), plus the explicitly allowed paths."""
    environment = _environment()
    cwd = Path.cwd().resolve()
    trusted = []
    for entry in sys.path:
        location = Path(entry or ".").resolve()
        installed = any(location.is_relative_to(prefix) for prefix in environment)
        if entry in ("", ".") or (not installed and (location == cwd or location.is_relative_to(root))):
            continue
        trusted.append(entry)
    return [str(path) for path in allowed] + trusted


def resolve_python_rule(reference: str, root: Path, allowed_paths: Iterable[str]) -> Any:
    """The function named ``module:function``, imported only from trusted places; RuleRunError otherwise."""
    module_name, _, function_name = reference.partition(":")
    allowed = _allowed_paths(root, allowed_paths)
    search = _trusted_search_path(root, allowed)
    top = module_name.split(".")[0]
    loaded = sys.modules.get(top)
    spec = loaded.__spec__ if loaded is not None else None
    if spec is None:
        spec = importlib.machinery.PathFinder.find_spec(top, search)
    if spec is None or not _trusted_origin(spec, root, allowed):
        allowed_text = ", ".join(allowed_paths) or "none"
        raise RuleRunError(f"python rule module '{module_name}' is not an installed package or in a path that "
                           f"archrepo.yaml allows (python_rules: {allowed_text}); it was not imported")
    saved = list(sys.path)
    try:
        sys.path[:] = search
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise RuleRunError(f"cannot import python rule module '{module_name}': {error}") from None
    finally:
        sys.path[:] = saved
    origin = getattr(module, "__file__", None)
    if origin and not _trusted_file(Path(origin), root, allowed):
        raise RuleRunError(f"python rule module '{module_name}' resolves to {origin}, inside the repository "
                           "but outside the paths archrepo.yaml allows; it was not run")
    function = getattr(module, function_name, None)
    if not callable(function):
        raise RuleRunError(f"python rule module '{module_name}' has no function '{function_name}'")
    return function


def _allowed_paths(root: Path, allowed_paths: Iterable[str]) -> list[Path]:
    """The ``python_rules`` paths, resolved; each must be a relative path inside the repository (the config
    check refuses others first; this keeps the promise for any caller)."""
    root = root.resolve()
    allowed = []
    for path in allowed_paths:
        resolved = (root / path).resolve()
        if Path(path).is_absolute() or not resolved.is_relative_to(root):
            raise RuleRunError(f"python_rules path '{excerpt(path)}' is not inside the repository; nothing is "
                               "imported from it")
        allowed.append(resolved)
    return allowed


def python_rule_source(rule: RuleDefinition, root: Path, allowed_paths: Iterable[str]) -> bytes:
    """The source of the module a Python rule's function lives in ("" if it cannot be found): what a re-check
    compares so that an edited rule is never answered from the last run's findings."""
    from archrepo.model.reading import Unreadable, read_regular

    try:
        module = sys.modules.get(resolve_python_rule(rule.body, root, allowed_paths).__module__)
        return read_regular(str(getattr(module, "__file__", "")))
    except (RuleRunError, Unreadable):
        return b""


def _trusted_origin(spec: Any, root: Path, allowed: list[Path]) -> bool:
    locations = [spec.origin] if spec.origin and spec.origin not in ("built-in", "frozen") else []
    locations += list(spec.submodule_search_locations or [])
    return all(_trusted_file(Path(location), root, allowed) for location in locations)


def _trusted_file(path: Path, root: Path, allowed: list[Path]) -> bool:
    path = path.resolve()
    if any(path.is_relative_to(directory) for directory in [*allowed, *_environment()]):
        return True
    package_root = Path(__file__).resolve().parents[1]  # archrepo's own package is installed code
    if path.is_relative_to(package_root):
        return True
    return not path.is_relative_to(root)


def run_python_rule(rule: RuleDefinition, context: RuleContext) -> Iterator[Finding]:
    function = resolve_python_rule(rule.body, context.config.root, context.config.python_rules)
    for item in function(context) or ():
        yield _as_finding(item, rule)


def _as_finding(item: Any, rule: RuleDefinition) -> Finding:
    if isinstance(item, Finding):
        return item
    if isinstance(item, dict) and "element" in item:
        severity = item.get("severity")
        if severity is not None and str(severity).upper() not in Severity.__members__:
            raise RuleRunError(f"python rule yielded severity {severity!r}; use error, warning or info")
        return Finding(str(item["element"]), str(item.get("message") or rule.description),
                       tuple(str(r) for r in item.get("related") or ()),
                       Severity.parse(str(severity)) if severity is not None else None)
    if isinstance(item, tuple | list) and len(item) in (2, 3):
        related = tuple(str(r) for r in item[2]) if len(item) == 3 else ()
        return Finding(str(item[0]), str(item[1]), related)
    element = getattr(item, "element", None)
    if element is not None:
        return Finding(str(element), str(getattr(item, "message", rule.description)),
                       tuple(getattr(item, "related", ()) or ()))
    raise RuleRunError(f"python rule yielded {item!r}; yield Finding(element, message, related), "
                       "a dict with element/message/related, or a tuple (element, message[, related])")
