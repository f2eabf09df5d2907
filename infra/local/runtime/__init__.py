"""The part of AWS that Chalice lacks locally: API Gateway (REST and WebSocket), the @connections API,
and the event source mappings (SQS, DynamoDB stream, schedules) that feed Lambda handlers."""
