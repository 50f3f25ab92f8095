"""The sensitive-data rules: one pattern per value shape, and a check that keeps look-alikes out.

Checksummed identifiers are validated with python-stdnum, national phone formats with
phonenumbers (both work offline). Secrets are recognised by their issuers' prefixes; the
shapes without a prefix (a bare AWS secret key, a password) need a naming word nearby.
Patterns use the `regex` module because the stream redactor asks the same patterns for
partial matches at the end of the text ("could this still become a value?").
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import phonenumbers
import regex
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.br import cpf as br_cpf
from stdnum.es import dni as es_dni
from stdnum.in_ import aadhaar as in_aadhaar
from stdnum.in_ import pan as in_pan
from stdnum.it import codicefiscale as it_cf
from stdnum.us import ssn as us_ssn

from privllm.stack.gateway_config import DEFAULT_PHONE_REGIONS

# How far before a value its naming words are looked for.
CONTEXT_CHARS = 48

Check = Callable[[str, str, int], bool]  # (value, whole text, value start) -> is it really one


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: regex.Pattern
    check: Check | None = None
    # A match needs one of these substrings in the lower-cased text (a cheap test before the
    # pattern runs); with needs_digit it needs a digit. Both must stay necessary conditions.
    hints: tuple[str, ...] = ()
    needs_digit: bool = False

    def may_match(self, lowered: str, has_digit: bool) -> bool:
        if self.needs_digit and not has_digit:
            return False
        return not self.hints or any(h in lowered for h in self.hints)


def _before(text: str, start: int, chars: int = CONTEXT_CHARS) -> str:
    return text[max(0, start - chars) : start].lower()


def _named(words: Iterable[str]) -> Check:
    compiled = regex.compile(r"(?:" + "|".join(words) + r")")
    return lambda value, text, start: compiled.search(_before(text, start)) is not None


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


# Words that say a number is a reference of some kind, not a person's number.
_NOT_PERSONAL = regex.compile(
    r"\b(?:order|invoice|tracking|ticket|ref(?:erence)?|sku|upc|ean|isbn|build|version|release|transaction|txn|serial|"
    r"part|po|case|request|booking|shipment|parcel|batch|lot|id)\b[^.\n]{0,24}$"
)


def _reference_number(text: str, start: int) -> bool:
    return _NOT_PERSONAL.search(_before(text, start, 40)) is not None


# --- payment cards ---------------------------------------------------------------------------

_CARD_CONTEXT = regex.compile(r"\b(?:card|visa|master\s*card|amex|american express|discover|credit|debit|cc|pan|jcb|diners|maestro|cvv|exp)")


def _card_brand_ok(digits: str) -> bool:
    n, p2, p4 = len(digits), int(digits[:2]), int(digits[:4])
    if digits[0] == "4":
        return n in (13, 16, 19)
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:
        return n == 16
    if p2 in (34, 37):
        return n == 15
    if digits.startswith("6011") or p2 == 65 or 644 <= int(digits[:3]) <= 649 or p2 == 62:
        return 16 <= n <= 19
    if 3528 <= p4 <= 3589:
        return 16 <= n <= 19
    if p2 in (36, 38, 39) or 300 <= int(digits[:3]) <= 305:
        return 14 <= n <= 19
    return p2 in (50, 56, 57, 58, 67) and 12 <= n <= 19  # Maestro


def _card(value: str, text: str, start: int) -> bool:
    digits = _digits(value)
    if not (_card_brand_ok(digits) and luhn.is_valid(digits)):
        return False
    return not _reference_number(text, start) or _CARD_CONTEXT.search(_before(text, start)) is not None


# --- national identifiers ------------------------------------------------------------------------

def _iban(value: str, text: str, start: int) -> bool:
    # Mod-97 and the country's length, without national check digits: generated test
    # data and some banks' own formats fail those, and a leaked IBAN is worse than a false alarm.
    return std_iban.is_valid(value, check_country=False)


def _ssn(value: str, text: str, start: int) -> bool:
    return us_ssn.is_valid(value)


_AADHAAR_CONTEXT = _named((r"aadha+r", r"\buid\b", r"uidai", "आधार", r"\bkyc\b"))


def _aadhaar(value: str, text: str, start: int) -> bool:
    if not in_aadhaar.is_valid(value):
        return False
    # Grouped 4-4-4 is the printed form; a bare 12-digit run is as often a barcode or an id.
    grouped = not value.isdigit()
    return grouped or _AADHAAR_CONTEXT(value, text, start)


def _pan(value: str, text: str, start: int) -> bool:
    return in_pan.is_valid(value)


_NINO_PREFIX_BANNED = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def _nino(value: str, text: str, start: int) -> bool:
    compact = value.replace(" ", "").upper()
    first, second = compact[0], compact[1]
    return first not in "DFIQUV" and second not in "DFIOQUV" and compact[:2] not in _NINO_PREFIX_BANNED


def _es_dni(value: str, text: str, start: int) -> bool:
    return es_dni.is_valid(value)


def _it_cf(value: str, text: str, start: int) -> bool:
    return it_cf.is_valid(value)


def _br_cpf(value: str, text: str, start: int) -> bool:
    return br_cpf.is_valid(value)


# --- network addresses -----------------------------------------------------------------------------

_VERSION_CONTEXT = regex.compile(r"(?:\bv|\bversion|\brelease|\bbuild|\bupgrade|\bupdate|\bfirmware|\bkernel|\bpackage|\bpatch|\bsdk|\brev)\b[^.\n]{0,20}$")


def _ipv4(value: str, text: str, start: int) -> bool:
    try:
        ip = ipaddress.IPv4Address(value)
    except ValueError:
        return False
    if ip.is_loopback or ip.is_unspecified:
        return False
    octets = value.split(".")
    if all(len(o) == 1 for o in octets):  # 1.2.3.4 is a version far more often than a host
        return False
    return _VERSION_CONTEXT.search(_before(text, start, 24)) is None


def _ipv6(value: str, text: str, start: int) -> bool:
    try:
        ip = ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return value.count(":") >= 2 and not (ip.is_loopback or ip.is_unspecified)


# --- e-mail ------------------------------------------------------------------------------------------

_FILE_SUFFIXES = {"png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "pdf", "avif", "tif", "tiff", "heic", "mp4", "mov", "js", "ts", "css", "md"}
_SCALE_SUFFIX = regex.compile(r"@\d+(?:\.\d+)?x\.", regex.IGNORECASE)


def _email(value: str, text: str, start: int) -> bool:
    # logo@2x.png, hero@3x.webp: retina asset names, not addresses.
    return not (_SCALE_SUFFIX.search(value) or value.rsplit(".", 1)[-1].lower() in _FILE_SUFFIXES)


# --- phones ------------------------------------------------------------------------------------------

_PHONE_CONTEXT = regex.compile(
    r"\b(?:phone|tel|telephone|mobile|mob|cell|call|ring|text|sms|whatsapp|fax|contact|reach|dial|hotline|office|desk|"
    r"nummer|telefon|rufen|anrufen|t[ée]l[ée]phone|portable|t[ée]l|tel[ée]fono|llama|cellulare|número|numero|telefoon|"
    r"電話|携帯|फ़ोन|номер|телефон)"
)
# Dates, and the SSN shape (never issued SSNs like 666-12-3456 are not phones either).
_DATE_SHAPE = regex.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$|^\d{3}-\d{2}-\d{4}$")


# Shapes that say "phone" by themselves: (415) 555-0132, 415-555-0132, 415.555.0132. Test data and
# fictional numbers (555) are not valid assignments, but they are written as phones all the same.
_PHONE_SHAPE = regex.compile(r"^(?:\(\d{3}\)\s?|\d{3}[-.])\d{3}[-.]\d{4}$")


@functools.lru_cache(maxsize=4096)
def _phone_number(value: str, regions: tuple[str, ...], named: bool) -> bool:
    """Is the value a phone number of one of the regions (or an international one)? A number
    with "+" or a phone-shaped one only has to be possible, others valid unless named."""
    international = value.startswith(("+", "00"))
    named = named or international or _PHONE_SHAPE.match(value) is not None
    for region in (None,) if international else regions:
        try:
            number = phonenumbers.parse(value if not value.startswith("00") else "+" + value[2:], region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number) or (named and phonenumbers.is_possible_number(number)):
            return True
    return False


def phone_check(regions: tuple[str, ...]) -> Check:
    def check(value: str, text: str, start: int) -> bool:
        digits = _digits(value)
        if not 7 <= len(digits) <= 15 or _DATE_SHAPE.match(value):
            return False
        named = _PHONE_CONTEXT.search(_before(text, start)) is not None
        if not named and _reference_number(text, start):
            return False
        if not value.startswith(("+", "00")) and not named and value.isdigit():
            return False  # a bare digit run is a phone only where the text says so
        return _phone_number(value, regions, named)

    return check


# --- secrets -----------------------------------------------------------------------------------------

_AWS_SECRET_CONTEXT = regex.compile(r"aws|secret|amazon|s3|iam")


def _aws_secret(value: str, text: str, start: int) -> bool:
    # 40 characters of base64 with upper, lower and a digit, next to a word that names it
    # (git hashes are hex and lower-case; most other 40-character runs have no such word).
    if not (any(c.isupper() for c in value) and any(c.islower() for c in value) and any(c.isdigit() for c in value)):
        return False
    window = text[max(0, start - 80) : start].lower()
    return _AWS_SECRET_CONTEXT.search(window) is not None or regex.search(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", text[max(0, start - 120) : start]) is not None


def _assigned_secret(value: str, text: str, start: int) -> bool:
    # "password: hunter2xx" yes; "password: ********", "token: <your token>", "secret: see vault" no.
    if len(set(value)) < 4 or value.lower() in {"none", "null", "true", "false", "changeme", "required", "optional"}:
        return False
    return not regex.fullmatch(r"[<{\[$%].*|\*+|x+|\.+|[a-z]+(?:_[a-z]+)*", value, regex.IGNORECASE)


def _c(pattern: str, flags: int = 0) -> regex.Pattern:
    return regex.compile(pattern, flags | regex.VERSION0)


_B64 = r"[A-Za-z0-9+/]"


def build_rules(phone_regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS) -> tuple[Rule, ...]:
    """The rules in priority order: credentials first, so a key is not half-claimed by a number rule."""
    return (
        # An unterminated block (the text ends inside it) is redacted to the end as well.
        Rule("private_key", _c(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|[\s\S]*\Z)"), hints=("-----begin",)),
        Rule("slack_webhook", _c(r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]{20,}"), hints=("hooks.slack",)),
        Rule("credentials_in_url", _c(r"(?<=\b[a-z][a-z0-9+.-]{1,20}://[^\s:/@]{1,64}:)[^\s:/@]{3,128}(?=@[\w.-]+)", regex.IGNORECASE), hints=("://",)),
        Rule("aws_access_key", _c(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"), hints=("akia", "asia", "abia", "acca")),
        Rule("gcp_api_key", _c(r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"), hints=("aiza",)),
        Rule("github_token", _c(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59,}|github_pat_[A-Za-z0-9_]{40,})\b"), hints=("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")),
        Rule("gitlab_token", _c(r"\b(?:glpat|gldt|glptt|glrt|glsoat|glcbt|gloas)-[A-Za-z0-9_-]{20,}"), hints=("glpat-", "gldt-", "glptt-", "glrt-", "glsoat-", "glcbt-", "gloas-")),
        Rule("stripe_key", _c(r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b|\bwhsec_[A-Za-z0-9]{24,}\b"), hints=("sk_live", "sk_test", "rk_live", "rk_test", "whsec_")),
        Rule("slack_token", _c(r"\bxox[abposre]-[A-Za-z0-9-]{10,}|\bxapp-\d-[A-Za-z0-9-]{10,}"), hints=("xox", "xapp-")),
        Rule("huggingface_token", _c(r"\bhf_[A-Za-z0-9]{30,}\b"), hints=("hf_",)),
        Rule("npm_token", _c(r"\bnpm_[A-Za-z0-9]{36}\b"), hints=("npm_",)),
        Rule("pypi_token", _c(r"\bpypi-AgE[A-Za-z0-9_-]{50,}"), hints=("pypi-",)),
        Rule("sendgrid_key", _c(r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b"), hints=("sg.",)),
        Rule("google_oauth_token", _c(r"\bya29\.[A-Za-z0-9_-]{20,}"), hints=("ya29.",)),
        Rule("google_client_secret", _c(r"\bGOCSPX-[A-Za-z0-9_-]{24,}"), hints=("gocspx-",)),
        Rule("databricks_token", _c(r"\bdapi[a-f0-9]{32}(?:-\d)?\b"), hints=("dapi",)),
        Rule("shopify_token", _c(r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b"), hints=("shpat_", "shpca_", "shppa_", "shpss_")),
        Rule("digitalocean_token", _c(r"\bdo[por]_v1_[a-f0-9]{64}\b"), hints=("_v1_",)),
        Rule("square_token", _c(r"\bsq0(?:atp|csp)-[A-Za-z0-9_-]{22,}"), hints=("sq0",)),
        Rule("atlassian_token", _c(r"\bATATT3[A-Za-z0-9_=-]{40,}"), hints=("atatt3",)),
        Rule("azure_key", _c(r"(?<=(?:AccountKey|SharedAccessKey|AccessKey|azure[_-]?(?:storage[_-]?)?key)\s*[=:]\s*[\"']?)" + _B64 + r"{40,}={0,2}", regex.IGNORECASE), hints=("key",)),
        Rule("azure_client_secret", _c(r"(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}8Q~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])"), hints=("8q~",)),
        Rule("azure_sas_signature", _c(r"(?<=[?&]sig=)[A-Za-z0-9%/+=]{30,}"), hints=("sig=",)),
        Rule("privllm_key", _c(r"\bpllm_[0-9a-f]{12}_[A-Za-z0-9_-]{20,}"), hints=("pllm_",)),
        Rule("api_key", _c(r"\bsk-(?:live-|proj-|ant-(?:api\d\d-)?|svcacct-|admin-)?[A-Za-z0-9_-]{20,}"), hints=("sk-",)),
        Rule("jwt", _c(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), hints=("eyj",)),
        Rule("bearer_token", _c(r"(?<=\bbearer\s+)[A-Za-z0-9._~+/-]{20,}=*", regex.IGNORECASE), hints=("bearer",)),
        Rule("aws_secret_key", _c(r"(?<![A-Za-z0-9/+])" + _B64 + r"{40}(?![A-Za-z0-9/+=])"), _aws_secret,
             hints=("aws", "secret", "amazon", "s3", "iam", "akia", "asia"), needs_digit=True),
        Rule(
            "password",
            _c(
                r"(?<=\b(?:password|passwd|pwd|passphrase|secret|client[_-]?secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|token|kennwort|passwort|mot de passe|contraseña)"
                r"[\"']?\s*(?:[:=]|\bis\b)\s*[\"']?)[^\s\"',;]{6,128}",
                regex.IGNORECASE,
            ),
            _assigned_secret,
            hints=("pass", "pwd", "secret", "key", "token", "kennwort", "mot de passe", "contraseña"),
        ),
        Rule("email", _c(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"), _email, hints=("@",)),
        Rule("iban", _c(r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,3})?\b"), _iban, needs_digit=True),
        Rule("payment_card", _c(r"(?<![\d.,-])(?:\d{4}[ -]?\d{6}[ -]?\d{4,5}|\d{4}(?:[ -]?\d{4}){2,3}(?:[ -]?\d{1,3})?|\d{13,19})(?![\d-]|[.,]\d)"), _card, needs_digit=True),
        Rule("us_ssn", _c(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])"), _ssn, hints=("-",), needs_digit=True),
        Rule("aadhaar", _c(r"(?<![\d-])[2-9]\d{3}([ -]?)\d{4}\1\d{4}(?![\d-])"), _aadhaar, needs_digit=True),
        Rule("pan", _c(r"\b[A-Z]{3}[ABCFGHJLPT][A-Z]\d{4}[A-Z]\b"), _pan, needs_digit=True),
        Rule("uk_nino", _c(r"\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b"), _nino, needs_digit=True),
        Rule("es_dni", _c(r"\b\d{8}-?[A-Z]\b"), _es_dni, needs_digit=True),
        Rule("it_codice_fiscale", _c(r"\b[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]\b"), _it_cf, needs_digit=True),
        Rule("br_cpf", _c(r"(?<![\d.])\d{3}\.\d{3}\.\d{3}-\d{2}(?!\d)"), _br_cpf, hints=("-",), needs_digit=True),
        Rule("ipv6", _c(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])"), _ipv6, hints=(":",)),
        Rule("ipv4", _c(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]|\.\d)"), _ipv4, hints=(".",), needs_digit=True),
        Rule(
            "phone",
            _c(r"(?<![\w+.@/-])(?:(?:\+|00)\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d{1,12}(?:[ .-]\d{1,10}){0,5}(?![\w@-]|[.,]\d)"),
            phone_check(phone_regions),
            needs_digit=True,
        ),
    )
