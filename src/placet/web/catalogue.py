"""The words of the web pages themselves (buttons, labels, short messages) in English,
Albanian, Serbian (Latin) and Danish. The policy's own texts come from the policy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

__all__ = ["LANGUAGE_NAMES", "UI_LANGUAGES", "Words"]

UI_LANGUAGES: Final = ("en", "sq", "sr", "da")
LANGUAGE_NAMES: Final[Mapping[str, str]] = {
    "en": "English",
    "sq": "Shqip",
    "sr": "Srpski",
    "da": "Dansk",
}
"""Each language in its own words, for the switcher."""

_WORDS: Final[dict[str, tuple[str, str, str, str]]] = {
    # the frame
    "center": (
        "Privacy center",
        "Qendra e privatësisë",
        "Centar za privatnost",
        "Privatlivscenter",
    ),
    "skip": ("Skip to content", "Kalo te përmbajtja", "Pređi na sadržaj", "Gå til indhold"),
    "language": ("Language", "Gjuha", "Jezik", "Sprog"),
    "choose": ("Choose", "Zgjidh", "Izaberi", "Vælg"),
    "notice": (
        "Privacy notice",
        "Njoftimi i privatësisë",
        "Obaveštenje o privatnosti",
        "Privatlivspolitik",
    ),
    "choices": ("Your choices", "Zgjedhjet tuaja", "Vaši izbori", "Dine valg"),
    "history": ("History", "Historiku", "Istorija", "Historik"),
    "requests": ("Requests", "Kërkesat", "Zahtevi", "Anmodninger"),
    "sign_in": ("Sign in", "Hyr", "Prijava", "Log ind"),
    "sign_out": ("Sign out", "Dil", "Odjava", "Log ud"),
    "signed_in_as": ("Signed in as", "Keni hyrë si", "Prijavljeni ste kao", "Logget ind som"),
    "dpo": (
        "Data protection officer",
        "Zyrtari për mbrojtjen e të dhënave",
        "Službenik za zaštitu podataka",
        "Databeskyttelsesrådgiver",
    ),
    # the landing page
    "welcome": (
        "Your privacy at {controller}",
        "Privatësia juaj në {controller}",
        "Vaša privatnost u {controller}",
        "Dit privatliv hos {controller}",
    ),
    "welcome_text": (
        "Read how we use your data, decide what you agree to, and ask for your data.",
        "Lexoni si i përdorim të dhënat tuaja, vendosni për çfarë pajtoheni dhe kërkoni "
        "të dhënat tuaja.",
        "Pročitajte kako koristimo vaše podatke, odlučite sa čim se slažete i zatražite "
        "svoje podatke.",
        "Læs hvordan vi bruger dine data, bestem hvad du giver samtykke til, og bed om dine data.",
    ),
    "notice_card": (
        "What we collect, why, for how long, and your rights.",
        "Çfarë mbledhim, pse, për sa kohë dhe të drejtat tuaja.",
        "Šta prikupljamo, zašto, koliko dugo i vaša prava.",
        "Hvad vi indsamler, hvorfor, hvor længe, og dine rettigheder.",
    ),
    "choices_card": (
        "Give or withdraw consent, and object to uses of your data.",
        "Jepni ose tërhiqni pëlqimin dhe kundërshtoni përdorimet e të dhënave.",
        "Dajte ili povucite saglasnost i uložite prigovor na korišćenje podataka.",
        "Giv eller træk samtykke tilbage, og gør indsigelse mod brug af dine data.",
    ),
    "history_card": (
        "Every change you made, with its receipt.",
        "Çdo ndryshim që keni bërë, me dëftesën e tij.",
        "Svaka promena koju ste napravili, sa potvrdom.",
        "Alle dine ændringer, med kvittering.",
    ),
    "requests_card": (
        "Ask for a copy of your data, a correction or erasure, and follow it.",
        "Kërkoni një kopje të të dhënave, korrigjim ose fshirje dhe ndiqeni.",
        "Zatražite kopiju podataka, ispravku ili brisanje i pratite zahtev.",
        "Bed om en kopi af dine data, rettelse eller sletning, og følg sagen.",
    ),
    "open": ("Open", "Hap", "Otvori", "Åbn"),
    "sign_in_first": (
        "Sign in to see this.",
        "Hyni për ta parë këtë.",
        "Prijavite se da biste ovo videli.",
        "Log ind for at se dette.",
    ),
    # sign-in
    "sign_in_text": (
        "We send a one-time code to your mobile number or e-mail address.",
        "Ju dërgojmë një kod njëpërdorimësh në numrin tuaj celular ose adresën e-mail.",
        "Šaljemo jednokratni kod na vaš broj mobilnog telefona ili e-mail adresu.",
        "Vi sender en engangskode til dit mobilnummer eller din e-mailadresse.",
    ),
    "address": (
        "Mobile number or e-mail address",
        "Numri celular ose adresa e-mail",
        "Broj mobilnog telefona ili e-mail adresa",
        "Mobilnummer eller e-mailadresse",
    ),
    "address_hint": (
        "A number with its country code, such as +383 44 123 456",
        "Numri me kodin e shtetit, si +383 44 123 456",
        "Broj sa pozivnim brojem zemlje, na primer +383 44 123 456",
        "Et nummer med landekode, fx +45 12 34 56 78",
    ),
    "send_code": ("Send code", "Dërgo kodin", "Pošalji kod", "Send kode"),
    "enter_code": ("Enter your code", "Shkruani kodin", "Unesite kod", "Indtast din kode"),
    "code_sent": (
        "If the details match our records, we have sent a code to {to}. It is valid for "
        "10 minutes.",
        "Nëse të dhënat përputhen me regjistrat tanë, kemi dërguar një kod te {to}. Vlen "
        "për 10 minuta.",
        "Ako se podaci poklapaju sa našom evidencijom, poslali smo kod na {to}. Važi 10 minuta.",
        "Hvis oplysningerne passer med vores registre, har vi sendt en kode til {to}. Den "
        "gælder i 10 minutter.",
    ),
    "code": ("Code", "Kodi", "Kod", "Kode"),
    "code_hint": ("6 digits", "6 shifra", "6 cifara", "6 cifre"),
    "new_code": (
        "Ask for a new code",
        "Kërko një kod të ri",
        "Zatraži novi kod",
        "Bed om en ny kode",
    ),
    # choices
    "consents": ("Consents", "Pëlqimet", "Saglasnosti", "Samtykker"),
    "consents_text": (
        "Uses of your data that need your consent. Change them at any time.",
        "Përdorime të të dhënave që kërkojnë pëlqimin tuaj. Ndryshojini kurdo.",
        "Korišćenja podataka za koja je potrebna vaša saglasnost. Menjajte ih bilo kada.",
        "Brug af dine data, der kræver dit samtykke. Du kan ændre det når som helst.",
    ),
    "given": ("Given", "Dhënë", "Data", "Givet"),
    "not_given": ("Not given", "Pa dhënë", "Nije data", "Ikke givet"),
    "give": ("Give consent", "Jep pëlqimin", "Daj saglasnost", "Giv samtykke"),
    "withdraw": (
        "Withdraw consent",
        "Tërhiq pëlqimin",
        "Povuci saglasnost",
        "Træk samtykke tilbage",
    ),
    "channels": ("Channels", "Kanalet", "Kanali", "Kanaler"),
    "objections": ("Objections", "Kundërshtimet", "Prigovori", "Indsigelser"),
    "objections_text": (
        "Uses based on our legitimate interests. You may object to each.",
        "Përdorime të bazuara në interesat tona legjitime. Mund të kundërshtoni secilin.",
        "Korišćenja zasnovana na našim legitimnim interesima. Možete uložiti prigovor na svako.",
        "Brug baseret på vores legitime interesser. Du kan gøre indsigelse mod hver.",
    ),
    "objecting": ("You object", "Ju kundërshtoni", "Uložili ste prigovor", "Du gør indsigelse"),
    "not_objecting": ("No objection", "Pa kundërshtim", "Bez prigovora", "Ingen indsigelse"),
    "object": ("Object", "Kundërshto", "Uloži prigovor", "Gør indsigelse"),
    "unobject": (
        "Withdraw objection",
        "Tërhiq kundërshtimin",
        "Povuci prigovor",
        "Træk indsigelse tilbage",
    ),
    "overrides": (
        "Our compelling grounds may continue this use after an objection.",
        "Arsyet tona bindëse mund ta vazhdojnë këtë përdorim pas kundërshtimit.",
        "Naši opravdani razlozi mogu nastaviti ovo korišćenje i posle prigovora.",
        "Vores vægtige grunde kan fortsætte denne brug efter en indsigelse.",
    ),
    "all_marketing": (
        "All direct marketing",
        "I gjithë marketingu i drejtpërdrejtë",
        "Sav direktni marketing",
        "Al direkte markedsføring",
    ),
    "all_marketing_text": (
        "Object to every kind of direct marketing at once.",
        "Kundërshtoni çdo lloj marketingu të drejtpërdrejtë njëherësh.",
        "Uložite prigovor na svaku vrstu direktnog marketinga odjednom.",
        "Gør indsigelse mod al direkte markedsføring på én gang.",
    ),
    "saved": (
        "Saved. Your change is recorded.",
        "U ruajt. Ndryshimi juaj u regjistrua.",
        "Sačuvano. Vaša promena je zabeležena.",
        "Gemt. Din ændring er registreret.",
    ),
    "receipt": ("Download receipt", "Shkarko dëftesën", "Preuzmi potvrdu", "Hent kvittering"),
    "none_yet": ("Nothing here yet.", "Ende asgjë këtu.", "Još ništa ovde.", "Intet her endnu."),
    # history
    "history_text": (
        "Your consents and objections as we recorded them, newest first.",
        "Pëlqimet dhe kundërshtimet tuaja siç i regjistruam, më të rejat në fillim.",
        "Vaše saglasnosti i prigovori kako smo ih zabeležili, najnoviji prvi.",
        "Dine samtykker og indsigelser som vi registrerede dem, nyeste først.",
    ),
    "date": ("Date", "Data", "Datum", "Dato"),
    "change": ("Change", "Ndryshimi", "Promena", "Ændring"),
    "via": ("Given via", "Përmes", "Putem", "Via"),
    "consent-given": ("Consent given", "Pëlqim i dhënë", "Saglasnost data", "Samtykke givet"),
    "consent-withdrawn": (
        "Consent withdrawn",
        "Pëlqim i tërhequr",
        "Saglasnost povučena",
        "Samtykke trukket tilbage",
    ),
    "objection-made": (
        "Objection made",
        "Kundërshtim i bërë",
        "Prigovor uložen",
        "Indsigelse gjort",
    ),
    "objection-withdrawn": (
        "Objection withdrawn",
        "Kundërshtim i tërhequr",
        "Prigovor povučen",
        "Indsigelse trukket tilbage",
    ),
    # requests
    "requests_text": (
        "Ask us about your data. We answer within the time the law sets.",
        "Na pyesni për të dhënat tuaja. Përgjigjemi brenda afatit ligjor.",
        "Pitajte nas o svojim podacima. Odgovaramo u zakonskom roku.",
        "Spørg os om dine data. Vi svarer inden for lovens frist.",
    ),
    "new_request": ("Make a request", "Bëni një kërkesë", "Podnesite zahtev", "Send en anmodning"),
    "request_kind": ("What do you ask for?", "Çfarë kërkoni?", "Šta tražite?", "Hvad beder du om?"),
    "send_request": ("Send request", "Dërgo kërkesën", "Pošalji zahtev", "Send anmodning"),
    "your_requests": ("Your requests", "Kërkesat tuaja", "Vaši zahtevi", "Dine anmodninger"),
    "request": ("Request", "Kërkesa", "Zahtev", "Anmodning"),
    "status": ("Status", "Statusi", "Status", "Status"),
    "received": ("Received", "Marrë", "Primljen", "Modtaget"),
    "due": ("Answer due by", "Afati i përgjigjes", "Rok za odgovor", "Svar senest"),
    "overdue": ("Overdue", "Me vonesë", "Kasni", "Forsinket"),
    "answer": ("Answer", "Përgjigjja", "Odgovor", "Svar"),
    "details": ("Details", "Detajet", "Detalji", "Detaljer"),
    "steps": ("What happened", "Çfarë ndodhi", "Šta se desilo", "Forløb"),
    "request_sent": (
        "Request {id} is received and your identity is confirmed by your sign-in.",
        "Kërkesa {id} u mor dhe identiteti juaj u konfirmua me hyrjen.",
        "Zahtev {id} je primljen i vaš identitet je potvrđen prijavom.",
        "Anmodning {id} er modtaget, og din identitet er bekræftet af dit login.",
    ),
    "back": ("Back", "Kthehu", "Nazad", "Tilbage"),
    "access": (
        "A copy of my data",
        "Një kopje e të dhënave të mia",
        "Kopija mojih podataka",
        "En kopi af mine data",
    ),
    "printed-copy": (
        "A printed copy of my data",
        "Një kopje e shtypur e të dhënave",
        "Štampana kopija mojih podataka",
        "En trykt kopi af mine data",
    ),
    "rectification": (
        "Correct my data",
        "Korrigjoni të dhënat e mia",
        "Ispravka mojih podataka",
        "Ret mine data",
    ),
    "erasure": (
        "Erase my data",
        "Fshini të dhënat e mia",
        "Brisanje mojih podataka",
        "Slet mine data",
    ),
    "restriction": (
        "Restrict the use of my data",
        "Kufizoni përdorimin e të dhënave",
        "Ograničenje korišćenja podataka",
        "Begræns brugen af mine data",
    ),
    "objection": (
        "Object to a use of my data",
        "Kundërshtoj një përdorim të të dhënave",
        "Prigovor na korišćenje podataka",
        "Indsigelse mod brug af mine data",
    ),
    "portability": (
        "My data to take elsewhere",
        "Të dhënat e mia për t'i bartur",
        "Prenosivost mojih podataka",
        "Mine data til at tage med",
    ),
    "withdraw-consent": (
        "Withdraw all my consents",
        "Tërhiq të gjitha pëlqimet",
        "Povlačenje svih saglasnosti",
        "Træk alle samtykker tilbage",
    ),
    "complaint": ("A complaint", "Një ankesë", "Pritužba", "En klage"),
    "business-opt-out": (
        "No direct marketing to my business",
        "Pa marketing të drejtpërdrejtë për biznesin tim",
        "Bez direktnog marketinga mom preduzeću",
        "Ingen direkte markedsføring til min virksomhed",
    ),
    "state-received": ("Received", "Marrë", "Primljen", "Modtaget"),
    "state-verifying": (
        "Checking your identity",
        "Po verifikojmë identitetin",
        "Provera identiteta",
        "Kontrol af identitet",
    ),
    "state-verified": (
        "Identity confirmed",
        "Identiteti u konfirmua",
        "Identitet potvrđen",
        "Identitet bekræftet",
    ),
    "state-awaiting-clarification": (
        "Waiting for your reply",
        "Presim përgjigjen tuaj",
        "Čekamo vaš odgovor",
        "Venter på dit svar",
    ),
    "state-in-progress": ("In progress", "Në punë", "U obradi", "Under behandling"),
    "state-fulfilled": ("Answered", "U përgjigj", "Odgovoreno", "Besvaret"),
    "state-rejected": ("Refused", "Refuzuar", "Odbijeno", "Afvist"),
    # errors next to fields
    "error_title": (
        "Please check the form.",
        "Ju lutem kontrolloni formularin.",
        "Molimo proverite formular.",
        "Kontrollér venligst formularen.",
    ),
    "address_missing": (
        "Enter your mobile number or e-mail address.",
        "Shkruani numrin celular ose adresën e-mail.",
        "Unesite broj mobilnog telefona ili e-mail adresu.",
        "Indtast dit mobilnummer eller din e-mailadresse.",
    ),
    "address_bad": (
        "Enter a number starting with + and the country code, or an e-mail "
        "address such as name@example.com.",
        "Shkruani një numër që fillon me + dhe kodin e shtetit, ose një adresë "
        "e-mail si emri@example.com.",
        "Unesite broj koji počinje sa + i pozivnim brojem zemlje, ili e-mail "
        "adresu kao ime@example.com.",
        "Indtast et nummer, der starter med + og landekoden, eller en "
        "e-mailadresse som navn@example.com.",
    ),
    "code_missing": (
        "Enter the code we sent you.",
        "Shkruani kodin që ju dërguam.",
        "Unesite kod koji smo vam poslali.",
        "Indtast koden, vi sendte dig.",
    ),
    "code_wrong": (
        "The code is wrong or has expired. Check it, or ask for a new code.",
        "Kodi është i gabuar ose ka skaduar. Kontrollojeni ose kërkoni një kod të ri.",
        "Kod je pogrešan ili je istekao. Proverite ga ili zatražite novi kod.",
        "Koden er forkert eller udløbet. Tjek den, eller bed om en ny kode.",
    ),
    "too_many_codes": (
        "We sent this address the most codes we send in an hour. Use a code "
        "you have, or try again later.",
        "I kemi dërguar kësaj adrese numrin maksimal të kodeve për një orë. "
        "Përdorni një kod që keni, ose provoni më vonë.",
        "Ovoj adresi smo poslali najviše kodova za jedan sat. Iskoristite kod "
        "koji imate ili pokušajte kasnije.",
        "Vi har sendt denne adresse det højeste antal koder på en time. Brug "
        "en kode, du har, eller prøv igen senere.",
    ),
    "no_pending": (
        "Ask for a code first.",
        "Kërkoni fillimisht një kod.",
        "Prvo zatražite kod.",
        "Bed først om en kode.",
    ),
    "kind_missing": (
        "Choose what you ask for.",
        "Zgjidhni çfarë kërkoni.",
        "Izaberite šta tražite.",
        "Vælg hvad du beder om.",
    ),
    "csrf": (
        "This page was too old to send. We reloaded it: please try again.",
        "Kjo faqe ishte shumë e vjetër. E ringarkuam: ju lutem provoni përsëri.",
        "Ova stranica je bila prestara. Učitali smo je ponovo: pokušajte ponovo.",
        "Siden var for gammel. Vi har genindlæst den: prøv venligst igen.",
    ),
    "expired": (
        "Please sign in again.",
        "Ju lutem hyni përsëri.",
        "Molimo prijavite se ponovo.",
        "Log venligst ind igen.",
    ),
    "not_found": (
        "We could not find that page.",
        "Nuk e gjetëm atë faqe.",
        "Nismo pronašli tu stranicu.",
        "Vi kunne ikke finde siden.",
    ),
    "unavailable": (
        "This service is not available right now.",
        "Ky shërbim nuk është i disponueshëm tani.",
        "Ova usluga trenutno nije dostupna.",
        "Denne tjeneste er ikke tilgængelig lige nu.",
    ),
}


@dataclass(frozen=True, slots=True)
class Words:
    """The pages' words in one language: `words("sign_in")`, `words("welcome",
    controller="IPKO")`; a language the catalogue lacks falls back to English."""

    language: str

    def __call__(self, key: str, **values: object) -> str:
        texts = _WORDS[key]
        index = UI_LANGUAGES.index(self.language) if self.language in UI_LANGUAGES else 0
        text = texts[index]
        return text.format(**values) if values else text
