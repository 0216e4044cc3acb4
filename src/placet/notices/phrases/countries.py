"""Country names, by ISO 3166 code, in each language Placet writes.

Imports nothing outside the standard library.
"""

from __future__ import annotations

from placet.notices.phrases.entry import entry

__all__ = ["COUNTRIES"]

COUNTRIES = {
    "country.AL": entry("Albania", "Shqipëria", "Albanija", "Albanien"),
    "country.AT": entry("Austria", "Austria", "Austrija", "Østrig"),
    "country.BA": entry(
        "Bosnia and Herzegovina",
        "Bosnja dhe Hercegovina",
        "Bosna i Hercegovina",
        "Bosnien-Hercegovina",
    ),
    "country.BE": entry("Belgium", "Belgjika", "Belgija", "Belgien"),
    "country.BG": entry("Bulgaria", "Bullgaria", "Bugarska", "Bulgarien"),
    "country.CA": entry("Canada", "Kanada", "Kanada", "Canada"),
    "country.CH": entry("Switzerland", "Zvicra", "Švajcarska", "Schweiz"),
    "country.CN": entry("China", "Kina", "Kina", "Kina"),
    "country.CY": entry("Cyprus", "Qiproja", "Kipar", "Cypern"),
    "country.CZ": entry("Czechia", "Çekia", "Češka", "Tjekkiet"),
    "country.DE": entry("Germany", "Gjermania", "Nemačka", "Tyskland"),
    "country.DK": entry("Denmark", "Danimarka", "Danska", "Danmark"),
    "country.EE": entry("Estonia", "Estonia", "Estonija", "Estland"),
    "country.ES": entry("Spain", "Spanja", "Španija", "Spanien"),
    "country.FI": entry("Finland", "Finlanda", "Finska", "Finland"),
    "country.FR": entry("France", "Franca", "Francuska", "Frankrig"),
    "country.GB": entry(
        "United Kingdom", "Mbretëria e Bashkuar", "Ujedinjeno Kraljevstvo", "Storbritannien"
    ),
    "country.GR": entry("Greece", "Greqia", "Grčka", "Grækenland"),
    "country.HR": entry("Croatia", "Kroacia", "Hrvatska", "Kroatien"),
    "country.HU": entry("Hungary", "Hungaria", "Mađarska", "Ungarn"),
    "country.IE": entry("Ireland", "Irlanda", "Irska", "Irland"),
    "country.IL": entry("Israel", "Izraeli", "Izrael", "Israel"),
    "country.IN": entry("India", "India", "Indija", "Indien"),
    "country.IS": entry("Iceland", "Islanda", "Island", "Island"),
    "country.IT": entry("Italy", "Italia", "Italija", "Italien"),
    "country.JP": entry("Japan", "Japonia", "Japan", "Japan"),
    "country.LI": entry("Liechtenstein", "Lihtenshtajni", "Lihtenštajn", "Liechtenstein"),
    "country.LT": entry("Lithuania", "Lituania", "Litvanija", "Litauen"),
    "country.LU": entry("Luxembourg", "Luksemburgu", "Luksemburg", "Luxembourg"),
    "country.LV": entry("Latvia", "Letonia", "Letonija", "Letland"),
    "country.ME": entry("Montenegro", "Mali i Zi", "Crna Gora", "Montenegro"),
    "country.MK": entry(
        "North Macedonia", "Maqedonia e Veriut", "Severna Makedonija", "Nordmakedonien"
    ),
    "country.MT": entry("Malta", "Malta", "Malta", "Malta"),
    "country.NL": entry("Netherlands", "Holanda", "Holandija", "Nederlandene"),
    "country.NO": entry("Norway", "Norvegjia", "Norveška", "Norge"),
    "country.PL": entry("Poland", "Polonia", "Poljska", "Polen"),
    "country.PT": entry("Portugal", "Portugalia", "Portugalija", "Portugal"),
    "country.RO": entry("Romania", "Rumania", "Rumunija", "Rumænien"),
    "country.RS": entry("Serbia", "Serbia", "Srbija", "Serbien"),
    "country.SE": entry("Sweden", "Suedia", "Švedska", "Sverige"),
    "country.SI": entry("Slovenia", "Sllovenia", "Slovenija", "Slovenien"),
    "country.SK": entry("Slovakia", "Sllovakia", "Slovačka", "Slovakiet"),
    "country.TR": entry("Türkiye", "Turqia", "Turska", "Tyrkiet"),
    "country.UA": entry("Ukraine", "Ukraina", "Ukrajina", "Ukraine"),
    "country.US": entry(
        "United States", "Shtetet e Bashkuara të Amerikës", "Sjedinjene Američke Države", "USA"
    ),
    "country.XK": entry("Kosovo", "Kosova", "Kosovo", "Kosovo"),
}
