"""SPARQL results for people (an aligned table) and machines (SPARQL 1.1 CSV and JSON result formats)."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from archrepo.deadline import DeadlinePassed, run_with_deadline
from archrepo.errors import QueryError
from archrepo.escaping import terminal_text
from archrepo.graph.formats import QUERY_FORMATS

__all__ = ["QUERY_FORMATS", "answer_query", "format_results"]


def answer_query(graph: Any, sparql: str, fmt: str, seconds: float) -> str:
    """The results of ``sparql`` on ``graph`` (anything with ``query`` and ``prefixes``: the model's graph, a
    store) in ``fmt``, if evaluating and writing them ends within ``seconds``; else QueryError. Ctrl-C while it
    runs raises KeyboardInterrupt at once (see :mod:`archrepo.deadline`)."""
    # evaluated and written in one worker thread: Oxigraph's results are lazy, and freed by the thread that made them
    try:
        return run_with_deadline(lambda: format_results(graph.query(sparql), fmt, graph.prefixes), seconds,
                                 name="archrepo-query")
    except DeadlinePassed:
        raise QueryError(f"the query did not finish within {seconds:g} s",
                         hint="Narrow the query, or allow it longer with --timeout SECONDS (default: rule_timeout "
                              "in archrepo.yaml, else 60).") from None



def format_results(results: Any, fmt: str, prefixes: dict[str, str]) -> str:
    """Render SELECT solutions, an ASK boolean or CONSTRUCT triples in ``fmt``. The table is for a terminal: every
    term in it is :func:`~archrepo.escaping.terminal_text` (model text is shown, never obeyed); CSV and JSON are
    the standard formats, the data as it is."""
    if isinstance(results, ox.QueryBoolean):
        if fmt == "table":
            return ("true" if bool(results) else "false") + "\n"
        return _serialize(results, fmt)
    if isinstance(results, ox.QueryTriples):
        if fmt == "table":
            return "".join(f"{_short(t.subject, prefixes)} {_short(t.predicate, prefixes)} "
                           f"{_short(t.object, prefixes)} .\n" for t in results)
        data = results.serialize(format=ox.RdfFormat.N_TRIPLES if fmt == "csv" else ox.RdfFormat.JSON_LD) \
            if hasattr(ox.RdfFormat, "JSON_LD") else results.serialize(format=ox.RdfFormat.N_TRIPLES)
        return data.decode("utf-8") if isinstance(data, bytes) else str(data)
    if fmt == "table":
        return _table(results, prefixes)
    return _serialize(results, fmt)


def _serialize(results: Any, fmt: str) -> str:
    formats = {"csv": ox.QueryResultsFormat.CSV, "json": ox.QueryResultsFormat.JSON}
    data = results.serialize(format=formats[fmt])
    text = data.decode("utf-8") if isinstance(data, bytes) else str(data)
    return text if text.endswith("\n") else text + "\n"


def _short(term: Any, prefixes: dict[str, str]) -> str:
    if term is None:
        return ""
    return terminal_text(_term_text(term, prefixes), keep_tabs=False)  # a tab would break the table's columns


def _term_text(term: Any, prefixes: dict[str, str]) -> str:
    if isinstance(term, ox.NamedNode):
        best = ""
        for prefix, namespace in prefixes.items():
            if term.value.startswith(namespace) and len(namespace) > len(best):
                best, chosen = namespace, prefix
        if best:
            rest = term.value[len(best):]
            return f"{chosen}:{rest}" if rest and all(c.isalnum() or c in "-_." for c in rest) else f"<{term.value}>"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


def _table(solutions: Any, prefixes: dict[str, str]) -> str:
    names = [v.value for v in solutions.variables]  # SPARQL variable names: letters, digits and _ only
    rows = [[_short(solution[name], prefixes) for name in names] for solution in solutions]
    widths = [max([len(name), *(len(row[i]) for row in rows)]) for i, name in enumerate(names)]
    out = ["  ".join(name.ljust(widths[i]) for i, name in enumerate(names)).rstrip(),
           "  ".join("-" * w for w in widths)]
    out.extend("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows)
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"
