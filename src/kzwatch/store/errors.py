"""Warehouse errors, phrased for a user (one line each)."""

from __future__ import annotations


class WarehouseError(RuntimeError):
    """A warehouse problem phrased for a user."""


class WarehouseBusy(WarehouseError):
    """Another kzwatch process holds the warehouse longer than we were willing to wait."""


class WarehouseTooNew(WarehouseError):
    """The file was written by a newer kzwatch: refuse rather than damage it."""


class WarehouseConflict(WarehouseError):
    """A DuckLake commit kept conflicting with other writers after every allowed retry."""
