"""The fixed texts of documents: headings, labels, sentences, dates, units, the printed copy.

Imports nothing outside the standard library.
"""

from __future__ import annotations

from placet.notices.phrases.entry import entry

__all__ = [
    "CONDITIONS",
    "DOCUMENT",
    "HEADINGS",
    "LABELS",
    "LANGUAGE_NAMES",
    "MONTHS",
    "PRINTED_COPY",
    "RETENTION",
    "ROPA",
    "SENTENCES",
    "UNITS",
]

DOCUMENT = {
    "document.contents": entry("Contents", "Përmbajtja", "Sadržaj", "Indhold"),
    "document.page": entry(
        "Page {page} of {pages}",
        "Faqja {page} nga {pages}",
        "Strana {page} od {pages}",
        "Side {page} af {pages}",
    ),
    "document.skip": entry(
        "Skip to the content", "Kalo te përmbajtja", "Pređi na sadržaj", "Gå til indholdet"
    ),
    "document.version": entry(
        "Version {version}, in force from {date}.",
        "Versioni {version}, në fuqi nga {date}.",
        "Verzija {version}, na snazi od {date}.",
        "Version {version}, gældende fra {date}.",
    ),
    "document.version-until": entry(
        "It applies until {date}.",
        "Zbatohet deri më {date}.",
        "Primenjuje se do {date}.",
        "Den gælder til og med {date}.",
    ),
    # How many of the notice's texts carry `!tr`: all of them, or some (`.one/.few/.many`
    # follow `plural_form`, so that Serbian agrees with the count).
    "document.translations-all": entry(
        "All {count} texts in this privacy policy were translated for Placet from our own texts.",
        "Të gjitha {count} tekstet e kësaj politike të privatësisë janë përkthyer për Placet "
        "nga tekstet tona origjinale.",
        "Svi tekstovi ove politike privatnosti ({count}) prevedeni su za Placet iz naših "
        "izvornih tekstova.",
        "Alle {count} tekster i denne privatlivspolitik er oversat til brug i Placet fra "
        "vores egne tekster.",
    ),
    "document.translations.one": entry(
        "{count} of the {total} texts in this privacy policy was translated for Placet "
        "from our own texts.",
        "{count} nga {total} tekstet e kësaj politike të privatësisë është përkthyer për "
        "Placet nga tekstet tona origjinale.",
        "{count} tekst ove politike privatnosti (od ukupno {total}) preveden je za Placet "
        "iz naših izvornih tekstova.",
        "{count} af de {total} tekster i denne privatlivspolitik er oversat til brug i "
        "Placet fra vores egne tekster.",
    ),
    "document.translations.few": entry(
        "{count} of the {total} texts in this privacy policy were translated for Placet "
        "from our own texts.",
        "{count} nga {total} tekstet e kësaj politike të privatësisë janë përkthyer për "
        "Placet nga tekstet tona origjinale.",
        "{count} teksta ove politike privatnosti (od ukupno {total}) prevedena su za Placet "
        "iz naših izvornih tekstova.",
        "{count} af de {total} tekster i denne privatlivspolitik er oversat til brug i "
        "Placet fra vores egne tekster.",
    ),
    "document.translations.many": entry(
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
    "document.placet-wording.one": entry(
        "{count} of the {total} texts in this privacy policy was written or translated for "
        "Placet; the others are our own texts.",
        "{count} nga {total} tekstet e kësaj politike të privatësisë është shkruar ose "
        "përkthyer për Placet; të tjerat janë tekstet tona origjinale.",
        "{count} tekst ove politike privatnosti (od ukupno {total}) napisan je ili preveden "
        "za Placet; ostali su naši izvorni tekstovi.",
        "{count} af de {total} tekster i denne privatlivspolitik er skrevet eller oversat til "
        "brug i Placet; de øvrige er vores egne tekster.",
    ),
    "document.placet-wording.few": entry(
        "{count} of the {total} texts in this privacy policy were written or translated for "
        "Placet; the others are our own texts.",
        "{count} nga {total} tekstet e kësaj politike të privatësisë janë shkruar ose "
        "përkthyer për Placet; të tjerat janë tekstet tona origjinale.",
        "{count} teksta ove politike privatnosti (od ukupno {total}) napisana su ili prevedena "
        "za Placet; ostali su naši izvorni tekstovi.",
        "{count} af de {total} tekster i denne privatlivspolitik er skrevet eller oversat til "
        "brug i Placet; de øvrige er vores egne tekster.",
    ),
    "document.placet-wording.many": entry(
        "{count} of the {total} texts in this privacy policy were written or translated for "
        "Placet; the others are our own texts.",
        "{count} nga {total} tekstet e kësaj politike të privatësisë janë shkruar ose "
        "përkthyer për Placet; të tjerat janë tekstet tona origjinale.",
        "{count} tekstova ove politike privatnosti (od ukupno {total}) napisano je ili "
        "prevedeno za Placet; ostali su naši izvorni tekstovi.",
        "{count} af de {total} tekster i denne privatlivspolitik er skrevet eller oversat til "
        "brug i Placet; de øvrige er vores egne tekster.",
    ),
    "document.own-text-prevails": entry(
        "Where the versions differ, our own text prevails over a translation made for Placet.",
        "Në rast mospërputhjeje, teksti ynë origjinal mbizotëron mbi përkthimin e bërë për Placet.",
        "U slučaju razlika, merodavan je naš izvorni tekst, a ne prevod načinjen za Placet.",
        "Hvis versionerne er forskellige, har vores egen tekst forrang frem for en "
        "oversættelse lavet til Placet.",
    ),
    "document.none": entry("None.", "Asnjë.", "Nema.", "Ingen."),
    "document.yes": entry("Yes", "Po", "Da", "Ja"),
    "document.date": entry(
        "{day} {month} {year}",
        "{day} {month} {year}",
        "{day}. {month} {year}",
        "{day}. {month} {year}",
    ),
}

LANGUAGE_NAMES = {
    "language.en": entry("English", "anglisht", "engleskom jeziku", "engelsk"),
    "language.sq": entry("Albanian", "shqip", "albanskom jeziku", "albansk"),
    "language.sr": entry("Serbian", "serbisht", "srpskom jeziku", "serbisk"),
    "language.da": entry("Danish", "danisht", "danskom jeziku", "dansk"),
}

MONTHS = {
    "month.1": entry("January", "janar", "januara", "januar"),
    "month.2": entry("February", "shkurt", "februara", "februar"),
    "month.3": entry("March", "mars", "marta", "marts"),
    "month.4": entry("April", "prill", "aprila", "april"),
    "month.5": entry("May", "maj", "maja", "maj"),
    "month.6": entry("June", "qershor", "juna", "juni"),
    "month.7": entry("July", "korrik", "jula", "juli"),
    "month.8": entry("August", "gusht", "avgusta", "august"),
    "month.9": entry("September", "shtator", "septembra", "september"),
    "month.10": entry("October", "tetor", "oktobra", "oktober"),
    "month.11": entry("November", "nëntor", "novembra", "november"),
    "month.12": entry("December", "dhjetor", "decembra", "december"),
}

UNITS = {
    "unit.day.one": entry("day", "ditë", "dan", "dag"),
    "unit.day.few": entry("days", "ditë", "dana", "dage"),
    "unit.day.many": entry("days", "ditë", "dana", "dage"),
    "unit.month.one": entry("month", "muaj", "mesec", "måned"),
    "unit.month.few": entry("months", "muaj", "meseca", "måneder"),
    "unit.month.many": entry("months", "muaj", "meseci", "måneder"),
    "unit.year.one": entry("year", "vit", "godina", "år"),
    "unit.year.few": entry("years", "vjet", "godine", "år"),
    "unit.year.many": entry("years", "vjet", "godina", "år"),
}

HEADINGS = {
    "heading.controller": entry("Who we are", "Kush jemi ne", "Ko smo mi", "Hvem vi er"),
    "heading.dpo": entry(
        "Data protection officer",
        "Zyrtari për mbrojtjen e të dhënave personale",
        "Službenik za zaštitu ličnih podataka",
        "Databeskyttelsesrådgiver (DPO)",
    ),
    "heading.law": entry(
        "The law we apply",
        "Ligji që zbatojmë",
        "Zakon koji primenjujemo",
        "Den lovgivning, vi følger",
    ),
    "heading.subjects": entry(
        "Whose data this policy is about",
        "Të dhënat e kujt i trajton kjo politikë",
        "Čijih podataka se ova politika tiče",
        "Hvis personoplysninger denne politik handler om",
    ),
    "heading.data": entry(
        "What data we process",
        "Çfarë të dhënash përpunojmë",
        "Koje podatke obrađujemo",
        "Hvilke personoplysninger vi behandler",
    ),
    "heading.sources": entry(
        "Where the data comes from",
        "Nga vijnë të dhënat",
        "Odakle potiču podaci",
        "Hvor oplysningerne kommer fra",
    ),
    "heading.purposes": entry(
        "Why we process data and on what legal basis",
        "Pse i përpunojmë të dhënat dhe mbi çfarë baze ligjore",
        "Zašto obrađujemo podatke i na kom pravnom osnovu",
        "Hvorfor vi behandler oplysningerne, og på hvilket retsgrundlag",
    ),
    "heading.consent": entry(
        "Your consent options",
        "Mundësitë tuaja të pëlqimit",
        "Vaše opcije saglasnosti",
        "Dine valg om samtykke",
    ),
    "heading.automated": entry(
        "Automated decisions and profiling",
        "Vendimmarrja e automatizuar dhe profilizimi",
        "Automatizovano donošenje odluka i profilisanje",
        "Automatiske afgørelser og profilering",
    ),
    "heading.recipients": entry(
        "Who receives data",
        "Kush i merr të dhënat",
        "Ko prima podatke",
        "Hvem der modtager oplysningerne",
    ),
    "heading.transfers": entry(
        "Transfers to third countries",
        "Transferimi në vende të treta",
        "Prenos u treće zemlje",
        "Overførsel til tredjelande",
    ),
    "heading.retention": entry(
        "How long we keep data",
        "Sa kohë i ruajmë të dhënat",
        "Koliko dugo čuvamo podatke",
        "Hvor længe vi opbevarer oplysningerne",
    ),
    "heading.rights": entry("Your rights", "Të drejtat tuaja", "Vaša prava", "Dine rettigheder"),
    "heading.requests": entry(
        "How to make a request",
        "Si të paraqisni një kërkesë",
        "Kako da podnesete zahtev",
        "Sådan sender du en anmodning",
    ),
    "heading.complaints": entry("Complaints", "Ankesat", "Pritužbe", "Klager"),
    "heading.provision": entry(
        "If you do not provide data",
        "Nëse nuk i jepni të dhënat",
        "Ako ne dostavite podatke",
        "Hvis du ikke giver os oplysningerne",
    ),
    "heading.security": entry("Security", "Siguria", "Bezbednost", "Sikkerhed"),
    "heading.cookies": entry("Cookies", "Cookies", "Kolačići", "Cookies"),
    "heading.minors": entry("Children", "Fëmijët", "Deca", "Børn"),
    "heading.version": entry(
        "Version and effective date",
        "Versioni dhe data e hyrjes në fuqi",
        "Verzija i datum stupanja na snagu",
        "Version og ikrafttræden",
    ),
}

LABELS = {
    "label.controller": entry("Controller", "Kontrolluesi", "Kontrolor", "Dataansvarlig"),
    "label.owner": entry("Owner", "Pronari", "Vlasnik", "Ejer"),
    "label.address": entry("Address", "Adresa", "Adresa", "Adresse"),
    "label.registration": entry(
        "Registration number", "Numri i regjistrimit", "Matični broj", "Registreringsnummer"
    ),
    "label.country": entry("Country", "Shteti", "Zemlja", "Land"),
    "label.email": entry("E-mail", "E-mail", "E-pošta", "E-mail"),
    "label.phone": entry("Phone", "Telefoni", "Telefon", "Telefon"),
    "label.web": entry("Website", "Faqja e internetit", "Internet stranica", "Hjemmeside"),
    "label.name": entry("Name", "Emri", "Ime", "Navn"),
    "label.role": entry("Role", "Roli", "Uloga", "Rolle"),
    "label.authority": entry(
        "Supervisory authority", "Autoriteti mbikëqyrës", "Nadzorni organ", "Tilsynsmyndighed"
    ),
    "label.legal-basis": entry("Legal basis", "Baza ligjore", "Pravni osnov", "Retsgrundlag"),
    "label.legitimate-interest": entry(
        "Legitimate interest pursued",
        "Interesi legjitim që ndiqet",
        "Legitimni interes koji se ostvaruje",
        "Den legitime interesse, der forfølges",
    ),
    "label.legal-ground": entry("Legal ground", "Baza në ligj", "Zakonski osnov", "Hjemmel"),
    "label.categories": entry(
        "Data used", "Të dhënat që përdoren", "Podaci koji se koriste", "Oplysninger, der bruges"
    ),
    "label.data-categories": entry(
        "Data categories", "Kategoritë e të dhënave", "Kategorije podataka", "Datakategorier"
    ),
    "label.subjects": entry("Whose data", "Të dhënat e kujt", "Čiji podaci", "Hvis oplysninger"),
    "label.channels": entry("Channels", "Kanalet", "Kanali", "Kanaler"),
    "label.consent-options": entry(
        "Consent options that cover it",
        "Mundësitë e pëlqimit që e mbulojnë",
        "Opcije saglasnosti koje je obuhvataju",
        "Samtykker, der dækker det",
    ),
    "label.kind-of-data": entry(
        "Kind of data", "Lloji i të dhënave", "Vrsta podataka", "Type oplysninger"
    ),
    "label.examples": entry("Examples", "Shembuj", "Primeri", "Eksempler"),
    "label.origin": entry("Origin", "Prejardhja", "Poreklo", "Oprindelse"),
    "label.statement": entry(
        "What you agree to", "Çfarë pranoni", "Na šta pristajete", "Det, du siger ja til"
    ),
    "label.covers": entry(
        "Purposes covered", "Qëllimet që mbulon", "Obuhvaćene svrhe", "Omfattede formål"
    ),
    "label.withdraw": entry(
        "How to withdraw", "Si ta tërhiqni", "Kako da je povučete", "Sådan trækker du det tilbage"
    ),
    "label.kind": entry("Kind", "Lloji", "Vrsta", "Type"),
    "label.third-country": entry("Third country", "Vend i tretë", "Treća zemlja", "Tredjeland"),
    "label.safeguard": entry("Safeguard", "Masa mbrojtëse", "Zaštitna mera", "Garanti"),
    "label.purposes": entry("Purposes", "Qëllimet", "Svrhe", "Formål"),
    "label.period": entry("How long", "Sa kohë", "Koliko dugo", "Hvor længe"),
    "label.criteria": entry("Criteria", "Kriteret", "Kriterijumi", "Kriterier"),
    "label.action": entry(
        "What happens then", "Çfarë ndodh pastaj", "Šta se zatim dešava", "Hvad der så sker"
    ),
    "label.exceptions": entry("Exceptions", "Përjashtimet", "Izuzeci", "Undtagelser"),
    "label.how-to-use": entry(
        "How to use it", "Si ta ushtroni", "Kako da ga ostvarite", "Sådan gør du brug af den"
    ),
    "label.limits": entry("Limits", "Kufizimet", "Ograničenja", "Begrænsninger"),
    "label.identification": entry(
        "How we identify you",
        "Si ju identifikojmë",
        "Kako vas identifikujemo",
        "Sådan identificerer vi dig",
    ),
    "label.deadline": entry(
        "When we answer", "Kur përgjigjemi", "Kada odgovaramo", "Hvornår vi svarer"
    ),
    "label.to-controller": entry(
        "Complain to us", "Ankohuni te ne", "Pritužba nama", "Klag til os"
    ),
    "label.logic": entry(
        "The logic involved",
        "Logjika e përdorur",
        "Logika koja se primenjuje",
        "Den anvendte logik",
    ),
    "label.automated-purposes": entry(
        "Purposes that use profiling or automated decisions",
        "Qëllimet që përdorin profilizim ose vendime të automatizuara",
        "Svrhe koje koriste profilisanje ili automatizovane odluke",
        "Formål, der bruger profilering eller automatiske afgørelser",
    ),
    "label.required-purposes": entry(
        "The data we ask you for are needed for",
        "Të dhënat që ju kërkojmë nevojiten për",
        "Podaci koje od vas tražimo potrebni su za",
        "De oplysninger, vi beder dig om, er nødvendige for",
    ),
    "label.cookie-purposes": entry(
        "What they are used for", "Për çfarë përdoren", "Za šta se koriste", "Hvad de bruges til"
    ),
    "label.banner": entry(
        "What the cookie banner says",
        "Çfarë thotë njoftimi për cookies",
        "Šta piše u baneru o kolačićima",
        "Hvad cookiebanneret siger",
    ),
    "label.accept": entry(
        "Button to accept", "Butoni për pranim", "Dugme za prihvatanje", "Knap til at acceptere"
    ),
    "label.reject": entry(
        "Button to refuse", "Butoni për refuzim", "Dugme za odbijanje", "Knap til at afvise"
    ),
    "label.more": entry(
        "Button for more information",
        "Butoni për më shumë informacion",
        "Dugme za više informacija",
        "Knap til mere information",
    ),
}

SENTENCES = {
    "sentence.controller": entry(
        "{legal_name} (“{short_name}”) is the controller of your personal data.",
        "{legal_name} (“{short_name}”) është kontrolluesi i të dhënave tuaja personale.",
        "{legal_name} („{short_name}“) je kontrolor vaših ličnih podataka.",
        "{legal_name} (”{short_name}”) er dataansvarlig for dine personoplysninger.",
    ),
    "sentence.withdraw-any-time": entry(
        "You can withdraw your consent at any time; this does not affect processing "
        "before the withdrawal.",
        "Pëlqimin mund ta tërhiqni në çdo kohë; kjo nuk ndikon në përpunimin e bërë "
        "para tërheqjes.",
        "Saglasnost možete povući u bilo kom trenutku; to ne utiče na zakonitost obrade "
        "pre povlačenja.",
        "Du kan til enhver tid trække dit samtykke tilbage; det berører ikke lovligheden "
        "af behandlingen før tilbagetrækningen.",
    ),
    "sentence.transfers-yes": entry(
        "We transfer personal data to third countries.",
        "Ne transferojmë të dhëna personale në vende të treta.",
        "Lične podatke prenosimo u treće zemlje.",
        "Vi overfører personoplysninger til tredjelande.",
    ),
    "sentence.transfers-no": entry(
        "We do not transfer personal data to third countries.",
        "Ne nuk transferojmë të dhëna personale në vende të treta.",
        "Lične podatke ne prenosimo u treće zemlje.",
        "Vi overfører ikke personoplysninger til tredjelande.",
    ),
    "sentence.automated-yes": entry(
        "We use automated decision-making.",
        "Ne përdorim vendimmarrje të automatizuar.",
        "Koristimo automatizovano donošenje odluka.",
        "Vi anvender automatiske afgørelser.",
    ),
    "sentence.automated-no": entry(
        "We do not make decisions based solely on automated processing.",
        "Ne nuk marrim vendime që bazohen vetëm në përpunim të automatizuar.",
        "Ne donosimo odluke zasnovane isključivo na automatizovanoj obradi.",
        "Vi træffer ikke afgørelser, der alene er baseret på automatisk behandling.",
    ),
    "sentence.profiling-yes": entry(
        "We use profiling.",
        "Ne përdorim profilizim.",
        "Koristimo profilisanje.",
        "Vi anvender profilering.",
    ),
    "sentence.profiling-no": entry(
        "We do not use profiling.",
        "Ne nuk përdorim profilizim.",
        "Ne koristimo profilisanje.",
        "Vi anvender ikke profilering.",
    ),
    "sentence.deadline": entry(
        "We answer within {period} of receiving your request.",
        "Ne ju përgjigjemi jo më vonë se {period} nga marrja e kërkesës suaj.",
        "Odgovaramo najkasnije za {period} od prijema vašeg zahteva.",
        "Vi svarer inden for {period} efter at have modtaget din anmodning.",
    ),
    "sentence.extension-reason": entry(
        "This can be extended to {total} in total, and we tell you why.",
        "Ky afat mund të zgjatet deri në {total} gjithsej, dhe ju tregojmë arsyen.",
        "Rok se može produžiti na ukupno {total}, i tada vam navodimo razlog.",
        "Fristen kan forlænges til i alt {total}, og så fortæller vi dig hvorfor.",
    ),
    "sentence.extension": entry(
        "This can be extended to {total} in total.",
        "Ky afat mund të zgjatet deri në {total} gjithsej.",
        "Rok se može produžiti na ukupno {total}.",
        "Fristen kan forlænges til i alt {total}.",
    ),
    "sentence.minors": entry(
        "For us you are a child if you are under {age}.",
        "Për ne jeni fëmijë nëse jeni nën {age} vjeç.",
        "Za nas ste dete ako ste mlađi od {age} godina.",
        "For os er du et barn, hvis du er under {age} år.",
    ),
    "sentence.necessary-cookie": entry(
        "Always active: the website needs them to work.",
        "Gjithmonë aktive: faqja ka nevojë për to që të funksionojë.",
        "Uvek aktivni: internet stranici su neophodni za rad.",
        "Altid aktive: hjemmesiden har brug for dem for at fungere.",
    ),
    "sentence.does-not-apply-to": entry(
        "This rule does not apply to processing based on: {bases}.",
        "Ky rregull nuk zbatohet për përpunimin që bazohet në: {bases}.",
        "Ovo pravilo se ne primenjuje na obradu zasnovanu na: {bases}.",
        "Reglen gælder ikke for behandling på grundlag af: {bases}.",
    ),
}

CONDITIONS = {
    "condition.traffic-location-consent": entry(
        "Traffic and location data are used for this only with your prior consent.",
        "Të dhënat e trafikut dhe të vendndodhjes përdoren për këtë vetëm me pëlqimin "
        "tuaj paraprak.",
        "Podaci o saobraćaju i lokaciji koriste se u ovu svrhu samo uz vašu prethodnu saglasnost.",
        "Trafik- og lokationsdata bruges kun til dette med dit forudgående samtykke.",
    ),
    "condition.unless-anonymised": entry(
        "No consent is needed once the data has been anonymised.",
        "Pëlqimi nuk nevojitet kur të dhënat janë anonimizuar.",
        "Saglasnost nije potrebna ako su podaci prethodno anonimizovani.",
        "Der kræves ikke samtykke, når oplysningerne er anonymiseret.",
    ),
    "condition.objection-stops": entry(
        "If you object, we stop this processing for you.",
        "Nëse e kundërshtoni, ne e ndërpresim këtë përpunim për ju.",
        "Ako uložite prigovor, prestajemo sa ovom obradom vaših podataka.",
        "Hvis du gør indsigelse, stopper vi denne behandling af dine oplysninger.",
    ),
    "condition.objection-overrides": entry(
        "Our compelling legitimate grounds for this processing override an objection.",
        "Arsyet tona legjitime bindëse për këtë përpunim mbizotërojnë mbi kundërshtimin.",
        "Naši uverljivi legitimni razlozi za ovu obradu preovlađuju nad prigovorom.",
        "Vores vægtige legitime grunde til denne behandling går forud for en indsigelse.",
    ),
    "condition.objection-not-applicable": entry(
        "The right to object does not apply to this processing.",
        "E drejta e kundërshtimit nuk zbatohet për këtë përpunim.",
        "Pravo na prigovor se ne primenjuje na ovu obradu.",
        "Retten til indsigelse gælder ikke for denne behandling.",
    ),
    "condition.consent-withdraw": entry(
        "You can withdraw your consent at any time, and we then stop.",
        "Pëlqimin mund ta tërhiqni në çdo kohë, dhe atëherë ne ndalojmë.",
        "Saglasnost možete povući u bilo kom trenutku, i tada prestajemo sa obradom.",
        "Du kan til enhver tid trække dit samtykke tilbage, og så stopper vi.",
    ),
    "condition.direct-marketing": entry(
        "This is direct marketing: you can object to it at any time, and we then stop.",
        "Ky është marketing i drejtpërdrejtë: mund ta kundërshtoni në çdo kohë, dhe "
        "atëherë ne ndalojmë.",
        "Ovo je direktni marketing: možete mu se usprotiviti u bilo kom trenutku, i tada "
        "prestajemo.",
        "Dette er direkte markedsføring: du kan til enhver tid gøre indsigelse, og så stopper vi.",
    ),
    "condition.minors-consent-age": entry(
        "For children under {age}, only with consent.",
        "Për fëmijët nën {age} vjeç, vetëm me pëlqim.",
        "Za decu mlađu od {age} godina samo uz saglasnost.",
        "For børn under {age} år kun med samtykke.",
    ),
    "condition.minors-consent": entry(
        "For children, only with consent.",
        "Për fëmijët, vetëm me pëlqim.",
        "Za decu samo uz saglasnost.",
        "For børn kun med samtykke.",
    ),
    "condition.minors-never-age": entry(
        "Never for children under {age}.",
        "Asnjëherë për fëmijët nën {age} vjeç.",
        "Nikada za decu mlađu od {age} godina.",
        "Aldrig for børn under {age} år.",
    ),
    "condition.minors-never": entry(
        "Never for children.", "Asnjëherë për fëmijët.", "Nikada za decu.", "Aldrig for børn."
    ),
    "condition.post-contract": entry(
        "It continues for up to {period} after your last contract ends.",
        "Vazhdon deri në {period} pas përfundimit të kontratës suaj të fundit.",
        "Nastavlja se još najviše {period} nakon prestanka vašeg poslednjeg ugovora.",
        "Det fortsætter i op til {period}, efter at din sidste aftale er ophørt.",
    ),
    "condition.consent-option": entry(
        "Only if you have chosen: {options}.",
        "Vetëm nëse keni zgjedhur: {options}.",
        "Samo ako ste izabrali: {options}.",
        "Kun hvis du har valgt: {options}.",
    ),
    "condition.aggregated-only": entry(
        "Only on data aggregated over many subscribers, never about you alone.",
        "Vetëm mbi të dhëna të agreguara të shumë pajtimtarëve, asnjëherë vetëm për ju.",
        "Samo na zbirnim podacima mnogih pretplatnika, nikada samo o vama.",
        "Kun på oplysninger samlet for mange kunder, aldrig om dig alene.",
    ),
    "condition.location-precision": entry(
        "The most precise location used: {precision}.",
        "Vendndodhja më e saktë që përdoret: {precision}.",
        "Najpreciznija lokacija koja se koristi: {precision}.",
        "Den mest præcise lokation, der bruges: {precision}.",
    ),
    "condition.business-opt-out": entry(
        "A business can opt out in writing at any time; we honour it within {period}.",
        "Një subjekt afarist mund të tërhiqet me shkrim në çdo kohë; ne e zbatojmë këtë "
        "jo më vonë se {period}.",
        "Poslovni subjekt se u svakom trenutku može pismeno odjaviti; to poštujemo "
        "najkasnije za {period}.",
        "En virksomhed kan til enhver tid framelde sig skriftligt; vi efterkommer det "
        "inden for {period}.",
    ),
    "condition.subject-initiated": entry(
        "Only when you ask for it.",
        "Vetëm kur ju e kërkoni.",
        "Samo kada vi to zatražite.",
        "Kun når du selv beder om det.",
    ),
    "condition.profiling": entry(
        "It involves profiling.",
        "Përfshin profilizim.",
        "Uključuje profilisanje.",
        "Det omfatter profilering.",
    ),
    "condition.automated-decisions": entry(
        "It involves automated decisions.",
        "Përfshin vendime të automatizuara.",
        "Uključuje automatizovano donošenje odluka.",
        "Det omfatter automatiske afgørelser.",
    ),
    "condition.required-for-contract": entry(
        "Where we ask you for this data to conclude or perform the contract, you need to give "
        "it: without it we cannot.",
        "Kur ju kërkojmë këto të dhëna për lidhjen ose zbatimin e kontratës, duhet të na i "
        "jepni: pa to nuk mund ta bëjmë.",
        "Kada od vas tražimo ove podatke radi zaključenja ili izvršenja ugovora, potrebno je "
        "da ih dostavite: bez njih to ne možemo.",
        "Når vi beder dig om disse oplysninger for at indgå eller opfylde aftalen, skal du "
        "give dem: uden dem kan vi ikke.",
    ),
    "condition.required-by-law": entry(
        "The law requires this data where we ask you for it; without it we cannot conclude or "
        "perform the contract.",
        "Ligji i kërkon këto të dhëna kur jua kërkojmë; pa to nuk mund ta lidhim ose "
        "zbatojmë kontratën.",
        "Zakon zahteva ove podatke kada ih od vas tražimo; bez njih ne možemo zaključiti ni "
        "izvršiti ugovor.",
        "Loven kræver disse oplysninger, når vi beder dig om dem; uden dem kan vi ikke indgå "
        "eller opfylde aftalen.",
    ),
    "precision.country": entry("the country", "shteti", "zemlja", "landet"),
    "precision.cell": entry(
        "the mobile network cell",
        "qeliza e rrjetit mobil",
        "ćelija mobilne mreže",
        "mobilnetværkets celle",
    ),
    "precision.exact": entry(
        "the exact position", "pozicioni i saktë", "tačan položaj", "den præcise position"
    ),
}

RETENTION = {
    "retention.at-most": entry(
        "at most {period}", "jo më shumë se {period}", "najduže {period}", "højst {period}"
    ),
    "retention.at-least": entry(
        "at least {period}", "të paktën {period}", "najmanje {period}", "mindst {period}"
    ),
    "retention.whichever-later": entry(
        "whichever is later",
        "cilado që vjen më vonë",
        "u zavisnosti od toga šta nastupi kasnije",
        "alt efter hvad der indtræffer sidst",
    ),
    "retention.or": entry("or", "ose", "ili", "eller"),
    "retention.no-period": entry(
        "No fixed period", "Pa afat të caktuar", "Bez utvrđenog roka", "Ingen fast periode"
    ),
    "action.delete": entry(
        "The data is deleted.",
        "Të dhënat fshihen.",
        "Podaci se brišu.",
        "Oplysningerne slettes.",
    ),
    "action.anonymise": entry(
        "The data is anonymised.",
        "Të dhënat anonimizohen.",
        "Podaci se anonimizuju.",
        "Oplysningerne anonymiseres.",
    ),
    "action.restrict": entry(
        "Processing is restricted.",
        "Përpunimi i tyre kufizohet.",
        "Obrada se ograničava.",
        "Behandlingen begrænses.",
    ),
    "action.keep": entry(
        "The data may be kept without a time limit.",
        "Të dhënat mund të ruhen pa afat kohor.",
        "Podaci se mogu čuvati bez vremenskog ograničenja.",
        "Oplysningerne kan opbevares uden tidsbegrænsning.",
    ),
}

ROPA = {
    "ropa.title": entry(
        "Record of processing activities",
        "Regjistri i veprimtarive të përpunimit",
        "Evidencija radnji obrade",
        "Fortegnelse over behandlingsaktiviteter",
    ),
    "ropa.purpose-id": entry("Purpose id", "Id e qëllimit", "Oznaka svrhe", "Formål-id"),
    "ropa.purpose": entry("Purpose", "Qëllimi", "Svrha", "Formål"),
    "ropa.description": entry("Description", "Përshkrimi", "Opis", "Beskrivelse"),
    "ropa.controller-contact": entry(
        "Controller contact",
        "Kontakti i kontrolluesit",
        "Kontakt kontrolora",
        "Den dataansvarliges kontaktoplysninger",
    ),
    "ropa.dpo-contact": entry(
        "DPO contact",
        "Kontakti i zyrtarit për mbrojtjen e të dhënave",
        "Kontakt službenika za zaštitu podataka",
        "Databeskyttelsesrådgiverens kontaktoplysninger",
    ),
    "ropa.subjects": entry(
        "Categories of data subjects",
        "Kategoritë e subjekteve të të dhënave",
        "Kategorije lica na koja se podaci odnose",
        "Kategorier af registrerede",
    ),
    "ropa.categories": entry(
        "Categories of personal data",
        "Kategoritë e të dhënave personale",
        "Kategorije ličnih podataka",
        "Kategorier af personoplysninger",
    ),
    "ropa.recipients": entry(
        "Categories of recipients",
        "Kategoritë e marrësve",
        "Kategorije primalaca",
        "Kategorier af modtagere",
    ),
    "ropa.transfers": entry(
        "Transfers to third countries and safeguards",
        "Transferimet në vende të treta dhe masat mbrojtëse",
        "Prenosi u treće zemlje i zaštitne mere",
        "Overførsler til tredjelande og garantier",
    ),
    "ropa.retention": entry(
        "Time limits for erasure",
        "Afatet për fshirje",
        "Rokovi za brisanje",
        "Tidsfrister for sletning",
    ),
    "ropa.security": entry(
        "Technical and organisational security measures",
        "Masat teknike dhe organizative të sigurisë",
        "Tehničke i organizacione mere zaštite",
        "Tekniske og organisatoriske sikkerhedsforanstaltninger",
    ),
    "ropa.policy": entry("Policy", "Politika", "Politika", "Politik"),
    "ropa.policy-version": entry(
        "Policy version", "Versioni i politikës", "Verzija politike", "Politikkens version"
    ),
    "ropa.effective-from": entry("In force from", "Në fuqi nga", "Na snazi od", "Gældende fra"),
    # The record's recipients and transfers as the disclosure register shows them
    # (`placet.notices.ropa_register`).
    "ropa.register-recipients": entry(
        "Recipients in the register on {date}",
        "Marrësit në regjistër më {date}",
        "Primaoci u registru na dan {date}",
        "Modtagere i registret pr. {date}",
    ),
    "ropa.register-transfers": entry(
        "Transfers to third countries in the register on {date}",
        "Transferimet në vende të treta në regjistër më {date}",
        "Prenosi u treće zemlje u registru na dan {date}",
        "Overførsler til tredjelande i registret pr. {date}",
    ),
    "ropa.recipient-id": entry("Recipient id", "Id e marrësit", "Oznaka primaoca", "Modtager-id"),
    "ropa.recipient": entry("Recipient", "Marrësi", "Primalac", "Modtager"),
    "ropa.agreements": entry("Agreements", "Marrëveshjet", "Ugovori", "Aftaler"),
    "ropa.countries-in-force": entry(
        "Countries under agreements in force",
        "Vendet sipas marrëveshjeve në fuqi",
        "Zemlje po ugovorima na snazi",
        "Lande efter gældende aftaler",
    ),
    "ropa.safeguards-in-force": entry(
        "Transfer safeguards in force",
        "Masat mbrojtëse të transferimit në fuqi",
        "Zaštitne mere za prenos na snazi",
        "Gældende overførselsgarantier",
    ),
    "ropa.flags": entry(
        "Flags for the DPO",
        "Shënime për zyrtarin për mbrojtjen e të dhënave",
        "Upozorenja za službenika za zaštitu podataka",
        "Advarsler til databeskyttelsesrådgiveren",
    ),
    "ropa.disclosures-since": entry(
        "Disclosures since {date}",
        "Dhëniet e të dhënave që nga {date}",
        "Otkrivanja podataka od {date}",
        "Videregivelser siden {date}",
    ),
    "ropa.agreement": entry("Agreement", "Marrëveshja", "Ugovor", "Aftale"),
    "ropa.party": entry("Party", "Pala", "Strana", "Part"),
    "ropa.country": entry("Country", "Vendi", "Zemlja", "Land"),
    "ropa.safeguard": entry("Safeguard", "Masa mbrojtëse", "Zaštitna mera", "Garanti"),
    "ropa.validity": entry("Valid", "Vlefshmëria", "Važenje", "Gyldighed"),
    "ropa.status": entry("Status", "Gjendja", "Status", "Status"),
    "ropa.valid-from": entry("from {start}", "nga {start}", "od {start}", "fra {start}"),
    "ropa.valid-between": entry(
        "{start} to {end}", "{start} deri më {end}", "{start} do {end}", "{start} til {end}"
    ),
    "ropa.reference": entry(
        "ref. {reference}", "ref. {reference}", "ref. {reference}", "ref. {reference}"
    ),
    "ropa.no-country": entry("not named", "pa emërtuar", "nije navedena", "ikke angivet"),
    "agreement-kind.processor-agreement": entry(
        "data processing agreement",
        "marrëveshje për përpunimin e të dhënave",
        "ugovor o obradi podataka",
        "databehandleraftale",
    ),
    "agreement-kind.joint-controller-arrangement": entry(
        "joint-controller arrangement",
        "marrëveshje e kontrolluesve të përbashkët",
        "sporazum zajedničkih kontrolora",
        "aftale mellem fælles dataansvarlige",
    ),
    "agreement-kind.data-sharing-agreement": entry(
        "data-sharing agreement",
        "marrëveshje për ndarjen e të dhënave",
        "ugovor o razmeni podataka",
        "aftale om videregivelse af oplysninger",
    ),
    "agreement-kind.assignment-contract": entry(
        "claim assignment contract",
        "kontratë për cedimin e kërkesave",
        "ugovor o ustupanju potraživanja",
        "aftale om overdragelse af fordringer",
    ),
    "agreement-kind.transfer-safeguard": entry(
        "transfer safeguard",
        "masë mbrojtëse për transferim",
        "zaštitna mera za prenos",
        "overførselsgaranti",
    ),
    "agreement-status.in-force": entry("in force", "në fuqi", "na snazi", "gældende"),
    "agreement-status.expiring": entry(
        "in force, ending soon",
        "në fuqi, skadon së shpejti",
        "na snazi, uskoro ističe",
        "gældende, udløber snart",
    ),
    "agreement-status.expired": entry("expired", "e skaduar", "isteklo", "udløbet"),
    "agreement-status.not-yet": entry(
        "not yet in force", "ende jo në fuqi", "još nije na snazi", "endnu ikke gældende"
    ),
    "register-flag.agreement-expired": entry(
        "agreement expired",
        "marrëveshja ka skaduar",
        "ugovor je istekao",
        "aftalen er udløbet",
    ),
    "register-flag.agreement-expiring": entry(
        "agreement ending soon",
        "marrëveshja skadon së shpejti",
        "ugovor uskoro ističe",
        "aftalen udløber snart",
    ),
    "register-flag.safeguard-expired": entry(
        "transfer safeguard expired",
        "masa mbrojtëse për transferim ka skaduar",
        "zaštitna mera za prenos je istekla",
        "overførselsgarantien er udløbet",
    ),
    "register-flag.safeguard-expiring": entry(
        "transfer safeguard ending soon",
        "masa mbrojtëse për transferim skadon së shpejti",
        "zaštitna mera za prenos uskoro ističe",
        "overførselsgarantien udløber snart",
    ),
    "register-flag.no-agreement": entry(
        "no agreement in force",
        "asnjë marrëveshje në fuqi",
        "nijedan ugovor na snazi",
        "ingen gældende aftale",
    ),
    "register-flag.no-safeguard": entry(
        "no transfer safeguard in force",
        "asnjë masë mbrojtëse për transferim në fuqi",
        "nijedna zaštitna mera za prenos na snazi",
        "ingen gældende overførselsgaranti",
    ),
}

PRINTED_COPY = {
    # The printed copy of an access answer (`placet.notices.printed_copy`).
    "copy.title": entry(
        "Copy of your personal data",
        "Kopja e të dhënave tuaja personale",
        "Kopija vaših ličnih podataka",
        "Kopi af dine personoplysninger",
    ),
    "copy.subtitle": entry(
        "Our answer to your request for access to your personal data",
        "Përgjigjja jonë ndaj kërkesës suaj për qasje në të dhënat tuaja personale",
        "Naš odgovor na vaš zahtev za pristup vašim ličnim podacima",
        "Vores svar på din anmodning om indsigt i dine personoplysninger",
    ),
    "copy.intro": entry(
        "This document is a copy of the personal data we hold about you, together with the "
        "information about its processing to which you are entitled. The same data is in the "
        "machine-readable files (JSON and CSV) that come with this answer.",
        "Ky dokument është kopja e të dhënave personale që ruajmë për ju, së bashku me "
        "informacionin për përpunimin e tyre që ju takon. Të njëjtat të dhëna gjenden edhe në "
        "skedarët e lexueshëm nga kompjuteri (JSON dhe CSV) që shoqërojnë këtë përgjigje.",
        "Ovaj dokument je kopija ličnih podataka koje o vama čuvamo, zajedno sa informacijama "
        "o njihovoj obradi na koje imate pravo. Isti podaci nalaze se i u mašinski čitljivim "
        "datotekama (JSON i CSV) priloženim uz ovaj odgovor.",
        "Dette dokument er en kopi af de personoplysninger, vi opbevarer om dig, sammen med "
        "de oplysninger om behandlingen, som du har ret til. De samme oplysninger findes i de "
        "maskinlæsbare filer (JSON og CSV), der følger med dette svar.",
    ),
    "copy.label.subscriber": entry("Subscriber", "Pajtimtari", "Pretplatnik", "Kunde"),
    "copy.label.request": entry(
        "Request number", "Numri i kërkesës", "Broj zahteva", "Anmodningsnummer"
    ),
    "copy.label.received": entry(
        "Request received", "Kërkesa u pranua", "Zahtev primljen", "Anmodning modtaget"
    ),
    "copy.label.produced": entry(
        "Copy produced", "Kopja u përgatit", "Kopija izrađena", "Kopi udarbejdet"
    ),
    "copy.label.policy": entry(
        "Privacy policy in force",
        "Politika e privatësisë në fuqi",
        "Politika privatnosti na snazi",
        "Gældende privatlivspolitik",
    ),
    "copy.datetime": entry(
        "{date}, {time} UTC",
        "{date}, ora {time} UTC",
        "{date}, u {time} UTC",
        "{date} kl. {time} UTC",
    ),
    "copy.heading.facts": entry(
        "How we process your data",
        "Si i përpunojmë të dhënat tuaja",
        "Kako obrađujemo vaše podatke",
        "Sådan behandler vi dine oplysninger",
    ),
    "copy.facts-intro": entry(
        "Below is the information about the processing of your personal data to which you "
        "are entitled: the purposes and their legal bases, the categories of data, the "
        "recipients, how long we keep the data, where it comes from, your rights and how to "
        "lodge a complaint.",
        "Më poshtë gjendet informacioni për përpunimin e të dhënave tuaja personale që ju "
        "takon: qëllimet dhe bazat e tyre ligjore, kategoritë e të dhënave, marrësit, sa kohë "
        "i ruajmë të dhënat, nga vijnë ato, të drejtat tuaja dhe si të paraqisni një ankesë.",
        "U nastavku su informacije o obradi vaših ličnih podataka na koje imate pravo: svrhe "
        "obrade i njihovi pravni osnovi, kategorije podataka, primaoci, koliko dugo čuvamo "
        "podatke, odakle potiču, vaša prava i kako da podnesete pritužbu.",
        "Nedenfor finder du de oplysninger om behandlingen af dine personoplysninger, som du "
        "har ret til: formålene og deres retsgrundlag, kategorierne af oplysninger, "
        "modtagerne, hvor længe vi opbevarer oplysningerne, hvor de kommer fra, dine "
        "rettigheder, og hvordan du kan klage.",
    ),
    "copy.heading.categories": entry(
        "The categories of your data that we process",
        "Kategoritë e të dhënave tuaja që përpunojmë",
        "Kategorije vaših podataka koje obrađujemo",
        "De kategorier af dine oplysninger, som vi behandler",
    ),
    "copy.sources-intro": entry(
        "The datasets that hold your data, and where their data comes from:",
        "Grupet e të dhënave që përmbajnë të dhënat tuaja, dhe nga vijnë ato:",
        "Skupovi podataka u kojima se nalaze vaši podaci, i odakle ti podaci potiču:",
        "De datasæt, der indeholder dine oplysninger, og hvor oplysningerne kommer fra:",
    ),
    "copy.heading.data": entry(
        "The data we hold about you",
        "Të dhënat që ruajmë për ju",
        "Podaci koje čuvamo o vama",
        "De oplysninger, vi har om dig",
    ),
    "copy.data-intro": entry(
        "One section for each dataset in which we found records about you. Each table shows "
        "the records as we store them.",
        "Një pjesë për secilin grup të dhënash në të cilin gjetëm regjistrime për ju. Çdo "
        "tabelë i tregon regjistrimet ashtu siç i ruajmë.",
        "Po jedan odeljak za svaki skup podataka u kom smo pronašli zapise o vama. Svaka "
        "tabela prikazuje zapise onako kako ih čuvamo.",
        "Et afsnit for hvert datasæt, hvor vi har fundet oplysninger om dig. Hver tabel viser "
        "oplysningerne, sådan som vi opbevarer dem.",
    ),
    "copy.no-data": entry(
        "We found no personal data about you in our systems.",
        "Nuk gjetëm të dhëna personale për ju në sistemet tona.",
        "U našim sistemima nismo pronašli lične podatke o vama.",
        "Vi har ikke fundet personoplysninger om dig i vores systemer.",
    ),
    "copy.no-rows": entry(
        "This dataset holds no records about you.",
        "Ky grup të dhënash nuk përmban regjistrime për ju.",
        "Ovaj skup podataka ne sadrži zapise o vama.",
        "Dette datasæt indeholder ingen oplysninger om dig.",
    ),
    "copy.label.dataset": entry("Dataset", "Grupi i të dhënave", "Skup podataka", "Datasæt"),
    "copy.label.system": entry("Kept in", "Ruhet në", "Čuva se u", "Opbevares i"),
    "copy.label.contents": entry(
        "What it holds", "Çfarë përmban", "Šta sadrži", "Hvad det indeholder"
    ),
    "copy.label.provenance": entry(
        "How we obtained it", "Si e kemi marrë", "Kako smo ih dobili", "Sådan har vi fået dem"
    ),
    "copy.label.rows": entry("Number of rows", "Numri i rreshtave", "Broj redova", "Antal rækker"),
    "copy.provenance.provided": entry(
        "you provided it", "i keni dhënë ju", "dali ste ih vi", "du har selv givet os dem"
    ),
    "copy.provenance.observed": entry(
        "recorded automatically",
        "të regjistruara automatikisht",
        "automatski zabeleženi",
        "registreret automatisk",
    ),
    "copy.provenance.derived": entry(
        "derived by us from other data",
        "të nxjerra nga ne prej të dhënave të tjera",
        "izveli smo ih iz drugih podataka",
        "udledt af os ud fra andre oplysninger",
    ),
    "copy.masked": entry(
        "{columns}: the other party's number is masked to protect their privacy.",
        "{columns}: numri i palës tjetër është maskuar për të mbrojtur privatësinë e saj.",
        "{columns}: broj druge strane je maskiran radi zaštite njene privatnosti.",
        "{columns}: den anden parts nummer er maskeret for at beskytte vedkommendes privatliv.",
    ),
    "copy.other-party": entry(
        "These are records in which you are the other party: records of other subscribers "
        "that name your number. The other subscriber's number is masked.",
        "Këto janë regjistrime në të cilat ju jeni pala tjetër: regjistrime të pajtimtarëve "
        "të tjerë ku figuron numri juaj. Numri i pajtimtarit tjetër është maskuar.",
        "Ovo su zapisi u kojima ste vi druga strana: zapisi drugih pretplatnika u kojima se "
        "pojavljuje vaš broj. Broj drugog pretplatnika je maskiran.",
        "Dette er oplysninger, hvor du er den anden part: andre kunders oplysninger, hvor "
        "dit nummer indgår. Den anden kundes nummer er maskeret.",
    ),
    "copy.role.other-party": entry(
        "where you are the other party",
        "ku ju jeni pala tjetër",
        "u kojima ste vi druga strana",
        "hvor du er den anden part",
    ),
    "copy.masked-mark": entry("masked", "maskuar", "maskirano", "maskeret"),
    "copy.rows-left-out": entry(
        "This table shows the first rows: {shown} of {total} in all. The other rows "
        "({more}) are not printed here; every row is in the JSON and CSV files of this answer.",
        "Kjo tabelë tregon rreshtat e parë: {shown} nga gjithsej {total}. Rreshtat e tjerë "
        "({more}) nuk janë shtypur këtu; të gjitha rreshtat gjenden në skedarët JSON dhe CSV "
        "të kësaj përgjigjeje.",
        "Ova tabela prikazuje prve redove: {shown} od ukupno {total}. Ostali redovi ({more}) "
        "ovde nisu odštampani; svi redovi nalaze se u JSON i CSV datotekama ovog odgovora.",
        "Tabellen viser de første rækker: {shown} af i alt {total}. De øvrige rækker ({more}) "
        "er ikke udskrevet her; alle rækker findes i JSON- og CSV-filerne i dette svar.",
    ),
    "copy.no": entry("No", "Jo", "Ne", "Nej"),
    # Who received the subject's data, and the recipients told of a change to it
    # (`placet.notices.disclosed`: GDPR Art. 15(1)(c), 19).
    "copy.heading.disclosures": entry(
        "Who received your data",
        "Kush i ka marrë të dhënat tuaja",
        "Ko je primio vaše podatke",
        "Hvem har modtaget dine oplysninger",
    ),
    "copy.disclosures-intro": entry(
        "Each time we gave your data to someone outside our company, as our register of "
        "disclosures records it: when, to whom, for what purpose, which data and on what "
        "ground.",
        "Çdo herë që ia kemi dhënë të dhënat tuaja dikujt jashtë kompanisë sonë, siç e "
        "regjistron regjistri ynë i dhënies së të dhënave: kur, kujt, për çfarë qëllimi, "
        "cilat të dhëna dhe mbi çfarë baze.",
        "Svaki put kada smo vaše podatke dali nekome izvan naše kompanije, kako to beleži "
        "naš registar otkrivanja podataka: kada, kome, u koju svrhu, koje podatke i na kom "
        "osnovu.",
        "Hver gang vi har givet dine oplysninger til nogen uden for vores virksomhed, som "
        "vores register over videregivelser viser det: hvornår, til hvem, til hvilket formål, "
        "hvilke oplysninger og på hvilket grundlag.",
    ),
    "copy.heading.notified": entry(
        "Recipients told of changes to your data",
        "Marrësit që i kemi njoftuar për ndryshimet në të dhënat tuaja",
        "Primaoci koje smo obavestili o izmenama vaših podataka",
        "Modtagere, vi har underrettet om ændringer i dine oplysninger",
    ),
    "copy.notified-intro": entry(
        "When we corrected or erased your data, or restricted its processing, we told each "
        "recipient that had received it (Article 19 of the GDPR):",
        "Kur i korrigjuam ose i fshimë të dhënat tuaja, ose e kufizuam përpunimin e tyre, e "
        "njoftuam secilin marrës që i kishte marrë ato (neni 19 i GDPR-së):",
        "Kada smo ispravili ili izbrisali vaše podatke, ili ograničili njihovu obradu, "
        "obavestili smo svakog primaoca koji ih je primio (član 19 GDPR-a):",
        "Da vi berigtigede eller slettede dine oplysninger eller begrænsede behandlingen af "
        "dem, underrettede vi hver modtager, der havde fået dem (artikel 19 i GDPR):",
    ),
    "copy.label.disclosed-on": entry("Date", "Data", "Datum", "Dato"),
    "copy.label.recipient": entry("Recipient", "Marrësi", "Primalac", "Modtager"),
    "copy.label.party": entry(
        "Company or body",
        "Kompania ose organi",
        "Kompanija ili organ",
        "Virksomhed eller myndighed",
    ),
    "copy.label.buyer": entry(
        "Buyer of the claim", "Blerësi i pretendimit", "Kupac potraživanja", "Køber af fordringen"
    ),
    "copy.label.records": entry(
        "Records assigned", "Regjistrimet e kaluara", "Ustupljeni zapisi", "Overdragne poster"
    ),
    "copy.label.purpose": entry("Purpose", "Qëllimi", "Svrha", "Formål"),
    "copy.label.transfer": entry(
        "Ground for the transfer",
        "Baza për transferimin",
        "Osnov za prenos",
        "Grundlag for overførslen",
    ),
    "copy.label.reference": entry(
        "Reference of the order or request",
        "Referenca e urdhrit ose e kërkesës",
        "Broj naloga ili zahteva",
        "Referencenummer på kendelsen eller anmodningen",
    ),
    "copy.label.change": entry("Change", "Ndryshimi", "Izmena", "Ændring"),
    "copy.label.result": entry("Result", "Rezultati", "Ishod", "Resultat"),
    "copy.disclosure-kind.disclosure": entry(
        "disclosure", "dhënie e të dhënave", "otkrivanje podataka", "videregivelse"
    ),
    "copy.disclosure-kind.law-enforcement": entry(
        "disclosure to a law-enforcement authority",
        "dhënie e të dhënave organit të zbatimit të ligjit",
        "otkrivanje podataka organu za sprovođenje zakona",
        "videregivelse til en retshåndhævende myndighed",
    ),
    "copy.disclosure-kind.debt-assignment": entry(
        "assignment of a claim (a debt)",
        "kalim i pretendimit (i një borxhi)",
        "ustupanje potraživanja (duga)",
        "overdragelse af en fordring (en gæld)",
    ),
    "copy.disclosure-kind.inherent-transfer": entry(
        "transfer needed for the service (roaming, calls abroad)",
        "transferim i nevojshëm për shërbimin (roaming, thirrje jashtë vendit)",
        "prenos neophodan za uslugu (roming, pozivi u inostranstvo)",
        "overførsel, der er nødvendig for tjenesten (roaming, opkald til udlandet)",
    ),
    "copy.recipient.inherent-transfer": entry(
        "A network abroad",
        "Një rrjet jashtë vendit",
        "Mreža u inostranstvu",
        "Et netværk i udlandet",
    ),
    "copy.transfer.none": entry(
        "none: the data stayed in the country",
        "asnjë: të dhënat mbetën brenda vendit",
        "nema: podaci su ostali u zemlji",
        "ingen: oplysningerne blev i landet",
    ),
    "copy.transfer.within-eea": entry(
        "none needed: within the European Economic Area",
        "nuk nevojitet: brenda Zonës Ekonomike Evropiane",
        "nije potreban: unutar Evropskog ekonomskog prostora",
        "ikke nødvendigt: inden for Det Europæiske Økonomiske Samarbejdsområde",
    ),
    "copy.transfer.not-covered": entry(
        "no safeguard (recorded on our data protection officer's decision)",
        "pa masë mbrojtëse (regjistruar me vendim të zyrtarit tonë për mbrojtjen e të dhënave)",
        "bez zaštitne mere (zabeleženo odlukom našeg službenika za zaštitu podataka)",
        "ingen garanti (registreret efter beslutning fra vores databeskyttelsesrådgiver)",
    ),
    "copy.change.rectification": entry("correction", "korrigjim", "ispravka", "berigtigelse"),
    "copy.change.erasure": entry("erasure", "fshirje", "brisanje", "sletning"),
    "copy.change.restriction": entry(
        "restriction of processing",
        "kufizim i përpunimit",
        "ograničenje obrade",
        "begrænsning af behandlingen",
    ),
    "copy.notified.sent": entry("told", "u njoftua", "obavešten", "underrettet"),
    "copy.notified.no-contact": entry(
        "not yet told: we have no address for them on record, and will tell them another way",
        "ende pa u njoftuar: nuk kemi adresë të tyre në regjistër dhe do t'i njoftojmë në "
        "mënyrë tjetër",
        "još nije obavešten: nemamo njegovu adresu u evidenciji i obavestićemo ga na drugi način",
        "endnu ikke underrettet: vi har ingen adresse på modtageren og underretter den på "
        "anden måde",
    ),
    "copy.notified.not-needed": entry(
        "not needed: they keep no copy of your data",
        "nuk nevojitet: nuk ruan kopje të të dhënave tuaja",
        "nije potrebno: ne čuva kopiju vaših podataka",
        "ikke nødvendigt: modtageren opbevarer ingen kopi af dine oplysninger",
    ),
    "copy.notified.failed": entry(
        "not yet told: sending failed, and we will try again",
        "ende pa u njoftuar: dërgimi dështoi dhe do të provojmë përsëri",
        "još nije obavešten: slanje nije uspelo i pokušaćemo ponovo",
        "endnu ikke underrettet: afsendelsen mislykkedes, og vi prøver igen",
    ),
    "copy.heading.recorded": entry(
        "Your choices and what we recorded about you",
        "Zgjedhjet tuaja dhe çfarë kemi regjistruar për ju",
        "Vaši izbori i šta smo zabeležili o vama",
        "Dine valg og hvad vi har registreret om dig",
    ),
    "copy.recorded-intro": entry(
        "Every consent you gave or withdrew, every objection, restriction and opt-out, and "
        "the contracts, debts and facts about you that our consent ledger records, oldest "
        "first: when it took effect, how it reached us and who gave it.",
        "Çdo pëlqim që keni dhënë ose tërhequr, çdo kundërshtim, kufizim dhe refuzim, si dhe "
        "kontratat, borxhet dhe faktet për ju që regjistron regjistri ynë i pëlqimeve, nga më "
        "i vjetri: kur hyri në fuqi, si na arriti dhe kush e dha.",
        "Svaka saglasnost koju ste dali ili povukli, svaki prigovor, ograničenje i odjava, kao "
        "i ugovori, dugovi i podaci o vama koje beleži naša evidencija saglasnosti, od "
        "najstarijeg: kada je stupilo na snagu, kako je stiglo do nas i ko ga je dao.",
        "Hvert samtykke, du har givet eller trukket tilbage, hver indsigelse, begrænsning og "
        "framelding samt de aftaler, den gæld og de oplysninger om dig, som vores "
        "samtykkeregister indeholder, ældste først: hvornår det fik virkning, hvordan det nåede "
        "os, og hvem der gav det.",
    ),
    "copy.recorded.contract-started": entry(
        "Contract started", "Kontrata filloi", "Ugovor započet", "Aftale indgået"
    ),
    "copy.recorded.contract-ended": entry(
        "Contract ended", "Kontrata përfundoi", "Ugovor okončan", "Aftale ophørt"
    ),
    "copy.recorded.consent-given": entry(
        "Consent given", "Pëlqim i dhënë", "Saglasnost data", "Samtykke givet"
    ),
    "copy.recorded.consent-withdrawn": entry(
        "Consent withdrawn",
        "Pëlqim i tërhequr",
        "Saglasnost povučena",
        "Samtykke trukket tilbage",
    ),
    "copy.recorded.objection-made": entry(
        "Objection made", "Kundërshtim i bërë", "Prigovor uložen", "Indsigelse gjort"
    ),
    "copy.recorded.objection-withdrawn": entry(
        "Objection withdrawn",
        "Kundërshtim i tërhequr",
        "Prigovor povučen",
        "Indsigelse trukket tilbage",
    ),
    "copy.recorded.restriction-set": entry(
        "Processing restricted",
        "Përpunimi u kufizua",
        "Obrada ograničena",
        "Behandlingen begrænset",
    ),
    "copy.recorded.restriction-lifted": entry(
        "Restriction lifted",
        "Kufizimi u hoq",
        "Ograničenje ukinuto",
        "Begrænsningen ophævet",
    ),
    "copy.recorded.business-opt-out-made": entry(
        "Opted out of direct marketing",
        "Refuzim i marketingut të drejtpërdrejtë",
        "Odjava od direktnog marketinga",
        "Frameldt direkte markedsføring",
    ),
    "copy.recorded.business-opt-out-ended": entry(
        "Opt-out of direct marketing ended",
        "Refuzimi i marketingut të drejtpërdrejtë përfundoi",
        "Odjava od direktnog marketinga prestala",
        "Frameldingen af direkte markedsføring ophørt",
    ),
    "copy.recorded.debt-incurred": entry(
        "Amount owed", "Shumë e detyrueshme", "Dugovanje nastalo", "Skyldigt beløb"
    ),
    "copy.recorded.debt-settled": entry(
        "Amount owed settled",
        "Shuma e detyrueshme u shlye",
        "Dugovanje izmireno",
        "Skyldigt beløb betalt",
    ),
    "copy.recorded.subject-facts-recorded": entry(
        "Facts about you recorded",
        "Fakte për ju të regjistruara",
        "Zabeleženi podaci o vama",
        "Oplysninger om dig registreret",
    ),
    "copy.via.web": entry("website", "faqja e internetit", "internet stranica", "hjemmeside"),
    "copy.via.app": entry("app", "aplikacioni", "aplikacija", "app"),
    "copy.via.shop": entry("shop", "dyqani", "prodavnica", "butik"),
    "copy.via.call-centre": entry(
        "call centre", "qendra e thirrjeve", "kontakt centar", "kundeservice"
    ),
    "copy.via.sms": entry("SMS", "SMS", "SMS", "sms"),
    "copy.via.email": entry("e-mail", "postë elektronike", "e-pošta", "e-mail"),
    "copy.via.paper": entry("paper form", "formular në letër", "papirni obrazac", "papirblanket"),
    "copy.via.cookie-banner": entry(
        "cookie banner", "banderola e cookies", "baner za kolačiće", "cookiebanner"
    ),
    "copy.via.unsubscribe-link": entry(
        "unsubscribe link",
        "lidhja e çregjistrimit",
        "link za odjavu",
        "afmeldingslink",
    ),
    "copy.by.subject": entry("you", "ju", "vi", "dig"),
    "copy.by.representative": entry(
        "your authorised representative",
        "përfaqësuesi juaj i autorizuar",
        "vaš ovlašćeni zastupnik",
        "din befuldmægtigede",
    ),
    "copy.by.employer": entry(
        "your employer", "punëdhënësi juaj", "vaš poslodavac", "din arbejdsgiver"
    ),
    "copy.label.took-effect": entry(
        "Took effect", "Hyri në fuqi", "Stupilo na snagu", "Fik virkning"
    ),
    "copy.label.what": entry("About", "Për", "Odnosi se na", "Vedrørende"),
    "copy.label.via": entry("Reached us via", "Na arriti përmes", "Stiglo putem", "Modtaget via"),
    "copy.label.given-by": entry("Given by", "Dhënë nga", "Dao", "Givet af"),
    "copy.label.channels": entry("Channels", "Kanalet", "Kanali", "Kanaler"),
    "copy.label.evidence": entry("Evidence", "Dëshmia", "Dokaz", "Dokumentation"),
    "copy.recorded.all-direct-marketing": entry(
        "all direct marketing",
        "i gjithë marketingu i drejtpërdrejtë",
        "sav direktni marketing",
        "al direkte markedsføring",
    ),
    "copy.heading.withheld": entry(
        "What this copy leaves out",
        "Çfarë lë jashtë kjo kopje",
        "Šta ova kopija izostavlja",
        "Hvad denne kopi udelader",
    ),
    "copy.withheld-intro": entry(
        "You are a business customer. The records of how your lines were used (calls, "
        "messages, data sessions, where the lines were and recorded calls) are the personal "
        "data of the people who use them, your employees among them, and this copy leaves "
        "them out (GDPR Art. 15(4)). Each of them can ask us for their own records. Left "
        "out:",
        "Ju jeni klient biznesi. Të dhënat se si janë përdorur linjat tuaja (thirrjet, "
        "mesazhet, seancat e të dhënave, vendndodhja e linjave dhe thirrjet e regjistruara) "
        "janë të dhëna personale të njerëzve që i përdorin, përfshirë punonjësit tuaj, dhe "
        "kjo kopje i lë jashtë (neni 15(4) i GDPR). Secili prej tyre mund të na kërkojë të "
        "dhënat e veta. Të lëna jashtë:",
        "Vi ste poslovni korisnik. Zapisi o tome kako su vaše linije korišćene (pozivi, "
        "poruke, sesije prenosa podataka, lokacija linija i snimljeni pozivi) lični su podaci "
        "ljudi koji ih koriste, među njima i vaših zaposlenih, i ova kopija ih izostavlja "
        "(član 15(4) GDPR-a). Svako od njih može od nas zatražiti svoje zapise. Izostavljeno:",
        "Du er erhvervskunde. Oplysningerne om, hvordan dine linjer er brugt (opkald, "
        "beskeder, datasessioner, hvor linjerne var, og optagede samtaler), er "
        "personoplysninger om de personer, der bruger dem, herunder dine medarbejdere, og "
        "denne kopi udelader dem (GDPR artikel 15, stk. 4). Hver af dem kan bede os om deres "
        "egne oplysninger. Udeladt:",
    ),
    "copy.heading.parties": entry(
        "The companies behind the recipients",
        "Kompanitë pas marrësve",
        "Kompanije iza primalaca",
        "Virksomhederne bag modtagerne",
    ),
    "copy.parties-intro": entry(
        "The recipients named above, by the companies our agreements in force name: the kind "
        "of agreement, the countries where each processes the data and, for a country outside "
        "the EU/EEA, the safeguard the transfer rests on.",
        "Marrësit e përmendur më sipër, sipas kompanive që emërtojnë marrëveshjet tona në "
        "fuqi: lloji i marrëveshjes, shtetet ku secila i përpunon të dhënat dhe, për një shtet "
        "jashtë BE/ZEE, masa mbrojtëse mbi të cilën mbështetet transferimi.",
        "Gore navedeni primaoci, po kompanijama koje navode naši važeći ugovori: vrsta "
        "ugovora, zemlje u kojima svaka obrađuje podatke i, za zemlju izvan EU/EEP, zaštitna "
        "mera na kojoj se prenos zasniva.",
        "Modtagerne ovenfor, opgjort efter de virksomheder, vores gældende aftaler nævner: "
        "aftalens art, de lande, hvor hver af dem behandler oplysningerne, og for et land uden "
        "for EU/EØS den garanti, overførslen bygger på.",
    ),
    "copy.label.in-force-since": entry(
        "In force since", "Në fuqi që nga", "Na snazi od", "Gældende siden"
    ),
}
