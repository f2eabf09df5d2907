"""Chat over REST, against the local stack: conversations, history, receipts, uploads, who may do what."""

from __future__ import annotations

import json
import urllib.request
import uuid

import pytest

pytestmark = pytest.mark.integration


def user(api, roles=("client",)) -> dict:
    email = f"chat-{uuid.uuid4().hex[:10]}@example.com"
    body = {"email": email, "password": "correct horse battery", "name": "Chatter", "roles": list(roles)}
    return api.post("/auth/signup", body).json_body


def gig_of(api, owner) -> str:
    money = {"amount": 2_000_000, "currency": "NGN"}
    body = {"title": "Paint a two-room flat", "description": "Walls and ceilings.", "category": "painting",
            "skills": ["painting"], "budget": {"min": money, "max": money, "type": "fixed"}, "remote": True,
            "urgency": "medium"}
    answer = api.post("/gigs", body, token=owner["access_token"])
    assert answer.status_code == 201, answer.json_body
    return answer.json_body["id"]


def contract_of(api, client, freelancer) -> dict:
    gig_id = gig_of(api, client)
    applied = api.post(f"/gigs/{gig_id}/applications",
                       {"cover_letter": "I can.", "proposed_rate": {"amount": 2_000_000, "currency": "NGN"},
                        "estimated_days": 3}, token=freelancer["access_token"])
    assert applied.status_code == 201, applied.json_body
    accepted = api.post(f"/applications/{applied.json_body['id']}/accept", {}, token=client["access_token"])
    assert accepted.status_code == 201, accepted.json_body
    return accepted.json_body


@pytest.fixture
def trio(api):
    return user(api), user(api), user(api)


def start(api, a, b, **extra):
    return api.post("/conversations", {"participant_ids": [b["user"]["id"]]} | extra, token=a["access_token"])


def say(api, who, conversation_id, text, client_msg_id=None, **extra):
    body = {"body": text, "client_msg_id": client_msg_id or uuid.uuid4().hex} | extra
    return api.post(f"/conversations/{conversation_id}/messages", body, token=who["access_token"])


def test_a_one_to_one_conversation_is_found_again_for_the_same_pair_and_subject(api, trio):
    a, b, _ = trio
    first = start(api, a, b)
    assert first.status_code == 201 and sorted(first.json_body["participant_ids"]) == sorted(
        [a["user"]["id"], b["user"]["id"]])
    again = start(api, b, a)
    assert again.status_code == 200 and again.json_body["id"] == first.json_body["id"]
    about_a_gig = start(api, a, b, gig_id=gig_of(api, a))
    assert about_a_gig.status_code == 201 and about_a_gig.json_body["id"] != first.json_body["id"]


def test_a_conversation_with_an_unknown_user_is_refused(api, trio):
    a, _, _ = trio
    answer = api.post("/conversations", {"participant_ids": ["01JD00000000000000000NOONE"]}, token=a["access_token"])
    assert answer.status_code == 422


def conversation_items(api, who) -> list[dict]:
    return api.get("/conversations?limit=100", token=who["access_token"]).json_body["items"]


def test_a_conversation_about_a_contract_is_only_between_its_parties(api):
    """issue 16 item 9: a contract_id the caller is no party to was accepted."""
    client, freelancer, stranger = user(api), user(api, ("freelancer",)), user(api)
    contract = contract_of(api, client, freelancer)

    by_stranger = start(api, stranger, client, contract_id=contract["id"])
    assert by_stranger.status_code == 403 and by_stranger.json_body["error"]["code"] == "forbidden"
    with_stranger = start(api, client, stranger, contract_id=contract["id"])
    assert with_stranger.status_code == 403
    unknown = start(api, client, freelancer, contract_id="01JD000000000000000NOSUCHC")
    assert unknown.status_code == 404 and unknown.json_body["error"]["code"] == "not_found"
    assert conversation_items(api, stranger) == []
    assert conversation_items(api, client) == []

    between_parties = start(api, freelancer, client, contract_id=contract["id"])
    assert between_parties.status_code == 201 and between_parties.json_body["contract_id"] == contract["id"]


def test_a_conversation_about_a_gig_includes_its_owner(api):
    """issue 16 item 9: a gig_id the caller has nothing to do with was accepted."""
    owner, freelancer, other = user(api), user(api, ("freelancer",)), user(api, ("freelancer",))
    gig_id = gig_of(api, owner)

    strangers = start(api, freelancer, other, gig_id=gig_id)
    assert strangers.status_code == 403 and strangers.json_body["error"]["code"] == "forbidden"
    unknown = start(api, freelancer, owner, gig_id="01JD0000000000000000NOSUCHG")
    assert unknown.status_code == 404
    assert conversation_items(api, freelancer) == [] and conversation_items(api, other) == []

    asking_the_client = start(api, freelancer, owner, gig_id=gig_id)
    assert asking_the_client.status_code == 201 and asking_the_client.json_body["gig_id"] == gig_id
    contacting_an_applicant = start(api, owner, other, gig_id=gig_id)
    assert contacting_an_applicant.status_code == 201


def test_history_pages_back_newest_first_and_a_repeated_client_msg_id_stores_one(api, trio):
    a, b, _ = trio
    conversation_id = start(api, a, b).json_body["id"]
    sent = [say(api, a if n % 2 else b, conversation_id, f"message {n}").json_body for n in range(5)]
    first = say(api, a, conversation_id, "once", client_msg_id="dup-1").json_body
    repeat = say(api, a, conversation_id, "once", client_msg_id="dup-1")
    assert repeat.status_code == 201 and repeat.json_body["id"] == first["id"]
    page1 = api.get(f"/conversations/{conversation_id}/messages?limit=4", token=b["access_token"]).json_body
    assert [m["body"] for m in page1["items"]] == ["once", "message 4", "message 3", "message 2"]
    page2 = api.get(f"/conversations/{conversation_id}/messages?limit=4&before={page1['next_cursor']}",
                    token=b["access_token"]).json_body
    assert [m["id"] for m in page2["items"]] == [sent[1]["id"], sent[0]["id"]]
    assert page2["next_cursor"] is None


def test_unread_counts_and_read_receipts(api, trio):
    a, b, _ = trio
    conversation_id = start(api, a, b).json_body["id"]
    say(api, a, conversation_id, "one")
    last = say(api, a, conversation_id, "two").json_body
    inbox = api.get("/conversations", token=b["access_token"]).json_body["items"]
    mine = next(c for c in inbox if c["id"] == conversation_id)
    assert mine["unread_count"] == 2 and mine["last_message"]["body"] == "two"
    assert api.post(f"/conversations/{conversation_id}/read", {"up_to_message_id": last["id"]},
                    token=b["access_token"]).status_code == 204
    inbox = api.get("/conversations", token=b["access_token"]).json_body["items"]
    assert next(c for c in inbox if c["id"] == conversation_id)["unread_count"] == 0
    senders_view = api.get("/conversations", token=a["access_token"]).json_body["items"]
    assert next(c for c in senders_view if c["id"] == conversation_id)["unread_count"] == 0


def unread(api, who, conversation_id) -> int:
    return next(c for c in conversation_items(api, who) if c["id"] == conversation_id)["unread_count"]


@pytest.mark.parametrize("receipt", ["ZZZZZZZZZZZZZZZZZZZZZZZZZZ", "7ZZZZZZZZZZZZZZZZZZZZZZZZZ", "not-a-message",
                                     "01JD0000000000000000000000"])
def test_a_receipt_for_a_message_not_in_the_conversation_is_refused(api, trio, receipt):
    """issue 16 item 10: a receipt "from the future" was accepted and the unread count never cleared again."""
    a, b, _ = trio
    conversation_id = start(api, a, b).json_body["id"]
    say(api, a, conversation_id, "one")
    refused = api.post(f"/conversations/{conversation_id}/read", {"up_to_message_id": receipt},
                       token=b["access_token"])
    assert refused.status_code == 422
    assert refused.json_body["error"]["details"] == [{"field": "up_to_message_id",
                                                     "issue": "not a message of this conversation"}]
    assert unread(api, b, conversation_id) == 1
    later = say(api, a, conversation_id, "two").json_body
    assert api.post(f"/conversations/{conversation_id}/read", {"up_to_message_id": later["id"]},
                    token=b["access_token"]).status_code == 204
    assert unread(api, b, conversation_id) == 0


def test_a_message_of_another_conversation_is_not_a_receipt_here(api, trio):
    a, b, c = trio
    here = start(api, a, b).json_body["id"]
    elsewhere = start(api, a, c).json_body["id"]
    say(api, a, here, "unread")
    foreign = say(api, a, elsewhere, "other").json_body
    assert api.post(f"/conversations/{here}/read", {"up_to_message_id": foreign["id"]},
                    token=b["access_token"]).status_code == 422


def test_a_bad_receipt_stored_before_receipts_were_checked_does_not_block_later_ones(api, trio):
    """issue 16 item 10: a position of "ZZZ..." stored earlier must not hold the unread count for good."""
    from gigcore import bootstrap

    a, b, _ = trio
    conversation_id = start(api, a, b).json_body["id"]
    container = bootstrap.container()
    container.dynamodb.update_item(
        TableName=container.settings.table_name,
        Key={"pk": {"S": f"USER#{b['user']['id']}"}, "sk": {"S": f"MEMBER#{conversation_id}"}},
        UpdateExpression="SET last_read = :bad", ExpressionAttributeValues={":bad": {"S": "Z" * 26}})
    last = [say(api, a, conversation_id, text).json_body for text in ("one", "two")][-1]
    assert unread(api, b, conversation_id) == 2
    assert api.post(f"/conversations/{conversation_id}/read", {"up_to_message_id": last["id"]},
                    token=b["access_token"]).status_code == 204
    assert unread(api, b, conversation_id) == 0


def test_sending_is_rate_limited_per_user(api, trio):
    """issue 16 item 11: the REST fallback shares the socket's budget (20 per 10 s by default)."""
    a, b, _ = trio
    conversation_id = start(api, a, b).json_body["id"]
    answers = [say(api, a, conversation_id, f"n{n}") for n in range(30)]
    limited = [x for x in answers if x.status_code == 429]
    assert limited and all(x.json_body["error"]["code"] == "rate_limited" for x in limited)
    assert int(limited[0].headers["Retry-After"]) >= 1
    stored = api.get(f"/conversations/{conversation_id}/messages?limit=100", token=b["access_token"]).json_body
    assert len(stored["items"]) == len([x for x in answers if x.status_code == 201]) < 30
    assert say(api, b, conversation_id, "the other participant has a budget of their own").status_code == 201


def test_a_stranger_is_refused_everywhere(api, trio):
    a, b, stranger = trio
    conversation_id = start(api, a, b).json_body["id"]
    token = stranger["access_token"]
    assert api.get(f"/conversations/{conversation_id}/messages", token=token).status_code == 403
    assert say(api, stranger, conversation_id, "hi").status_code == 403
    assert api.post(f"/conversations/{conversation_id}/attachments",
                    {"filename": "a.png", "content_type": "image/png", "size": 10}, token=token).status_code == 403
    assert api.post(f"/conversations/{conversation_id}/read", {"up_to_message_id": "x"},
                    token=token).status_code == 403
    assert all(c["id"] != conversation_id for c in api.get("/conversations", token=token).json_body["items"])


def upload(api, who, conversation_id, content: bytes, content_type="image/png", filename="shot.png"):
    answer = api.post(f"/conversations/{conversation_id}/attachments",
                      {"filename": filename, "content_type": content_type, "size": len(content)},
                      token=who["access_token"])
    assert answer.status_code == 201, answer.json_body
    grant = answer.json_body
    request = urllib.request.Request(grant["upload_url"], data=content, method="PUT",  # noqa: S310
                                     headers={"Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=10) as put:  # noqa: S310 (moto on loopback)
        assert put.status == 200
    return grant["attachment_key"]


def test_attachments_are_uploaded_then_referenced_and_downloaded_by_participants(api, trio):
    a, b, _ = trio
    conversation_id = start(api, a, b).json_body["id"]
    key = upload(api, a, conversation_id, b"\x89PNG fake image bytes")
    assert key.startswith(f"conversations/{conversation_id}/")
    message = say(api, a, conversation_id, "see attached", attachment_keys=[key]).json_body
    (attachment,) = message["attachments"]
    assert attachment["key"] == key and attachment["size"] == len(b"\x89PNG fake image bytes")
    listed = api.get(f"/conversations/{conversation_id}/messages", token=b["access_token"]).json_body["items"][0]
    with urllib.request.urlopen(listed["attachments"][0]["download_url"], timeout=10) as got:  # noqa: S310
        assert got.read() == b"\x89PNG fake image bytes"


def test_only_keys_uploaded_to_this_conversation_may_be_attached(api, trio):
    a, b, c = trio
    here = start(api, a, b).json_body["id"]
    elsewhere = start(api, a, c).json_body["id"]
    foreign = upload(api, a, elsewhere, b"other")
    assert say(api, a, here, "x", attachment_keys=[foreign]).status_code == 422
    requested = api.post(f"/conversations/{here}/attachments",
                         {"filename": "never.png", "content_type": "image/png", "size": 5},
                         token=a["access_token"]).json_body["attachment_key"]
    never_uploaded = say(api, a, here, "x", attachment_keys=[requested])
    assert never_uploaded.status_code == 422
    assert never_uploaded.json_body["error"]["details"][0]["field"] == "attachment_keys.0"


@pytest.mark.parametrize("content_type, size", [("application/x-msdownload", 100), ("image/png", 26 * 1024 * 1024)])
def test_uploads_outside_the_allow_list_or_over_25_mb_are_refused(api, trio, content_type, size):
    a, b, _ = trio
    conversation_id = start(api, a, b).json_body["id"]
    answer = api.post(f"/conversations/{conversation_id}/attachments",
                      {"filename": "f.bin", "content_type": content_type, "size": size}, token=a["access_token"])
    assert answer.status_code == 422


def test_an_offline_participant_gets_one_notification_per_quiet_period(api, trio, stack_settings):
    from gigcore import bootstrap

    a, b, _ = trio
    conversation_id = start(api, a, b).json_body["id"]
    say(api, a, conversation_id, "are you there?")
    say(api, a, conversation_id, "hello?")
    sqs = bootstrap.container().aws.client("sqs")
    url = sqs.get_queue_url(QueueName=stack_settings.queue_name("notifications"))["QueueUrl"]
    seen = []
    for _ in range(50):
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=2).get("Messages", [])
        for message in got:
            body = json.loads(message["Body"])
            if body["type"] == "message.received" and body["payload"]["conversation_id"] == conversation_id:
                seen.append(body["id"])
        if not got:
            break
    assert len(set(seen)) == 1
    (notified,) = set(seen)
    assert b["user"]["id"] in notified


def test_a_group_conversation_counts_unread_for_everyone_but_the_sender(api, trio):
    a, b, c = trio
    group = api.post("/conversations", {"participant_ids": [b["user"]["id"], c["user"]["id"]]},
                     token=a["access_token"])
    assert group.status_code == 201 and len(group.json_body["participant_ids"]) == 3
    say(api, b, group.json_body["id"], "hello all")
    for who, unread in ((a, 1), (b, 0), (c, 1)):
        inbox = api.get("/conversations", token=who["access_token"]).json_body["items"]
        assert next(x for x in inbox if x["id"] == group.json_body["id"])["unread_count"] == unread
