"""Every refusal a reader can see, in the reader's language.

The ingest, fetch and storage layers raise their errors in English (the same text the CLI and
logs show). The web layer shows them through :func:`localise`: a message that is a catalog
msgid is translated as it is; one that carries values (a size, a file name, a host) is matched
against the patterns below, which name the values, and the translated sentence is filled with
them, numbers and sizes formatted for the locale ("2,0 MB" in Swedish, "2.0 MB" in English).
A test walks every refusal raised under ``app/`` (``app.refusals.Refusal`` and its kinds:
``IngestError``, ``AccountError``, ``EditError``, ``FormError``, ``RequestRefused``; storage's
``CorrectionError``) and fails on one that comes out untranslated.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from babel.numbers import format_decimal

from app.web import i18n


def N_(message: str) -> str:
    """Mark a msgid for extraction (translated later, when the locale is known)."""
    return message


def format_size(n_bytes: int) -> str:
    """A size in the reader's locale: "2.0 MB" / "2,0 MB", "512 kB" below a megabyte."""
    locale = i18n.current_locale.get()
    if n_bytes >= 1024 * 1024:
        return f"{format_decimal(n_bytes / (1024 * 1024), format='#,##0.0', locale=locale)} MB"
    if n_bytes >= 1024:
        return f"{format_decimal(n_bytes / 1024, format='#,##0', locale=locale)} kB"
    return i18n.ngettext_("%(num)s byte", "%(num)s bytes", n_bytes) % {
        "num": i18n.format_number(n_bytes)}


def _size(value: str) -> str:
    return format_size(int(value.replace(",", "")))


def _number(value: str) -> str:
    return i18n.format_number(int(value.replace(",", "")))


def _nested(value: str) -> str:
    return localise(value)


def _reason(value: str) -> str:
    inner = value.removesuffix(" (inside an IPv6 address)")
    if inner != value:
        return i18n.gettext_("%(reason)s (inside an IPv6 address)") % {
            "reason": i18n.gettext_(inner)}
    return i18n.gettext_(value)


_NUM = r"[\d,]+"
# (pattern over the English text, msgid with the same named values, how each value is shown)
_PATTERNS: list[tuple[re.Pattern[str], str, dict[str, Callable[[str], str]]]] = [
    (re.compile(rf"The text is longer than the limit of (?P<size>{_NUM}) bytes\."),
     N_("The text is longer than the limit of %(size)s."), {"size": _size}),
    (re.compile(rf"The file is (?P<got>{_NUM}) bytes; the limit is (?P<size>{_NUM}) bytes\."),
     N_("The file is %(got)s; the limit is %(size)s."), {"got": _size, "size": _size}),
    # Before the pattern of a named file below, which would take "The request body" for a name.
    (re.compile(rf"The request body is larger than the limit of (?P<size>{_NUM}) bytes\."),
     N_("The request is larger than the limit of %(size)s."), {"size": _size}),
    (re.compile(rf"(?P<name>.+) is larger than the limit of (?P<size>{_NUM}) bytes\."),
     N_("%(name)s is larger than the limit of %(size)s."), {"size": _size}),
    (re.compile(rf"The upload is larger than the limit of (?P<size>{_NUM}) bytes a file\."),
     N_("The upload is larger than the limit of %(size)s a file."), {"size": _size}),
    (re.compile(rf"The page is larger than the limit of (?P<size>{_NUM}) bytes\."),
     N_("The page is larger than the limit of %(size)s."), {"size": _size}),
    (re.compile(r"Unsupported file type (?P<kind>.+): upload \.txt, \.md, \.html or a \.zip "
                r"of them\."),
     N_("Files of type %(kind)s cannot be read: upload .txt, .md, .html or a .zip of them."),
     {}),
    (re.compile(rf"At most (?P<n>{_NUM}) files in one upload\."),
     N_("At most %(n)s files in one upload."), {"n": _number}),
    (re.compile(r"The file says it is (?P<enc>.+) \(byte order mark\) but its bytes are not\."),
     N_("The file says it is %(enc)s (byte order mark) but its bytes are not."), {}),
    (re.compile(r"Invalid publication date (?P<value>.+): use YYYY-MM-DD\."),
     N_("The publication date %(value)s is not a date: use YYYY-MM-DD."), {}),
    (re.compile(rf"The (?P<label>.+) is longer than (?P<n>{_NUM}) characters\."),
     N_("The %(label)s is longer than %(n)s characters."), {"label": _reason, "n": _number}),
    (re.compile(r"The form could not be read: (?P<why>.+)"),
     N_("The form could not be read: %(why)s"), {"why": _nested}),
    (re.compile(r"The page redirects to (?P<where>\S+)\. (?P<why>.+)"),
     N_("The page redirects to %(where)s. %(why)s"), {"why": _nested}),
    (re.compile(r"The site answered with a redirect \((?P<status>\d+)\) but did not say where "
                r"to\."),
     N_("The site answered with a redirect (%(status)s) but did not say where to."), {}),
    (re.compile(rf"The page redirects more than (?P<n>{_NUM}) times; giving up\."),
     N_("The page redirects more than %(n)s times; giving up."), {"n": _number}),
    (re.compile(rf"The URL must be 1 to (?P<n>{_NUM}) characters long\."),
     N_("The URL must be 1 to %(n)s characters long."), {"n": _number}),
    (re.compile(r"The page redirects to an unusable address: (?P<why>.+)"),
     N_("The page redirects to an unusable address: %(why)s"), {"why": _nested}),
    (re.compile(r"Refusing to fetch (?P<host>.+): it is (?P<reason>.+), not a public web "
                r"site\."),
     N_("%(host)s is not fetched: it is %(reason)s, not a public web site."),
     {"reason": _reason}),
    (re.compile(r"The host name (?P<host>.+) could not be found\."),
     N_("The host name %(host)s could not be found."), {}),
    (re.compile(r"Downloading from (?P<host>.+?) failed \((?P<why>.+)\)\."),
     N_("Downloading from %(host)s failed (%(why)s)."), {}),
    (re.compile(r"The secure connection to (?P<host>.+) failed: its certificate could not be "
                r"verified\."),
     N_("The secure connection to %(host)s failed: its certificate could not be verified."),
     {}),
    (re.compile(r"The secure \(TLS\) connection to (?P<host>.+) failed\."),
     N_("The secure (TLS) connection to %(host)s failed."), {}),
    (re.compile(r"Could not connect to (?P<host>.+)\."),
     N_("Could not connect to %(host)s."), {}),
    (re.compile(r"The page could not be fetched: the server answered (?P<status>.+)\."),
     N_("The page could not be fetched: the server answered %(status)s."), {}),
    (re.compile(r"The URL points to (?P<kind>.+), not a web page or text: only HTML and plain "
                r"text can be fetched\."),
     N_("The URL points to %(kind)s, not a web page or text: only HTML and plain text can be "
        "fetched."), {"kind": _reason}),
    (re.compile(r"Downloading the page failed \((?P<why>.+)\)\."),
     N_("Downloading the page failed (%(why)s)."), {}),
    (re.compile(r"The page is compressed with (?P<enc>.+), which is not supported\."),
     N_("The page is compressed with %(enc)s, which is not supported."), {}),
    (re.compile(r"The site did not answer in time \(limit (?P<s>.+) seconds\)\."),
     N_("The site did not answer in time (limit %(s)s seconds)."), {}),
    (re.compile(rf"The zip file has (?P<n>{_NUM}) entries; at most (?P<max>{_NUM}) article "
                r"files are accepted\."),
     N_("The zip file has %(n)s entries; at most %(max)s article files are accepted."),
     {"n": _number, "max": _number}),
    (re.compile(r"(?P<name>.+) is an archive inside the zip: nested archives are not accepted\. "
                r"Unpack it and zip the articles together\."),
     N_("%(name)s is an archive inside the zip: nested archives are not accepted. Unpack it "
        "and zip the articles together."), {}),
    (re.compile(r"(?P<name>.+) is encrypted \(password-protected\): zip the articles without a "
                r"password\."),
     N_("%(name)s is encrypted (password-protected): zip the articles without a password."),
     {}),
    (re.compile(rf"The zip file has (?P<n>{_NUM}) article files; the limit is (?P<max>{_NUM}) "
                r"per upload\."),
     N_("The zip file has %(n)s article files; the limit is %(max)s per upload."),
     {"n": _number, "max": _number}),
    (re.compile(r"(?P<name>.+) is an archive inside the zip: nested archives are not "
                r"accepted\."),
     N_("%(name)s is an archive inside the zip: nested archives are not accepted."), {}),
    (re.compile(r"(?P<name>.+) uses a compression method that is not supported; use (?P<use>.+)"),
     N_("%(name)s uses a compression method that is not supported; use %(use)s"), {}),
    (re.compile(r"(?P<name>.+) is encrypted \(password-protected\)\."),
     N_("%(name)s is encrypted (password-protected)."), {}),
    (re.compile(r"(?P<name>.+) in the zip file is damaged and cannot be read\."),
     N_("%(name)s in the zip file is damaged and cannot be read."), {}),
    (re.compile(rf"(?P<name>.+) in the zip file is larger than the limit of (?P<size>{_NUM}) "
                r"bytes per file\."),
     N_("%(name)s in the zip file is larger than the limit of %(size)s per file."),
     {"size": _size}),
    (re.compile(rf"The files in the zip add up to more than (?P<size>{_NUM}) bytes\."),
     N_("The files in the zip add up to more than %(size)s."), {"size": _size}),
    (re.compile(r"(?P<name>.+) expands far more than text does \(a zip bomb\?\): refusing the "
                r"zip file\."),
     N_("%(name)s expands far more than text does (a zip bomb?): refusing the zip file."), {}),
    (re.compile(rf"A report is at most (?P<n>{_NUM}) characters\."),
     N_("A report is at most %(n)s characters."), {"n": _number}),
    (re.compile(r"Unknown correction (?P<action>.+)\."),
     N_("Unknown correction %(action)s."), {}),
    (re.compile(r"Unknown kind (?P<kind>.+): use direct, partial or indirect\."),
     N_("Unknown kind %(kind)s: use direct, partial or indirect."), {}),
    (re.compile(r"(?P<name>.+) is another speaker: merge the two instead\."),
     N_("%(name)s is another speaker: merge the two instead."), {}),
    (re.compile(r"(?P<name>.+) has no mention (?P<alias>.+)\."),
     N_("%(name)s has no mention %(alias)s."), {}),
    (re.compile(r"No article (?P<id>\d+)\."), N_("No article %(id)s."), {}),
]

#: Messages without values, for extraction (the catalog translates them as they are).
PLAIN = [
    N_("The file looks binary (it contains NUL bytes), not text."),
    N_("The file could not be decoded: it is neither UTF-8, UTF-16 (with BOM) nor "
       "Windows-1252/Latin-1 text."),
    N_("The file looks binary (control characters), not text."),
    N_("The URL must start with http:// or https://."),
    N_("The article text is empty: paste text or choose a file."),
    N_("The text contains NUL characters."),
    N_("The file is empty."),
    N_("The URL is not valid."),
    N_("Only http:// and https:// URLs can be fetched."),
    N_("URLs with a user name or password (user@host) are not accepted."),
    N_("The URL has no valid host name."),
    N_("The URL's port number is not valid."),
    N_("The page redirects to an address that is not valid."),
    N_("The page's compressed body is corrupt."),
    N_("The page is empty."),
    N_("The page has no readable article text."),
    N_("The zip file is empty."),
    N_("The file is not a valid zip archive (it may be damaged)."),
    N_("The zip file contains no article files (.txt, .md or .html)."),
    N_("The zip file's entries overlap or claim more data than the file holds: refusing it as "
       "a possible zip bomb."),
    N_("The upload holds no .txt, .md or .html file."),
    N_("The form has expired or was not sent from this site. Please submit it again."),
    N_("The form has expired or was not sent from this site. Reload the page and try again."),
    N_("The form has expired. Please try again."),
    N_("Wrong user name or password."),
    N_("Give a user name and a password."),
    N_("Say what is wrong with this quote."),
    N_("No such quote."),
    N_("No such report."),
    N_("The new name is empty."),
    N_("A speaker cannot be merged with itself."),
    N_("The canonical name cannot be split off: rename instead."),
    N_("Log in as an editor to do that."),
    N_("NUL characters are not allowed in addresses."),
    N_("URLs need a fetcher."),
    # Values shown inside sentences above.
    N_("title"), N_("source"), N_("URL"), N_("no content type"),
    N_("a loopback address"), N_("a private network address"), N_("a link-local address"),
    N_("a cloud metadata address"), N_("a reserved address"), N_("a multicast address"),
    N_("an unspecified address"), N_("a carrier-grade NAT address"),
    N_("a site-local address"), N_("not a public address"),
    N_("%(reason)s (inside an IPv6 address)"),
]


def localise(message: str) -> str:
    """``message`` (an English refusal from any layer) in the reader's language."""
    translated = i18n.gettext_(message)
    if translated != message or i18n.current_locale.get() == "en":
        if i18n.current_locale.get() == "en":
            return _english(message)
        return translated
    for pattern, msgid, shown in _PATTERNS:
        m = pattern.fullmatch(message)
        if m is not None:
            values = {k: shown.get(k, str)(v) for k, v in m.groupdict().items()}
            return i18n.gettext_(msgid) % values
    return message


def _english(message: str) -> str:
    """English needs no catalog, but sizes are still shown as sizes ("2.0 MB")."""
    for pattern, msgid, shown in _PATTERNS:
        m = pattern.fullmatch(message)
        if m is not None and any(f is _size for f in shown.values()):
            return msgid % {k: shown.get(k, str)(v) for k, v in m.groupdict().items()}
    return message
