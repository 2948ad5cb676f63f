"""Amazon marketplace registry: ids, domains, currencies, time zones and download formats.

The readers (``opsanalysis.io``) and the sample generator take the number and date conventions of
Seller Central downloads from here, so every marketplace-specific format lives in one table.

Marketplace ids are Amazon's Selling Partner API ids; regions are the SP-API endpoint regions
(NA: North America + Brazil, EU: Europe + India + Middle East + Turkey, FE: Japan, Australia,
Singapore). Number and date formats are the locale conventions of each marketplace's default
Seller Central language; readers should still accept any whitespace as a thousands separator
(Amazon emits both U+00A0 and U+202F in French/Swedish/Polish text).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Marketplace",
    "UnknownMarketplaceError",
    "all_marketplaces",
    "by_marketplace_id",
    "codes",
    "currency_decimals",
    "get",
]


class UnknownMarketplaceError(KeyError):
    """A marketplace code or id that is not in the registry; the message lists the known ones."""

    def __str__(self) -> str:  # KeyError quotes its argument; show the plain message instead
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Marketplace:
    """One Amazon marketplace and the conventions of its Seller Central downloads.

    Attributes
    ----------
    code : str
        Two-letter code used throughout the package ("US", "UK", "DE", "JP" ...).
    marketplace_id : str
        Amazon's marketplace id (SP-API ``marketplaceId``, e.g. "ATVPDKIKX0DER").
    domain : str
        Retail domain ("amazon.com").
    region : str
        SP-API region: "NA", "EU" or "FE".
    currency : str
        ISO 4217 code of listing prices and report money.
    timezone : str
        IANA time zone of the marketplace's report calendar dates.
    language : str
        Locale of Seller Central downloads in the marketplace's default language ("de-DE").
    decimal_separator : str
        Decimal mark in display-formatted numbers.
    thousands_separator : str
        Digit-group separator in display-formatted numbers.
    currency_symbol : str
        Symbol shown with money ("$", "£", "€", "￥" ...).
    symbol_position : str
        "prefix" (``$1,234.56``) or "suffix" (``1.234,56 €``).
    date_order : str
        Order of day, month and year in downloaded dates: "MDY", "DMY" or "YMD".
    prices_include_vat : bool
        Whether listed consumer prices include VAT/GST/consumption tax.
    """

    code: str
    marketplace_id: str
    domain: str
    region: str
    currency: str
    timezone: str
    language: str
    decimal_separator: str
    thousands_separator: str
    currency_symbol: str
    symbol_position: str
    date_order: str
    prices_include_vat: bool


_NBSP = "\u00a0"

# (code, id, domain, region, currency, tz, language, decimal, thousands, symbol, position,
#  date order, prices include VAT). US/CA: Seller Central reports use Pacific time.
_TABLE = [
    ("US", "ATVPDKIKX0DER", "amazon.com", "NA", "USD", "America/Los_Angeles", "en-US",
     ".", ",", "$", "prefix", "MDY", False),
    ("CA", "A2EUQ1WTGCTBG2", "amazon.ca", "NA", "CAD", "America/Los_Angeles", "en-CA",
     ".", ",", "$", "prefix", "MDY", False),
    ("MX", "A1AM78C64UM0Y8", "amazon.com.mx", "NA", "MXN", "America/Mexico_City", "es-MX",
     ".", ",", "$", "prefix", "DMY", True),
    ("BR", "A2Q3Y263D00KWC", "amazon.com.br", "NA", "BRL", "America/Sao_Paulo", "pt-BR",
     ",", ".", "R$", "prefix", "DMY", True),
    ("UK", "A1F83G8C2ARO7P", "amazon.co.uk", "EU", "GBP", "Europe/London", "en-GB",
     ".", ",", "£", "prefix", "DMY", True),
    ("DE", "A1PA6795UKMFR9", "amazon.de", "EU", "EUR", "Europe/Berlin", "de-DE",
     ",", ".", "€", "suffix", "DMY", True),
    ("FR", "A13V1IB3VIYZZH", "amazon.fr", "EU", "EUR", "Europe/Paris", "fr-FR",
     ",", _NBSP, "€", "suffix", "DMY", True),
    ("IT", "APJ6JRA9NG5V4", "amazon.it", "EU", "EUR", "Europe/Rome", "it-IT",
     ",", ".", "€", "suffix", "DMY", True),
    ("ES", "A1RKKUPIHCS9HS", "amazon.es", "EU", "EUR", "Europe/Madrid", "es-ES",
     ",", ".", "€", "suffix", "DMY", True),
    ("NL", "A1805IZSGTT6HS", "amazon.nl", "EU", "EUR", "Europe/Amsterdam", "nl-NL",
     ",", ".", "€", "prefix", "DMY", True),
    ("SE", "A2NODRKZP88ZB9", "amazon.se", "EU", "SEK", "Europe/Stockholm", "sv-SE",
     ",", _NBSP, "kr", "suffix", "YMD", True),
    ("PL", "A1C3SOZRARQ6R3", "amazon.pl", "EU", "PLN", "Europe/Warsaw", "pl-PL",
     ",", _NBSP, "zł", "suffix", "DMY", True),
    ("BE", "AMEN7PMS3EDWL", "amazon.com.be", "EU", "EUR", "Europe/Brussels", "fr-BE",
     ",", ".", "€", "suffix", "DMY", True),
    ("TR", "A33AVAJ2PDY3EV", "amazon.com.tr", "EU", "TRY", "Europe/Istanbul", "tr-TR",
     ",", ".", "TL", "suffix", "DMY", True),
    ("JP", "A1VC38T7YXB528", "amazon.co.jp", "FE", "JPY", "Asia/Tokyo", "ja-JP",
     ".", ",", "￥", "prefix", "YMD", True),
    ("AU", "A39IBJ37TRP1C6", "amazon.com.au", "FE", "AUD", "Australia/Sydney", "en-AU",
     ".", ",", "$", "prefix", "DMY", True),
    ("SG", "A19VAU5U5O7RUS", "amazon.sg", "FE", "SGD", "Asia/Singapore", "en-SG",
     ".", ",", "S$", "prefix", "DMY", True),
    ("IN", "A21TJRUUN4KGV", "amazon.in", "EU", "INR", "Asia/Kolkata", "en-IN",
     ".", ",", "₹", "prefix", "DMY", True),
    ("AE", "A2VIGQ35RCS4UG", "amazon.ae", "EU", "AED", "Asia/Dubai", "en-AE",
     ".", ",", "AED", "prefix", "DMY", True),
    ("SA", "A17E79C6D8DWNP", "amazon.sa", "EU", "SAR", "Asia/Riyadh", "ar-SA",
     ".", ",", "SAR", "prefix", "DMY", True),
]

_BY_CODE: dict[str, Marketplace] = {row[0]: Marketplace(*row) for row in _TABLE}
_BY_ID: dict[str, Marketplace] = {mp.marketplace_id: mp for mp in _BY_CODE.values()}


def codes() -> list[str]:
    """Codes of every known marketplace, in registry order (NA, EU, FE groups).

    Returns
    -------
    list of str
    """
    return list(_BY_CODE)


def all_marketplaces() -> list[Marketplace]:
    """Every known marketplace, in the order of :func:`codes`.

    Returns
    -------
    list of Marketplace
    """
    return list(_BY_CODE.values())


def get(code: str | Marketplace) -> Marketplace:
    """Look up a marketplace by its code, case-insensitively ("us", "US", " de ").

    Parameters
    ----------
    code : str or Marketplace
        Marketplace code; "GB" is accepted for "UK" (ISO country code). A ``Marketplace`` is
        returned unchanged so functions can accept either.

    Returns
    -------
    Marketplace

    Raises
    ------
    UnknownMarketplaceError
        (a ``KeyError``) naming the code and listing the known codes.
    """
    if isinstance(code, Marketplace):
        return code
    key = str(code).strip().upper()
    key = "UK" if key == "GB" else key
    try:
        return _BY_CODE[key]
    except KeyError:
        raise UnknownMarketplaceError(
            f"unknown marketplace {code!r}; known codes: {', '.join(codes())}"
        ) from None


def by_marketplace_id(marketplace_id: str) -> Marketplace:
    """Look up a marketplace by Amazon's marketplace id ("ATVPDKIKX0DER").

    Parameters
    ----------
    marketplace_id : str
        SP-API marketplace id (exact, case-sensitive as Amazon writes it; surrounding
        whitespace is ignored).

    Returns
    -------
    Marketplace

    Raises
    ------
    UnknownMarketplaceError
        (a ``KeyError``) naming the id and listing the known ids with their codes.
    """
    try:
        return _BY_ID[str(marketplace_id).strip()]
    except KeyError:
        known = ", ".join(f"{mp.marketplace_id} ({mp.code})" for mp in _BY_ID.values())
        raise UnknownMarketplaceError(
            f"unknown marketplace id {marketplace_id!r}; known ids: {known}"
        ) from None


#: ISO 4217 currencies without a minor unit (amounts are whole units: yen, won ...).
_ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "CLP", "VND", "ISK"})


def currency_decimals(currency: str) -> int:
    """Decimal places of a currency's minor unit (ISO 4217): 0 for JPY, 2 for USD, EUR, GBP ...

    Parameters
    ----------
    currency : str
        ISO 4217 code.

    Returns
    -------
    int
    """
    return 0 if str(currency).strip().upper() in _ZERO_DECIMAL_CURRENCIES else 2
