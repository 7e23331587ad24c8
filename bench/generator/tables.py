"""Domain tables of the generated landscape: capabilities, kinds of applications, places, national components,
standards and processes of a Norwegian regional health authority (see /work/shared/design/domain.md)."""

from __future__ import annotations

from dataclasses import dataclass

CRITICALITY = ("low", "medium", "high", "critical")
CLASSIFICATION = ("open", "internal", "confidential", "sensitive")
STRONG_AUTH = ("mtls", "helseid", "oauth2", "api-key")
UNAPPROVED_STANDARDS = ("SFTP", "file", "CSV over SFTP", "proprietary TCP")

CAPABILITIES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("pasientbehandling", "Pasientbehandling", (
        ("pasientjournal", "Pasientjournal"), ("pasientadministrasjon", "Pasientadministrasjon"),
        ("kurve-og-medikasjon", "Kurve og medikasjon"), ("operasjon-og-anestesi", "Operasjon og anestesi"),
        ("intensivbehandling", "Intensivbehandling"), ("fodsel-og-barsel", "Fødsel og barsel"),
        ("kreftbehandling", "Kreftbehandling"), ("psykisk-helsevern", "Psykisk helsevern"),
        ("rehabilitering", "Rehabilitering"), ("dialyse", "Dialyse"), ("ernaering", "Ernæring"))),
    ("diagnostikk", "Diagnostikk", (
        ("laboratoriemedisin", "Laboratoriemedisin"), ("mikrobiologi", "Mikrobiologi"),
        ("patologi", "Patologi"), ("blodbank", "Blodbank og transfusjon"), ("radiologi", "Radiologi"),
        ("bildearkiv", "Bilde- og multimediearkiv"), ("fysiologisk-maaling", "Fysiologiske målinger"),
        ("medisinsk-teknisk-utstyr", "Medisinsk-teknisk utstyr"))),
    ("legemiddelhandtering", "Legemiddelhåndtering", (
        ("forskrivning", "Forskrivning og e-resept"), ("legemiddelkatalog", "Legemiddelkatalog"),
        ("cytostatikaproduksjon", "Cytostatikaproduksjon"))),
    ("pasientlogistikk", "Pasientlogistikk", (
        ("timebestilling", "Timebestilling"), ("sengeplanlegging", "Sengeplanlegging"),
        ("pasientflyt", "Pasientflyt"), ("pasienttransport", "Pasienttransport"))),
    ("prehospitale-tjenester", "Prehospitale tjenester", (
        ("ambulansejournal", "Ambulansejournal"), ("akuttmedisinsk-kommunikasjon", "Akuttmedisinsk kommunikasjon"),
        ("luftambulanse", "Luftambulanse"))),
    ("samhandling", "Samhandling", (
        ("elektronisk-meldingsutveksling", "Elektronisk meldingsutveksling"),
        ("dokumentdeling", "Dokumentdeling"), ("innbyggertjenester", "Digitale innbyggertjenester"),
        ("samhandling-kommune", "Samhandling med kommunene"))),
    ("kvalitet-og-forskning", "Kvalitet og forskning", (
        ("kvalitetsregistre", "Medisinske kvalitetsregistre"), ("helseanalyse", "Styringsdata og helseanalyse"),
        ("forskningsstotte", "Forskningsstøtte"), ("smittevern", "Smittevern"))),
    ("virksomhetsstyring", "Virksomhetsstyring", (
        ("personal-og-lonn", "Personal og lønn"), ("okonomistyring", "Økonomistyring"),
        ("innkjop-og-logistikk", "Innkjøp og logistikk"), ("dokumenthandtering", "Dokumenthåndtering"),
        ("pasientsikkerhet", "Pasientsikkerhet og avvik"))),
    ("informasjonsforvaltning", "Informasjonsforvaltning", (
        ("masterdata", "Masterdata og grunndata"), ("tilgangsstyring", "Tilgangsstyring"),
        ("logganalyse", "Logganalyse"), ("arkivering", "Arkivering"))),
    ("ikt-plattform", "IKT-plattform", (
        ("integrasjon", "Integrasjon"), ("api-forvaltning", "API-forvaltning"), ("it-drift", "IT-drift"),
        ("talegjenkjenning", "Talegjenkjenning"))),
)




@dataclass(frozen=True)
class Category:
    """A kind of application: how it is named, what it masters, which standards it speaks."""

    key: str
    label: str
    area: str            # clinical | diagnostics | administrative (the file an application is written to)
    dept: str            # the department that owns it in a trust
    caps: tuple[str, ...]
    data: tuple[tuple[str, int], ...]   # (data object name, classification index)
    crit: tuple[int, int, int, int]     # weights low..critical
    cls: tuple[int, int, int, int]      # weights open..sensitive
    vendors: tuple[str, ...]
    standards: str                      # key into STANDARD_MIX
    weight: int
    what: str


SENS, CONF, INTERN, OPEN = 3, 2, 1, 0  # classification indices
CATEGORIES: tuple[Category, ...] = (
    Category("kurve", "Kurve og medikasjon", "clinical", "medisin", ("kurve-og-medikasjon",),
             (("Kurvedata", SENS), ("Legemiddelliste", SENS), ("Vitale parametere", SENS)), (0, 1, 4, 3), (0, 0, 1, 9),
             ("Philips", "DIPS AS"), "clinical", 5, "electronic chart and medication administration"),
    Category("operasjon", "Operasjonsplanlegging", "clinical", "kirurgi", ("operasjon-og-anestesi",),
             (("Operasjonsprogram", CONF), ("Anestesijournal", SENS)), (0, 2, 4, 2), (0, 1, 2, 7),
             ("Tietoevry", "DIPS AS"), "clinical", 4, "operating theatre planning and anaesthesia records"),
    Category("intensiv", "Intensivjournal", "clinical", "kirurgi", ("intensivbehandling",),
             (("Intensivkurve", SENS),), (0, 1, 3, 4), (0, 0, 0, 1), ("Philips", "GE HealthCare"), "clinical", 2,
             "intensive care charting"),
    Category("fode", "Fødejournal", "clinical", "medisin", ("fodsel-og-barsel",),
             (("Svangerskapsjournal", SENS), ("Fødselsmelding", SENS)), (0, 2, 4, 2), (0, 0, 0, 1),
             ("Partus", "DIPS AS"), "clinical", 2, "maternity and birth records"),
    Category("kreft", "Cytostatikabehandling", "clinical", "medisin", ("kreftbehandling", "cytostatikaproduksjon"),
             (("Kurbehandlingsplan", SENS),), (0, 1, 4, 3), (0, 0, 0, 1), ("CMS Norge", "Varian"), "clinical", 2,
             "planning and preparation of cancer drug treatment"),
    Category("psykiatri", "Psykiatrisk behandlingsstøtte", "clinical", "psykisk-helse", ("psykisk-helsevern",),
             (("Tvangsprotokoll", SENS), ("Behandlingsplan", SENS)), (1, 3, 3, 1), (0, 0, 1, 9),
             ("DIPS AS", "Helse Sør-Øst (egenutviklet)"), "clinical", 3,
             "mental health treatment support and coercion records"),
    Category("dialyse", "Dialysejournal", "clinical", "medisin", ("dialyse",), (("Dialysebehandling", SENS),),
             (0, 2, 4, 1), (0, 0, 0, 1), ("Fresenius", "B. Braun"), "clinical", 1, "dialysis treatment records"),
    Category("rehab", "Rehabiliteringsverktøy", "clinical", "medisin", ("rehabilitering",),
             (("Treningsprogram", CONF),), (3, 4, 1, 0), (0, 2, 5, 3), ("Visma", "CGM"), "clinical", 2,
             "rehabilitation and physiotherapy programmes"),
    Category("ernaering", "Ernæringsverktøy", "clinical", "medisin", ("ernaering",), (("Kostplan", INTERN),),
             (4, 3, 1, 0), (1, 5, 3, 1), ("Dietist Net", "Visma"), "clinical", 1, "nutrition planning"),
    Category("tale", "Talegjenkjenning", "clinical", "stab", ("talegjenkjenning",), (("Diktat", SENS),),
             (1, 4, 3, 0), (0, 0, 2, 8), ("Nuance", "Dictus"), "clinical", 2, "dictation and speech recognition"),
    Category("kvalitet", "Kvalitetsregisterklient", "clinical", "medisin", ("kvalitetsregistre",),
             (("Registerskjema", SENS),), (4, 4, 1, 0), (0, 0, 2, 8), ("Helse Sør-Øst (egenutviklet)", "Tietoevry"),
             "clinical", 3, "reporting to national medical quality registries"),
    Category("lab", "Laboratoriesystem", "diagnostics", "lab", ("laboratoriemedisin",),
             (("Laboratoriesvar", SENS), ("Laboratorierekvisisjon", SENS), ("Analysekatalog", OPEN)), (0, 1, 4, 4),
             (0, 0, 1, 9), ("Tietoevry", "CGM", "Sysmex"), "lab", 5, "laboratory orders, analyses and results"),
    Category("mikro", "Mikrobiologisystem", "diagnostics", "lab", ("mikrobiologi", "smittevern"),
             (("Mikrobiologisvar", SENS), ("Resistensdata", CONF)), (0, 1, 4, 3), (0, 0, 1, 9),
             ("Tietoevry", "bioMérieux"), "lab", 2, "microbiology orders, cultures and resistance results"),
    Category("patologi", "Patologisystem", "diagnostics", "lab", ("patologi",),
             (("Patologisvar", SENS), ("Prøvejournal", SENS)), (0, 1, 4, 2), (0, 0, 0, 1), ("Sectra", "Tietoevry"),
             "lab", 2, "pathology specimens and reports"),
    Category("blodbank", "Blodbanksystem", "diagnostics", "lab", ("blodbank",),
             (("Blodgiverregister", SENS), ("Blodprodukt", CONF)), (0, 0, 3, 5), (0, 0, 1, 4), ("Prosang", "Wyatt"),
             "lab", 1, "blood donors, blood products and transfusions"),
    Category("ris", "Radiologisystem", "diagnostics", "bilde", ("radiologi",),
             (("Radiologisk henvisning", SENS), ("Radiologisvar", SENS)), (0, 1, 4, 3), (0, 0, 0, 1),
             ("Sectra", "GE HealthCare"), "imaging", 3, "radiology orders, scheduling and reports"),
    Category("pacs", "Bildearkiv", "diagnostics", "bilde", ("bildearkiv", "radiologi"),
             (("Medisinske bilder", SENS),), (0, 1, 4, 3), (0, 0, 0, 1), ("Sectra", "Agfa", "Philips"), "imaging", 3,
             "storage and viewing of medical images"),
    Category("mtu", "Fysiologisk måleutstyr", "diagnostics", "medisin",
             ("fysiologisk-maaling", "medisinsk-teknisk-utstyr"), (("EKG-kurve", SENS), ("Måleserie", CONF)),
             (1, 3, 4, 1), (0, 1, 2, 7), ("GE HealthCare", "Philips", "Siemens Healthineers"), "imaging", 4,
             "collection of measurements from medical devices"),
    Category("logistikk", "Pasientlogistikk", "administrative", "stab", ("pasientflyt", "sengeplanlegging"),
             (("Sengestatus", CONF), ("Pasientflythendelse", CONF)), (0, 3, 4, 1), (0, 2, 6, 2),
             ("Imatis", "Tietoevry"),
             "clinical", 3, "patient flow, bed management and call-in screens"),
    Category("timebok", "Timebestilling", "administrative", "stab", ("timebestilling", "innbyggertjenester"),
             (("Timeavtale", CONF),), (1, 4, 3, 0), (0, 2, 6, 2), ("DIPS AS", "Netcompany"), "admin", 2,
             "appointment booking and reminders"),
    Category("ambulanse", "Ambulansejournal", "administrative", "prehospital", ("ambulansejournal",),
             (("Ambulansejournal", SENS), ("Oppdragsdata", CONF)), (0, 0, 4, 4), (0, 0, 1, 9), ("Bliksund", "Locus"),
             "clinical", 2, "electronic ambulance records"),
    Category("amk", "AMK-system", "administrative", "prehospital", ("akuttmedisinsk-kommunikasjon",),
             (("AMK-hendelse", SENS),), (0, 0, 2, 6), (0, 0, 1, 9), ("Locus", "Tietoevry"), "clinical", 1,
             "emergency medical communication and dispatch"),
    Category("hr", "Personalsystem", "administrative", "stab", ("personal-og-lonn",),
             (("Ansattopplysninger", CONF), ("Arbeidsplan", INTERN)), (1, 4, 2, 0), (0, 3, 7, 0),
             ("Visma", "SAP", "Gat"), "admin", 3, "staff records, rotas and payroll"),
    Category("okonomi", "Økonomisystem", "administrative", "stab", ("okonomistyring",),
             (("Faktura", INTERN), ("Kostnadssted", OPEN)), (1, 4, 2, 0), (1, 7, 2, 0), ("Unit4", "SAP"), "admin", 2,
             "finance, accounting and invoicing"),
    Category("innkjop", "Innkjøpssystem", "administrative", "stab", ("innkjop-og-logistikk",),
             (("Vareregister", OPEN), ("Bestilling", INTERN)), (2, 5, 1, 0), (2, 7, 1, 0), ("Unit4", "Visma"),
             "admin", 2,
             "purchasing and stock"),
    Category("arkiv", "Dokumentarkiv", "administrative", "stab", ("dokumenthandtering", "arkivering"),
             (("Skannet dokument", SENS), ("Arkivsak", CONF)), (1, 4, 2, 0), (0, 1, 3, 6), ("Tietoevry", "Acos"),
             "admin", 3,
             "document scanning, case handling and archive"),
    Category("analyse", "Analyseplattform", "administrative", "stab", ("helseanalyse", "forskningsstotte"),
             (("Aktivitetsdata", CONF),), (2, 5, 2, 0), (0, 1, 4, 5), ("Microsoft", "Qlik"), "admin", 3,
             "reporting, management information and research extracts"),
    Category("avvik", "Avvikssystem", "administrative", "stab", ("pasientsikkerhet",), (("Avviksmelding", CONF),),
             (2, 5, 1, 0), (0, 2, 6, 2), ("Datakvalitet", "Landax"), "admin", 2,
             "incident reporting and quality management"),
    Category("service", "IT-servicestyring", "administrative", "stab", ("it-drift",), (("Sak", INTERN),),
             (1, 4, 3, 0), (0, 8, 2, 0), ("ServiceNow", "TopDesk"), "admin", 2, "IT service management"),
)
CATEGORY = {c.key: c for c in CATEGORIES}
EPJ_DATA = (("Pasientjournal", SENS), ("Epikrise", SENS), ("Henvisning", SENS), ("Pasientadministrative data", SENS),
            ("Innleggelse", SENS), ("Timebok", CONF), ("Organisasjonsstruktur", INTERN), ("Behandlingstilbud", OPEN))
DEPARTMENTS = (("medisin", "Medisinsk klinikk"), ("kirurgi", "Kirurgisk klinikk"),
               ("psykisk-helse", "Klinikk for psykisk helse og avhengighet"),
               ("lab", "Klinikk for laboratoriemedisin"), ("bilde", "Klinikk for bildediagnostikk"),
               ("prehospital", "Prehospital klinikk"), ("stab", "Stab og støttetjenester"))
PLACES = ("Hamar", "Lillehammer", "Gjøvik", "Elverum", "Kongsvinger", "Tynset", "Drammen", "Bærum",
          "Kongsberg", "Ringerike", "Fredrikstad", "Sarpsborg", "Moss", "Halden", "Tønsberg", "Larvik",
          "Sandefjord", "Skien", "Porsgrunn", "Notodden", "Arendal", "Kristiansand", "Flekkefjord", "Lørenskog",
          "Asker", "Jessheim", "Kongsvoll", "Hønefoss", "Horten", "Mandal", "Grimstad", "Rjukan", "Otta",
          "Brumunddal", "Ski", "Mysen", "Askim", "Holmestrand", "Kragerø", "Lillesand")
MUNICIPALITIES = ("Oslo", "Bærum", "Asker", "Lillestrøm", "Nordre Follo", "Ullensaker", "Drammen", "Lier",
                  "Sarpsborg", "Fredrikstad", "Moss", "Halden", "Indre Østfold", "Tønsberg", "Sandefjord",
                  "Larvik", "Horten", "Færder", "Skien", "Porsgrunn", "Bamble", "Notodden", "Arendal",
                  "Kristiansand", "Grimstad", "Lindesnes", "Hamar", "Ringsaker", "Lillehammer", "Gjøvik",
                  "Elverum", "Kongsvinger", "Østre Toten", "Nord-Aurdal", "Ringerike", "Kongsberg", "Modum",
                  "Eidsvoll", "Nes", "Enebakk")
NATIONAL_AUTHORITIES = (
    ("norsk-helsenett", "Norsk helsenett SF", "Runs the health network and national e-health services."),
    ("helsedirektoratet", "Helsedirektoratet", "National health authority; owns national registers."),
    ("fhi", "Folkehelseinstituttet", "Public health institute; runs the central health registries."),
    ("dmp", "Direktoratet for medisinske produkter", "Medicines agency; publishes the FEST catalogue."))
# id, name, owner, classification, criticality, data mastered, what
NATIONAL_COMPONENTS: tuple[tuple[str, str, str, int, int, tuple[tuple[str, int], ...], str], ...] = (
    ("nhn-meldingstjener", "NHN meldingstjener", "norsk-helsenett", SENS, 3, (),
     "message transport (ebXML/EDI) between health organisations over the health network"),
    ("kjernejournal", "Kjernejournal", "norsk-helsenett", SENS, 3, (("Kritisk informasjon", SENS),),
     "national summary care record"),
    ("reseptformidleren", "Reseptformidleren", "norsk-helsenett", SENS, 3, (), "national e-prescription hub"),
    ("helsenorge", "Helsenorge", "norsk-helsenett", SENS, 3, (), "national citizen portal for health services"),
    ("persontjenesten", "Persontjenesten (Folkeregisteret)", "norsk-helsenett", CONF, 3,
     (("Folkeregistrert person", CONF),), "population register data for the health sector"),
    ("fastlegeregisteret", "Fastlegeregisteret", "helsedirektoratet", CONF, 2, (("Fastlegeliste", CONF),),
     "register of regular GPs and their patient lists"),
    ("hpr", "Helsepersonellregisteret (HPR)", "helsedirektoratet", INTERN, 3, (("Helsepersonell", INTERN),),
     "register of authorised health personnel"),
    ("adresseregisteret", "Adresseregisteret", "norsk-helsenett", INTERN, 3, (("Kommunikasjonspart", OPEN),),
     "addresses of communication parties on the health network"),
    ("pasientens-journaldokumenter", "Pasientens journaldokumenter", "norsk-helsenett", SENS, 3, (),
     "national document sharing between record systems"),
    ("pasientens-provesvar", "Pasientens prøvesvar", "norsk-helsenett", SENS, 2, (), "national test results service"),
    ("npr", "Norsk pasientregister (NPR)", "helsedirektoratet", SENS, 1, (), "national patient activity register"),
    ("msis", "MSIS", "fhi", SENS, 2, (), "notification system for communicable diseases"),
    ("kreftregisteret", "Kreftregisteret", "fhi", SENS, 1, (), "cancer registry"),
    ("helseid", "HelseID", "norsk-helsenett", INTERN, 3, (), "national authentication and token service"),
    ("fest", "FEST", "dmp", OPEN, 3, (("Legemiddelkatalog FEST", OPEN),), "national drug catalogue"),
    ("sysvak", "Nasjonalt vaksinasjonsregister SYSVAK", "fhi", SENS, 1, (), "national immunisation register"),
    ("edi-2", "EDI 2.0 meldingstjeneste", "norsk-helsenett", SENS, 2, (), "next-generation message exchange"),
    ("medisinsk-fodselsregister", "Medisinsk fødselsregister", "fhi", SENS, 1, (), "medical birth registry"),
    ("dodsarsaksregisteret", "Dødsårsaksregisteret", "fhi", SENS, 1, (), "cause of death registry"),
    ("grunndata", "Grunndata", "norsk-helsenett", CONF, 2, (), "national master data services"),
)
REGIONAL_CATEGORIES = ("hr", "okonomi", "innkjop", "arkiv", "analyse", "service", "kvalitet", "avvik")
HOSTING = ("Sykehuspartner datasenter", "Leverandørdrift i Norge", "Azure Norway East", "Lokal drift",
           "Norsk helsenett datasenter")
STANDARD_MIX: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "clinical": (("HL7v2", "FHIR-R4", "REST", "SOAP"), (4, 4, 2, 1)),
    "lab": (("HL7v2", "FHIR-R4", "REST"), (6, 3, 1)),
    "imaging": (("DICOM", "HL7v2", "FHIR-R4"), (5, 4, 1)),
    "admin": (("REST", "SOAP", "FHIR-R4"), (5, 4, 1)),
    "external": (("KITH-XML", "ebXML", "FHIR-R4"), (5, 3, 2)),
    "national": (("FHIR-R4", "IHE-XDS", "SOAP", "REST", "ebXML"), (4, 2, 2, 2, 1)),
}
STANDARD_TEXT = {"HL7v2": "HL7 v2 messages", "FHIR-R4": "FHIR R4 API", "REST": "REST API", "SOAP": "SOAP web service",
                 "DICOM": "DICOM transfer", "KITH-XML": "KITH XML messages over the health network",
                 "ebXML": "ebXML messages over the health network", "IHE-XDS": "IHE XDS document sharing"}
# key, name, capabilities, categories of the applications that support it, steps
PROCESSES: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    ("henvisning", "Henvisning til poliklinisk time", ("samhandling-kommune", "timebestilling"),
     ("timebok", "logistikk", "arkiv"),
     ("Motta henvisning", "Registrere henvisning", "Vurdere henvisning", "Tildele time", "Innkalle pasient",
      "Gjennomføre konsultasjon", "Sende svar til henviser")),
    ("akutt-innleggelse", "Akutt innleggelse", ("pasientflyt",),
     ("amk", "ambulanse", "logistikk", "lab", "ris", "kurve"),
     ("Motta melding fra AMK", "Registrere pasient", "Triage", "Undersøke pasient", "Bestille prøver",
      "Legge inn på sengepost", "Informere fastlege")),
    ("blodprove", "Blodprøvetaking og svar", ("laboratoriemedisin",),
     ("lab", "mikro", "blodbank"),
     ("Rekvirere analyse", "Ta blodprøve", "Motta prøve", "Analysere", "Validere svar", "Sende svar",
      "Vurdere svar")),
    ("radiologi", "Radiologisk undersøkelse", ("radiologi",),
     ("ris", "pacs", "tale"),
     ("Motta henvisning", "Planlegge undersøkelse", "Gjennomføre undersøkelse", "Lagre bilder", "Beskrive bilder",
      "Sende svar", "Arkivere")),
    ("utskrivning", "Utskrivning med epikrise", ("pasientjournal", "samhandling-kommune"),
     ("kurve", "logistikk", "tale", "arkiv"),
     ("Vurdere utskrivningsklar", "Melde til kommunen", "Skrive epikrise", "Avstemme legemiddelliste",
      "Sende epikrise", "Oppdatere pasientlogistikk", "Følge opp")),
    ("legemiddel", "Legemiddelhåndtering i post", ("kurve-og-medikasjon",),
     ("kurve", "intensiv"),
     ("Ordinere", "Kontrollere ordinasjon", "Klargjøre legemiddel", "Administrere", "Dokumentere",
      "Observere effekt", "Avslutte ordinasjon")),
    ("kreftforlop", "Pakkeforløp kreft", ("kreftbehandling",),
     ("kreft", "patologi", "ris", "lab", "kvalitet"),
     ("Motta henvisning", "Starte forløp", "Utrede", "Ta biopsi", "Drøfte i MDT", "Starte behandling",
      "Rapportere til register")),
    ("operasjon", "Planlagt operasjon", ("operasjon-og-anestesi",),
     ("operasjon", "kurve", "intensiv", "blodbank"),
     ("Sette på venteliste", "Planlegge operasjon", "Preoperativ vurdering", "Gjennomføre anestesi",
      "Operere", "Overvåke postoperativt", "Dokumentere inngrep")),
    ("ambulanse", "Ambulanseoppdrag", ("ambulansejournal", "akuttmedisinsk-kommunikasjon"),
     ("ambulanse", "amk"),
     ("Motta nødsamtale", "Tildele ressurs", "Rykke ut", "Behandle på stedet", "Transportere",
      "Overlevere pasient", "Avslutte journal")),
    ("innkjop", "Bestilling av forbruksmateriell", ("innkjop-og-logistikk",),
     ("innkjop", "okonomi"),
     ("Melde behov", "Godkjenne bestilling", "Bestille", "Motta varer", "Kontrollere faktura",
      "Betale", "Bokføre")),
)
IMAGE_DATA = {"Medisinske bilder", "EKG-kurve", "Måleserie"}
IN_HOUSE = {"Sykehuspartner", "Norsk helsenett SF", "Helse Sør-Øst (egenutviklet)"}
