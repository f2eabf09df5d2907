"""The ``ObjectStore`` contract, run against S3 (moto server) and the in-memory fake: nothing is there until the
client's PUT to the presigned URL, then its size and type are."""

from __future__ import annotations

import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from gigcore.ports.chat import ObjectStore
from tests.fake_chat import FakeObjectStore

pytestmark = pytest.mark.integration


@dataclass
class Harness:
    objects: ObjectStore
    #: What a client does with a presigned PUT URL: upload ``data`` as ``content_type``.
    upload: Callable[[str, str, bytes, str], None]


@pytest.fixture(params=["s3", "fake"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    if request.param == "fake":
        fake = FakeObjectStore()
        yield Harness(fake, lambda _url, key, data, content_type: fake.upload(key, len(data), content_type))
        return
    settings = request.getfixturevalue("stack_settings")
    from gigcore import bootstrap
    from gigcore.adapters.s3_store import S3ObjectStore

    container: Any = bootstrap.container()

    def put(url: str, _key: str, data: bytes, content_type: str) -> None:
        sent = urllib.request.Request(url, data=data, method="PUT",  # noqa: S310 (loopback)
                                      headers={"Content-Type": content_type})
        with urllib.request.urlopen(sent, timeout=10) as answer:  # noqa: S310 (loopback)
            assert answer.status == 200

    yield Harness(S3ObjectStore(container.aws.client("s3"), settings.attachments_bucket), put)


def test_nothing_is_there_before_the_upload_and_its_size_and_type_after(harness):
    key = f"conversations/C1/{uuid.uuid4().hex}/plan.pdf"
    url = harness.objects.presign_put(key, "application/pdf", 11, 900)
    assert url.startswith("http")
    assert harness.objects.head(key) is None
    harness.upload(url, key, b"hello world", "application/pdf")
    assert harness.objects.head(key) == (11, "application/pdf")


def test_a_download_url_is_given_for_a_key(harness):
    key = f"conversations/C1/{uuid.uuid4().hex}/photo.png"
    first = harness.objects.presign_get(key, 3600)
    assert first.startswith("http") and "photo.png" in first
