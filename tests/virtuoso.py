"""A throwaway Virtuoso for the remote-store tests: Debian's ``virtuoso-t`` on loopback, in a temporary directory.

`make virtuoso` installs it (package ``virtuoso-opensource-7-bin``: the server binaries alone; the full
``virtuoso-opensource`` package would also start a system-wide server with the well-known ``dba``/``dba``
account). The server gets its own ``virtuoso.ini`` written here, from the packaged one's settings: both
listeners on 127.0.0.1 at free ports, files and ``DirsAllowed`` inside the temporary directory, and a random
``dba`` password set through ISQL as soon as it answers. The tests publish as ``dba`` through digest
authentication (``/sparql-graph-crud-auth``, ``/sparql-auth``), as an administrator would; the anonymous
``SPARQL`` account keeps its read-only rights.
"""

from __future__ import annotations

import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SERVER", "Virtuoso", "VirtuosoUnavailable", "start_virtuoso"]

SERVER = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"
ISQL = shutil.which("isql-vt") or "/usr/bin/isql-vt"
START_TIMEOUT = 120.0

INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:{isql_port}
DisableUnixSocket    = 1
ServerThreads        = 10
CheckpointInterval   = 60
CaseMode             = 2
MaxStaticCursorRows  = 5000
AllowOSCalls         = 0
DirsAllowed          = {dir}
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000
MaxQueryMem          = 500M
ThreadsPerQuery      = 2
AsyncQueueMaxThreads = 4

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {dir}
ServerThreads        = 10
MaxClientConnections = 10
EnabledDavVSP        = 0
HTTPProxyEnabled     = 0
MaxKeepAlives        = 10
KeepAliveTimeout     = 10
Charset              = UTF-8

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000

[URIQA]
DynamicLocal = 0
DefaultHost  = 127.0.0.1:{http_port}

[SPARQL]
ResultSetMaxRows           = {max_rows}
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 120
DefaultQuery               = SELECT DISTINCT ?Concept WHERE {{ [] a ?Concept }} LIMIT 100
"""


class VirtuosoUnavailable(Exception):
    """Virtuoso is not installed or would not start; the message says why (the tests skip with it)."""


@dataclass
class Virtuoso:
    """A running server: its SPARQL endpoint and the ``dba`` login for publishing."""

    directory: Path
    http_port: int
    isql_port: int
    password: str
    process: subprocess.Popen[bytes]
    version: str = ""

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def environment(self) -> dict[str, str]:
        """The variables archrepo reads its login from."""
        return {"ARCHREPO_STORE_USER": "dba", "ARCHREPO_STORE_PASSWORD": self.password}

    def log_tail(self, lines: int = 15) -> str:
        log = self.directory / "virtuoso.log"
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def set_result_limit(self, rows: int) -> None:
        """Virtuoso's ResultSetMaxRows: read from virtuoso.ini at every request, so it changes at once."""
        ini = self.directory / "virtuoso.ini"
        text = re.sub(r"(?m)^ResultSetMaxRows\s*=.*$", f"ResultSetMaxRows = {rows}", ini.read_text(encoding="utf-8"))
        ini.write_text(text, encoding="utf-8")

    def stop(self, *, discard: bool = False) -> None:
        """SIGTERM (Virtuoso shuts down cleanly on it), then SIGKILL if it takes too long; ``discard`` deletes the
        database files (tens of MB), keeping the log."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if discard:
            for path in self.directory.glob("virtuoso*.*"):
                if path.suffix in (".db", ".trx", ".pxa", ".lck"):
                    path.unlink(missing_ok=True)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}?query=ASK%7B%7D", timeout=5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def start_virtuoso(directory: Path, *, max_rows: int = 1_000_000) -> Virtuoso:
    """Start a server with a new database in ``directory``; raises VirtuosoUnavailable with the reason."""
    if not Path(SERVER).is_file() or not Path(ISQL).is_file():
        raise VirtuosoUnavailable("Virtuoso is not installed (virtuoso-t and isql-vt); `make virtuoso` installs "
                                  "Debian's virtuoso-opensource-7-bin")
    directory.mkdir(parents=True, exist_ok=True)
    http_port, isql_port = _free_port(), _free_port()
    (directory / "virtuoso.ini").write_text(INI.format(dir=directory, http_port=http_port, isql_port=isql_port,
                                                       max_rows=max_rows), encoding="utf-8")
    output = (directory / "server.out").open("wb")
    process = subprocess.Popen([SERVER, "+foreground", "+configfile", str(directory / "virtuoso.ini")],
                               cwd=directory, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    output.close()
    server = Virtuoso(directory, http_port, isql_port, secrets.token_urlsafe(16), process)
    deadline = time.monotonic() + START_TIMEOUT
    while not _answers(server.endpoint):
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise VirtuosoUnavailable(f"Virtuoso did not start (exit status {process.returncode}):\n"
                                      f"{server.log_tail()}")
        time.sleep(0.3)
    try:
        _isql(server, f"USER_CHANGE_PASSWORD('dba', 'dba', '{server.password}');")
        server.version = _version(server)
    except VirtuosoUnavailable:
        server.stop()
        raise
    return server


def _isql(server: Virtuoso, statement: str, password: str = "dba") -> str:
    completed = subprocess.run([ISQL, f"127.0.0.1:{server.isql_port}", "dba", password, f"EXEC={statement}"],
                               capture_output=True, text=True, timeout=60, check=False)
    if completed.returncode != 0 or "*** Error" in completed.stdout + completed.stderr:
        raise VirtuosoUnavailable(f"ISQL failed on the new server: {completed.stdout}{completed.stderr}".strip())
    return completed.stdout


def _version(server: Virtuoso) -> str:
    output = _isql(server, "SELECT sys_stat('st_dbms_ver');", server.password)
    return next((line.strip() for line in output.splitlines() if line.strip()[:2].isdigit()), "")
