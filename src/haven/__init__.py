"""Haven: anonymous, encrypted, audited mental-health support."""

__version__ = "0.1.0"
