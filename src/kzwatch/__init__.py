"""kzwatch: keeps the evidence behind a published article honest."""

__version__ = "0.1.0"
