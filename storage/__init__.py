"""Persistence: SQLModel tables, the database engine, queries, migrations and CSV importers."""
