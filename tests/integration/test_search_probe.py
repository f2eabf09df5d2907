"""``/health``'s search probe on OpenSearch: one request signed as a search's is (``HEAD`` of the gig index),
sent by opensearch-py to a server of a few lines that answers as OpenSearch would. Up when it answers (the index
there or not yet); down when it refuses (403: a role or signature a search would be refused with too), fails, is
out of reach, or is not configured. The unsigned GET before counted a 403 as up."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from gigcore.adapters.opensearch_search import OpenSearchSearchIndex, client_for
from gigcore.adapters.probes import SearchServiceProbe
from gigcore.services.health import check_health

pytestmark = pytest.mark.integration


class Answering:
    """A local HTTP server answering every request with ``status``, recording the method, path and headers."""

    def __init__(self) -> None:
        self.status = 200
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                outer.seen.append((self.command, self.path, dict(self.headers.items())))
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_HEAD = do_GET = _answer  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def opensearch(monkeypatch) -> Iterator[Answering]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "probe-secret")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    server = Answering()
    yield server
    server.close()


def probe(url: str) -> SearchServiceProbe:
    index = OpenSearchSearchIndex(client_for(url, "eu-west-1", local=False), prefix="gigconnect-prod")
    return SearchServiceProbe(lambda: index)


@pytest.mark.parametrize(("status", "state"), [(200, "ok"), (404, "ok"), (403, "down"), (500, "down")])
def test_the_service_is_up_when_it_answers_and_down_when_it_refuses_or_fails(opensearch, status, state):
    opensearch.status = status
    assert check_health([probe(opensearch.url)]) == {"search": state}
    method, path, headers = opensearch.seen[0]
    assert (method, path) == ("HEAD", "/gigconnect-prod-gigs")
    assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/eu-west-1/es/aws4_request" in headers["Authorization"]


def test_out_of_reach_or_not_configured_is_down():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    assert check_health([probe(f"http://127.0.0.1:{port}")]) == {"search": "down"}

    def not_configured() -> OpenSearchSearchIndex:
        from gigcore.domain.errors import UpstreamUnavailableError

        raise UpstreamUnavailableError("The search service is not configured.")

    assert check_health([SearchServiceProbe(not_configured)]) == {"search": "down"}


def test_the_composition_root_probes_opensearch_through_the_search_adapter(monkeypatch):
    from gigcore.bootstrap.adapters import Adapters
    from gigcore.bootstrap.probes import dependency_probes
    from gigcore.settings import Settings

    settings = Settings(search_backend="opensearch", opensearch_url=None)
    (search,) = [p for p in dependency_probes(Adapters(settings)) if p.name == "search"]
    assert isinstance(search, SearchServiceProbe)
    assert check_health([search]) == {"search": "down"}  # no endpoint: the adapter refuses to be built
