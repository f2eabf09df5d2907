"""Operator commands (``python -m gigcore.cli.<name>``)."""
