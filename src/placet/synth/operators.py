"""What makes each operator's estate its own: numbering plan, names, products, where it
keeps location, and the mix of subscribers.

The names, streets and companies are common words of each country, not real people.
"""

from __future__ import annotations

from dataclasses import dataclass

from placet.synth.plan import OperatorName

__all__ = ["OPERATORS", "OperatorProfile", "SubscriberKind"]


class SubscriberKind:
    """The kinds of subscriber, as codes in the population and words in the CRM."""

    CONSUMER = 0
    BUSINESS = 1
    MINOR = 2
    PROSPECT = 3
    WORDS = ("consumer", "business", "minor", "prospect")


@dataclass(frozen=True, slots=True)
class OperatorProfile:
    """One operator's numbering plan, vocabulary and habits."""

    name: OperatorName
    country_code: str
    """E.164 country code with its '+': `+383`."""
    mobile_ranges: tuple[int, ...]
    """First two digits of the operator's 8-digit national mobile numbers."""
    offnet_ranges: tuple[int, ...]
    """First two digits of other networks' numbers, called as B-numbers."""
    keeps_cells: bool
    """True: traffic data carries the cell id; False: only the country (ipnordic)."""
    kind_shares: tuple[float, float, float, float]
    """Shares of consumers, businesses, minors and prospects."""
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    streets: tuple[str, ...]
    cities: tuple[str, ...]
    companies: tuple[str, ...]
    products: tuple[str, ...]
    business_products: tuple[str, ...]
    mcc_mnc: str
    """Mobile country and network code, the start of a cell id: `221-02`."""
    home_country: str
    roaming_countries: tuple[str, ...]
    email_domains: tuple[str, ...]
    recordings_bucket: str
    apns: tuple[str, ...]
    payment_methods: tuple[str, ...]

    @property
    def number_space(self) -> int:
        """How many distinct mobile numbers the operator can hand out."""
        return len(self.mobile_ranges) * 1_000_000


_EXAMPLE_DOMAINS = ("example.com", "example.net", "example.org")


def _listed(text: str) -> tuple[str, ...]:
    """The words of a comma-separated list: `_listed("Vestergade, Østergade")`."""
    return tuple(word.strip() for word in text.split(","))


OPERATORS: dict[OperatorName, OperatorProfile] = {
    OperatorName.IPKO: OperatorProfile(
        name=OperatorName.IPKO,
        country_code="+383",
        mobile_ranges=(43, 44, 45, 46, 48, 49),
        offnet_ranges=(38, 39, 28, 29),
        keeps_cells=True,
        kind_shares=(0.80, 0.07, 0.06, 0.07),
        first_names=_listed(
            "Arben, Blerim, Driton, Fatmir, Gani, Ilir, Kushtrim, Labinot, Mentor, "
            "Petrit, Valon, Agon, Albana, Blerta, Drita, Elira, Fjolla, Hana, Jehona, "
            "Liridona, Mimoza, Rina, Vlora, Teuta, Marko, Milica, Jelena, Stefan"
        ),
        last_names=_listed(
            "Krasniqi, Gashi, Berisha, Morina, Shala, Hoxha, Bytyqi, Kastrati, "
            "Rexhepi, Ahmeti, Hajdari, Kelmendi, Zeqiri, Mustafa, Thaçi, Jovanović, "
            "Petrović, Nikolić"
        ),
        streets=_listed(
            "Rruga Nëna Terezë, Rruga Agim Ramadani, Rruga UÇK, Rruga Luan Haradinaj, "
            "Rruga Garibaldi, Rruga Fehmi Agani, Rruga Rexhep Luci, "
            "Bulevardi Bill Clinton"
        ),
        cities=_listed(
            "Prishtinë, Prizren, Pejë, Gjakovë, Ferizaj, Gjilan, Mitrovicë, Podujevë, Vushtrri"
        ),
        companies=_listed(
            "Dardania Trade SH.P.K., Kosova Logistics L.L.C., Ilirida Construction, "
            "Besa Pharm, Rugova Foods, Drini Energy, Sharri Tours, Albi Market"
        ),
        products=("IPKO Mobile 10", "IPKO Mobile 20", "IPKO Unlimited", "IPKO Prepaid", "Trio"),
        business_products=("IPKO Business Mobile", "IPKO Business Fiber", "IPKO Business Trio"),
        mcc_mnc="221-02",
        home_country="XK",
        roaming_countries=("AL", "MK", "DE", "CH", "AT", "IT", "TR"),
        email_domains=_EXAMPLE_DOMAINS,
        recordings_bucket="s3://ipko-care-recordings",
        apns=("internet", "mms", "ims"),
        payment_methods=("cash", "card", "bank-transfer", "e-banking"),
    ),
    OperatorName.IPNORDIC: OperatorProfile(
        name=OperatorName.IPNORDIC,
        country_code="+45",
        mobile_ranges=(20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 40, 41, 42, 50, 51),
        offnet_ranges=(60, 61, 71, 81, 91, 93),
        keeps_cells=False,
        kind_shares=(0.30, 0.60, 0.03, 0.07),
        first_names=_listed(
            "Mads, Frederik, Oliver, Lucas, Christian, Rasmus, Søren, Mikkel, Anne, "
            "Mette, Sofie, Camilla, Louise, Ida, Freja, Emma"
        ),
        last_names=_listed(
            "Nielsen, Jensen, Hansen, Pedersen, Andersen, Christensen, Larsen, "
            "Sørensen, Rasmussen, Jørgensen, Petersen, Madsen, Kristensen"
        ),
        streets=_listed(
            "Vestergade, Østergade, Nørregade, Søndergade, Strandvejen, Algade, "
            "Jernbanegade, Bredgade"
        ),
        cities=_listed(
            "8000 Aarhus C, 2100 København Ø, 5000 Odense C, 9000 Aalborg, "
            "6700 Esbjerg, 7100 Vejle, 8900 Randers"
        ),
        companies=_listed(
            "Nordlys ApS, Havnens Tømrer A/S, Kystens VVS ApS, Jysk Revision ApS, "
            "Bølge Design I/S, Fjord Logistik A/S, Skov & Have ApS"
        ),
        products=("Mobil 30 GB", "Mobil Fri Data", "Bredbånd 1000"),
        business_products=("Erhverv Mobil", "Erhverv Omstilling", "Erhverv Fiber", "SIP Trunk"),
        mcc_mnc="238-99",
        home_country="DK",
        roaming_countries=("SE", "NO", "DE", "GB", "ES", "FR", "US"),
        email_domains=_EXAMPLE_DOMAINS,
        recordings_bucket="s3://ipnordic-support-recordings",
        apns=("internet", "mms", "ims"),
        payment_methods=("betalingsservice", "bank-transfer", "card"),
    ),
}
