"""GigConnect's Lambda handlers: thin views that parse, call one service function and answer."""
