"""The words for each value of the policy's vocabularies: legal bases, channels, anchors, ….

Imports nothing outside the standard library.
"""

from __future__ import annotations

from placet.notices.phrases.entry import entry

__all__ = [
    "ANCHORS",
    "CHANNELS",
    "FLAGS",
    "LEGAL_BASES",
    "ORIGINS",
    "RECIPIENTS",
    "RIGHTS",
    "SAFEGUARDS",
]

ANCHORS = {
    "anchor-from.collection": entry(
        "from collection", "nga mbledhja", "od prikupljanja", "fra indsamlingen"
    ),
    "anchor-from.end-of-year": entry(
        "from the end of the year the record belongs to",
        "nga fundi i vitit të cilit i përket regjistrimi",
        "od kraja godine na koju se zapis odnosi",
        "fra udgangen af det år, som oplysningerne vedrører",
    ),
    "anchor-from.end-of-last-contract": entry(
        "from the end of the last contract",
        "nga përfundimi i kontratës së fundit",
        "od prestanka poslednjeg ugovora",
        "fra ophøret af den sidste aftale",
    ),
    "anchor-from.debt-settled": entry(
        "from the settlement of any outstanding debt",
        "nga shlyerja e borxhit të papaguar",
        "od izmirenja neplaćenog duga",
        "fra betalingen af eventuel udestående gæld",
    ),
    "anchor-from.claims-time-barred": entry(
        "from when all claims are time-barred",
        "nga parashkrimi i të gjitha kërkesave",
        "od zastarevanja svih potraživanja",
        "fra alle krav er forældede",
    ),
    "anchor-from.end-of-investment": entry(
        "from the end of the investment",
        "nga përfundimi i investimit",
        "od završetka ulaganja",
        "fra investeringens ophør",
    ),
    "anchor-from.consent-withdrawn": entry(
        "from the withdrawal of consent",
        "nga tërheqja e pëlqimit",
        "od povlačenja saglasnosti",
        "fra samtykket trækkes tilbage",
    ),
    "anchor-from.objection": entry(
        "from your objection or opt-out",
        "nga kundërshtimi ose tërheqja juaj",
        "od vašeg prigovora ili odjave",
        "fra din indsigelse eller framelding",
    ),
    "anchor-from.end-of-campaign": entry(
        "from the end of the contact campaign",
        "nga përfundimi i fushatës së kontaktit",
        "od završetka kontakt kampanje",
        "fra kontaktkampagnens afslutning",
    ),
    "anchor-from.purpose-fulfilled": entry(
        "from when the data is no longer needed for its purpose",
        "nga momenti kur të dhënat nuk nevojiten më për qëllimin e tyre",
        "od trenutka kada podaci više nisu potrebni za svoju svrhu",
        "fra oplysningerne ikke længere er nødvendige til formålet",
    ),
    "anchor-until.collection": entry(
        "until collection", "deri në mbledhjen e tyre", "do prikupljanja", "indtil indsamlingen"
    ),
    "anchor-until.end-of-year": entry(
        "until the end of the year the record belongs to",
        "deri në fund të vitit të cilit i përket regjistrimi",
        "do kraja godine na koju se zapis odnosi",
        "indtil udgangen af det år, som oplysningerne vedrører",
    ),
    "anchor-until.end-of-last-contract": entry(
        "until the end of the last contract",
        "deri në përfundimin e kontratës së fundit",
        "do prestanka poslednjeg ugovora",
        "indtil den sidste aftale ophører",
    ),
    "anchor-until.debt-settled": entry(
        "until any outstanding debt is settled",
        "deri në shlyerjen e borxhit të papaguar",
        "do izmirenja neplaćenog duga",
        "indtil eventuel udestående gæld er betalt",
    ),
    "anchor-until.claims-time-barred": entry(
        "until all claims are time-barred",
        "deri në parashkrimin e të gjitha kërkesave",
        "do zastarevanja svih potraživanja",
        "indtil alle krav er forældede",
    ),
    "anchor-until.end-of-investment": entry(
        "until the end of the investment",
        "deri në përfundimin e investimit",
        "do završetka ulaganja",
        "indtil investeringen ophører",
    ),
    "anchor-until.consent-withdrawn": entry(
        "until consent is withdrawn",
        "deri në tërheqjen e pëlqimit",
        "do povlačenja saglasnosti",
        "indtil samtykket trækkes tilbage",
    ),
    "anchor-until.objection": entry(
        "until you object or opt out",
        "derisa të kundërshtoni ose të tërhiqeni",
        "dok ne uložite prigovor ili se odjavite",
        "indtil du gør indsigelse eller framelder dig",
    ),
    "anchor-until.end-of-campaign": entry(
        "until the end of the contact campaign",
        "deri në përfundimin e fushatës së kontaktit",
        "do završetka kontakt kampanje",
        "indtil kontaktkampagnen afsluttes",
    ),
    "anchor-until.purpose-fulfilled": entry(
        "until the data is no longer needed for its purpose",
        "derisa të dhënat të mos nevojiten më për qëllimin e tyre",
        "dok podaci ne prestanu da budu potrebni za svoju svrhu",
        "indtil oplysningerne ikke længere er nødvendige til formålet",
    ),
}

LEGAL_BASES = {
    "legal-basis.consent": entry("Consent", "Pëlqimi", "Saglasnost", "Samtykke"),
    "legal-basis.contract": entry(
        "Performance of a contract",
        "Zbatimi i kontratës",
        "Izvršenje ugovora",
        "Opfyldelse af en aftale",
    ),
    "legal-basis.legal-obligation": entry(
        "Legal obligation", "Detyrim ligjor", "Zakonska obaveza", "Retlig forpligtelse"
    ),
    "legal-basis.vital-interest": entry(
        "Vital interests", "Interesat jetësore", "Životni interesi", "Vitale interesser"
    ),
    "legal-basis.public-task": entry(
        "Task carried out in the public interest",
        "Detyrë në interes publik",
        "Obavljanje poslova u javnom interesu",
        "Opgave i samfundets interesse",
    ),
    "legal-basis.legitimate-interest": entry(
        "Legitimate interests", "Interesi legjitim", "Legitimni interes", "Legitime interesser"
    ),
}

CHANNELS = {
    "channel.sms": entry("SMS", "SMS", "SMS", "sms"),
    "channel.mms": entry("MMS", "MMS", "MMS", "mms"),
    "channel.email": entry("e-mail", "postë elektronike", "e-pošta", "e-mail"),
    "channel.post": entry("post", "postë tradicionale", "pošta", "brev"),
    "channel.call": entry("phone call", "thirrje telefonike", "telefonski poziv", "telefonopkald"),
    "channel.video-call": entry("video call", "video-thirrje", "video-poziv", "videoopkald"),
    "channel.tv": entry("television", "televizion", "televizija", "tv"),
    "channel.multimedia": entry(
        "multimedia platforms",
        "platforma multimediale",
        "multimedijalne platforme",
        "multimedieplatforme",
    ),
    "channel.app": entry("apps", "aplikacione", "aplikacije", "apps"),
    "channel.web": entry("website", "faqja e internetit", "internet stranica", "hjemmeside"),
    "channel.social": entry(
        "social networks", "rrjete sociale", "društvene mreže", "sociale medier"
    ),
    "channel.in-person": entry("in person", "personalisht", "lično", "personligt"),
    "channel.home-visit": entry("home visit", "vizitë në shtëpi", "kućna poseta", "hjemmebesøg"),
    "channel.shop": entry(
        "our shops", "pikat tona të shitjes", "naša prodajna mesta", "vores butikker"
    ),
    "channel.unsubscribe-link": entry(
        "the unsubscribe link", "lidhja për çregjistrim", "link za odjavu", "afmeldingslinket"
    ),
    "channel.cookie-banner": entry(
        "the cookie banner", "njoftimi për cookies", "baner o kolačićima", "cookiebanneret"
    ),
    "channel.browser-settings": entry(
        "browser settings",
        "cilësimet e shfletuesit",
        "podešavanja pregledača",
        "browserindstillinger",
    ),
}

FLAGS = {
    "flag.traffic": entry("traffic data", "të dhëna trafiku", "podaci o saobraćaju", "trafikdata"),
    "flag.location": entry(
        "location data", "të dhëna vendndodhjeje", "podaci o lokaciji", "lokationsdata"
    ),
    "flag.special": entry(
        "special category of personal data",
        "kategori e veçantë e të dhënave personale",
        "posebna kategorija ličnih podataka",
        "særlig kategori af personoplysninger",
    ),
    "flag.minors": entry(
        "data about children", "të dhëna për fëmijë", "podaci o deci", "oplysninger om børn"
    ),
    "flag.identifier": entry(
        "direct identifier",
        "identifikues i drejtpërdrejtë",
        "neposredni identifikator",
        "direkte identifikator",
    ),
    "flag.financial": entry(
        "financial data", "të dhëna financiare", "finansijski podaci", "økonomiske oplysninger"
    ),
    "flag.online-identifier": entry(
        "online identifier",
        "identifikues në internet",
        "mrežni identifikator",
        "onlineidentifikator",
    ),
    "flag.communications-content": entry(
        "content of communications",
        "përmbajtje e komunikimit",
        "sadržaj komunikacije",
        "indhold af kommunikation",
    ),
    "flag.aggregated": entry(
        "aggregated data only",
        "vetëm të dhëna të agreguara",
        "samo zbirni podaci",
        "kun aggregerede oplysninger",
    ),
    "flag.public": entry(
        "publicly available data",
        "të dhëna të disponueshme publikisht",
        "javno dostupni podaci",
        "offentligt tilgængelige oplysninger",
    ),
}

RECIPIENTS = {
    "recipient-kind.processor": entry("processor", "përpunues", "obrađivač", "databehandler"),
    "recipient-kind.joint-controller": entry(
        "joint controller",
        "kontrollues i përbashkët",
        "zajednički kontrolor",
        "fælles dataansvarlig",
    ),
    "recipient-kind.independent-controller": entry(
        "independent controller",
        "kontrollues i pavarur",
        "samostalni kontrolor",
        "selvstændig dataansvarlig",
    ),
    "recipient-kind.authority": entry(
        "public authority", "autoritet publik", "državni organ", "offentlig myndighed"
    ),
    "recipient-kind.debt-buyer": entry(
        "buyer of claims",
        "blerës i borxheve",
        "preuzimalac potraživanja",
        "erhverver af fordringer",
    ),
    "recipient-kind.directory-service": entry(
        "directory service",
        "shërbim i numëratorit telefonik",
        "služba imenika",
        "nummeroplysningstjeneste",
    ),
    "recipient-kinds.processor": entry("Processors", "Përpunuesit", "Obrađivači", "Databehandlere"),
    "recipient-kinds.joint-controller": entry(
        "Joint controllers",
        "Kontrolluesit e përbashkët",
        "Zajednički kontrolori",
        "Fælles dataansvarlige",
    ),
    "recipient-kinds.independent-controller": entry(
        "Independent controllers",
        "Kontrolluesit e pavarur",
        "Samostalni kontrolori",
        "Selvstændige dataansvarlige",
    ),
    "recipient-kinds.authority": entry(
        "Public authorities", "Autoritetet publike", "Državni organi", "Offentlige myndigheder"
    ),
    "recipient-kinds.debt-buyer": entry(
        "Buyers of claims",
        "Blerësit e borxheve",
        "Preuzimaoci potraživanja",
        "Erhververe af fordringer",
    ),
    "recipient-kinds.directory-service": entry(
        "Directory services",
        "Shërbimet e numëratorit telefonik",
        "Službe imenika",
        "Nummeroplysningstjenester",
    ),
}

SAFEGUARDS = {
    "safeguard.adequacy": entry(
        "adequacy decision",
        "vendim për nivel të përshtatshëm mbrojtjeje",
        "odluka o adekvatnom nivou zaštite",
        "tilstrækkelighedsafgørelse",
    ),
    "safeguard.standard-contractual-clauses": entry(
        "standard contractual clauses",
        "klauzola standarde kontraktuale",
        "standardne ugovorne klauzule",
        "standardkontraktbestemmelser",
    ),
    "safeguard.binding-corporate-rules": entry(
        "binding corporate rules",
        "rregulla detyruese të korporatës",
        "obavezujuća korporativna pravila",
        "bindende virksomhedsregler",
    ),
    "safeguard.data-processing-agreement": entry(
        "a data processing agreement with the safeguards the law requires",
        "marrëveshje për përpunimin e të dhënave me masat mbrojtëse që kërkon ligji",
        "ugovor o obradi podataka sa zaštitnim merama koje zakon zahteva",
        "en databehandleraftale med de garantier, som loven kræver",
    ),
    "safeguard.contract-performance-derogation": entry(
        "necessary to perform your contract (for example roaming or calls abroad)",
        "e nevojshme për zbatimin e kontratës suaj (për shembull roaming ose thirrje "
        "jashtë vendit)",
        "neophodno za izvršenje vašeg ugovora (na primer roming ili pozivi u inostranstvo)",
        "nødvendigt for at opfylde din aftale (for eksempel roaming eller opkald til udlandet)",
    ),
    "safeguard.none": entry(
        "no safeguard", "pa masë mbrojtëse", "bez zaštitne mere", "ingen garanti"
    ),
}

RIGHTS = {
    "right.information": entry(
        "Right to be informed",
        "E drejta për t'u informuar",
        "Pravo na informisanje",
        "Ret til information",
    ),
    "right.access": entry(
        "Right of access", "E drejta e qasjes", "Pravo na pristup", "Ret til indsigt"
    ),
    "right.printed-copy": entry(
        "Right to a printed copy",
        "E drejta për kopje të shtypur",
        "Pravo na štampanu kopiju",
        "Ret til en udskrevet kopi",
    ),
    "right.rectification": entry(
        "Right to rectification",
        "E drejta e korrigjimit",
        "Pravo na ispravku",
        "Ret til berigtigelse",
    ),
    "right.erasure": entry(
        "Right to erasure", "E drejta e fshirjes", "Pravo na brisanje", "Ret til sletning"
    ),
    "right.restriction": entry(
        "Right to restriction of processing",
        "E drejta e kufizimit të përpunimit",
        "Pravo na ograničenje obrade",
        "Ret til begrænsning af behandling",
    ),
    "right.objection": entry(
        "Right to object", "E drejta e kundërshtimit", "Pravo na prigovor", "Ret til indsigelse"
    ),
    "right.portability": entry(
        "Right to data portability",
        "E drejta e bartshmërisë së të dhënave",
        "Pravo na prenosivost podataka",
        "Ret til dataportabilitet",
    ),
    "right.withdraw-consent": entry(
        "Right to withdraw consent",
        "E drejta për të tërhequr pëlqimin",
        "Pravo na povlačenje saglasnosti",
        "Ret til at trække samtykke tilbage",
    ),
    "right.automated-decisions": entry(
        "Right not to be subject to automated decisions",
        "E drejta për të mos iu nënshtruar vendimeve të automatizuara",
        "Pravo da se na vas ne primenjuju automatizovane odluke",
        "Ret til ikke at være genstand for automatiske afgørelser",
    ),
    "right.complaint": entry(
        "Right to lodge a complaint",
        "E drejta për të paraqitur ankesë",
        "Pravo na pritužbu",
        "Ret til at klage",
    ),
}

ORIGINS = {
    "origin.subject": entry("from you", "nga ju", "od vas", "fra dig"),
    "origin.observed": entry(
        "from your use of our services",
        "nga përdorimi juaj i shërbimeve tona",
        "iz vašeg korišćenja naših usluga",
        "fra din brug af vores tjenester",
    ),
    "origin.third-party": entry(
        "from third parties", "nga palë të treta", "od trećih lica", "fra tredjeparter"
    ),
    "origin.public": entry(
        "from public sources", "nga burime publike", "iz javnih izvora", "fra offentlige kilder"
    ),
}
