"""Adapters: the only modules that import vendor SDKs. Vendor errors become domain errors here."""
