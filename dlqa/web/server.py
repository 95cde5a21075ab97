"""The HTTP side of `dlqa serve`: the standard library's threading server, jinja2 templates.

Routes: `/` (search page), `/answer/<16 hex id>`, `/api/search` (the JSON of `dlqa search
--json`), `/static/style.css`. Nothing else is served: static files come from a fixed table,
never from a path in the request, and answer ids must be 16 hex digits, so no request can
name a file. Every response forbids scripts (Content-Security-Policy) and every template
escapes what it prints; page text is also stripped of terminal and bidi control characters.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from dataclasses import dataclass
from functools import cached_property
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from dlqa.errors import DlqaError, NoIndexError, QueryError
from dlqa.web import backend, views

HERE = Path(__file__).resolve().parent
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
PAGE_SIZES = (10, 20, 50)
MAX_LIMIT = 100
MAX_QUERY_CHARS = 500
#: No script of any origin, styles only from this server, forms only to this server.
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                           "base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
#: The only files served from disk, by exact request path.
STATIC_FILES = {"/static/style.css": ("style.css", "text/css; charset=utf-8")}


class BadRequest(Exception):
    """A malformed parameter: the page says which one, status 400."""


def is_loopback(host: str) -> bool:
    """Whether binding to `host` keeps the server reachable from this machine only."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class App:
    """What every request needs: the library and the template environment (made once)."""

    library: backend.Library
    #: Host names a request may carry in its Host header (None: any, for non-loopback binds).
    allowed_hosts: frozenset[str] | None = None

    @cached_property
    def templates(self) -> Any:
        import jinja2

        from dlqa.render_human import safe

        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,  # every {{ }} is HTML-escaped, in text and in attributes
            finalize=lambda value: safe(value) if isinstance(value, str) else value,
            # The lenient default Undefined: a field a result lacks (`missing` before the
            # relevance work adds it) renders as nothing instead of failing the page.
            trim_blocks=True, lstrip_blocks=True, undefined=jinja2.Undefined,
        )
        env.filters["link"] = views.safe_link
        env.filters["answer_link"] = lambda answer_id: (
            f"/answer/{answer_id}" if isinstance(answer_id, str) and views.is_answer_id(answer_id) else None)
        env.globals.update(highlighted_parts=views.highlighted_parts, body_blocks=views.body_blocks,
                           query_string=views.query_string, sites=lambda chosen=None: backend.site_choices(self.library, chosen),
                           sorts=backend.SORTS,
                           page_sizes=PAGE_SIZES)
        return env

    def render(self, name: str, **context: Any) -> bytes:
        return self.templates.get_template(name).render(**context).encode("utf-8")


def search_request(params: dict[str, str]) -> tuple[str, int, int, backend.Options]:
    """(query, page, limit, options) from a request's parameters; `BadRequest` when malformed."""
    query = params.get("q", "").strip()
    if len(query) > MAX_QUERY_CHARS:
        raise BadRequest(f"the query is longer than {MAX_QUERY_CHARS} characters")
    page = _whole_number(params, "page", 1, None)
    limit = _whole_number(params, "limit", 10, MAX_LIMIT)
    sort = params.get("sort") or "relevance"
    if sort not in backend.SORTS:
        raise BadRequest(f"sort must be one of: {', '.join(backend.SORTS)}")
    options = backend.Options(site=params.get("site") or None, author=params.get("author") or None,
                              since=params.get("since") or None, until=params.get("until") or None,
                              sort=sort, expand=params.get("no_expand") not in ("1", "on", "true"))
    return query, page, limit, options


def _whole_number(params: dict[str, str], name: str, default: int, most: int | None) -> int:
    text = params.get(name, "").strip()
    if not text:
        return default
    if not text.isascii() or not text.isdigit() or int(text) < 1 or len(text) > 9:
        raise BadRequest(f"{name} must be a whole number from 1")
    return min(int(text), most) if most else int(text)


class Handler(BaseHTTPRequestHandler):
    """One request: route it, answer with a page, JSON or a static file; never a traceback."""

    protocol_version = "HTTP/1.1"  # keep-alive: a browser reuses its connection
    #: Headers and body go out as two writes; with Nagle's algorithm the second waits for the
    #: client's delayed ACK, ~40 ms on every response (measured: benchmarks/serve_roundtrip.py).
    disable_nagle_algorithm = True
    server_version = "dlqa"
    sys_version = ""
    app: App  # set on the class made by `make_server`

    def do_HEAD(self) -> None:  # noqa: N802
        """GET's status and headers without the body (`_send` leaves it out)."""
        self.do_GET()

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
        if not self._host_allowed():
            self._send(HTTPStatus.MISDIRECTED_REQUEST, b"unknown host\n", "text/plain; charset=utf-8")
            return
        parts = urlsplit(self.path)
        path = parts.path
        params = {key: values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
        try:
            if path in ("/", "/search"):
                self._search_page(params)
            elif path == "/api/search":
                self._api_search(params)
            elif path.startswith("/answer/"):
                self._answer_page(unquote(path[len("/answer/"):]), params)
            elif path in STATIC_FILES:
                name, content_type = STATIC_FILES[path]
                self._send(HTTPStatus.OK, (HERE / "static" / name).read_bytes(), content_type,
                           cache="max-age=3600")
            else:
                self._error_page(HTTPStatus.NOT_FOUND, "no such page", params)
        except (BrokenPipeError, ConnectionResetError):  # the browser went away mid-answer
            pass
        except Exception as error:  # a bug: one line on the server's stderr, a plain 500 for the browser
            self.log_error("internal error: %s: %s", type(error).__name__, " ".join(str(error).split())[:200])
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, b"internal error\n", "text/plain; charset=utf-8")

    # -- pages -------------------------------------------------------------------------------

    def _search_page(self, params: dict[str, str]) -> None:
        try:
            query, page, limit, options = search_request(params)
        except BadRequest as error:
            self._error_page(HTTPStatus.BAD_REQUEST, str(error), params)
            return
        form = {"q": query, "site": options.site, "author": options.author, "since": options.since,
                "until": options.until, "sort": options.sort if options.sort != "relevance" else None,
                "no_expand": "1" if not options.expand else None, "limit": limit if limit != 10 else None}
        if not query:
            self._send_page(HTTPStatus.OK, "search.html", form=form, results=None)
            return
        try:
            found = backend.search(self.app.library, query, limit=limit, page=page, options=options)
        except DlqaError as error:
            self._error_page(_status(error), str(error), form)
            return
        data = found.data
        hits = [{**result, "snippet_parts": views.highlighted_parts(result.get("snippet") or "", spans)}
                for result, spans in zip(data["results"], found.spans, strict=True)]
        self._send_page(HTTPStatus.OK, "search.html", form=form, results=data, hits=hits,
                        paging=views.paging(data["total"] + data.get("partial", 0), page, limit, len(hits)))

    def _answer_page(self, answer_id: str, params: dict[str, str]) -> None:
        back = {"q": params.get("q", "")[:MAX_QUERY_CHARS]}
        if not views.is_answer_id(answer_id):
            self._error_page(HTTPStatus.NOT_FOUND, "no such answer: an answer id is 16 hex digits", back)
            return
        try:
            found = backend.answer_page(self.app.library, answer_id)
        except DlqaError as error:
            self._error_page(_status(error), str(error), back)
            return
        if found is None:
            self._error_page(HTTPStatus.NOT_FOUND, f"no answer with id {answer_id}", back)
            return
        self._send_page(HTTPStatus.OK, "answer.html", form=back, **found)

    def _api_search(self, params: dict[str, str]) -> None:
        from dlqa.render_json import dumps

        try:
            query, page, limit, options = search_request(params)
            if not query:
                raise BadRequest("give a query: /api/search?q=…")
            found = backend.search(self.app.library, query, limit=limit, page=page, options=options)
        except BadRequest as error:
            self._send_json(HTTPStatus.BAD_REQUEST, dumps({"error": str(error)}))
            return
        except DlqaError as error:
            self._send_json(_status(error), dumps({"error": str(error)}))
            return
        self._send_json(HTTPStatus.OK, dumps(found.data))

    def _error_page(self, status: HTTPStatus, message: str, form: dict[str, Any]) -> None:
        self._send_page(status, "error.html", form={"q": form.get("q", "")}, code=status, message=message)

    # -- responses ---------------------------------------------------------------------------

    def _send_page(self, status: HTTPStatus, template: str, **context: Any) -> None:
        self._send(status, self.app.render(template, **context), "text/html; charset=utf-8")

    def _send_json(self, status: HTTPStatus, text: str) -> None:
        self._send(status, (text + "\n").encode("utf-8"), "application/json; charset=utf-8")

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, cache: str | None = None) -> None:
        self.send_response(status)
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, cache if name == "Cache-Control" and cache else value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _host_allowed(self) -> bool:
        """Refuse Host names other than this server's (a DNS-rebinding page could otherwise read
        a loopback server from the browser)."""
        allowed = self.app.allowed_hosts
        if allowed is None:
            return True
        host = (self.headers.get("Host") or "").strip().lower()
        return host in allowed

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Only errors are logged (one escaped line each): request lines carry page text."""

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002
        from dlqa.render_human import safe

        sys.stderr.write(f"dlqa serve: {safe(format % args)}\n")


def _status(error: DlqaError) -> HTTPStatus:
    """A bad query is the client's doing; a missing index, the server's state; the rest, damage."""
    if isinstance(error, QueryError):
        return HTTPStatus.BAD_REQUEST
    if isinstance(error, NoIndexError):
        return HTTPStatus.SERVICE_UNAVAILABLE
    return HTTPStatus.INTERNAL_SERVER_ERROR


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Server6(Server):
    address_family = socket.AF_INET6


def make_server(library: backend.Library, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> Server:
    """A server bound to (host, port) (port 0: any free port), not yet serving."""
    bare = host.strip("[]")
    server_class = Server6 if ":" in bare else Server
    app = App(library)
    handler = type("BoundHandler", (Handler,), {"app": app})
    server = server_class((bare, port), handler)
    bound_port = server.server_address[1]
    if is_loopback(bare):
        names = {"localhost", bare.lower(), f"[{bare.lower()}]", "127.0.0.1", "[::1]"}
        app.allowed_hosts = frozenset({*names, *(f"{name}:{bound_port}" for name in names)})
    return server


def server_url(server: Server) -> str:
    host, port = server.server_address[:2]
    shown = f"[{host}]" if ":" in str(host) else str(host)
    return f"http://{shown}:{port}/"


def run_server(library: backend.Library, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
               open_browser: bool = False) -> None:
    """`dlqa serve`: check the index, listen, say where, serve until Ctrl-C."""
    from dlqa.render_human import safe

    backend.check_index(library)
    try:
        server = make_server(library, host, port)
    except (OSError, OverflowError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise DlqaError(f"cannot listen on {safe(host)} port {port}: {reason}") from None
    url = server_url(server)
    if not is_loopback(host.strip("[]")):
        sys.stderr.write(f"dlqa: warning: listening on {safe(host)}: other machines can read this library "
                         "(use the default --host 127.0.0.1 to keep it local)\n")
    sys.stdout.write(f"dlqa: serving {safe(str(library.path))} at {url} (Ctrl-C stops)\n")
    sys.stdout.flush()
    backend.warm_up()
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        sys.stdout.write("dlqa: stopped\n")
    finally:
        server.server_close()
