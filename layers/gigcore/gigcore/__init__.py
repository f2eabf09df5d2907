"""GigConnect's shared library, shipped as a Lambda layer.

Layers, from the outside in: ``adapters`` (vendor SDKs) implement ``ports`` (Protocols), which
``services`` (use cases) take as arguments; ``domain`` is pure. ``bootstrap`` wires them once per
cold start.
"""

__version__ = "0.1.0"
