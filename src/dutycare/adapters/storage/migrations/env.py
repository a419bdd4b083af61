"""Alembic environment: runs migrations on the connection dutycare hands over."""

from __future__ import annotations

from alembic import context

from dutycare.adapters.storage.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("dutycare runs its migrations itself: use 'dutycare init' or 'dutycare migrate'")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
