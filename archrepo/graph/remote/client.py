"""The HTTP side of a remote SPARQL store: endpoint URLs, credentials from the environment, requests and the
store's errors (the connector; what is asked of the store lives beside it)."""

from __future__ import annotations

import base64
import http.client
import os
import re
import socket
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from archrepo.errors import ArchrepoError, UsageError

__all__ = ["PASSWORD_VARIABLE", "QUERY_TIMEOUT", "USER_VARIABLE", "Credentials", "StoreClient", "StoreError",
           "credentials_from_environment", "store_url"]

USER_VARIABLE = "ARCHREPO_STORE_USER"
PASSWORD_VARIABLE = "ARCHREPO_STORE_PASSWORD"
QUERY_TIMEOUT = 300.0  # seconds a store may take to answer
PREAUTH_SIZE = 64 * 1024  # bodies above this are sent authenticated at once (see StoreClient._preauthorize)


class StoreError(ArchrepoError):
    """The store cannot be reached, refused the request, or answered with an error or something unreadable."""

    def __init__(self, message: str, *, status: int | None = None, detail: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status  # the HTTP status, if the store answered
        self.detail = detail  # the first line of what the store said about it



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

