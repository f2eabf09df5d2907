"""Text in request bodies: what a person can type goes through, control characters do not (422)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gigcore.schemas.chat import SendMessageRequest
from gigcore.schemas.common import RequestModel


class Nested(RequestModel):
    names: list[str]
    tags: dict[str, str] = {}


class Outer(RequestModel):
    title: str
    inner: Nested | None = None


def test_a_message_on_several_lines_with_tabs_and_any_script_goes_through() -> None:
    text = "Line one\n\tline two\r\nÀ bientôt, 再见, ✓"
    assert SendMessageRequest.model_validate({"body": text, "client_msg_id": "m-1"}).body == text


@pytest.mark.parametrize("bad", ["Ada\x00Obi", "bell\x07", "esc\x1b[31m", "del\x7f", "vertical\x0btab", "form\x0cfeed"])
def test_a_control_character_in_text_is_refused_with_the_field_named(bad: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Outer.model_validate({"title": bad})
    assert refused.value.errors()[0]["loc"] == ("title",)


@pytest.mark.parametrize("body", [
    {"title": "ok", "inner": {"names": ["fine", "not\x00fine"]}},
    {"title": "ok", "inner": {"names": [], "tags": {"key\x00": "value"}}},
    {"title": "ok", "inner": {"names": [], "tags": {"key": "va\x00lue"}}},
], ids=["in-a-list", "in-a-key", "in-a-value"])
def test_a_control_character_anywhere_in_a_nested_body_is_refused(body: dict) -> None:
    with pytest.raises(ValidationError):
        Outer.model_validate(body)
