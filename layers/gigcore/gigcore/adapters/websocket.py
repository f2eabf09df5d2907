"""API Gateway management API adapter of :class:`gigcore.ports.ConnectionNotifier`.

In the cloud the endpoint is ``https://{api-id}.execute-api.{region}.amazonaws.com/{stage}``; locally the
project's own WebSocket gateway serves the same ``@connections`` API (moto's never answers Gone).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gigcore.adapters.aws import or_none

if TYPE_CHECKING:
    from types_boto3_apigatewaymanagementapi import ApiGatewayManagementApiClient

_GONE = frozenset({"GoneException", "410"})


class ApiGatewayConnectionNotifier:
    def __init__(self, client: ApiGatewayManagementApiClient) -> None:
        self._client = client

    def post(self, connection_id: str, frame: Mapping[str, Any]) -> bool:
        data = json.dumps(frame, separators=(",", ":"), default=str).encode()
        posted = or_none(lambda: self._client.post_to_connection(ConnectionId=connection_id, Data=data),
                         "The WebSocket API", codes=_GONE)
        return posted is not None

    def close(self, connection_id: str) -> None:
        """Close the connection; one that is already gone is closed."""
        or_none(lambda: self._client.delete_connection(ConnectionId=connection_id), "The WebSocket API", codes=_GONE)
