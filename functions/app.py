"""GigConnect's one Chalice app: REST blueprints, WebSocket handlers and event handlers.

Non-route handlers are declared here so that the app's middleware reaches them. Queue names and the
stream are given as CloudFormation substitutions (``${AWS::StackName}``): Chalice places them inside
``Fn::Sub`` in the template, and the local runtime substitutes the local stack's name.
"""

from __future__ import annotations

from typing import Any

from chalice import Chalice, Response
from chalice.app import DynamoDBEvent, Request, SQSEvent, WebsocketEvent

from chalicelib import events, system, websocket
from chalicelib.http import answer
from gigcore import bootstrap
from gigcore.domain.errors import PayloadTooLargeError
from gigcore.observability import logger
from gigcore.schemas.errors import error_for_status, error_response

app = Chalice(app_name="gigconnect")
app.debug = False
app.register_blueprint(system.bp)

#: Placeholder replaced in template.yaml by the table's real StreamArn (see infra/render.py).
MAIN_TABLE_STREAM = "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${AWS::StackName}-main/stream/latest"

_CHALICE_ERROR_CODES = {
    400: "validation_error",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


@app.middleware("http")
def api_conventions(request: Request, get_response: Any) -> Response:
    """Correlation id, the body size limit, and Chalice's own errors in the contract's shape."""
    logger.set_correlation_id(request.context.get("requestId"))
    limit = bootstrap.settings().max_body_bytes
    if len(request.raw_body or b"") > limit:
        return answer(error_response(PayloadTooLargeError(f"The request body is larger than {limit // 1024} KB.")))
    try:
        response: Response = get_response(request)
    except Exception as exc:
        return answer(error_response(exc))
    body = response.body
    if response.status_code >= 400 and isinstance(body, dict) and set(body) == {"Code", "Message"}:
        status = response.status_code
        code = _CHALICE_ERROR_CODES.get(status, "internal_error" if status >= 500 else "validation_error")
        message = str(body["Message"]) if status < 500 else "An internal error occurred."
        mapped = answer(error_for_status(status, code, message))
        mapped.headers.update({k: v for k, v in response.headers.items() if k.lower() == "allow"})
        return mapped
    return response


# ---- WebSocket API ------------------------------------------------------------------------------


@app.on_ws_connect()
def ws_connect(event: WebsocketEvent) -> None:
    """Accept the connection (the chat issue adds the access-token check and stores it)."""


@app.on_ws_message()
def ws_message(event: WebsocketEvent) -> None:
    websocket.on_message(event.connection_id, event.body)


@app.on_ws_disconnect()
def ws_disconnect(event: WebsocketEvent) -> None:
    """Nothing is stored per connection yet; the chat issue removes the connection item here."""


# ---- The outbox relay and the queue consumers ---------------------------------------------------


@app.on_dynamodb_record(stream_arn=MAIN_TABLE_STREAM, batch_size=100, starting_position="TRIM_HORIZON")
def outbox_router(event: DynamoDBEvent) -> dict[str, Any]:
    return events.route_stream(event.to_dict().get("Records", []))


@app.on_sqs_message(queue="${AWS::StackName}-notifications", batch_size=10)
def notifications_consumer(event: SQSEvent) -> dict[str, Any]:
    return events.consume_queue("notifications", event.to_dict().get("Records", []))


@app.on_sqs_message(queue="${AWS::StackName}-payments", batch_size=10)
def payments_consumer(event: SQSEvent) -> dict[str, Any]:
    return events.consume_queue("payments", event.to_dict().get("Records", []))


@app.on_sqs_message(queue="${AWS::StackName}-search-indexing", batch_size=10)
def search_indexing_consumer(event: SQSEvent) -> dict[str, Any]:
    return events.consume_queue("search-indexing", event.to_dict().get("Records", []))


@app.on_sqs_message(queue="${AWS::StackName}-gig-matching", batch_size=10)
def gig_matching_consumer(event: SQSEvent) -> dict[str, Any]:
    return events.consume_queue("gig-matching", event.to_dict().get("Records", []))
