"""app.ingest.fetch: a real HTTP server on a loopback port, reached only through allowed_hosts.

No test sends anything to a non-loopback address: refusals are checked with connecting
switched off, and host names that are not real are answered by a stub resolver.
"""

from __future__ import annotations

import gzip
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import certifi
import pytest
import trustme

from app.ingest.fetch import FetchedPage, fetch_url
from app.ingest.readers import IngestError

ARTICLE = ("<html><head><title>Elpriset</title></head><body><p>”Vi måste sänka elpriset”, "
           "sa Åsa Öberg.</p></body></html>").encode()
BIG = 3 * 1024 * 1024
GZIP_BOMB = gzip.compress(b"\0" * (20 * 1024 * 1024), compresslevel=9)


@dataclass
class Server:
    port: int
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, Host header)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def allowed(self) -> frozenset[str]:
        return frozenset({f"127.0.0.1:{self.port}"})

    def paths(self) -> list[str]:
        return [path for path, _host in self.requests]


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    state = server

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def send(self, status: int, body: bytes, ctype: str | None = "text/html; charset=utf-8",
                 headers: dict[str, str] | None = None, length: bool = True) -> None:
            self.send_response(status)
            if ctype is not None:
                self.send_header("Content-Type", ctype)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            if length:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def redirect(self, location: str, status: int = 302) -> None:
            self.send(status, b"", headers={"Location": location})

        def do_GET(self) -> None:
            port = state.port
            state.requests.append((self.path, self.headers.get("Host", "")))
            routes: dict[str, Callable[[], None]] = {
                "/article": lambda: self.send(200, ARTICLE),
                "/plain": lambda: self.send(200, "”Hej”, sa han.".encode(),
                                            "text/plain; charset=utf-8"),
                "/echo-host": lambda: self.send(200, self.headers.get("Host", "").encode(),
                                                "text/plain"),
                "/redirect": lambda: self.redirect("/article"),
                "/redirect-abs": lambda: self.redirect(f"http://127.0.0.1:{port}/article", 301),
                "/redirect-chain": lambda: self.redirect("/redirect", 307),
                "/loop": lambda: self.redirect("/loop"),
                "/no-location": lambda: self.send(302, b""),
                "/to-localhost": lambda: self.redirect(f"http://localhost:{port}/article"),
                "/to-other-loopback": lambda: self.redirect(f"http://127.0.0.2:{port}/article"),
                "/to-metadata": lambda: self.redirect("http://169.254.169.254/latest/meta-data/"),
                "/to-private": lambda: self.redirect("http://10.1.2.3/admin"),
                "/to-file": lambda: self.redirect("file:///etc/passwd"),
                "/to-invalid": lambda: self.redirect("http://[::1"),
                "/to-userinfo": lambda: self.redirect(f"http://user:pw@127.0.0.1:{port}/article"),
                "/big": lambda: self.send(200, b"a" * BIG),
                "/big-unannounced": lambda: self.send(200, b"a" * BIG, length=False),
                "/gzip": lambda: self.send(200, gzip.compress(ARTICLE),
                                           headers={"Content-Encoding": "gzip"}),
                "/gzip-bomb": lambda: self.send(200, GZIP_BOMB,
                                                headers={"Content-Encoding": "gzip"}),
                "/brotli": lambda: self.send(200, b"\x0b\x02\x80", headers={
                    "Content-Encoding": "br"}),
                "/pdf": lambda: self.send(200, b"%PDF-1.7\n", "application/pdf"),
                "/no-type": lambda: self.send(200, ARTICLE, None),
                "/missing": lambda: self.send(404, b"not here"),
                "/slow": self.slow,
                "/drip": self.drip,
            }
            route = routes.get(self.path)
            try:
                if route is None:
                    self.send(404, b"")
                else:
                    route()
            except OSError:  # the client gave up (timeouts, size limits)
                pass

        def slow(self) -> None:
            time.sleep(2.0)
            self.send(200, ARTICLE)

        def drip(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(30):
                self.wfile.write(b"<p>x</p>")
                self.wfile.flush()
                time.sleep(0.1)

    return Handler


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    state = Server(port=0)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def no_connect(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Connecting is switched off: any attempt is recorded and fails."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError("connecting is disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


@pytest.fixture
def only_test_server(server: Server, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Connections are let through to the test server's own address only."""
    real = socket.socket.connect
    seen: list[Any] = []

    def guarded(self: socket.socket, address: Any) -> None:
        seen.append(address)
        if tuple(address[:2]) != ("127.0.0.1", server.port):
            raise AssertionError(f"test tried to connect to {address}")
        real(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    return seen


@dataclass
class FakeDns:
    """Answers for made-up names: one list of addresses per call, the last one repeated."""

    answers: dict[str, list[list[str]]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> FakeDns:
    """A stub resolver for made-up names; other names resolve normally."""
    dns = FakeDns()
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in dns.answers:
            return real(host, port, *args, **kwargs)
        dns.calls.append(name)
        queue = dns.answers[name]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
             (a, int(port or 0)))
            for a in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return dns


def refused(url: str, **kwargs: Any) -> IngestError:
    with pytest.raises(IngestError) as info:
        fetch_url(url, **kwargs)
    assert info.value.field == "url"
    return info.value


# --- fetching from an allowed loopback server -------------------------------------------------


def test_fetches_an_allowed_page(server: Server) -> None:
    page = fetch_url(f"{server.base}/article", allowed_hosts=server.allowed)
    assert isinstance(page, FetchedPage)
    assert page.url == f"{server.base}/article"
    assert page.status == 200
    assert page.content_type == "text/html; charset=utf-8"
    assert page.body == ARTICLE
    assert "”Vi måste sänka elpriset”" in page.body.decode("utf-8")


def test_plain_text_is_accepted(server: Server) -> None:
    page = fetch_url(f"{server.base}/plain", allowed_hosts=server.allowed)
    assert page.content_type.startswith("text/plain")
    assert page.body.decode() == "”Hej”, sa han."


def test_host_header_and_fragment(server: Server) -> None:
    page = fetch_url(f"{server.base}/echo-host#section", allowed_hosts=server.allowed)
    assert page.body.decode() == f"127.0.0.1:{server.port}"
    assert page.url == f"{server.base}/echo-host"


def test_allowed_by_host_name_without_port(server: Server) -> None:
    page = fetch_url(f"{server.base}/article", allowed_hosts=frozenset({"127.0.0.1"}))
    assert page.body == ARTICLE


@pytest.mark.parametrize("path", ["/redirect", "/redirect-abs", "/redirect-chain"])
def test_redirects_to_an_allowed_page_are_followed(server: Server, path: str) -> None:
    page = fetch_url(f"{server.base}{path}", allowed_hosts=server.allowed)
    assert page.url == f"{server.base}/article"
    assert page.body == ARTICLE


def test_redirect_limit(server: Server) -> None:
    before = server.paths().count("/loop")
    error = refused(f"{server.base}/loop", allowed_hosts=server.allowed, max_redirects=3)
    assert "more than 3 times" in error.message
    assert server.paths().count("/loop") - before == 4
    error = refused(f"{server.base}/redirect-chain", allowed_hosts=server.allowed,
                    max_redirects=1)
    assert "redirects" in error.message


def test_redirect_without_location(server: Server) -> None:
    assert "did not say where" in refused(f"{server.base}/no-location",
                                          allowed_hosts=server.allowed).message


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/to-localhost", "loopback"),  # same server, but only 127.0.0.1:port is allowed
        ("/to-other-loopback", "loopback"),
        ("/to-metadata", "metadata"),
        ("/to-private", "private"),
        ("/to-file", "http"),
        ("/to-userinfo", "user name"),
        ("/to-invalid", "not valid"),
    ],
)
def test_redirect_hops_are_checked_again(server: Server, only_test_server: list[Any],
                                         path: str, words: str) -> None:
    error = refused(f"{server.base}{path}", allowed_hosts=server.allowed)
    assert words in error.message
    assert "redirects to" in error.message
    assert only_test_server  # the first hop did connect, to the test server only


# --- what comes back ----------------------------------------------------------------------------


def test_pdf_is_refused(server: Server) -> None:
    error = refused(f"{server.base}/pdf", allowed_hosts=server.allowed)
    assert "application/pdf" in error.message
    assert "HTML" in error.message


def test_missing_content_type_is_refused(server: Server) -> None:
    assert "no content type" in refused(f"{server.base}/no-type",
                                        allowed_hosts=server.allowed).message


def test_http_error_status(server: Server) -> None:
    assert "404" in refused(f"{server.base}/missing", allowed_hosts=server.allowed).message


@pytest.mark.parametrize("path", ["/big", "/big-unannounced", "/gzip-bomb"])
def test_body_over_the_limit_is_refused(server: Server, path: str) -> None:
    error = refused(f"{server.base}{path}", allowed_hosts=server.allowed)
    assert "larger than the limit of 2,097,152 bytes" in error.message


def test_body_within_a_raised_limit(server: Server) -> None:
    page = fetch_url(f"{server.base}/big-unannounced", allowed_hosts=server.allowed,
                     max_bytes=BIG)
    assert len(page.body) == BIG


def test_gzip_body_is_decompressed(server: Server) -> None:
    page = fetch_url(f"{server.base}/gzip", allowed_hosts=server.allowed)
    assert page.body == ARTICLE


def test_unsupported_compression_is_refused(server: Server) -> None:
    assert "'br'" in refused(f"{server.base}/brotli", allowed_hosts=server.allowed).message


def test_slow_server_times_out(server: Server) -> None:
    start = time.monotonic()
    error = refused(f"{server.base}/slow", allowed_hosts=server.allowed, timeout=0.5)
    assert "did not answer in time" in error.message
    assert "0.5 seconds" in error.message
    assert time.monotonic() - start < 1.8


def test_slow_drip_body_hits_the_overall_deadline(server: Server) -> None:
    start = time.monotonic()
    error = refused(f"{server.base}/drip", allowed_hosts=server.allowed, timeout=1.0)
    assert "did not answer in time" in error.message
    assert time.monotonic() - start < 2.5


# --- refusals before any connection ------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://127.0.0.1:{port}/article", "loopback"),
        ("http://localhost:{port}/article", "loopback"),
        ("http://[::1]:{port}/article", "loopback"),
        ("http://127.0.0.2/", "loopback"),
        ("http://0x7f000001:{port}/article", "loopback"),
        ("http://0.0.0.0:{port}/", "unspecified"),
        ("http://10.0.0.1/", "private"),
        ("http://172.16.5.4/", "private"),
        ("http://192.168.1.1/router", "private"),
        ("http://100.64.0.1/", "carrier-grade NAT"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://169.254.1.1/", "link-local"),
        ("http://[fd00:ec2::254]/latest/meta-data/", "metadata"),
        ("http://[fe80::1]/", "link-local"),
        ("http://[fc00::1]/", "private"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://[::ffff:169.254.169.254]/", "metadata"),
        ("http://[::ffff:10.0.0.1]/", "private"),
        ("http://[64:ff9b::a00:1]/", "private"),  # NAT64 of 10.0.0.1
        ("http://[2002:a00:1::]/", "private"),  # 6to4 of 10.0.0.1
        ("http://224.0.0.1/", "multicast"),
        ("http://[ff02::1]/", "multicast"),
        ("http://240.0.0.1/", "reserved"),
        ("http://[::]/", "unspecified"),
    ],
)
def test_internal_addresses_are_refused_before_connecting(
    server: Server, no_connect: list[Any], url: str, words: str
) -> None:
    before = len(server.requests)
    error = refused(url.format(port=server.port))
    assert words in error.message
    assert "Refusing" in error.message
    assert no_connect == []
    assert len(server.requests) == before


def test_allow_list_is_per_port(server: Server, no_connect: list[Any]) -> None:
    refused(f"{server.base}/article", allowed_hosts=frozenset({"127.0.0.1:1"}))
    refused(f"http://localhost:{server.port}/", allowed_hosts=server.allowed)
    assert no_connect == []


def test_any_private_answer_refuses_the_name(fake_dns: FakeDns,
                                             no_connect: list[Any]) -> None:
    fake_dns.answers["mixed.example"] = [["93.184.215.14", "10.0.0.7"]]
    error = refused("https://mixed.example/nyhet")
    assert "mixed.example (10.0.0.7)" in error.message
    assert "private" in error.message
    assert no_connect == []


def test_connects_to_the_checked_address_not_a_second_lookup(
    server: Server, fake_dns: FakeDns
) -> None:
    # First answer 127.0.0.1 (where the server is), every later one 127.0.0.2 (nothing
    # listens there): a client that resolved again to connect would fail.
    fake_dns.answers["rebind.test"] = [["127.0.0.1"], ["127.0.0.2"]]
    page = fetch_url(f"http://rebind.test:{server.port}/echo-host",
                     allowed_hosts=frozenset({"rebind.test"}))
    assert page.body.decode() == f"rebind.test:{server.port}"
    assert page.url == f"http://rebind.test:{server.port}/echo-host"
    assert fake_dns.calls == ["rebind.test"]


def test_unknown_host_name(monkeypatch: pytest.MonkeyPatch, no_connect: list[Any]) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    assert "could not be found" in refused("https://no-such-host.example/").message


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://example.com/file.txt", "http"),
        ("file:///etc/passwd", "http"),
        ("javascript:alert(1)", "http"),
        ("gopher://127.0.0.1:70/", "http"),
        ("http://user:secret@127.0.0.1:{port}/article", "user name"),
        ("http://user@example.com/", "user name"),
        ("http://@127.0.0.1:{port}/article", "user name"),
        ("http://example.com@127.0.0.1:{port}/article", "user name"),
        ("http://exa mple.com/", "host"),
        ("http:///nohost", "host"),
        ("http://example.com:99999/", "port"),
        ("", "URL"),
        ("http://example.com/" + "a" * 2100, "URL"),
    ],
)
def test_bad_urls_are_refused(server: Server, no_connect: list[Any], url: str,
                              words: str) -> None:
    before = len(server.requests)
    error = refused(url.format(port=server.port), allowed_hosts=server.allowed)
    assert words in error.message
    assert no_connect == []
    assert len(server.requests) == before


# --- TLS: the connection goes to the checked address, the name stays in SNI and verification --


@dataclass
class TlsServer:
    port: int
    ca_file: Path
    sni: list[str | None] = field(default_factory=list)


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsServer]:
    ca = trustme.CA()
    ca_file = tmp_path_factory.mktemp("tls") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    state = TlsServer(port=0, ca_file=ca_file)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Server(port=0)))
    httpd.daemon_threads = True
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("news.test").configure_cert(context)

    def record_sni(sock: Any, name: str | None, ctx: Any) -> None:
        state.sni.append(name)

    context.sni_callback = record_sni
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def test_https_is_pinned_with_name_in_sni_and_host(
    tls_server: TlsServer, fake_dns: FakeDns, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(certifi, "where", lambda: str(tls_server.ca_file))
    fake_dns.answers["news.test"] = [["127.0.0.1"]]
    del tls_server.sni[:]
    page = fetch_url(f"https://news.test:{tls_server.port}/echo-host",
                     allowed_hosts=frozenset({"news.test"}))
    assert page.body.decode() == f"news.test:{tls_server.port}"
    assert page.url == f"https://news.test:{tls_server.port}/echo-host"
    assert tls_server.sni == ["news.test"]
    assert fake_dns.calls == ["news.test"]


def test_https_certificate_is_checked_against_the_name(
    tls_server: TlsServer, fake_dns: FakeDns, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(certifi, "where", lambda: str(tls_server.ca_file))
    fake_dns.answers["wrong.test"] = [["127.0.0.1"]]
    error = refused(f"https://wrong.test:{tls_server.port}/article",
                    allowed_hosts=frozenset({"wrong.test"}))
    assert "certificate could not be verified" in error.message


def test_https_untrusted_certificate_is_refused(tls_server: TlsServer,
                                                fake_dns: FakeDns) -> None:
    fake_dns.answers["news.test"] = [["127.0.0.1"]]
    error = refused(f"https://news.test:{tls_server.port}/article",
                    allowed_hosts=frozenset({"news.test"}))
    assert "certificate could not be verified" in error.message
