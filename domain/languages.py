"""Language tags (BCP 47, checked for syntax only) and each country's default language.

No engine's list of languages is consulted here: a tag that is well formed is accepted, and an
engine that lacks the language says so when asked (the translation then ends as
`TranslationFailed`).
"""

from __future__ import annotations

import re

# RFC 5646 "langtag": language (2-3 letters, optional extlangs, or 4-8 letters), script,
# region, variants, extensions and a private-use part, in that order.
_LANGTAG = re.compile(
    r"""^(?:
        (?P<language>[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})
        (?:-[a-z]{4})?                              # script
        (?:-(?:[a-z]{2}|[0-9]{3}))?                 # region
        (?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*    # variants
        (?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*        # extensions
        (?:-x(?:-[a-z0-9]{1,8})+)?                  # private use
    |x(?:-[a-z0-9]{1,8})+)$""",
    re.IGNORECASE | re.VERBOSE,
)
MAX_TAG = 64

# The main language of each country a store may register in (ISO 3166-1 alpha-2 → BCP 47).
# README.md, "Translation", prints this table; a country not listed defaults to English.
COUNTRY_LANGUAGES: dict[str, str] = {
    "AE": "ar", "AR": "es", "AT": "de", "AU": "en", "BE": "nl", "BG": "bg", "BR": "pt",
    "CA": "en", "CH": "de", "CL": "es", "CN": "zh", "CO": "es", "CY": "el", "CZ": "cs",
    "DE": "de", "DK": "da", "EE": "et", "EG": "ar", "ES": "es", "FI": "fi", "FR": "fr",
    "GB": "en", "GR": "el", "HK": "zh", "HR": "hr", "HU": "hu", "ID": "id", "IE": "en",
    "IL": "he", "IN": "hi", "IS": "is", "IT": "it", "JP": "ja", "KR": "ko", "LT": "lt",
    "LU": "fr", "LV": "lv", "MT": "mt", "MX": "es", "MY": "ms", "NG": "en", "NL": "nl",
    "NO": "nb", "NZ": "en", "PE": "es", "PH": "en", "PL": "pl", "PT": "pt", "RO": "ro",
    "RS": "sr", "RU": "ru", "SA": "ar", "SE": "sv", "SG": "en", "SI": "sl", "SK": "sk",
    "TH": "th", "TR": "tr", "TW": "zh", "UA": "uk", "US": "en", "VN": "vi", "ZA": "en",
}  # fmt: skip
FALLBACK_LANGUAGE = "en"


def is_language_tag(tag: str) -> bool:
    """Whether `tag` is a well-formed BCP 47 tag (syntax only)."""
    return len(tag) <= MAX_TAG and _LANGTAG.match(tag) is not None


def primary(tag: str) -> str:
    """The primary language subtag, lower case: `fr-CA` → `fr`."""
    return tag.split("-", 1)[0].lower()


def same_language(a: str, b: str) -> bool:
    """Two tags name one language when their primary subtags agree (`fr` and `fr-FR`)."""
    return primary(a) == primary(b)


def default_language(country: str) -> str:
    """The main language of a store's country, for a store registered without one."""
    return COUNTRY_LANGUAGES.get(country.upper(), FALLBACK_LANGUAGE)
