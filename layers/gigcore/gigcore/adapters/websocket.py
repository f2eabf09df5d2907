"""API Gateway management API adapter of :class:`gigcore.ports.ConnectionNotifier`.

In the cloud the endpoint is ``https://{api-id}.execute-api.{region}.amazonaws.com/{stage}``; locally the
project's own WebSocket gateway serves the same ``@connections`` API (moto's never answers Gone).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from gigcore.adapters.aws import error_code, translate

if TYPE_CHECKING:
    from types_boto3_apigatewaymanagementapi import ApiGatewayManagementApiClient

_GONE = frozenset({"GoneException", "410"})


class ApiGatewayConnectionNotifier:
    def __init__(self, client: ApiGatewayManagementApiClient) -> None:
        self._client = client

    def post(self, connection_id: str, frame: Mapping[str, Any]) -> bool:
        data = json.dumps(frame, separators=(",", ":"), default=str).encode()
        try:
            self._client.post_to_connection(ConnectionId=connection_id, Data=data)
        except ClientError as exc:
            if error_code(exc) in _GONE:
                return False
            raise translate(exc, "The WebSocket API") from exc
        except BotoCoreError as exc:
            raise translate(exc, "The WebSocket API") from exc
        return True

    def close(self, connection_id: str) -> None:
        try:
            self._client.delete_connection(ConnectionId=connection_id)
        except ClientError as exc:
            if error_code(exc) not in _GONE:
                raise translate(exc, "The WebSocket API") from exc
