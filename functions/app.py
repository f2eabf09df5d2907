"""GigConnect's one Chalice app: REST blueprints, WebSocket handlers and event handlers.

Non-route handlers are declared here so that the app's middleware reaches them. Queue names and the
stream are given as CloudFormation substitutions (``${AWS::StackName}``): Chalice places them inside
``Fn::Sub`` in the template, and the local runtime substitutes the local stack's name.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

# GigConnect uses no pydantic plugin; looking for them scans every installed package's metadata on the first
# model, ~30 ms of each cold start.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from chalice import Chalice, Rate, Response
from chalice.app import CloudWatchEvent, DynamoDBEvent, SQSEvent, WebsocketEvent

from chalicelib import (
    applications,
    auth,
    conversations,
    docs,
    escrow,
    events,
    gigs,
    notifications,
    reviews,
    search,
    system,
    users,
    websocket,
)
from chalicelib.http import api_conventions
from gigcore import heap

app = Chalice(app_name="gigconnect")
app.experimental_feature_flags.update(["WEBSOCKETS"])
app.debug = False
app.register_blueprint(system.bp)
app.register_blueprint(docs.bp)
app.register_blueprint(auth.bp)
app.register_blueprint(users.bp)
app.register_blueprint(gigs.bp)
app.register_blueprint(applications.bp)
app.register_blueprint(escrow.bp)
app.register_blueprint(reviews.bp)
app.register_blueprint(search.bp)
app.register_blueprint(conversations.bp)
app.register_blueprint(notifications.bp)

#: Placeholder replaced in template.yaml by the table's real StreamArn (see infra/render.py).
MAIN_TABLE_STREAM = "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${AWS::StackName}-main/stream/latest"

app.register_middleware(api_conventions, "http")


def settle_heap(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Every handler: after the invocation, the long-lived objects leave the collector's way (gigcore.heap)."""
    try:
        return get_response(event)
    finally:
        heap.invocation_done()


app.register_middleware(settle_heap, "all")


# ---- WebSocket API ------------------------------------------------------------------------------


@app.on_ws_connect()
def ws_connect(event: WebsocketEvent) -> Response:
    """Accept a connection that carries a valid access token (``?token=``); refuse it otherwise."""
    query = event.to_dict().get("queryStringParameters") or {}
    allowed = websocket.on_connect(event.connection_id, query)
    return Response(body="", status_code=200 if allowed else 401)


@app.on_ws_message()
def ws_message(event: WebsocketEvent) -> None:
    websocket.on_message(event.connection_id, event.body)


@app.on_ws_disconnect()
def ws_disconnect(event: WebsocketEvent) -> None:
    websocket.on_disconnect(event.connection_id)


@app.schedule(Rate(15, unit=Rate.MINUTES))
def sweep_connections(event: CloudWatchEvent) -> None:
    """Forget connections past API Gateway's two-hour limit whose $disconnect never arrived."""
    from gigcore import bootstrap
    from gigcore.services.chat import sweep_stale_connections

    container = bootstrap.container()
    sweep_stale_connections(ports=container.chat_ports, now=container.clock.now())


@app.schedule(Rate(15, unit=Rate.MINUTES))
def auto_release(event: CloudWatchEvent) -> dict[str, int]:
    """Release the submitted milestones whose ``auto_release_at`` has come (disputed ones have none)."""
    from gigcore import bootstrap

    container = bootstrap.container()
    return {"released": container.escrow.auto_release_due(container.clock.now())}


@app.schedule(Rate(1, unit=Rate.HOURS))
def reveal_reviews(event: CloudWatchEvent) -> dict[str, int]:
    """Show the reviews whose 14-day window closed without the other party's, and count them in ratings."""
    from gigcore import bootstrap
    from gigcore.services.reviews import reveal_due

    container = bootstrap.container()
    return {"revealed": reveal_due(ports=container.review_ports, now=container.clock.now())}


@app.schedule(Rate(15, unit=Rate.MINUTES))
def geo_layout(event: CloudWatchEvent) -> dict[str, Any]:
    """Keep each geo index's partition layout in step with its data: measure, plan, move online (docs/geo.md).
    A run does what the layout's phase allows and stops within its time budget; the next goes on."""
    from gigcore import bootstrap
    from gigcore.services import geo_layout as job

    container = bootstrap.container()
    settings = container.geo_layout_settings
    # Both indexes share one run's time budget.
    half = replace(settings, budget_seconds=settings.budget_seconds / 2)
    reports = [job.run(index, store=container.geo_layout_store, settings=half) for index in ("gig", "freelancer")]
    return {r.index: {"action": r.action, "phase": r.phase, "moved": r.moved, "wcu": r.capacity} for r in reports}


# ---- The outbox relay and the queue consumers ---------------------------------------------------


@app.on_dynamodb_record(stream_arn=MAIN_TABLE_STREAM, batch_size=100, starting_position="TRIM_HORIZON")
def outbox_router(event: DynamoDBEvent) -> dict[str, Any]:
    return events.route_stream(event.to_dict().get("Records", []))


@app.on_sqs_message(queue="${AWS::StackName}-notifications", batch_size=10)
def notifications_consumer(event: SQSEvent) -> dict[str, Any]:
    return events.consume_queue("notifications", event.to_dict().get("Records", []))


@app.on_sqs_message(queue="${AWS::StackName}-email", batch_size=10)
def email_consumer(event: SQSEvent) -> dict[str, Any]:
    return events.consume_queue("email", event.to_dict().get("Records", []))


@app.on_sqs_message(queue="${AWS::StackName}-sms", batch_size=10)
def sms_consumer(event: SQSEvent) -> dict[str, Any]:
    return events.consume_queue("sms", event.to_dict().get("Records", []))


@app.on_sqs_message(queue="${AWS::StackName}-push", batch_size=10)
def push_consumer(event: SQSEvent) -> dict[str, Any]:
    return events.consume_queue("push", event.to_dict().get("Records", []))


@app.on_sqs_message(queue="${AWS::StackName}-payments", batch_size=10)
def payments_consumer(event: SQSEvent) -> dict[str, Any]:
    return events.consume_queue("payments", event.to_dict().get("Records", []))


@app.on_sqs_message(queue="${AWS::StackName}-search-indexing", batch_size=10)
def search_indexing_consumer(event: SQSEvent) -> dict[str, Any]:
    return events.consume_queue("search-indexing", event.to_dict().get("Records", []))


@app.on_sqs_message(queue="${AWS::StackName}-gig-matching", batch_size=10)
def gig_matching_consumer(event: SQSEvent) -> dict[str, Any]:
    return events.consume_queue("gig-matching", event.to_dict().get("Records", []))
