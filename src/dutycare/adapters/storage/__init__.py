"""Storage adapters; importing the package registers every table on the shared metadata (for Alembic)."""

from dutycare.adapters.storage import access_tables as access_tables
