"""Adapters that implement the core's storage protocols: the ledger in SQLite or PostgreSQL."""

from placet.stores.sql_database import create_ledger_engine, upgrade_database
from placet.stores.sql_ledger import SqlLedger, open_ledger

__all__ = ["SqlLedger", "create_ledger_engine", "open_ledger", "upgrade_database"]
