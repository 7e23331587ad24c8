"""Reference integrity: every id a model names exists and is of the kind the field expects."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import Any

from archrepo.errors import DiagnosticSink
from archrepo.model.elements import Element, SourceMap
from archrepo.model.schema import suggest

__all__ = ["REFERENCE_FIELDS", "article", "check_cycles", "check_references", "element_references", "iter_references"]

# kind -> (field path with [] for "every item", kind the id must have)
REFERENCE_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "Organisation": (("parent", "Organisation"),),
    "Capability": (("parent", "Capability"),),
    "Application": (("owner", "Organisation"), ("capabilities[]", "Capability"), ("technologies[]", "Technology")),
    "DataObject": (("master", "Application"),),
    "Integration": (("source", "Application"), ("target", "Application"), ("via", "Application"),
                    ("data[]", "DataObject")),
    "Process": (("owner", "Organisation"), ("capability", "Capability"),
                ("steps[].supported_by[]", "Application")),
    "Technology": (("owner", "Organisation"), ("runs_on[]", "Technology")),
}
_VIA_ROLES = {"integration-platform", "national-component"}


def article(kind: str) -> str:
    """'an Application', 'a DataObject'."""
    return f"{'an' if kind[:1] in 'AEIOU' else 'a'} {kind}"


_SPECS = {kind: tuple((spec.split("."), target) for spec, target in fields)
          for kind, fields in REFERENCE_FIELDS.items()}


def iter_references(element: Element) -> Iterator[tuple[str, str, str]]:
    """(field path, referenced id, expected kind) for every reference the element makes."""
    data = element.data
    for parts, kind in _SPECS.get(element.kind, ()):
        if len(parts) == 1 and not parts[0].endswith("[]"):  # a plain field: no walk needed
            value = data.get(parts[0])
            if isinstance(value, str):
                yield parts[0], value, kind
            continue
        for path, value in _walk(data, parts, ""):
            if isinstance(value, str):
                yield path, value, kind


def _walk(data: Any, parts: list[str], prefix: str) -> Iterator[tuple[str, Any]]:
    if not parts:
        yield prefix, data
        return
    head, rest = parts[0], parts[1:]
    many = head.endswith("[]")
    name = head[:-2] if many else head
    if not isinstance(data, dict) or data.get(name) is None:
        return
    path = f"{prefix}.{name}" if prefix else name
    value = data[name]
    if many:
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield from _walk(item, rest, f"{path}[{index}]")
    else:
        yield from _walk(value, rest, path)


_FIELDS = {kind: tuple((parts, target, parts[-1].removesuffix("[]")) for parts, target in specs)
           for kind, specs in _SPECS.items()}


def _referenced(data: Any, parts: list[str], out: list[Any]) -> None:
    """The ids a spec reaches, without building paths (the fast pass over a valid model)."""
    if not isinstance(data, dict):
        return
    head = parts[0]
    many = head.endswith("[]")
    value = data.get(head[:-2] if many else head)
    if value is None:
        return
    if len(parts) == 1:
        if many:
            if isinstance(value, list):
                out.extend(value)
        else:
            out.append(value)
    elif many:
        if isinstance(value, list):
            for item in value:
                _referenced(item, parts[1:], out)
    else:
        _referenced(value, parts[1:], out)


def element_references(element: Element) -> list[tuple[str, str]]:
    """(field, referenced id) of every reference the element makes, ids as written; the field is the last
    part of the spec (``supported_by`` for a step's supporting applications)."""
    out: list[tuple[str, str]] = []
    data = element.data
    for parts, _kind, field in _FIELDS.get(element.kind, ()):
        if len(parts) == 1:  # the common case, without the recursive walk
            value = data.get(field)
            if isinstance(value, str):
                out.append((field, value))
            elif isinstance(value, list) and parts[0].endswith("[]"):
                out.extend((field, target) for target in value if isinstance(target, str))
            continue
        found: list[Any] = []
        _referenced(data, parts, found)
        out.extend((field, target) for target in found if isinstance(target, str))
    return out


_FIELD_KINDS = {kind: {parts[-1].removesuffix("[]"): target for parts, target in specs}
                for kind, specs in _SPECS.items()}


class _KindOf:
    """``kind_of`` read from the elements themselves: for checking a few elements without indexing them all."""

    def __init__(self, elements: dict[str, Element]) -> None:
        self._elements = elements

    def get(self, element_id: str) -> str | None:
        element = self._elements.get(element_id)
        return element.kind if element is not None else None


class _Platforms:
    """``platforms`` read from the elements themselves (see ``_KindOf``)."""

    def __init__(self, elements: dict[str, Element]) -> None:
        self._elements = elements

    def __contains__(self, element_id: object) -> bool:
        element = self._elements.get(element_id) if isinstance(element_id, str) else None
        return element is not None and bool(_VIA_ROLES & set(element.data.get("roles") or ()))


def _resolves(element: Element, found: list[tuple[str, str]], kind_of: dict[str, str] | _KindOf,
              platforms: Collection[str] | _Platforms) -> bool:
    """Whether every reference of ``element`` names an element of the right kind (the common case, checked
    without looking up any location)."""
    kinds = _FIELD_KINDS.get(element.kind, {})
    for field, target_id in found:
        if kind_of.get(target_id) != kinds[field] or (field == "via" and target_id not in platforms):
            return False
    return True


def check_references(elements: dict[str, Element], source_map: SourceMap, sink: DiagnosticSink,
                     known: dict[str, list[tuple[str, str]]] | None = None,
                     only: Iterable[str] | None = None) -> dict[str, list[tuple[str, str]]]:
    """Report dangling references, wrong kinds, bad step links and parent cycles; all of them, not the first.
    Returns every element's references (``element_references``), for whoever needs them next; ``known``
    gives those already found (where the files were parsed). ``only``: check these elements alone, in time
    proportional to them (an editor re-checking near an edit), and no cycles (``check_cycles`` does those).

    ``elements`` may include elements that failed schema validation: they still exist for the elements
    that refer to them, so one typo does not cascade into "does not exist" errors elsewhere.
    """
    ids_by_kind: dict[str, list[str]] = {}  # for "did you mean": made when the first error needs it

    def ids_of(kind: str) -> list[str]:
        if not ids_by_kind:
            for element in elements.values():
                ids_by_kind.setdefault(element.kind, []).append(element.id)
        return ids_by_kind.get(kind, [])

    kind_of: dict[str, str] | _KindOf
    platforms: set[str] | _Platforms
    if only is None:
        kind_of = {element_id: element.kind for element_id, element in elements.items()}
        platforms = {application.id for application in elements.values() if application.kind == "Application"
                     and _VIA_ROLES & set(application.data.get("roles") or ())}
        checked: Iterable[Element] = elements.values()
    else:
        kind_of, platforms = _KindOf(elements), _Platforms(elements)
        checked = [elements[element_id] for element_id in only if element_id in elements]
    known = known or {}
    references: dict[str, list[tuple[str, str]]] = {}
    for element in checked:
        found = known.get(element.id)
        if found is None:
            found = element_references(element)
        references[element.id] = found
        suspects = () if _resolves(element, found, kind_of, platforms) else iter_references(element)
        for path, target_id, kind in suspects:
            target = elements.get(target_id)
            if target is not None and target.kind == kind and (path != "via" or _VIA_ROLES & set(
                    target.data.get("roles") or ())):
                continue  # the common case: no location is looked up
            where = source_map.location(element.id, path)
            assert where is not None
            if target is None:
                close = suggest(target_id, ids_of(kind))
                hint = (f"Did you mean '{close}'?" if close
                        else f"Define {article(kind)} with id '{target_id}', or fix the id.")
                sink.error(where.file, where.line, f"{element.kind} '{element.id}': '{path}' refers to "
                           f"'{target_id}', which does not exist", hint, element.id)
            elif target.kind != kind:
                close = suggest(target_id, ids_of(kind))
                hint = f"'{path}' must name {article(kind)}" + (f"; did you mean '{close}'?" if close else ".")
                sink.error(where.file, where.line, f"{element.kind} '{element.id}': '{path}' refers to "
                           f"'{target_id}', which is {article(target.kind)}, not {article(kind)}", hint, element.id)
            else:
                sink.warning(where.file, where.line, f"Integration '{element.id}' passes via '{target_id}', "
                             "which has neither role integration-platform nor national-component",
                             f"Add the right role to '{target_id}', or name the platform the flow really uses.",
                             element.id)
        if element.kind == "Process":
            _check_steps(element, source_map, sink)
        elif element.kind == "Integration" and element.data.get("source") == element.data.get("target"):
            where = source_map.location(element.id, "target")
            assert where is not None
            sink.warning(where.file, where.line, f"Integration '{element.id}' has the same source and target",
                         "An integration connects two different applications.", element.id)
    if only is None:
        check_cycles(elements, source_map, sink)
    return references


def check_cycles(elements: dict[str, Element], source_map: SourceMap, sink: DiagnosticSink) -> None:
    """Parent cycles of organisations and capabilities, and ``runs_on`` cycles of technology."""
    _check_parent_cycles(elements, source_map, sink)
    _check_runs_on_cycles(elements, source_map, sink)


def _check_steps(process: Element, source_map: SourceMap, sink: DiagnosticSink) -> None:
    steps = process.data.get("steps") or []
    seen: dict[str, int] = {}
    for index, step in enumerate(steps):
        step_id = step.get("id")
        if step_id in seen:
            where = source_map.location(process.id, f"steps[{index}].id")
            assert where is not None
            sink.error(where.file, where.line, f"Process '{process.id}': step id '{step_id}' is used twice "
                       f"(first as step {seen[step_id] + 1})", "Give every step of a process its own id.",
                       process.id)
        else:
            seen[step_id] = index
    for index, step in enumerate(steps):
        for position, target in enumerate(step.get("next") or []):
            if target in seen:
                continue
            where = source_map.location(process.id, f"steps[{index}].next[{position}]")
            assert where is not None
            close = suggest(target, list(seen))
            hint = f"Did you mean '{close}'?" if close else f"Steps of this process: {', '.join(seen)}."
            sink.error(where.file, where.line, f"Process '{process.id}': step '{step.get('id')}' has next "
                       f"'{target}', which is not a step of this process", hint, process.id)


def _check_parent_cycles(elements: dict[str, Element], source_map: SourceMap, sink: DiagnosticSink) -> None:
    reported: set[str] = set()
    for element in elements.values():
        if element.kind not in ("Organisation", "Capability") or element.id in reported:
            continue
        chain: list[str] = []
        current: Element | None = element
        while current is not None and current.kind == element.kind:
            if current.id in chain:
                cycle = chain[chain.index(current.id):]
                reported.update(cycle)
                where = source_map.location(current.id, "parent")
                assert where is not None
                sink.error(where.file, where.line, f"{element.kind} parents form a cycle: "
                           f"{' → '.join([*cycle, current.id])}", "Remove `parent:` from one of them.", current.id)
                break
            chain.append(current.id)
            parent = current.data.get("parent")
            current = elements.get(parent) if isinstance(parent, str) else None


def _check_runs_on_cycles(elements: dict[str, Element], source_map: SourceMap, sink: DiagnosticSink) -> None:
    """Technology that runs on itself, directly or through others: one error per cycle."""
    def below(node: str) -> list[str]:
        found = elements[node].data.get("runs_on") or []
        return sorted(t for t in found if isinstance(t, str) and t in elements and elements[t].kind == "Technology")

    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(e.id for e in elements.values() if e.kind == "Technology" and e.data.get("runs_on")):
        if start in state:
            continue
        state[start] = 1
        path, stack = [start], [(start, iter(below(start)))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = 2
            elif state.get(child) == 1:
                cycle = path[path.index(child):]
                position = (elements[node].data.get("runs_on") or []).index(child)
                where = source_map.location(node, f"runs_on[{position}]")
                assert where is not None
                sink.error(where.file, where.line, f"Technology runs_on forms a cycle: "
                           f"{' → '.join([*cycle, child])}", f"Remove '{child}' from the `runs_on:` of '{node}'.",
                           node)
            elif child not in state:
                state[child] = 1
                path.append(child)
                stack.append((child, iter(below(child))))
