"""The AsyncAPI 3.0 document of the WebSocket API (``docs/asyncapi.json``), generated from the frame models.

    python -m infra.asyncapi            # write docs/asyncapi.json
    python -m infra.asyncapi --check    # `make test`: fail when the committed document is stale
    python -m infra.asyncapi --validate [FILE]  # the AsyncAPI parser's verdict (installs it once, pinned)

The document describes the server: a ``receive`` operation is a frame the server receives from a client
(``action``), a ``send`` operation one it sends (``type``). Schemas come from the pydantic models the socket
validates with (:mod:`gigcore.schemas.chat`) and from :mod:`gigcore.schemas.socket` for the frames sent.
The AsyncAPI parser (npm ``@asyncapi/parser``, pinned below, run by ``infra/asyncapi_validate.cjs``) validates
it in `make test`; it is installed once into ``.cache/asyncapi`` (git-ignored), like DynamoDB Local.
"""

from __future__ import annotations

import argparse
import difflib
import fcntl
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

REPO = Path(__file__).resolve().parent.parent
DOCUMENT = REPO / "docs" / "asyncapi.json"
REF = "#/components/schemas/{model}"
PARSER_PACKAGE = "@asyncapi/parser@3.6.6"
PARSER_DIR = REPO / ".cache" / "asyncapi"
VALIDATOR = REPO / "infra" / "asyncapi_validate.cjs"

DESCRIPTION = """\
Real-time chat, presence and notifications over one WebSocket per device.

Connect with the access token in the query: `wss://<socket-api>/<stage>/?token=<access_token>` (locally
`ws://127.0.0.1:8001/?token=...`). A missing, bad or expired token is refused at connect. Frames are JSON
objects, one per WebSocket message. A client frame names its `action`; a server frame names its `type`.

The connection lives as long as its access token (15 minutes): once it has expired, the next frame gets an
`error` frame with code `unauthorized` and the server closes the socket (a logout or a password reset does the
same). Refresh the token over REST (`POST /auth/refresh`) and reconnect; reconnect also after any close (with
a growing delay), and send `ping` when idle so intermediaries keep the connection open. Messages sent while
disconnected are read with `GET /conversations/{conv_id}/messages`.

Sending is rate limited per user (socket and REST together): past the limit a `sendMessage` gets an `error`
frame with code `rate_limited` and `retry_after` in seconds. A repeated `client_msg_id` from the same sender
stores one message and is acknowledged again with the stored message, so resending after a reconnect is safe.
"""

#: (operation id, model, summary, the reply's message name or None) for each client frame.
CLIENT_OPERATIONS: list[tuple[str, str, str, str | None]] = [
    ("sendMessage", "SendMessageFrame",
     "Send a message to a conversation the caller takes part in; acknowledged with `ack` once stored.", "ack"),
    ("typing", "TypingFrame", "Tell the other participants the caller is typing.", None),
    ("markRead", "MarkReadFrame",
     "Mark the conversation read up to a message; the other participants get a `read` frame.", None),
    ("ping", "PingFrame", "Keep the connection alive; answered with `pong`.", "pong"),
]
#: (message name, model, summary) for each server frame.
SERVER_MESSAGES: list[tuple[str, str, str]] = [
    ("ack", "AckFrame", "The sender's message is stored (once per client_msg_id)."),
    ("message", "MessageFrame", "A new message in one of the user's conversations."),
    ("typingNotice", "TypingNoticeFrame", "Another participant is typing."),
    ("read", "ReadFrame", "Another participant read the conversation up to a message."),
    ("presence", "PresenceFrame", "A user sharing a conversation came online or went offline."),
    ("notification", "NotificationFrame", "A notification for the user (see GET /me/notifications)."),
    ("pong", "PongFrame", "The answer to ping."),
    ("error", "ErrorFrame", "A frame was refused; the connection stays open unless the code is unauthorized."),
]


def _schemas(models: list[tuple[type[BaseModel], JsonSchemaMode]]) -> dict[str, Any]:
    """Every model's JSON schema (and the models they use) under components.schemas, referenced by name:
    the client's frames as the socket validates them, the server's as it writes them."""
    out: dict[str, Any] = {}
    for model, mode in models:
        schema = model.model_json_schema(ref_template=REF, mode=mode)
        for name, definition in schema.pop("$defs", {}).items():
            out.setdefault(name, definition)
        out[model.__name__] = schema
    return out


def build() -> dict[str, Any]:
    from gigcore import __version__
    from gigcore.schemas.socket import CLIENT_FRAMES, SERVER_FRAMES

    models = {m.__name__: m for m in (*CLIENT_FRAMES, *SERVER_FRAMES)}
    messages: dict[str, Any] = {}
    for name, model, summary, _ in CLIENT_OPERATIONS:
        messages[name] = _message(name, models[model], summary)
    for name, model, summary in SERVER_MESSAGES:
        messages[name] = _message(name, models[model], summary)
    channel = {"$ref": "#/channels/chat"}
    operations: dict[str, Any] = {}
    for name, _, summary, reply in CLIENT_OPERATIONS:
        operation: dict[str, Any] = {"action": "receive", "channel": channel, "summary": summary,
                                     "messages": [{"$ref": f"#/channels/chat/messages/{name}"}]}
        if reply:
            operation["reply"] = {"channel": channel, "messages": [{"$ref": f"#/channels/chat/messages/{reply}"}]}
        operations[name] = operation
    for name, _, summary in SERVER_MESSAGES:
        operations[f"on{name[0].upper()}{name[1:]}"] = {
            "action": "send", "channel": channel, "summary": summary,
            "messages": [{"$ref": f"#/channels/chat/messages/{name}"}]}
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "GigConnect WebSocket API", "version": __version__, "description": DESCRIPTION},
        "defaultContentType": "application/json",
        "servers": {
            "local": {"host": "127.0.0.1:8001", "protocol": "ws", "description": "`make run`'s WebSocket gateway"},
            "aws": {"host": "{apiId}.execute-api.{region}.amazonaws.com", "pathname": "/{stage}", "protocol": "wss",
                    "description": "API Gateway's WebSocket API (the stack's WebsocketConnectEndpointURL output)",
                    "variables": {"apiId": {"description": "the WebSocket API's id"},
                                  "region": {"default": "us-east-1"},
                                  "stage": {"enum": ["dev", "prod"], "default": "prod"}}},
        },
        "channels": {"chat": {
            "address": "/", "title": "The user's socket",
            "description": "One connection per device; every frame of the user's conversations and notifications.",
            "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
            "bindings": {"ws": {"bindingVersion": "0.1.0", "query": {
                "type": "object", "required": ["token"],
                "properties": {"token": {"type": "string", "description": "an access token (POST /auth/login)"}}}}},
        }},
        "operations": operations,
        "components": {"messages": messages,
                       "schemas": _schemas([(models[m], "validation") for _, m, _, _ in CLIENT_OPERATIONS]
                                           + [(models[m], "serialization") for _, m, _ in SERVER_MESSAGES])},
    }


def _message(name: str, model: type[BaseModel], summary: str) -> dict[str, Any]:
    message: dict[str, Any] = {"name": name, "title": model.__name__, "summary": summary,
                               "contentType": "application/json",
                               "payload": {"$ref": REF.format(model=model.__name__)}}
    if model.__doc__:
        message["description"] = " ".join(model.__doc__.split())
    return message


def ensure_parser(folder: Path = PARSER_DIR) -> Path:
    """The node_modules folder holding the pinned AsyncAPI parser, installed with npm on first use."""
    modules = folder / "node_modules"
    marker = folder / ".installed"
    if marker.exists() and marker.read_text() == PARSER_PACKAGE:
        return modules
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise SystemExit(f"error: {tool} is required to validate docs/asyncapi.json (apt-get install nodejs npm)")
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (marker.exists() and marker.read_text() == PARSER_PACKAGE):
            subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(folder),
                            PARSER_PACKAGE], check=True, stdout=subprocess.DEVNULL)
            marker.write_text(PARSER_PACKAGE)
    return modules


def validate(document: Path = DOCUMENT) -> subprocess.CompletedProcess[str]:
    """Run the AsyncAPI parser on ``document``: return code 0 when it found no error; its notes on stderr."""
    return subprocess.run(["node", str(VALIDATOR), str(ensure_parser()), str(document)], capture_output=True,
                          text=True, check=False, timeout=120)


def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail when docs/asyncapi.json is stale")
    parser.add_argument("--validate", nargs="?", const=str(DOCUMENT), metavar="FILE",
                        help="validate a document with the AsyncAPI parser")
    args = parser.parse_args()
    if args.validate:
        verdict = validate(Path(args.validate))
        print(verdict.stdout + verdict.stderr, end="")
        return verdict.returncode
    fresh = render()
    if args.check:
        committed = DOCUMENT.read_text() if DOCUMENT.exists() else ""
        if committed != fresh:
            diff = difflib.unified_diff(committed.splitlines(), fresh.splitlines(), "committed", "generated",
                                        lineterm="", n=1)
            print("docs/asyncapi.json is stale: run `python -m infra.asyncapi` (or `make render`)\n"
                  + "\n".join(list(diff)[:60]), file=sys.stderr)
            return 1
        return 0
    DOCUMENT.write_text(fresh)
    print(f"wrote {DOCUMENT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
