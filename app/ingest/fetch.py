"""Download one web page for ingestion, safely: no requests to internal addresses (SSRF).

How the address check holds (DNS rebinding): the host name is resolved once, every address it
resolves to is checked, and the request then goes to the checked IP literal itself — the URL's
host is replaced by the address, the ``Host`` header keeps the name and TLS keeps it as SNI and
for certificate checking (httpcore's ``sni_hostname`` request extension). No second resolution
happens between check and connect, so a name that answers "public" to the check and
"127.0.0.1" a moment later cannot steer the connection. Checking the peer address after
connecting would be too late: the request would already have been sent. Proxies from the
environment are ignored (``trust_env=False``) because a proxy would connect elsewhere.
Redirects are followed by hand and every hop is checked again. Bodies are read raw and
decompressed here with a cap, so neither a long body nor a gzip bomb gets past ``max_bytes``.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

import httpx

from app.ingest.readers import MAX_URL, IngestError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

USER_AGENT = "Citat/0.1 (news quote extractor)"
TEXT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain", "text/markdown",
                        "text/x-markdown"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_ADDRESSES = 4  # addresses tried in turn when connecting fails

# Cloud instance metadata services (AWS/GCP/Azure/OpenStack, AWS ECS, AWS IPv6, Alibaba).
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200"))
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_HOSTNAME = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)(\.(?!-)[a-z0-9_-]{1,63}(?<!-))*\.?$")


@dataclass(frozen=True)
class FetchedPage:
    """A downloaded page: final URL (after redirects), status, Content-Type header, body."""

    url: str
    status: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class _Target:
    url: httpx.URL
    host: str  # ASCII (IDNA) host name or IP literal, as in the URL
    addresses: tuple[IPAddress, ...]


def fetch_url(
    url: str,
    *,
    allowed_hosts: frozenset[str] = frozenset(),
    timeout: float = 10.0,
    max_bytes: int = 2 * 1024 * 1024,
    max_redirects: int = 5,
) -> FetchedPage:
    """Download an HTML/text page; refuses internal addresses unless the host is allowed.

    ``allowed_hosts`` holds host names, IP literals or ``host:port`` entries exempt from the
    address check (for tests and intranet sources). ``timeout`` bounds the whole download.
    """
    allowed = frozenset(_norm_host(h) for h in allowed_hosts)
    deadline = time.monotonic() + timeout
    current = _parse(url)
    for hop in range(max_redirects + 1):
        try:
            target = _check(current, allowed, deadline, timeout)
        except IngestError as exc:
            if hop == 0:
                raise
            raise IngestError(f"The page redirects to {_short(current)}. {exc.message}",
                              "url") from None
        with _send(target, deadline, timeout) as response:
            if response.status_code in _REDIRECTS:
                location = response.headers.get("location")
                if not location:
                    raise IngestError(
                        f"The site answered with a redirect ({response.status_code}) "
                        "but did not say where to.", "url")
                current = _redirect_target(current, location)
                continue
            return _page(current, response, deadline, timeout, max_bytes)
    raise IngestError(f"The page redirects more than {max_redirects} times; giving up.", "url")


def _parse(url: str) -> httpx.URL:
    url = url.strip()
    if not url or len(url) > MAX_URL:
        raise IngestError(f"The URL must be 1 to {MAX_URL} characters long.", "url")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError):
        raise IngestError("The URL is not valid.", "url") from None
    if parsed.scheme not in ("http", "https"):
        raise IngestError("Only http:// and https:// URLs can be fetched.", "url")
    authority = re.split(r"[/?#\\]", url.split("//", 1)[-1], maxsplit=1)[0]
    if parsed.userinfo or "@" in authority:
        raise IngestError("URLs with a user name or password (user@host) are not accepted.",
                          "url")
    host = parsed.raw_host.decode("ascii").lower()
    if not host or not (_ip(host) or _HOSTNAME.match(host)):
        raise IngestError("The URL has no valid host name.", "url")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise IngestError("The URL's port number is not valid.", "url")
    return parsed.copy_with(fragment=None)


def _redirect_target(current: httpx.URL, location: str) -> httpx.URL:
    try:
        joined = str(current.join(location.strip()))
    except (httpx.InvalidURL, ValueError):
        raise IngestError("The page redirects to an address that is not valid.", "url") from None
    try:
        return _parse(joined)
    except IngestError as exc:
        raise IngestError(f"The page redirects to an unusable address: {exc.message}",
                          "url") from None


def _check(url: httpx.URL, allowed: frozenset[str], deadline: float, timeout: float) -> _Target:
    """Resolve the host and refuse it if any address is not public (unless allowed)."""
    host = url.raw_host.decode("ascii").lower()
    port = url.port or (443 if url.scheme == "https" else 80)
    addresses = _resolve(host, port, deadline, timeout)
    if not _is_allowed(host, port, allowed):
        for address in addresses:
            reason = forbidden_reason(address)
            if reason is not None:
                shown = host if _ip(host) == address else f"{host} ({address})"
                raise IngestError(
                    f"Refusing to fetch {shown}: it is {reason}, not a public web site.", "url")
    return _Target(url=url, host=host, addresses=addresses)


def forbidden_reason(address: IPAddress) -> str | None:
    """Why an address must not be fetched from (None if it is a public address)."""
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            inner = forbidden_reason(embedded)
            return None if inner is None else f"{inner} (inside an IPv6 address)"
    checks = (
        (address.is_unspecified, "an unspecified address"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (isinstance(address, ipaddress.IPv4Address) and address in _CGNAT,
         "a carrier-grade NAT address"),
        (isinstance(address, ipaddress.IPv6Address) and address.is_site_local,
         "a site-local address"),
        (address.is_reserved, "a reserved address"),
        (address.is_private, "a private network address"),
        (not address.is_global, "not a public address"),
    )
    return next((reason for hit, reason in checks if hit), None)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo client, NAT64)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _resolve(host: str, port: int, deadline: float, timeout: float) -> tuple[IPAddress, ...]:
    literal = _ip(host)
    if literal is not None:
        return (literal,)
    # getaddrinfo has no timeout of its own: wait for it in a worker, at most until the deadline.
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="citat-dns")
    try:
        future = pool.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
        infos = future.result(timeout=max(0.0, deadline - time.monotonic()))
    except FutureTimeout:
        raise _timeout_error(timeout) from None
    except (OSError, UnicodeError):
        raise IngestError(f"The host name {host} could not be found.", "url") from None
    finally:
        pool.shutdown(wait=False)
    found: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = _ip(str(sockaddr[0]).split("%", 1)[0])
        if address is not None and address not in found:
            found.append(address)
    if not found:
        raise IngestError(f"The host name {host} could not be found.", "url")
    return tuple(found)


def _send(target: _Target, deadline: float, timeout: float) -> _Response:
    """Send the GET to the checked addresses in turn (never re-resolving the name)."""
    url = target.url
    headers = {
        "Host": url.netloc.decode("ascii"),
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1",
        "Accept-Language": "sv,en;q=0.8",
        # Only what _decoded() can decompress with a cap.
        "Accept-Encoding": "gzip, deflate",
    }
    last: httpx.HTTPError | None = None
    for address in target.addresses[:_MAX_ADDRESSES]:
        remaining = _remaining(deadline, timeout)
        # A fresh client per hop: a pooled TLS connection verified for another name is
        # never reused for this one.
        client = httpx.Client(trust_env=False, follow_redirects=False,
                              timeout=httpx.Timeout(remaining))
        request = client.build_request(
            "GET", url.copy_with(host=str(address)), headers=headers,
            extensions={"sni_hostname": target.host})
        try:
            return _Response(client, client.send(request, stream=True))
        except httpx.ConnectError as exc:
            client.close()
            last = exc
            if "SSL" in str(exc).upper():  # the server answered; another address won't help
                break
        except httpx.TimeoutException:
            client.close()
            raise _timeout_error(timeout) from None
        except httpx.HTTPError as exc:
            client.close()
            if "location header" in str(exc).lower():  # httpx parses Location even unfollowed
                raise IngestError("The page redirects to an address that is not valid.",
                                  "url") from None
            raise IngestError(f"Downloading from {target.host} failed ({exc}).", "url") from None
    problem = str(last).upper()
    if "CERTIFICATE" in problem:
        raise IngestError(f"The secure connection to {target.host} failed: its certificate "
                          "could not be verified.", "url")
    if "SSL" in problem:
        raise IngestError(f"The secure (TLS) connection to {target.host} failed.", "url")
    raise IngestError(f"Could not connect to {target.host}.", "url")


class _Response:
    """An open streamed response and its client, closed together."""

    def __init__(self, client: httpx.Client, response: httpx.Response) -> None:
        self.client = client
        self.response = response

    def __enter__(self) -> httpx.Response:
        return self.response

    def __exit__(self, *exc_info: object) -> None:
        self.response.close()
        self.client.close()


def _page(url: httpx.URL, response: httpx.Response, deadline: float, timeout: float,
          max_bytes: int) -> FetchedPage:
    status = response.status_code
    if not 200 <= status < 300:
        reason = response.reason_phrase or "error"
        raise IngestError(f"The page could not be fetched: the server answered {status} "
                          f"{reason}.", "url")
    content_type = response.headers.get("content-type", "").strip()
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime not in TEXT_TYPES:
        shown = mime or "no content type"
        raise IngestError(f"The URL points to {shown}, not a web page or text: only HTML and "
                          "plain text can be fetched.", "url")
    declared = response.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)
    body = bytearray()
    try:
        for chunk in _decoded(response, max_bytes):
            body += chunk
            if len(body) > max_bytes:
                raise _too_large(max_bytes)
            if time.monotonic() > deadline:
                raise _timeout_error(timeout)
    except httpx.TimeoutException:
        raise _timeout_error(timeout) from None
    except httpx.HTTPError as exc:
        raise IngestError(f"Downloading the page failed ({exc}).", "url") from None
    return FetchedPage(url=str(url), status=status, content_type=content_type, body=bytes(body))


def _decoded(response: httpx.Response, max_bytes: int) -> Iterator[bytes]:
    """The body's bytes, decompressed at most ``max_bytes + 1`` at a time."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        yield from response.iter_raw()
        return
    if encoding in ("gzip", "x-gzip"):
        wbits = 16 + zlib.MAX_WBITS
    elif encoding == "deflate":
        wbits = zlib.MAX_WBITS
    else:
        raise IngestError(f"The page is compressed with {encoding!r}, which is not supported.",
                          "url")
    decoder = zlib.decompressobj(wbits)
    try:
        for raw in response.iter_raw():
            data = raw
            while data:
                # max_length caps what one compressed chunk may expand to.
                yield decoder.decompress(data, max_bytes + 1)
                data = decoder.unconsumed_tail
        yield decoder.flush()
    except zlib.error:
        raise IngestError("The page's compressed body is corrupt.", "url") from None


def _short(url: httpx.URL) -> str:
    text = str(url)
    return text if len(text) <= 120 else text[:117] + "..."


def _remaining(deadline: float, timeout: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _timeout_error(timeout)
    return remaining


def _timeout_error(timeout: float) -> IngestError:
    return IngestError(f"The site did not answer in time (limit {timeout:g} seconds).", "url")


def _too_large(max_bytes: int) -> IngestError:
    return IngestError(f"The page is larger than the limit of {max_bytes:,} bytes.", "url")


def _ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _norm_host(host: str) -> str:
    return host.strip().lower().rstrip(".")


def _is_allowed(host: str, port: int, allowed: frozenset[str]) -> bool:
    if not allowed:
        return False
    name = host.rstrip(".")
    bracketed = f"[{name}]" if ":" in name else name
    return bool({name, bracketed, f"{bracketed}:{port}"} & allowed)
