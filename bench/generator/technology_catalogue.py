"""The technology the generated landscape runs on: platforms, operating systems, databases, runtimes and
middleware, with ``runs_on`` chains (a database on an operating system on the private cloud).

Dates are set against the design date 2026-11-26 so that a check on any date from 2026-01-01 to 2027-12-31 sees
the same thing: everything in ``CURRENT`` is supported until 2028 or later (or has no dates); everything in
``LEGACY`` left support before 2026, and its end of life, if any, is either before 2026 (an error) or after 2027
(a warning). Two products are on ``hold`` since 2023-2024."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    key: str
    name: str
    type: str
    vendor: str | None
    version: str | None
    end_of_support: str | None
    end_of_life: str | None
    ring: str | None
    ring_since: str | None
    runs_on: tuple[str, ...]
    what: str


def _p(key: str, name: str, type_: str, vendor: str | None, version: str | None, eos: str | None = None,
       eol: str | None = None, ring: str | None = None, ring_since: str | None = None,
       runs_on: tuple[str, ...] = (), what: str = "") -> Product:
    return Product(key, name, type_, vendor, version, eos, eol, ring, ring_since, runs_on, what)


# base first: every runs_on names an earlier entry
CURRENT: tuple[Product, ...] = (
    _p("sykehuspartner-privat-sky", "Sykehuspartner privat sky", "platform", "Sykehuspartner", None,
       ring="adopt", what="the private cloud (virtual servers) in Sykehuspartner's data centres"),
    _p("azure-norway-east", "Microsoft Azure Norway East", "infrastructure-service", "Microsoft", None,
       ring="trial", what="public cloud region in Norway for services approved for it"),
    _p("openshift-4", "Red Hat OpenShift Container Platform 4.18", "platform", "Red Hat", "4.18", "2028-08-31",
       ring="adopt", runs_on=("sykehuspartner-privat-sky",), what="the container platform for new services"),
    _p("rhel-9", "Red Hat Enterprise Linux 9", "operating-system", "Red Hat", "9", "2032-05-31", "2035-05-31",
       "adopt", runs_on=("sykehuspartner-privat-sky",), what="the standard Linux server"),
    _p("rhel-8", "Red Hat Enterprise Linux 8", "operating-system", "Red Hat", "8", "2029-05-31", "2032-05-31",
       runs_on=("sykehuspartner-privat-sky",), what="the previous Linux server generation"),
    _p("windows-server-2022", "Windows Server 2022", "operating-system", "Microsoft", "2022", "2031-10-14",
       ring="adopt", runs_on=("sykehuspartner-privat-sky",), what="the standard Windows server"),
    _p("windows-server-2019", "Windows Server 2019", "operating-system", "Microsoft", "2019", "2029-01-09",
       runs_on=("sykehuspartner-privat-sky",), what="the previous Windows server generation"),
    _p("ubuntu-24-04", "Ubuntu 24.04 LTS", "operating-system", "Canonical", "24.04", "2029-05-31", "2034-04-30",
       "trial", runs_on=("azure-norway-east",), what="Linux for services in the public cloud"),
    _p("oracle-db-19c", "Oracle Database 19c", "database", "Oracle", "19c", "2029-12-31", "2032-12-31", "adopt",
       runs_on=("rhel-8",), what="the database under DIPS Arena and most large clinical systems"),
    _p("sql-server-2022", "Microsoft SQL Server 2022", "database", "Microsoft", "2022", "2033-01-11",
       ring="adopt", runs_on=("windows-server-2022",), what="the standard Windows database"),
    _p("sql-server-2019", "Microsoft SQL Server 2019", "database", "Microsoft", "2019", "2030-01-08",
       runs_on=("windows-server-2019",), what="the previous Windows database generation"),
    _p("postgresql-16", "PostgreSQL 16", "database", "PostgreSQL Global Development Group", "16", "2028-11-09",
       ring="adopt", runs_on=("rhel-9",), what="the standard open-source database"),
    _p("postgresql-17", "Azure Database for PostgreSQL 17", "database", "Microsoft", "17", "2029-11-08",
       ring="trial", runs_on=("ubuntu-24-04",), what="managed PostgreSQL in the public cloud"),
    _p("intersystems-iris", "InterSystems IRIS for Health 2024.1", "database", "InterSystems", "2024.1",
       "2029-04-30", ring="assess", runs_on=("rhel-9",), what="health data platform and database"),
    _p("java-21", "Eclipse Temurin 21", "runtime", "Eclipse Adoptium", "21", "2031-12-31", ring="adopt",
       runs_on=("rhel-9",), what="the standard Java runtime"),
    _p("java-17", "Eclipse Temurin 17", "runtime", "Eclipse Adoptium", "17", "2029-10-31",
       runs_on=("rhel-8",), what="the previous Java runtime"),
    _p("dotnet-10", ".NET 10", "runtime", "Microsoft", "10", "2028-11-14", ring="adopt",
       runs_on=("windows-server-2022",), what="the standard .NET runtime"),
    _p("node-24", "Node.js 24", "runtime", "OpenJS Foundation", "24", "2028-04-30", ring="trial",
       runs_on=("openshift-4",), what="JavaScript runtime for web front ends and small services"),
    _p("jboss-eap-8", "Red Hat JBoss EAP 8", "middleware", "Red Hat", "8", "2031-02-28", ring="adopt",
       runs_on=("java-21",), what="the standard Java application server"),
    _p("tomcat-10", "Apache Tomcat 10.1", "middleware", "Apache Software Foundation", "10.1",
       runs_on=("java-17",), what="servlet container for smaller Java applications"),
    _p("citrix-cvad", "Citrix Virtual Apps and Desktops 2402 LTSR", "software-product", "Citrix", "2402",
       "2029-04-09", ring="adopt", runs_on=("windows-server-2022",),
       what="delivers Windows clients of clinical systems to every workstation"),
    _p("websphere-9", "IBM WebSphere Application Server 9.0", "middleware", "IBM", "9.0.5", "2030-09-30",
       ring="hold", ring_since="2023-06-01", runs_on=("rhel-8",),
       what="Java application server; new systems use JBoss EAP"),
    _p("biztalk-2020", "Microsoft BizTalk Server 2020", "middleware", "Microsoft", "2020", "2030-04-09",
       ring="hold", ring_since="2024-01-01", runs_on=("windows-server-2019",),
       what="integration engine; new integrations use the regional integration platform"),
)

# out of support: under phase-out systems in a clean model (which TEC001 does not check), planted under active
# ones; keyed by the severity TEC001 gives them and whether an application names them or what it names runs on them
LEGACY: dict[tuple[str, bool], tuple[Product, ...]] = {
    ("warning", False): (
        _p("rhel-7", "Red Hat Enterprise Linux 7", "operating-system", "Red Hat", "7", "2024-06-30", "2028-06-30",
           runs_on=("sykehuspartner-privat-sky",), what="Linux server generation in extended life-cycle support"),
        _p("java-8", "Oracle Java SE 8", "runtime", "Oracle", "8", "2022-03-31", "2030-12-31",
           what="Java runtime in extended support"),
        _p("oracle-db-12c", "Oracle Database 12c Release 2", "database", "Oracle", "12.2", "2022-03-31",
           "2028-12-31", what="database in sustaining support"),
    ),
    ("error", False): (
        _p("windows-server-2012-r2", "Windows Server 2012 R2", "operating-system", "Microsoft", "2012 R2",
           "2018-10-09", "2023-10-10", what="Windows server generation past end of life"),
        _p("windows-server-2008-r2", "Windows Server 2008 R2", "operating-system", "Microsoft", "2008 R2",
           "2015-01-13", "2020-01-14", what="Windows server generation past end of life"),
        _p("sql-server-2014", "Microsoft SQL Server 2014", "database", "Microsoft", "2014", "2019-07-09",
           "2024-07-09", what="database past end of life"),
        _p("centos-7", "CentOS Linux 7", "operating-system", "CentOS Project", "7", eol="2024-06-30",
           what="community Linux past end of life"),
    ),
    ("warning", True): (
        _p("lokal-databaseserver", "Lokal databaseserver", "infrastructure-service", None, None,
           runs_on=("rhel-7",), what="a database server run locally by a department"),
    ),
    ("error", True): (
        _p("lokal-applikasjonsserver", "Lokal applikasjonsserver", "infrastructure-service", None, None,
           runs_on=("windows-server-2012-r2",), what="an application server run locally by a department"),
    ),
}
LEGACY_BY_KEY = {p.key: p for group in LEGACY.values() for p in group}

# products nobody should still have in the catalogue (TEC003: used by no application in service)
ABANDONED: tuple[tuple[str, str, str, str], ...] = (  # name, type, vendor, end of life
    ("Sybase ASE 15.7", "database", "SAP", "2020-12-31"),
    ("IBM Lotus Domino 9", "software-product", "HCL", "2021-06-30"),
    ("Citrix XenApp 6.5", "software-product", "Citrix", "2018-06-30"),
    ("Windows Server 2003", "operating-system", "Microsoft", "2015-07-14"),
    ("Oracle Database 11g", "database", "Oracle", "2020-12-31"),
    ("IBM Informix 11.70", "database", "IBM", "2019-09-30"),
)

# what an application's stack is made of: one product per slot (None: nothing in that slot)
STACKS: dict[str, tuple[tuple[str | None, ...], ...]] = {
    "java": (("oracle-db-19c", "postgresql-16", "intersystems-iris"), ("java-21", "java-17"),
             ("jboss-eap-8", "tomcat-10", "websphere-9", None, None)),
    "windows": (("sql-server-2022", "sql-server-2019"), ("dotnet-10", "citrix-cvad", None)),
    "cloud": (("postgresql-17", "postgresql-16"), ("node-24", "java-21")),
    "epj": (("oracle-db-19c",), ("java-17",), ("citrix-cvad",)),
    "platform": (("biztalk-2020", "jboss-eap-8", "openshift-4"), ("rhel-9", None)),
}
