"""The fixed words of published documents in each language Placet writes: en, sq, sr, da.

Headings, labels, sentences and the words for every enum value of the policy live here and
nowhere else, so a translator reviews one table. Each entry is written `_t(en, sq, sr, da)`;
Serbian is in Latin script. Texts may hold `{name}` placeholders that `phrase` fills in.
Imports nothing outside the standard library and `placet.policy`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from placet.policy.model import (
    Anchor,
    CategoryFlag,
    Channel,
    LegalBasis,
    RecipientKind,
    RetentionAction,
    RightKind,
    TransferSafeguard,
)

__all__ = [
    "LANGUAGES",
    "PHRASES",
    "country_name",
    "enum_key",
    "enum_words",
    "phrase",
    "plural_form",
]

LANGUAGES: Final = ("en", "sq", "sr", "da")
"""The languages the phrase table covers: English, Albanian, Serbian (Latin), Danish."""


def _t(en: str, sq: str, sr: str, da: str) -> dict[str, str]:
    return {"en": en, "sq": sq, "sr": sr, "da": da}


_DOCUMENT = {
    "document.contents": _t("Contents", "Përmbajtja", "Sadržaj", "Indhold"),
    "document.page": _t(
        "Page {page} of {pages}",
        "Faqja {page} nga {pages}",
        "Strana {page} od {pages}",
        "Side {page} af {pages}",
    ),
    "document.skip": _t(
        "Skip to the content", "Kalo te përmbajtja", "Pređi na sadržaj", "Gå til indholdet"
    ),
    "document.version": _t(
        "Version {version}, in force from {date}.",
        "Versioni {version}, në fuqi nga {date}.",
        "Verzija {version}, na snazi od {date}.",
        "Version {version}, gældende fra {date}.",
    ),
    "document.version-until": _t(
        "It applies until {date}.",
        "Zbatohet deri më {date}.",
        "Primenjuje se do {date}.",
        "Den gælder til og med {date}.",
    ),
    # How many of the notice's texts carry `!tr`: all of them, or some (`.one/.few/.many`
    # follow `plural_form`, so that Serbian agrees with the count).
    "document.translations-all": _t(
        "All {count} texts in this privacy policy were translated for Placet from our own texts.",
        "Të gjitha {count} tekstet e kësaj politike të privatësisë janë përkthyer për Placet "
        "nga tekstet tona origjinale.",
        "Svi tekstovi ove politike privatnosti ({count}) prevedeni su za Placet iz naših "
        "izvornih tekstova.",
        "Alle {count} tekster i denne privatlivspolitik er oversat til brug i Placet fra "
        "vores egne tekster.",
    ),
    "document.translations.one": _t(
        "{count} of the {total} texts in this privacy policy was translated for Placet "
        "from our own texts.",
        "{count} nga {total} tekstet e kësaj politike të privatësisë është përkthyer për "
        "Placet nga tekstet tona origjinale.",
        "{count} tekst ove politike privatnosti (od ukupno {total}) preveden je za Placet "
        "iz naših izvornih tekstova.",
        "{count} af de {total} tekster i denne privatlivspolitik er oversat til brug i "
        "Placet fra vores egne tekster.",
    ),
    "document.translations.few": _t(
        "{count} of the {total} texts in this privacy policy were translated for Placet "
        "from our own texts.",
        "{count} nga {total} tekstet e kësaj politike të privatësisë janë përkthyer për "
        "Placet nga tekstet tona origjinale.",
        "{count} teksta ove politike privatnosti (od ukupno {total}) prevedena su za Placet "
        "iz naših izvornih tekstova.",
        "{count} af de {total} tekster i denne privatlivspolitik er oversat til brug i "
        "Placet fra vores egne tekster.",
    ),
    "document.translations.many": _t(
        "{count} of the {total} texts in this privacy policy were translated for Placet "
        "from our own texts.",
        "{count} nga {total} tekstet e kësaj politike të privatësisë janë përkthyer për "
        "Placet nga tekstet tona origjinale.",
        "{count} tekstova ove politike privatnosti (od ukupno {total}) prevedeno je za Placet "
        "iz naših izvornih tekstova.",
        "{count} af de {total} tekster i denne privatlivspolitik er oversat til brug i "
        "Placet fra vores egne tekster.",
    ),
    # In the source language a `!tr` text is not a translation of that language's own text:
    # Placet wrote it, or translated it from the operator's text in another language.
    "document.placet-wording.one": _t(
        "{count} of the {total} texts in this privacy policy was written or translated for "
        "Placet; the others are our own texts.",
        "{count} nga {total} tekstet e kësaj politike të privatësisë është shkruar ose "
        "përkthyer për Placet; të tjerat janë tekstet tona origjinale.",
        "{count} tekst ove politike privatnosti (od ukupno {total}) napisan je ili preveden "
        "za Placet; ostali su naši izvorni tekstovi.",
        "{count} af de {total} tekster i denne privatlivspolitik er skrevet eller oversat til "
        "brug i Placet; de øvrige er vores egne tekster.",
    ),
    "document.placet-wording.few": _t(
        "{count} of the {total} texts in this privacy policy were written or translated for "
        "Placet; the others are our own texts.",
        "{count} nga {total} tekstet e kësaj politike të privatësisë janë shkruar ose "
        "përkthyer për Placet; të tjerat janë tekstet tona origjinale.",
        "{count} teksta ove politike privatnosti (od ukupno {total}) napisana su ili prevedena "
        "za Placet; ostali su naši izvorni tekstovi.",
        "{count} af de {total} tekster i denne privatlivspolitik er skrevet eller oversat til "
        "brug i Placet; de øvrige er vores egne tekster.",
    ),
    "document.placet-wording.many": _t(
        "{count} of the {total} texts in this privacy policy were written or translated for "
        "Placet; the others are our own texts.",
        "{count} nga {total} tekstet e kësaj politike të privatësisë janë shkruar ose "
        "përkthyer për Placet; të tjerat janë tekstet tona origjinale.",
        "{count} tekstova ove politike privatnosti (od ukupno {total}) napisano je ili "
        "prevedeno za Placet; ostali su naši izvorni tekstovi.",
        "{count} af de {total} tekster i denne privatlivspolitik er skrevet eller oversat til "
        "brug i Placet; de øvrige er vores egne tekster.",
    ),
    "document.source-prevails": _t(
        "Where the versions differ, the {source} version prevails.",
        "Në rast mospërputhjeje, mbizotëron versioni në {source}.",
        "U slučaju razlika, merodavna je verzija na {source}.",
        "Hvis versionerne er forskellige, har versionen på {source} forrang.",
    ),
    "document.none": _t("None.", "Asnjë.", "Nema.", "Ingen."),
    "document.yes": _t("Yes", "Po", "Da", "Ja"),
    "document.date": _t(
        "{day} {month} {year}",
        "{day} {month} {year}",
        "{day}. {month} {year}",
        "{day}. {month} {year}",
    ),
}

# A language's name as it fills `{source}` in `document.source-prevails`: after "the"
# in English, after "në" in Albanian, after "na" (locative) in Serbian, after "på" in Danish.
_LANGUAGE_NAMES = {
    "language.en": _t("English", "anglisht", "engleskom jeziku", "engelsk"),
    "language.sq": _t("Albanian", "shqip", "albanskom jeziku", "albansk"),
    "language.sr": _t("Serbian", "serbisht", "srpskom jeziku", "serbisk"),
    "language.da": _t("Danish", "danisht", "danskom jeziku", "dansk"),
}

_MONTHS = {
    "month.1": _t("January", "janar", "januara", "januar"),
    "month.2": _t("February", "shkurt", "februara", "februar"),
    "month.3": _t("March", "mars", "marta", "marts"),
    "month.4": _t("April", "prill", "aprila", "april"),
    "month.5": _t("May", "maj", "maja", "maj"),
    "month.6": _t("June", "qershor", "juna", "juni"),
    "month.7": _t("July", "korrik", "jula", "juli"),
    "month.8": _t("August", "gusht", "avgusta", "august"),
    "month.9": _t("September", "shtator", "septembra", "september"),
    "month.10": _t("October", "tetor", "oktobra", "oktober"),
    "month.11": _t("November", "nëntor", "novembra", "november"),
    "month.12": _t("December", "dhjetor", "decembra", "december"),
}

# Serbian counts take three forms (1 godina, 2 godine, 5 godina); the others two.
_UNITS = {
    "unit.day.one": _t("day", "ditë", "dan", "dag"),
    "unit.day.few": _t("days", "ditë", "dana", "dage"),
    "unit.day.many": _t("days", "ditë", "dana", "dage"),
    "unit.month.one": _t("month", "muaj", "mesec", "måned"),
    "unit.month.few": _t("months", "muaj", "meseca", "måneder"),
    "unit.month.many": _t("months", "muaj", "meseci", "måneder"),
    "unit.year.one": _t("year", "vit", "godina", "år"),
    "unit.year.few": _t("years", "vjet", "godine", "år"),
    "unit.year.many": _t("years", "vjet", "godina", "år"),
}

_HEADINGS = {
    "heading.controller": _t("Who we are", "Kush jemi ne", "Ko smo mi", "Hvem vi er"),
    "heading.dpo": _t(
        "Data protection officer",
        "Zyrtari për mbrojtjen e të dhënave personale",
        "Službenik za zaštitu ličnih podataka",
        "Databeskyttelsesrådgiver (DPO)",
    ),
    "heading.law": _t(
        "The law we apply",
        "Ligji që zbatojmë",
        "Zakon koji primenjujemo",
        "Den lovgivning, vi følger",
    ),
    "heading.data": _t(
        "What data we process",
        "Çfarë të dhënash përpunojmë",
        "Koje podatke obrađujemo",
        "Hvilke personoplysninger vi behandler",
    ),
    "heading.sources": _t(
        "Where the data comes from",
        "Nga vijnë të dhënat",
        "Odakle potiču podaci",
        "Hvor oplysningerne kommer fra",
    ),
    "heading.purposes": _t(
        "Why we process data and on what legal basis",
        "Pse i përpunojmë të dhënat dhe mbi çfarë baze ligjore",
        "Zašto obrađujemo podatke i na kom pravnom osnovu",
        "Hvorfor vi behandler oplysningerne, og på hvilket retsgrundlag",
    ),
    "heading.consent": _t(
        "Your consent options",
        "Mundësitë tuaja të pëlqimit",
        "Vaše opcije saglasnosti",
        "Dine valg om samtykke",
    ),
    "heading.automated": _t(
        "Automated decisions and profiling",
        "Vendimmarrja e automatizuar dhe profilizimi",
        "Automatizovano donošenje odluka i profilisanje",
        "Automatiske afgørelser og profilering",
    ),
    "heading.recipients": _t(
        "Who receives data",
        "Kush i merr të dhënat",
        "Ko prima podatke",
        "Hvem der modtager oplysningerne",
    ),
    "heading.transfers": _t(
        "Transfers to third countries",
        "Transferimi në vende të treta",
        "Prenos u treće zemlje",
        "Overførsel til tredjelande",
    ),
    "heading.retention": _t(
        "How long we keep data",
        "Sa kohë i ruajmë të dhënat",
        "Koliko dugo čuvamo podatke",
        "Hvor længe vi opbevarer oplysningerne",
    ),
    "heading.rights": _t("Your rights", "Të drejtat tuaja", "Vaša prava", "Dine rettigheder"),
    "heading.requests": _t(
        "How to make a request",
        "Si të paraqisni një kërkesë",
        "Kako da podnesete zahtev",
        "Sådan sender du en anmodning",
    ),
    "heading.complaints": _t("Complaints", "Ankesat", "Pritužbe", "Klager"),
    "heading.provision": _t(
        "If you do not provide data",
        "Nëse nuk i jepni të dhënat",
        "Ako ne dostavite podatke",
        "Hvis du ikke giver os oplysningerne",
    ),
    "heading.security": _t("Security", "Siguria", "Bezbednost", "Sikkerhed"),
    "heading.cookies": _t("Cookies", "Cookies", "Kolačići", "Cookies"),
    "heading.minors": _t("Children", "Fëmijët", "Deca", "Børn"),
    "heading.version": _t(
        "Version and effective date",
        "Versioni dhe data e hyrjes në fuqi",
        "Verzija i datum stupanja na snagu",
        "Version og ikrafttræden",
    ),
}

_LABELS = {
    "label.controller": _t("Controller", "Kontrolluesi", "Kontrolor", "Dataansvarlig"),
    "label.owner": _t("Owner", "Pronari", "Vlasnik", "Ejer"),
    "label.address": _t("Address", "Adresa", "Adresa", "Adresse"),
    "label.registration": _t(
        "Registration number", "Numri i regjistrimit", "Matični broj", "Registreringsnummer"
    ),
    "label.country": _t("Country", "Shteti", "Zemlja", "Land"),
    "label.email": _t("E-mail", "E-mail", "E-pošta", "E-mail"),
    "label.phone": _t("Phone", "Telefoni", "Telefon", "Telefon"),
    "label.web": _t("Website", "Faqja e internetit", "Internet stranica", "Hjemmeside"),
    "label.name": _t("Name", "Emri", "Ime", "Navn"),
    "label.role": _t("Role", "Roli", "Uloga", "Rolle"),
    "label.authority": _t(
        "Supervisory authority", "Autoriteti mbikëqyrës", "Nadzorni organ", "Tilsynsmyndighed"
    ),
    "label.legal-basis": _t("Legal basis", "Baza ligjore", "Pravni osnov", "Retsgrundlag"),
    "label.legitimate-interest": _t(
        "Legitimate interest pursued",
        "Interesi legjitim që ndiqet",
        "Legitimni interes koji se ostvaruje",
        "Den legitime interesse, der forfølges",
    ),
    "label.legal-ground": _t("Legal ground", "Baza në ligj", "Zakonski osnov", "Hjemmel"),
    "label.categories": _t(
        "Data used", "Të dhënat që përdoren", "Podaci koji se koriste", "Oplysninger, der bruges"
    ),
    "label.data-categories": _t(
        "Data categories", "Kategoritë e të dhënave", "Kategorije podataka", "Datakategorier"
    ),
    "label.subjects": _t("Whose data", "Të dhënat e kujt", "Čiji podaci", "Hvis oplysninger"),
    "label.channels": _t("Channels", "Kanalet", "Kanali", "Kanaler"),
    "label.consent-options": _t(
        "Consent options that cover it",
        "Mundësitë e pëlqimit që e mbulojnë",
        "Opcije saglasnosti koje je obuhvataju",
        "Samtykker, der dækker det",
    ),
    "label.kind-of-data": _t(
        "Kind of data", "Lloji i të dhënave", "Vrsta podataka", "Type oplysninger"
    ),
    "label.examples": _t("Examples", "Shembuj", "Primeri", "Eksempler"),
    "label.origin": _t("Origin", "Prejardhja", "Poreklo", "Oprindelse"),
    "label.statement": _t(
        "What you agree to", "Çfarë pranoni", "Na šta pristajete", "Det, du siger ja til"
    ),
    "label.covers": _t(
        "Purposes covered", "Qëllimet që mbulon", "Obuhvaćene svrhe", "Omfattede formål"
    ),
    "label.withdraw": _t(
        "How to withdraw", "Si ta tërhiqni", "Kako da je povučete", "Sådan trækker du det tilbage"
    ),
    "label.kind": _t("Kind", "Lloji", "Vrsta", "Type"),
    "label.third-country": _t("Third country", "Vend i tretë", "Treća zemlja", "Tredjeland"),
    "label.safeguard": _t("Safeguard", "Masa mbrojtëse", "Zaštitna mera", "Garanti"),
    "label.purposes": _t("Purposes", "Qëllimet", "Svrhe", "Formål"),
    "label.period": _t("How long", "Sa kohë", "Koliko dugo", "Hvor længe"),
    "label.criteria": _t("Criteria", "Kriteret", "Kriterijumi", "Kriterier"),
    "label.action": _t(
        "What happens then", "Çfarë ndodh pastaj", "Šta se zatim dešava", "Hvad der så sker"
    ),
    "label.exceptions": _t("Exceptions", "Përjashtimet", "Izuzeci", "Undtagelser"),
    "label.how-to-use": _t(
        "How to use it", "Si ta ushtroni", "Kako da ga ostvarite", "Sådan gør du brug af den"
    ),
    "label.limits": _t("Limits", "Kufizimet", "Ograničenja", "Begrænsninger"),
    "label.identification": _t(
        "How we identify you",
        "Si ju identifikojmë",
        "Kako vas identifikujemo",
        "Sådan identificerer vi dig",
    ),
    "label.deadline": _t(
        "When we answer", "Kur përgjigjemi", "Kada odgovaramo", "Hvornår vi svarer"
    ),
    "label.to-controller": _t("Complain to us", "Ankohuni te ne", "Pritužba nama", "Klag til os"),
    "label.logic": _t(
        "The logic involved",
        "Logjika e përdorur",
        "Logika koja se primenjuje",
        "Den anvendte logik",
    ),
    "label.automated-purposes": _t(
        "Purposes that use profiling or automated decisions",
        "Qëllimet që përdorin profilizim ose vendime të automatizuara",
        "Svrhe koje koriste profilisanje ili automatizovane odluke",
        "Formål, der bruger profilering eller automatiske afgørelser",
    ),
    "label.required-data": _t(
        "Data required for the contract",
        "Të dhënat e nevojshme për kontratën",
        "Podaci neophodni za ugovor",
        "Oplysninger, der er nødvendige for aftalen",
    ),
    "label.cookie-purposes": _t(
        "What they are used for", "Për çfarë përdoren", "Za šta se koriste", "Hvad de bruges til"
    ),
    "label.banner": _t(
        "What the cookie banner says",
        "Çfarë thotë njoftimi për cookies",
        "Šta piše u baneru o kolačićima",
        "Hvad cookiebanneret siger",
    ),
    "label.accept": _t(
        "Button to accept", "Butoni për pranim", "Dugme za prihvatanje", "Knap til at acceptere"
    ),
    "label.reject": _t(
        "Button to refuse", "Butoni për refuzim", "Dugme za odbijanje", "Knap til at afvise"
    ),
    "label.more": _t(
        "Button for more information",
        "Butoni për më shumë informacion",
        "Dugme za više informacija",
        "Knap til mere information",
    ),
}

_SENTENCES = {
    "sentence.controller": _t(
        "{legal_name} (“{short_name}”) is the controller of your personal data.",
        "{legal_name} (“{short_name}”) është kontrolluesi i të dhënave tuaja personale.",
        "{legal_name} („{short_name}“) je kontrolor vaših ličnih podataka.",
        "{legal_name} (”{short_name}”) er dataansvarlig for dine personoplysninger.",
    ),
    "sentence.withdraw-any-time": _t(
        "You can withdraw your consent at any time; this does not affect processing "
        "before the withdrawal.",
        "Pëlqimin mund ta tërhiqni në çdo kohë; kjo nuk ndikon në përpunimin e bërë "
        "para tërheqjes.",
        "Saglasnost možete povući u bilo kom trenutku; to ne utiče na zakonitost obrade "
        "pre povlačenja.",
        "Du kan til enhver tid trække dit samtykke tilbage; det berører ikke lovligheden "
        "af behandlingen før tilbagetrækningen.",
    ),
    "sentence.transfers-yes": _t(
        "We transfer personal data to third countries.",
        "Ne transferojmë të dhëna personale në vende të treta.",
        "Lične podatke prenosimo u treće zemlje.",
        "Vi overfører personoplysninger til tredjelande.",
    ),
    "sentence.transfers-no": _t(
        "We do not transfer personal data to third countries.",
        "Ne nuk transferojmë të dhëna personale në vende të treta.",
        "Lične podatke ne prenosimo u treće zemlje.",
        "Vi overfører ikke personoplysninger til tredjelande.",
    ),
    "sentence.automated-yes": _t(
        "We use automated decision-making.",
        "Ne përdorim vendimmarrje të automatizuar.",
        "Koristimo automatizovano donošenje odluka.",
        "Vi anvender automatiske afgørelser.",
    ),
    "sentence.automated-no": _t(
        "We do not make decisions based solely on automated processing.",
        "Ne nuk marrim vendime që bazohen vetëm në përpunim të automatizuar.",
        "Ne donosimo odluke zasnovane isključivo na automatizovanoj obradi.",
        "Vi træffer ikke afgørelser, der alene er baseret på automatisk behandling.",
    ),
    "sentence.profiling-yes": _t(
        "We use profiling.",
        "Ne përdorim profilizim.",
        "Koristimo profilisanje.",
        "Vi anvender profilering.",
    ),
    "sentence.profiling-no": _t(
        "We do not use profiling.",
        "Ne nuk përdorim profilizim.",
        "Ne koristimo profilisanje.",
        "Vi anvender ikke profilering.",
    ),
    "sentence.deadline": _t(
        "We answer within {period} of receiving your request.",
        "Ne ju përgjigjemi jo më vonë se {period} nga marrja e kërkesës suaj.",
        "Odgovaramo najkasnije za {period} od prijema vašeg zahteva.",
        "Vi svarer inden for {period} efter at have modtaget din anmodning.",
    ),
    "sentence.extension-reason": _t(
        "This can be extended to {total} in total, and we tell you why.",
        "Ky afat mund të zgjatet deri në {total} gjithsej, dhe ju tregojmë arsyen.",
        "Rok se može produžiti na ukupno {total}, i tada vam navodimo razlog.",
        "Fristen kan forlænges til i alt {total}, og så fortæller vi dig hvorfor.",
    ),
    "sentence.extension": _t(
        "This can be extended to {total} in total.",
        "Ky afat mund të zgjatet deri në {total} gjithsej.",
        "Rok se može produžiti na ukupno {total}.",
        "Fristen kan forlænges til i alt {total}.",
    ),
    "sentence.minors": _t(
        "For us you are a child if you are under {age}.",
        "Për ne jeni fëmijë nëse jeni nën {age} vjeç.",
        "Za nas ste dete ako ste mlađi od {age} godina.",
        "For os er du et barn, hvis du er under {age} år.",
    ),
    "sentence.necessary-cookie": _t(
        "Always active: the website needs them to work.",
        "Gjithmonë aktive: faqja ka nevojë për to që të funksionojë.",
        "Uvek aktivni: internet stranici su neophodni za rad.",
        "Altid aktive: hjemmesiden har brug for dem for at fungere.",
    ),
    "sentence.does-not-apply-to": _t(
        "This rule does not apply to processing based on: {bases}.",
        "Ky rregull nuk zbatohet për përpunimin që bazohet në: {bases}.",
        "Ovo pravilo se ne primenjuje na obradu zasnovanu na: {bases}.",
        "Reglen gælder ikke for behandling på grundlag af: {bases}.",
    ),
}

_CONDITIONS = {
    "condition.traffic-location-consent": _t(
        "Traffic and location data are used for this only with your prior consent.",
        "Të dhënat e trafikut dhe të vendndodhjes përdoren për këtë vetëm me pëlqimin "
        "tuaj paraprak.",
        "Podaci o saobraćaju i lokaciji koriste se u ovu svrhu samo uz vašu prethodnu saglasnost.",
        "Trafik- og lokationsdata bruges kun til dette med dit forudgående samtykke.",
    ),
    "condition.unless-anonymised": _t(
        "No consent is needed once the data has been anonymised.",
        "Pëlqimi nuk nevojitet kur të dhënat janë anonimizuar.",
        "Saglasnost nije potrebna ako su podaci prethodno anonimizovani.",
        "Der kræves ikke samtykke, når oplysningerne er anonymiseret.",
    ),
    "condition.objection-stops": _t(
        "If you object, we stop this processing for you.",
        "Nëse e kundërshtoni, ne e ndërpresim këtë përpunim për ju.",
        "Ako uložite prigovor, prestajemo sa ovom obradom vaših podataka.",
        "Hvis du gør indsigelse, stopper vi denne behandling af dine oplysninger.",
    ),
    "condition.objection-overrides": _t(
        "Our compelling legitimate grounds for this processing override an objection.",
        "Arsyet tona legjitime bindëse për këtë përpunim mbizotërojnë mbi kundërshtimin.",
        "Naši uverljivi legitimni razlozi za ovu obradu preovlađuju nad prigovorom.",
        "Vores vægtige legitime grunde til denne behandling går forud for en indsigelse.",
    ),
    "condition.objection-not-applicable": _t(
        "The right to object does not apply to this processing.",
        "E drejta e kundërshtimit nuk zbatohet për këtë përpunim.",
        "Pravo na prigovor se ne primenjuje na ovu obradu.",
        "Retten til indsigelse gælder ikke for denne behandling.",
    ),
    "condition.consent-withdraw": _t(
        "You can withdraw your consent at any time, and we then stop.",
        "Pëlqimin mund ta tërhiqni në çdo kohë, dhe atëherë ne ndalojmë.",
        "Saglasnost možete povući u bilo kom trenutku, i tada prestajemo sa obradom.",
        "Du kan til enhver tid trække dit samtykke tilbage, og så stopper vi.",
    ),
    "condition.direct-marketing": _t(
        "This is direct marketing: you can object to it at any time, and we then stop.",
        "Ky është marketing i drejtpërdrejtë: mund ta kundërshtoni në çdo kohë, dhe "
        "atëherë ne ndalojmë.",
        "Ovo je direktni marketing: možete mu se usprotiviti u bilo kom trenutku, i tada "
        "prestajemo.",
        "Dette er direkte markedsføring: du kan til enhver tid gøre indsigelse, og så stopper vi.",
    ),
    "condition.minors-consent-age": _t(
        "For children under {age}, only with consent.",
        "Për fëmijët nën {age} vjeç, vetëm me pëlqim.",
        "Za decu mlađu od {age} godina samo uz saglasnost.",
        "For børn under {age} år kun med samtykke.",
    ),
    "condition.minors-consent": _t(
        "For children, only with consent.",
        "Për fëmijët, vetëm me pëlqim.",
        "Za decu samo uz saglasnost.",
        "For børn kun med samtykke.",
    ),
    "condition.minors-never-age": _t(
        "Never for children under {age}.",
        "Asnjëherë për fëmijët nën {age} vjeç.",
        "Nikada za decu mlađu od {age} godina.",
        "Aldrig for børn under {age} år.",
    ),
    "condition.minors-never": _t(
        "Never for children.", "Asnjëherë për fëmijët.", "Nikada za decu.", "Aldrig for børn."
    ),
    "condition.post-contract": _t(
        "It continues for up to {period} after your last contract ends.",
        "Vazhdon deri në {period} pas përfundimit të kontratës suaj të fundit.",
        "Nastavlja se još najviše {period} nakon prestanka vašeg poslednjeg ugovora.",
        "Det fortsætter i op til {period}, efter at din sidste aftale er ophørt.",
    ),
    "condition.consent-option": _t(
        "Only if you have chosen: {options}.",
        "Vetëm nëse keni zgjedhur: {options}.",
        "Samo ako ste izabrali: {options}.",
        "Kun hvis du har valgt: {options}.",
    ),
    "condition.aggregated-only": _t(
        "Only on data aggregated over many subscribers, never about you alone.",
        "Vetëm mbi të dhëna të agreguara të shumë pajtimtarëve, asnjëherë vetëm për ju.",
        "Samo na zbirnim podacima mnogih pretplatnika, nikada samo o vama.",
        "Kun på oplysninger samlet for mange kunder, aldrig om dig alene.",
    ),
    "condition.location-precision": _t(
        "The most precise location used: {precision}.",
        "Vendndodhja më e saktë që përdoret: {precision}.",
        "Najpreciznija lokacija koja se koristi: {precision}.",
        "Den mest præcise lokation, der bruges: {precision}.",
    ),
    "condition.business-opt-out": _t(
        "A business can opt out in writing at any time; we honour it within {period}.",
        "Një subjekt afarist mund të tërhiqet me shkrim në çdo kohë; ne e zbatojmë këtë "
        "jo më vonë se {period}.",
        "Poslovni subjekt se u svakom trenutku može pismeno odjaviti; to poštujemo "
        "najkasnije za {period}.",
        "En virksomhed kan til enhver tid framelde sig skriftligt; vi efterkommer det "
        "inden for {period}.",
    ),
    "condition.subject-initiated": _t(
        "Only when you ask for it.",
        "Vetëm kur ju e kërkoni.",
        "Samo kada vi to zatražite.",
        "Kun når du selv beder om det.",
    ),
    "condition.profiling": _t(
        "It involves profiling.",
        "Përfshin profilizim.",
        "Uključuje profilisanje.",
        "Det omfatter profilering.",
    ),
    "condition.automated-decisions": _t(
        "It involves automated decisions.",
        "Përfshin vendime të automatizuara.",
        "Uključuje automatizovano donošenje odluka.",
        "Det omfatter automatiske afgørelser.",
    ),
    "condition.required-for-contract": _t(
        "Providing this data is required to conclude or perform the contract.",
        "Dhënia e këtyre të dhënave është e nevojshme për lidhjen ose zbatimin e kontratës.",
        "Dostavljanje ovih podataka je neophodno za zaključenje ili izvršenje ugovora.",
        "Det er nødvendigt at give disse oplysninger for at indgå eller opfylde aftalen.",
    ),
    "precision.country": _t("the country", "shteti", "zemlja", "landet"),
    "precision.cell": _t(
        "the mobile network cell",
        "qeliza e rrjetit mobil",
        "ćelija mobilne mreže",
        "mobilnetværkets celle",
    ),
    "precision.exact": _t(
        "the exact position", "pozicioni i saktë", "tačan položaj", "den præcise position"
    ),
}

_RETENTION = {
    "retention.at-most": _t(
        "at most {period}", "jo më shumë se {period}", "najduže {period}", "højst {period}"
    ),
    "retention.at-least": _t(
        "at least {period}", "të paktën {period}", "najmanje {period}", "mindst {period}"
    ),
    "retention.whichever-later": _t(
        "whichever is later",
        "cilado që vjen më vonë",
        "u zavisnosti od toga šta nastupi kasnije",
        "alt efter hvad der indtræffer sidst",
    ),
    "retention.or": _t("or", "ose", "ili", "eller"),
    "retention.no-period": _t(
        "No fixed period", "Pa afat të caktuar", "Bez utvrđenog roka", "Ingen fast periode"
    ),
    "action.delete": _t(
        "The data is deleted.",
        "Të dhënat fshihen.",
        "Podaci se brišu.",
        "Oplysningerne slettes.",
    ),
    "action.anonymise": _t(
        "The data is anonymised.",
        "Të dhënat anonimizohen.",
        "Podaci se anonimizuju.",
        "Oplysningerne anonymiseres.",
    ),
    "action.restrict": _t(
        "Processing is restricted.",
        "Përpunimi i tyre kufizohet.",
        "Obrada se ograničava.",
        "Behandlingen begrænses.",
    ),
    "action.keep": _t(
        "The data may be kept without a time limit.",
        "Të dhënat mund të ruhen pa afat kohor.",
        "Podaci se mogu čuvati bez vremenskog ograničenja.",
        "Oplysningerne kan opbevares uden tidsbegrænsning.",
    ),
}

_ANCHORS = {
    "anchor-from.collection": _t(
        "from collection", "nga mbledhja", "od prikupljanja", "fra indsamlingen"
    ),
    "anchor-from.end-of-year": _t(
        "from the end of the year the record belongs to",
        "nga fundi i vitit të cilit i përket regjistrimi",
        "od kraja godine na koju se zapis odnosi",
        "fra udgangen af det år, som oplysningerne vedrører",
    ),
    "anchor-from.end-of-last-contract": _t(
        "from the end of the last contract",
        "nga përfundimi i kontratës së fundit",
        "od prestanka poslednjeg ugovora",
        "fra ophøret af den sidste aftale",
    ),
    "anchor-from.debt-settled": _t(
        "from the settlement of any outstanding debt",
        "nga shlyerja e borxhit të papaguar",
        "od izmirenja neplaćenog duga",
        "fra betalingen af eventuel udestående gæld",
    ),
    "anchor-from.claims-time-barred": _t(
        "from when all claims are time-barred",
        "nga parashkrimi i të gjitha kërkesave",
        "od zastarevanja svih potraživanja",
        "fra alle krav er forældede",
    ),
    "anchor-from.end-of-investment": _t(
        "from the end of the investment",
        "nga përfundimi i investimit",
        "od završetka ulaganja",
        "fra investeringens ophør",
    ),
    "anchor-from.consent-withdrawn": _t(
        "from the withdrawal of consent",
        "nga tërheqja e pëlqimit",
        "od povlačenja saglasnosti",
        "fra samtykket trækkes tilbage",
    ),
    "anchor-from.objection": _t(
        "from your objection or opt-out",
        "nga kundërshtimi ose tërheqja juaj",
        "od vašeg prigovora ili odjave",
        "fra din indsigelse eller framelding",
    ),
    "anchor-from.end-of-campaign": _t(
        "from the end of the contact campaign",
        "nga përfundimi i fushatës së kontaktit",
        "od završetka kontakt kampanje",
        "fra kontaktkampagnens afslutning",
    ),
    "anchor-from.purpose-fulfilled": _t(
        "from when the data is no longer needed for its purpose",
        "nga momenti kur të dhënat nuk nevojiten më për qëllimin e tyre",
        "od trenutka kada podaci više nisu potrebni za svoju svrhu",
        "fra oplysningerne ikke længere er nødvendige til formålet",
    ),
    "anchor-until.collection": _t(
        "until collection", "deri në mbledhjen e tyre", "do prikupljanja", "indtil indsamlingen"
    ),
    "anchor-until.end-of-year": _t(
        "until the end of the year the record belongs to",
        "deri në fund të vitit të cilit i përket regjistrimi",
        "do kraja godine na koju se zapis odnosi",
        "indtil udgangen af det år, som oplysningerne vedrører",
    ),
    "anchor-until.end-of-last-contract": _t(
        "until the end of the last contract",
        "deri në përfundimin e kontratës së fundit",
        "do prestanka poslednjeg ugovora",
        "indtil den sidste aftale ophører",
    ),
    "anchor-until.debt-settled": _t(
        "until any outstanding debt is settled",
        "deri në shlyerjen e borxhit të papaguar",
        "do izmirenja neplaćenog duga",
        "indtil eventuel udestående gæld er betalt",
    ),
    "anchor-until.claims-time-barred": _t(
        "until all claims are time-barred",
        "deri në parashkrimin e të gjitha kërkesave",
        "do zastarevanja svih potraživanja",
        "indtil alle krav er forældede",
    ),
    "anchor-until.end-of-investment": _t(
        "until the end of the investment",
        "deri në përfundimin e investimit",
        "do završetka ulaganja",
        "indtil investeringen ophører",
    ),
    "anchor-until.consent-withdrawn": _t(
        "until consent is withdrawn",
        "deri në tërheqjen e pëlqimit",
        "do povlačenja saglasnosti",
        "indtil samtykket trækkes tilbage",
    ),
    "anchor-until.objection": _t(
        "until you object or opt out",
        "derisa të kundërshtoni ose të tërhiqeni",
        "dok ne uložite prigovor ili se odjavite",
        "indtil du gør indsigelse eller framelder dig",
    ),
    "anchor-until.end-of-campaign": _t(
        "until the end of the contact campaign",
        "deri në përfundimin e fushatës së kontaktit",
        "do završetka kontakt kampanje",
        "indtil kontaktkampagnen afsluttes",
    ),
    "anchor-until.purpose-fulfilled": _t(
        "until the data is no longer needed for its purpose",
        "derisa të dhënat të mos nevojiten më për qëllimin e tyre",
        "dok podaci ne prestanu da budu potrebni za svoju svrhu",
        "indtil oplysningerne ikke længere er nødvendige til formålet",
    ),
}

_LEGAL_BASES = {
    "legal-basis.consent": _t("Consent", "Pëlqimi", "Saglasnost", "Samtykke"),
    "legal-basis.contract": _t(
        "Performance of a contract",
        "Zbatimi i kontratës",
        "Izvršenje ugovora",
        "Opfyldelse af en aftale",
    ),
    "legal-basis.legal-obligation": _t(
        "Legal obligation", "Detyrim ligjor", "Zakonska obaveza", "Retlig forpligtelse"
    ),
    "legal-basis.vital-interest": _t(
        "Vital interests", "Interesat jetësore", "Životni interesi", "Vitale interesser"
    ),
    "legal-basis.public-task": _t(
        "Task carried out in the public interest",
        "Detyrë në interes publik",
        "Obavljanje poslova u javnom interesu",
        "Opgave i samfundets interesse",
    ),
    "legal-basis.legitimate-interest": _t(
        "Legitimate interests", "Interesi legjitim", "Legitimni interes", "Legitime interesser"
    ),
}

_CHANNELS = {
    "channel.sms": _t("SMS", "SMS", "SMS", "sms"),
    "channel.mms": _t("MMS", "MMS", "MMS", "mms"),
    "channel.email": _t("e-mail", "postë elektronike", "e-pošta", "e-mail"),
    "channel.post": _t("post", "postë tradicionale", "pošta", "brev"),
    "channel.call": _t("phone call", "thirrje telefonike", "telefonski poziv", "telefonopkald"),
    "channel.video-call": _t("video call", "video-thirrje", "video-poziv", "videoopkald"),
    "channel.tv": _t("television", "televizion", "televizija", "tv"),
    "channel.multimedia": _t(
        "multimedia platforms",
        "platforma multimediale",
        "multimedijalne platforme",
        "multimedieplatforme",
    ),
    "channel.app": _t("apps", "aplikacione", "aplikacije", "apps"),
    "channel.web": _t("website", "faqja e internetit", "internet stranica", "hjemmeside"),
    "channel.social": _t("social networks", "rrjete sociale", "društvene mreže", "sociale medier"),
    "channel.in-person": _t("in person", "personalisht", "lično", "personligt"),
    "channel.home-visit": _t("home visit", "vizitë në shtëpi", "kućna poseta", "hjemmebesøg"),
    "channel.shop": _t(
        "our shops", "pikat tona të shitjes", "naša prodajna mesta", "vores butikker"
    ),
    "channel.unsubscribe-link": _t(
        "the unsubscribe link", "lidhja për çregjistrim", "link za odjavu", "afmeldingslinket"
    ),
    "channel.cookie-banner": _t(
        "the cookie banner", "njoftimi për cookies", "baner o kolačićima", "cookiebanneret"
    ),
    "channel.browser-settings": _t(
        "browser settings",
        "cilësimet e shfletuesit",
        "podešavanja pregledača",
        "browserindstillinger",
    ),
}

_FLAGS = {
    "flag.traffic": _t("traffic data", "të dhëna trafiku", "podaci o saobraćaju", "trafikdata"),
    "flag.location": _t(
        "location data", "të dhëna vendndodhjeje", "podaci o lokaciji", "lokationsdata"
    ),
    "flag.special": _t(
        "special category of personal data",
        "kategori e veçantë e të dhënave personale",
        "posebna kategorija ličnih podataka",
        "særlig kategori af personoplysninger",
    ),
    "flag.minors": _t(
        "data about children", "të dhëna për fëmijë", "podaci o deci", "oplysninger om børn"
    ),
    "flag.identifier": _t(
        "direct identifier",
        "identifikues i drejtpërdrejtë",
        "neposredni identifikator",
        "direkte identifikator",
    ),
    "flag.financial": _t(
        "financial data", "të dhëna financiare", "finansijski podaci", "økonomiske oplysninger"
    ),
    "flag.online-identifier": _t(
        "online identifier",
        "identifikues në internet",
        "mrežni identifikator",
        "onlineidentifikator",
    ),
    "flag.communications-content": _t(
        "content of communications",
        "përmbajtje e komunikimit",
        "sadržaj komunikacije",
        "indhold af kommunikation",
    ),
    "flag.aggregated": _t(
        "aggregated data only",
        "vetëm të dhëna të agreguara",
        "samo zbirni podaci",
        "kun aggregerede oplysninger",
    ),
    "flag.public": _t(
        "publicly available data",
        "të dhëna të disponueshme publikisht",
        "javno dostupni podaci",
        "offentligt tilgængelige oplysninger",
    ),
}

_RECIPIENTS = {
    "recipient-kind.processor": _t("processor", "përpunues", "obrađivač", "databehandler"),
    "recipient-kind.joint-controller": _t(
        "joint controller",
        "kontrollues i përbashkët",
        "zajednički kontrolor",
        "fælles dataansvarlig",
    ),
    "recipient-kind.independent-controller": _t(
        "independent controller",
        "kontrollues i pavarur",
        "samostalni kontrolor",
        "selvstændig dataansvarlig",
    ),
    "recipient-kind.authority": _t(
        "public authority", "autoritet publik", "državni organ", "offentlig myndighed"
    ),
    "recipient-kind.debt-buyer": _t(
        "buyer of claims",
        "blerës i borxheve",
        "preuzimalac potraživanja",
        "erhverver af fordringer",
    ),
    "recipient-kind.directory-service": _t(
        "directory service",
        "shërbim i numëratorit telefonik",
        "služba imenika",
        "nummeroplysningstjeneste",
    ),
    "recipient-kinds.processor": _t("Processors", "Përpunuesit", "Obrađivači", "Databehandlere"),
    "recipient-kinds.joint-controller": _t(
        "Joint controllers",
        "Kontrolluesit e përbashkët",
        "Zajednički kontrolori",
        "Fælles dataansvarlige",
    ),
    "recipient-kinds.independent-controller": _t(
        "Independent controllers",
        "Kontrolluesit e pavarur",
        "Samostalni kontrolori",
        "Selvstændige dataansvarlige",
    ),
    "recipient-kinds.authority": _t(
        "Public authorities", "Autoritetet publike", "Državni organi", "Offentlige myndigheder"
    ),
    "recipient-kinds.debt-buyer": _t(
        "Buyers of claims",
        "Blerësit e borxheve",
        "Preuzimaoci potraživanja",
        "Erhververe af fordringer",
    ),
    "recipient-kinds.directory-service": _t(
        "Directory services",
        "Shërbimet e numëratorit telefonik",
        "Službe imenika",
        "Nummeroplysningstjenester",
    ),
}

_SAFEGUARDS = {
    "safeguard.adequacy": _t(
        "adequacy decision",
        "vendim për nivel të përshtatshëm mbrojtjeje",
        "odluka o adekvatnom nivou zaštite",
        "tilstrækkelighedsafgørelse",
    ),
    "safeguard.standard-contractual-clauses": _t(
        "standard contractual clauses",
        "klauzola standarde kontraktuale",
        "standardne ugovorne klauzule",
        "standardkontraktbestemmelser",
    ),
    "safeguard.binding-corporate-rules": _t(
        "binding corporate rules",
        "rregulla detyruese të korporatës",
        "obavezujuća korporativna pravila",
        "bindende virksomhedsregler",
    ),
    "safeguard.data-processing-agreement": _t(
        "a data processing agreement with the safeguards the law requires",
        "marrëveshje për përpunimin e të dhënave me masat mbrojtëse që kërkon ligji",
        "ugovor o obradi podataka sa zaštitnim merama koje zakon zahteva",
        "en databehandleraftale med de garantier, som loven kræver",
    ),
    "safeguard.contract-performance-derogation": _t(
        "necessary to perform your contract (for example roaming or calls abroad)",
        "e nevojshme për zbatimin e kontratës suaj (për shembull roaming ose thirrje "
        "jashtë vendit)",
        "neophodno za izvršenje vašeg ugovora (na primer roming ili pozivi u inostranstvo)",
        "nødvendigt for at opfylde din aftale (for eksempel roaming eller opkald til udlandet)",
    ),
    "safeguard.none": _t("no safeguard", "pa masë mbrojtëse", "bez zaštitne mere", "ingen garanti"),
}

_RIGHTS = {
    "right.information": _t(
        "Right to be informed",
        "E drejta për t'u informuar",
        "Pravo na informisanje",
        "Ret til information",
    ),
    "right.access": _t(
        "Right of access", "E drejta e qasjes", "Pravo na pristup", "Ret til indsigt"
    ),
    "right.printed-copy": _t(
        "Right to a printed copy",
        "E drejta për kopje të shtypur",
        "Pravo na štampanu kopiju",
        "Ret til en udskrevet kopi",
    ),
    "right.rectification": _t(
        "Right to rectification",
        "E drejta e korrigjimit",
        "Pravo na ispravku",
        "Ret til berigtigelse",
    ),
    "right.erasure": _t(
        "Right to erasure", "E drejta e fshirjes", "Pravo na brisanje", "Ret til sletning"
    ),
    "right.restriction": _t(
        "Right to restriction of processing",
        "E drejta e kufizimit të përpunimit",
        "Pravo na ograničenje obrade",
        "Ret til begrænsning af behandling",
    ),
    "right.objection": _t(
        "Right to object", "E drejta e kundërshtimit", "Pravo na prigovor", "Ret til indsigelse"
    ),
    "right.portability": _t(
        "Right to data portability",
        "E drejta e bartshmërisë së të dhënave",
        "Pravo na prenosivost podataka",
        "Ret til dataportabilitet",
    ),
    "right.withdraw-consent": _t(
        "Right to withdraw consent",
        "E drejta për të tërhequr pëlqimin",
        "Pravo na povlačenje saglasnosti",
        "Ret til at trække samtykke tilbage",
    ),
    "right.automated-decisions": _t(
        "Right not to be subject to automated decisions",
        "E drejta për të mos iu nënshtruar vendimeve të automatizuara",
        "Pravo da se na vas ne primenjuju automatizovane odluke",
        "Ret til ikke at være genstand for automatiske afgørelser",
    ),
    "right.complaint": _t(
        "Right to lodge a complaint",
        "E drejta për të paraqitur ankesë",
        "Pravo na pritužbu",
        "Ret til at klage",
    ),
}

_ORIGINS = {
    "origin.subject": _t("from you", "nga ju", "od vas", "fra dig"),
    "origin.observed": _t(
        "from your use of our services",
        "nga përdorimi juaj i shërbimeve tona",
        "iz vašeg korišćenja naših usluga",
        "fra din brug af vores tjenester",
    ),
    "origin.third-party": _t(
        "from third parties", "nga palë të treta", "od trećih lica", "fra tredjeparter"
    ),
    "origin.public": _t(
        "from public sources", "nga burime publike", "iz javnih izvora", "fra offentlige kilder"
    ),
}

_ROPA = {
    "ropa.title": _t(
        "Record of processing activities",
        "Regjistri i veprimtarive të përpunimit",
        "Evidencija radnji obrade",
        "Fortegnelse over behandlingsaktiviteter",
    ),
    "ropa.purpose-id": _t("Purpose id", "Id e qëllimit", "Oznaka svrhe", "Formål-id"),
    "ropa.purpose": _t("Purpose", "Qëllimi", "Svrha", "Formål"),
    "ropa.description": _t("Description", "Përshkrimi", "Opis", "Beskrivelse"),
    "ropa.controller-contact": _t(
        "Controller contact",
        "Kontakti i kontrolluesit",
        "Kontakt kontrolora",
        "Den dataansvarliges kontaktoplysninger",
    ),
    "ropa.dpo-contact": _t(
        "DPO contact",
        "Kontakti i zyrtarit për mbrojtjen e të dhënave",
        "Kontakt službenika za zaštitu podataka",
        "Databeskyttelsesrådgiverens kontaktoplysninger",
    ),
    "ropa.subjects": _t(
        "Categories of data subjects",
        "Kategoritë e subjekteve të të dhënave",
        "Kategorije lica na koja se podaci odnose",
        "Kategorier af registrerede",
    ),
    "ropa.categories": _t(
        "Categories of personal data",
        "Kategoritë e të dhënave personale",
        "Kategorije ličnih podataka",
        "Kategorier af personoplysninger",
    ),
    "ropa.recipients": _t(
        "Categories of recipients",
        "Kategoritë e marrësve",
        "Kategorije primalaca",
        "Kategorier af modtagere",
    ),
    "ropa.transfers": _t(
        "Transfers to third countries and safeguards",
        "Transferimet në vende të treta dhe masat mbrojtëse",
        "Prenosi u treće zemlje i zaštitne mere",
        "Overførsler til tredjelande og garantier",
    ),
    "ropa.retention": _t(
        "Time limits for erasure",
        "Afatet për fshirje",
        "Rokovi za brisanje",
        "Tidsfrister for sletning",
    ),
    "ropa.security": _t(
        "Technical and organisational security measures",
        "Masat teknike dhe organizative të sigurisë",
        "Tehničke i organizacione mere zaštite",
        "Tekniske og organisatoriske sikkerhedsforanstaltninger",
    ),
    "ropa.policy": _t("Policy", "Politika", "Politika", "Politik"),
    "ropa.policy-version": _t(
        "Policy version", "Versioni i politikës", "Verzija politike", "Politikkens version"
    ),
    "ropa.effective-from": _t("In force from", "Në fuqi nga", "Na snazi od", "Gældende fra"),
}

# The countries the reference policies name, the rest of the EU/EEA, and the third
# countries a telecom operator is likely to name. A code missing here is printed as is.
_COUNTRIES = {
    "country.AL": _t("Albania", "Shqipëria", "Albanija", "Albanien"),
    "country.AT": _t("Austria", "Austria", "Austrija", "Østrig"),
    "country.BA": _t(
        "Bosnia and Herzegovina",
        "Bosnja dhe Hercegovina",
        "Bosna i Hercegovina",
        "Bosnien-Hercegovina",
    ),
    "country.BE": _t("Belgium", "Belgjika", "Belgija", "Belgien"),
    "country.BG": _t("Bulgaria", "Bullgaria", "Bugarska", "Bulgarien"),
    "country.CA": _t("Canada", "Kanada", "Kanada", "Canada"),
    "country.CH": _t("Switzerland", "Zvicra", "Švajcarska", "Schweiz"),
    "country.CN": _t("China", "Kina", "Kina", "Kina"),
    "country.CY": _t("Cyprus", "Qiproja", "Kipar", "Cypern"),
    "country.CZ": _t("Czechia", "Çekia", "Češka", "Tjekkiet"),
    "country.DE": _t("Germany", "Gjermania", "Nemačka", "Tyskland"),
    "country.DK": _t("Denmark", "Danimarka", "Danska", "Danmark"),
    "country.EE": _t("Estonia", "Estonia", "Estonija", "Estland"),
    "country.ES": _t("Spain", "Spanja", "Španija", "Spanien"),
    "country.FI": _t("Finland", "Finlanda", "Finska", "Finland"),
    "country.FR": _t("France", "Franca", "Francuska", "Frankrig"),
    "country.GB": _t(
        "United Kingdom", "Mbretëria e Bashkuar", "Ujedinjeno Kraljevstvo", "Storbritannien"
    ),
    "country.GR": _t("Greece", "Greqia", "Grčka", "Grækenland"),
    "country.HR": _t("Croatia", "Kroacia", "Hrvatska", "Kroatien"),
    "country.HU": _t("Hungary", "Hungaria", "Mađarska", "Ungarn"),
    "country.IE": _t("Ireland", "Irlanda", "Irska", "Irland"),
    "country.IL": _t("Israel", "Izraeli", "Izrael", "Israel"),
    "country.IN": _t("India", "India", "Indija", "Indien"),
    "country.IS": _t("Iceland", "Islanda", "Island", "Island"),
    "country.IT": _t("Italy", "Italia", "Italija", "Italien"),
    "country.JP": _t("Japan", "Japonia", "Japan", "Japan"),
    "country.LI": _t("Liechtenstein", "Lihtenshtajni", "Lihtenštajn", "Liechtenstein"),
    "country.LT": _t("Lithuania", "Lituania", "Litvanija", "Litauen"),
    "country.LU": _t("Luxembourg", "Luksemburgu", "Luksemburg", "Luxembourg"),
    "country.LV": _t("Latvia", "Letonia", "Letonija", "Letland"),
    "country.ME": _t("Montenegro", "Mali i Zi", "Crna Gora", "Montenegro"),
    "country.MK": _t(
        "North Macedonia", "Maqedonia e Veriut", "Severna Makedonija", "Nordmakedonien"
    ),
    "country.MT": _t("Malta", "Malta", "Malta", "Malta"),
    "country.NL": _t("Netherlands", "Holanda", "Holandija", "Nederlandene"),
    "country.NO": _t("Norway", "Norvegjia", "Norveška", "Norge"),
    "country.PL": _t("Poland", "Polonia", "Poljska", "Polen"),
    "country.PT": _t("Portugal", "Portugalia", "Portugalija", "Portugal"),
    "country.RO": _t("Romania", "Rumania", "Rumunija", "Rumænien"),
    "country.RS": _t("Serbia", "Serbia", "Srbija", "Serbien"),
    "country.SE": _t("Sweden", "Suedia", "Švedska", "Sverige"),
    "country.SI": _t("Slovenia", "Sllovenia", "Slovenija", "Slovenien"),
    "country.SK": _t("Slovakia", "Sllovakia", "Slovačka", "Slovakiet"),
    "country.TR": _t("Türkiye", "Turqia", "Turska", "Tyrkiet"),
    "country.UA": _t("Ukraine", "Ukraina", "Ukrajina", "Ukraine"),
    "country.US": _t(
        "United States", "Shtetet e Bashkuara të Amerikës", "Sjedinjene Američke Države", "USA"
    ),
    "country.XK": _t("Kosovo", "Kosova", "Kosovo", "Kosovo"),
}

PHRASES: Final[dict[str, dict[str, str]]] = {
    **_DOCUMENT,
    **_LANGUAGE_NAMES,
    **_MONTHS,
    **_UNITS,
    **_HEADINGS,
    **_LABELS,
    **_SENTENCES,
    **_CONDITIONS,
    **_RETENTION,
    **_ANCHORS,
    **_LEGAL_BASES,
    **_CHANNELS,
    **_FLAGS,
    **_RECIPIENTS,
    **_SAFEGUARDS,
    **_RIGHTS,
    **_ORIGINS,
    **_ROPA,
    **_COUNTRIES,
}
"""Every fixed text, by key, then by language."""

_ENUM_PREFIXES: Final[dict[type[StrEnum], str]] = {
    LegalBasis: "legal-basis",
    Channel: "channel",
    CategoryFlag: "flag",
    RetentionAction: "action",
    RecipientKind: "recipient-kind",
    TransferSafeguard: "safeguard",
    RightKind: "right",
}
"""The key prefix of each policy enum whose values a document shows in words."""


def phrase(key: str, language: str, **values: object) -> str:
    """The text of `key` in `language`, with its `{placeholders}` filled from `values`."""
    return PHRASES[key][language].format(**values)


def enum_key(value: StrEnum) -> str:
    """The phrase key of an enum value: `LegalBasis.CONSENT` is `legal-basis.consent`."""
    if isinstance(value, Anchor):
        return f"anchor-from.{value.value}"
    return f"{_ENUM_PREFIXES[type(value)]}.{value.value}"


def enum_words(value: StrEnum, language: str) -> str:
    """An enum value in words: `enum_words(LegalBasis.CONSENT, "sq")` is `Pëlqimi`."""
    return phrase(enum_key(value), language)


def country_name(code: str, language: str) -> str:
    """The country's name in `language`: `country_name("XK", "sq")` is `Kosova`.

    A code the table lacks comes back unchanged, so a document never shows a blank."""
    texts = PHRASES.get(f"country.{code}")
    return texts[language] if texts else code


def plural_form(language: str, count: int) -> str:
    """Which form a count takes: `one`, `few` or `many` (only Serbian uses `few` apart)."""
    if language == "sr":
        if count % 10 == 1 and count % 100 != 11:
            return "one"
        if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
            return "few"
        return "many"
    return "one" if count == 1 else "many"
