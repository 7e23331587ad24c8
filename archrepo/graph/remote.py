"""The model graph in a remote SPARQL 1.1 store (Virtuoso, Fuseki, GraphDB): publish it, query it, check it.

A store holds one named graph per repository (the model's triples) and, beside it, ``<graph>/config`` with the
settings rules read (``arch:approvedStandard``) and the digest of the published model (``owl:versionInfo``).
Publishing replaces both, with the Graph Store HTTP Protocol (PUT) or SPARQL Update where that is what the
server offers. Queries use the SPARQL protocol and come back as pyoxigraph results, so everything after them
(rules, the result formats) works as on the embedded graph. Credentials come only from the environment.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import re
import socket
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit, urlunsplit

import pyoxigraph as ox

from archrepo.config import DEFAULT_BASE_IRI
from archrepo.errors import ArchrepoError, QueryError, UsageError
from archrepo.graph.namespace import ARCH_IRI
from archrepo.graph.rdf import RDF_TYPE, ElementIris, ModelGraph, bind_variables
from archrepo.graph.sparql_text import check_query, read_query

__all__ = ["PASSWORD_VARIABLE", "USER_VARIABLE", "Credentials", "Publication", "RemoteGraph", "SparqlGraph",
           "StoreClient", "StoreEndpoints", "StoreError", "config_graph_iri", "credentials_from_environment",
           "graph_ntriples", "model_digest", "open_store", "publish_graphs", "publish_model", "repository_graph_iri",
           "settings_ntriples", "store_endpoints", "store_url"]

USER_VARIABLE = "ARCHREPO_STORE_USER"
PASSWORD_VARIABLE = "ARCHREPO_STORE_PASSWORD"
QUERY_TIMEOUT = 300.0
OWL_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"
UPDATE_BATCH = 500  # triples per INSERT DATA: Virtuoso 7.2 fails on one of over ~1,500 (its SQL text is too long)
PREAUTH_SIZE = 64 * 1024  # bodies above this are sent authenticated at once (see StoreClient._preauthorize)
# XML first: Virtuoso's JSON writer prints stored xsd:boolean values as "1" and "0", its XML one as "true"/"false"
SPARQL_RESULTS = "application/sparql-results+xml, application/sparql-results+json;q=0.9"
RDF_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_RESULT_FORMATS = {"application/sparql-results+xml": ox.QueryResultsFormat.XML,
                   "application/sparql-results+json": ox.QueryResultsFormat.JSON,
                   "application/json": ox.QueryResultsFormat.JSON,
                   "text/tab-separated-values": ox.QueryResultsFormat.TSV}
_RDF_FORMATS = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
                "text/turtle": ox.RdfFormat.TURTLE, "application/x-turtle": ox.RdfFormat.TURTLE,
                "application/rdf+xml": ox.RdfFormat.RDF_XML}


class StoreError(ArchrepoError):
    """The store cannot be reached, refused the request, or answered with an error or something unreadable."""

    def __init__(self, message: str, *, status: int | None = None, detail: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status  # the HTTP status, if the store answered
        self.detail = detail  # the first line of what the store said about it


class SparqlGraph(Protocol):
    """What SPARQL rules and `archrepo query` need of a graph: the embedded ModelGraph or a RemoteGraph."""

    base_iri: str

    @property
    def prefixes(self) -> dict[str, str]: ...

    def iri(self, element_id: str) -> str: ...

    def element_id(self, iri: str) -> str | None: ...

    def query(self, sparql: str, *, bindings: dict[str, ox.Literal | ox.NamedNode] | None = None) -> Any: ...


@dataclass(frozen=True)
class Credentials:
    """A login to the store (never printed: the password is kept out of the repr)."""

    user: str
    password: str = field(repr=False)


def credentials_from_environment(environ: Mapping[str, str] | None = None) -> Credentials | None:
    """``ARCHREPO_STORE_USER`` and ``ARCHREPO_STORE_PASSWORD``, both or neither; never options or config files,
    which end up in shell histories, process lists and git."""
    environ = os.environ if environ is None else environ
    user, password = environ.get(USER_VARIABLE, ""), environ.get(PASSWORD_VARIABLE, "")
    if not user and not password:
        return None
    if not user or not password:
        missing = USER_VARIABLE if not user else PASSWORD_VARIABLE
        raise UsageError(f"{missing} is not set, but {PASSWORD_VARIABLE if not user else USER_VARIABLE} is",
                         hint=f"Set both {USER_VARIABLE} and {PASSWORD_VARIABLE} for a store that needs a login, "
                              "or neither.")
    return Credentials(user, password)


def store_url(url: str, option: str) -> str:
    """An http(s) URL without credentials in it, else a UsageError (which never repeats a password)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{option} takes the http:// or https:// URL of a SPARQL endpoint",
                         hint="For Virtuoso: http://HOST:8890/sparql")
    if parts.username is not None or parts.password is not None:
        raise UsageError(f"{option}: the URL must not carry a user name or password",
                         hint=f"Give them in the environment: {USER_VARIABLE} and {PASSWORD_VARIABLE}.")
    return url


class _StorePasswords(urllib.request.HTTPPasswordMgr):
    """The one account, for any realm, on the store's hosts only (not on a host a redirect leads to)."""

    def __init__(self, credentials: Credentials, hosts: frozenset[str]) -> None:
        super().__init__()
        self.credentials = credentials
        self.hosts = hosts

    def find_user_password(self, realm: str | None, authuri: str) -> tuple[str | None, str | None]:
        host = urlsplit(authuri).netloc if "://" in authuri else authuri
        if host.lower() in self.hosts:
            return self.credentials.user, self.credentials.password
        return None, None


class StoreClient:
    """HTTP to the store with urllib: basic or digest authentication, a timeout, and every failure turned into
    a StoreError that says what went wrong without repeating a secret."""

    def __init__(self, credentials: Credentials | None, urls: tuple[str, ...],
                 timeout: float = QUERY_TIMEOUT) -> None:
        self.credentials = credentials
        self.timeout = timeout
        handlers: list[urllib.request.BaseHandler] = []
        self._digest: urllib.request.HTTPDigestAuthHandler | None = None
        if credentials is not None:
            passwords = _StorePasswords(credentials, frozenset(urlsplit(url).netloc.lower() for url in urls))
            self._digest = urllib.request.HTTPDigestAuthHandler(passwords)
            handlers += [self._digest, urllib.request.HTTPBasicAuthHandler(passwords)]
        self._opener = urllib.request.build_opener(*handlers)

    def send(self, method: str, url: str, *, what: str, data: bytes | None = None,
             headers: Mapping[str, str] | None = None) -> tuple[bytes, str, http.client.HTTPMessage]:
        """The body, media type and headers of a successful answer."""
        request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
        preauthorized = data is not None and len(data) > PREAUTH_SIZE and self.credentials is not None
        try:
            if preauthorized:
                self._preauthorize(request)
            with self._opener.open(request, timeout=self.timeout) as response:
                body = response.read()
                media_type = (response.headers.get_content_type() or "").lower()
                return body, media_type, response.headers
        except urllib.error.HTTPError as error:
            raise self._http_error(error, url, what) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            if preauthorized:  # a refused login closes the connection before the body is read: find out
                self._check_login(url, what)
            raise self._connection_error(error.reason if isinstance(error, urllib.error.URLError) else error,
                                         url, what) from None
        except ValueError as error:  # urllib's auth handlers: a scheme they do not speak
            raise StoreError(f"{what}: {url} asks for an authentication archrepo does not support ({error})",
                             hint="archrepo speaks HTTP basic and digest authentication.") from None

    def _check_login(self, url: str, what: str) -> None:
        """Raise the refusal of the login, if a bodiless request to ``url`` gets one."""
        try:
            with self._opener.open(urllib.request.Request(url, method="HEAD"), timeout=self.timeout):
                return
        except urllib.error.HTTPError as error:
            if error.code in (401, 403):
                raise self._http_error(error, url, what) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError):
            return

    def _preauthorize(self, request: urllib.request.Request) -> None:
        """Authenticate a large request before sending it: urllib answers a 401 by sending the body again, and a
        server that refuses the first attempt may close the connection before reading it (Virtuoso does: the
        upload fails with "connection reset"). A bodiless HEAD fetches the challenge first."""
        assert self.credentials is not None
        probe = urllib.request.Request(request.full_url, method="HEAD")
        try:
            with urllib.request.urlopen(probe, timeout=self.timeout):
                return  # no login asked for
        except urllib.error.HTTPError as error:
            challenge = error.headers.get("WWW-Authenticate", "") if error.code == 401 else ""
        scheme, _, rest = challenge.partition(" ")
        if scheme.lower() == "digest" and self._digest is not None:
            params = urllib.request.parse_keqv_list([item for item in urllib.request.parse_http_list(rest) if item])
            value = self._digest.get_authorization(request, params)
            if value:
                request.add_unredirected_header("Authorization", f"Digest {value}")
        elif scheme.lower() == "basic":
            token = base64.b64encode(f"{self.credentials.user}:{self.credentials.password}".encode()).decode()
            request.add_unredirected_header("Authorization", f"Basic {token}")

    def _http_error(self, error: urllib.error.HTTPError, url: str, what: str) -> StoreError:
        status = error.code
        detail = _server_message(error)
        if status in (401, 403):
            hint = (f"Set {USER_VARIABLE} and {PASSWORD_VARIABLE} to an account of the store that may do this."
                    if self.credentials is None else
                    f"Check {USER_VARIABLE} and {PASSWORD_VARIABLE}, and that the account may do this.")
            refused = "refused the credentials" if self.credentials and status == 401 else "refused access"
            return StoreError(f"{what}: the store at {url} {refused} (HTTP {status})", status=status, hint=hint)
        if status == 404:
            return StoreError(f"{what}: nothing at {url} (HTTP 404)", status=status,
                              hint="Check the URL of the endpoint.")
        reason = f": {detail}" if detail else ""
        return StoreError(f"{what}: the store at {url} answered HTTP {status} {error.reason}{reason}", status=status,
                          detail=detail)

    def _connection_error(self, reason: object, url: str, what: str) -> StoreError:
        host = urlsplit(url).netloc
        if isinstance(reason, TimeoutError):
            return StoreError(f"{what}: no answer from {host} within {self.timeout:g} s",
                              hint="Is the store overloaded, or the query too heavy for it?")
        if isinstance(reason, ConnectionRefusedError):
            return StoreError(f"{what}: cannot connect to {host}: connection refused",
                              hint="Check the URL, and that the store is running.")
        if isinstance(reason, socket.gaierror):
            return StoreError(f"{what}: cannot resolve the host name of {url}", hint="Check the URL.")
        text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
        return StoreError(f"{what}: the connection to {host} failed: {text}",
                          hint="Check the URL, and that the store is running.")


def _server_message(error: urllib.error.HTTPError, limit: int = 300) -> str:
    """The first line the server said about a failure (Virtuoso: "Virtuoso 37000 Error SP030: …")."""
    try:
        text = error.read(4096).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        return ""
    text = re.sub(r"<[^>]*>", " ", text)
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= limit else line[:limit].rstrip() + " …"


class RemoteGraph(ElementIris):
    """A repository's graph in a remote store, with the query interface of :class:`ModelGraph`.

    ``graph`` is the default graph of every query (None: the store's own default, on Virtuoso every graph) and
    ``named_graphs`` what ``GRAPH ?g`` ranges over. Queries are read locally first, as tokens (never evaluated):
    SERVICE, updates and what cannot be read are refused with the embedded graph's messages before anything is
    sent; the form (SELECT, ASK, CONSTRUCT, DESCRIBE) comes from the tokens too. The store parses the rest."""

    def __init__(self, endpoint: str, base_iri: str, client: StoreClient, *, graph: str | None = None,
                 named_graphs: tuple[str, ...] = ()) -> None:
        self.endpoint = store_url(endpoint, "--store")
        self.base_iri = base_iri
        self.client = client
        self.graph = graph
        self.named_graphs = named_graphs

    def query(self, sparql: str, *, bindings: dict[str, ox.Literal | ox.NamedNode] | None = None) -> Any:
        """Run a read-only query on the store: solutions, a boolean or triples, as pyoxigraph objects."""
        form = check_query(sparql, self.prefixes).form
        if bindings:
            sparql = bind_variables(sparql, bindings)
        accept = RDF_ACCEPT if form in ("CONSTRUCT", "DESCRIBE") else SPARQL_RESULTS
        params = [("query", with_prefixes(sparql, self.prefixes))]
        if self.graph is not None:
            params.append(("default-graph-uri", self.graph))
        params += [("named-graph-uri", name) for name in self.named_graphs]
        try:
            body, media_type, headers = self.client.send(
                "POST", self.endpoint, what="SPARQL query", data=urlencode(params).encode("utf-8"),
                headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
        except StoreError as error:
            if error.status == 400:  # the store's parser: the query is malformed, or of a SPARQL it does not speak
                raise QueryError(f"malformed SPARQL query, or one this store does not support: the store rejected "
                                 f"the query: {error.detail or error.message}",
                                 hint="The store's message says where; archrepo checks only the query's tokens "
                                      "before sending it (it never runs a query just to parse it).") from None
            raise
        _refuse_partial_results(headers)
        return _parse_answer(body, media_type)

    def published_digest(self) -> str | None:
        """The digest of the model last published into this graph (from its settings graph), if any."""
        if self.graph is None:
            return None
        sparql = f"SELECT ?digest WHERE {{ GRAPH <{config_graph_iri(self.graph)}> {{ ?s owl:versionInfo ?digest }} }}"
        for solution in self.query(sparql):
            term = solution["digest"]
            if isinstance(term, ox.Literal):
                return term.value
        return None

    def count_triples(self) -> int:
        """Triples in the default graph of the queries (the repository graph)."""
        solutions = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        for solution in solutions:
            term = solution["n"]
            return int(term.value) if isinstance(term, ox.Literal) else 0
        return 0


def open_store(store: str, base_iri: str, graph: str | None = None, *,
               timeout: float = QUERY_TIMEOUT) -> RemoteGraph:
    """The store at ``store`` (a SPARQL query endpoint), credentials from the environment. With ``graph``:
    that repository graph as the default graph and its settings graph as the only named one, as the
    embedded graph has them; without: the store's own default (on Virtuoso, every graph)."""
    url = store_url(store, "--store")
    client = StoreClient(credentials_from_environment(), (url,), timeout)
    named = (config_graph_iri(graph),) if graph is not None else ()
    return RemoteGraph(url, base_iri, client, graph=graph, named_graphs=named)


def with_prefixes(sparql: str, prefixes: dict[str, str]) -> str:
    """The query with PREFIX declarations for the predefined prefixes it does not declare itself."""
    declared = read_query(sparql).declared_prefixes
    # on the query's first line, so that the store's messages give the user's line numbers
    missing = "".join(f"PREFIX {name}: <{iri}> " for name, iri in prefixes.items() if name not in declared)
    return missing + sparql


def _refuse_partial_results(headers: http.client.HTTPMessage) -> None:
    """Virtuoso cuts results at its ResultSetMaxRows, saying so only in a header, and an "anytime" query answers
    with what it has by its time limit: a check on part of the results would pass silently, so both are errors
    (a query over MaxQueryExecutionTime is an HTTP error of its own)."""
    state = headers.get("X-SQL-State", "")
    if state == "S1TAT":
        raise StoreError("the store stopped the query at its time limit and answered with partial results",
                         hint="Raise MaxQueryExecutionTime in the [SPARQL] section of virtuoso.ini.")
    if headers.get("X-SPARQL-MaxRows"):
        raise StoreError(f"the store cut the results at {headers.get('X-SPARQL-MaxRows')} rows",
                         hint="Raise ResultSetMaxRows in the [SPARQL] section of virtuoso.ini.")


def _parse_answer(body: bytes, media_type: str) -> Any:
    try:
        if media_type in _RESULT_FORMATS:
            return ox.parse_query_results(body, _RESULT_FORMATS[media_type])
        if media_type in _RDF_FORMATS:
            triples = ox.Store()
            triples.load(body, format=_RDF_FORMATS[media_type], to_graph=ox.DefaultGraph())
            return triples.query("CONSTRUCT WHERE { ?s ?p ?o }")
    except (SyntaxError, ValueError, OSError) as error:
        raise StoreError(f"the store's answer is not valid {media_type}: {str(error).splitlines()[0][:160]}") \
            from None
    raise StoreError(f"the store answered with {media_type or 'no media type'}, not SPARQL results",
                     hint="Is --store the URL of a SPARQL endpoint (for Virtuoso: http://HOST:8890/sparql)?")


# --- publishing ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StoreEndpoints:
    """Where queries, Graph Store Protocol requests and updates go (None: the server has no such service)."""

    query: str
    graph_store: str | None
    update: str | None


def store_endpoints(endpoint: str, *, graph_store: str | None = None, update: str | None = None,
                    authenticated: bool = False) -> StoreEndpoints:
    """The endpoints of a store, from its SPARQL query endpoint and what was given explicitly.

    An endpoint whose path ends in ``/sparql`` is taken to be laid out like Virtuoso's: the Graph Store Protocol
    at ``/sparql-graph-crud-auth`` (``/sparql-graph-crud`` without credentials) and updates at ``/sparql-auth``
    (the endpoint itself without credentials). Other servers take updates at the endpoint itself unless
    ``update`` says otherwise, and have no graph store unless ``graph_store`` names it."""
    store_url(endpoint, "--endpoint")
    parts = urlsplit(endpoint)
    virtuoso_like = parts.path.rstrip("/").endswith("/sparql")

    def sibling(suffix: str) -> str:
        return urlunsplit(parts._replace(path=parts.path.rstrip("/") + suffix, query="", fragment=""))

    if graph_store is None and virtuoso_like:
        graph_store = sibling("-graph-crud-auth" if authenticated else "-graph-crud")
    if update is None:
        update = sibling("-auth") if virtuoso_like and authenticated else endpoint
    return StoreEndpoints(endpoint, store_url(graph_store, "--graph-store") if graph_store else None,
                          store_url(update, "--update"))


def repository_graph_iri(base_iri: str, graph: str | None = None) -> str:
    """The named graph of a repository: ``graph`` if given, else ``<base_iri>_graph`` (``_`` starts no element
    id, so the graph never names an element). With the default base IRI every repository would share that
    graph and replace the others' on publishing: there, ``graph`` must be given."""
    if graph is not None:
        try:
            ox.NamedNode(graph)
        except ValueError:
            raise UsageError(f"--graph {graph}: not an absolute IRI", hint="For example urn:archrepo:hospital-a "
                             "or https://arch.example.org/graphs/hospital-a") from None
        return graph
    if base_iri == DEFAULT_BASE_IRI:
        raise UsageError("the repository has no graph name of its own: give --graph IRI, or set base_iri in "
                         "archrepo.yaml", hint=f"With the default base_iri ({DEFAULT_BASE_IRI}) every repository "
                         "would publish into the same graph and replace the others'.")
    return f"{base_iri}_graph"


def config_graph_iri(graph: str) -> str:
    """The companion graph of a repository graph: its settings and the digest of what was published."""
    return f"{graph}/config"


def model_digest(ntriples: bytes) -> str:
    """A digest of a model's triples, independent of their order: published with them, compared by `check`."""
    lines = sorted(line for line in ntriples.decode("utf-8").splitlines() if line.strip())
    return "sha256:" + hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def settings_ntriples(config_graph: str, approved_standards: tuple[str, ...], digest: str) -> bytes:
    """The settings graph: what rules read with ``GRAPH ?config { … }``, and which model the store holds."""
    node = f"<{config_graph}>"
    lines = [f"{node} <{RDF_TYPE}> <{ARCH_IRI}Configuration> .",
             f"{node} <{OWL_VERSION_INFO}> {ox.Literal(digest)} ."]
    lines += [f"{node} <{ARCH_IRI}approvedStandard> {ox.Literal(standard)} ." for standard in approved_standards]
    return ("\n".join(lines) + "\n").encode("utf-8")


def graph_ntriples(graph: ModelGraph) -> bytes:
    """The model's triples (the embedded graph's default graph) as N-Triples: what is published."""
    data = graph.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return data if isinstance(data, bytes) else b""


@dataclass(frozen=True)
class Publication:
    """What `publish` did: the graphs it replaced, how many triples the model graph holds, and how."""

    graph: str
    config_graph: str
    triples: int
    protocol: str


def publish_model(model: ModelGraph, approved_standards: tuple[str, ...], graph: str, endpoints: StoreEndpoints,
                  client: StoreClient, *, protocol: str = "auto") -> Publication:
    """Replace ``graph`` with the model's triples and ``<graph>/config`` with its settings, then make sure the
    store holds as many triples as the model has. The model goes first: should that fail, the settings graph
    keeps the digest of what was there before, and `check --store` says that the two differ."""
    ntriples = graph_ntriples(model)
    settings_graph = config_graph_iri(graph)
    settings = settings_ntriples(settings_graph, approved_standards, model_digest(ntriples))
    used = publish_graphs(client, endpoints, {graph: ntriples, settings_graph: settings}, protocol=protocol)
    held = RemoteGraph(endpoints.query, model.base_iri, client, graph=graph).count_triples()
    if held != len(model):
        raise StoreError(f"after publishing {len(model)} triples, the store holds {held} in <{graph}>",
                         hint="Another writer may have changed the graph meanwhile, or the store altered literals; "
                              "publish again.")
    return Publication(graph, settings_graph, held, used)


def publish_graphs(client: StoreClient, endpoints: StoreEndpoints, graphs: Mapping[str, bytes], *,
                   protocol: str = "auto") -> str:
    """Replace each named graph with the given N-Triples; the protocol used: ``graph-store`` or ``update``.

    ``auto`` uses the Graph Store Protocol where there is one, and SPARQL Update where the server has no graph
    store (it answers 404, 405 or 501)."""
    if protocol in ("auto", "graph-store") and endpoints.graph_store is not None:
        try:
            for graph, ntriples in graphs.items():
                _put_graph(client, endpoints.graph_store, graph, ntriples)
            return "graph-store"
        except StoreError as error:
            if protocol == "graph-store" or error.status not in (404, 405, 501):
                raise
    elif protocol == "graph-store":
        raise UsageError("--protocol graph-store needs --graph-store URL",
                         hint="Name the store's Graph Store Protocol endpoint.")
    if endpoints.update is None:
        raise UsageError("the store has no graph store and no update endpoint", hint="Give --update URL.")
    for graph, ntriples in graphs.items():
        _update_graph(client, endpoints.update, graph, ntriples)
    return "update"


def _put_graph(client: StoreClient, graph_store: str, graph: str, ntriples: bytes) -> None:
    separator = "&" if "?" in graph_store else "?"
    client.send("PUT", f"{graph_store}{separator}{urlencode({'graph': graph})}", what=f"replacing graph <{graph}>",
                data=ntriples, headers={"Content-Type": "application/n-triples; charset=utf-8"})


def _update_graph(client: StoreClient, update: str, graph: str, ntriples: bytes) -> None:
    """DROP then INSERT DATA in batches; the first batch goes with the DROP, in one request."""
    lines = [line for line in ntriples.decode("utf-8").splitlines() if line.strip()]
    batches = [lines[start:start + UPDATE_BATCH] for start in range(0, len(lines), UPDATE_BATCH)] or [[]]
    for index, batch in enumerate(batches):
        insert = f"INSERT DATA {{ GRAPH <{graph}> {{\n" + "\n".join(batch) + "\n} }" if batch else ""
        text = f"DROP SILENT GRAPH <{graph}>" + (f" ;\n{insert}" if insert else "") if index == 0 else insert
        client.send("POST", update, what=f"replacing graph <{graph}>", data=urlencode({"update": text}).encode(),
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
