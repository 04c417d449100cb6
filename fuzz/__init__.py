"""Byte-level fuzz targets (atheris): each feeds arbitrary bytes to one parser of outside input."""

# Only csbot's own code is instrumented: instrumenting every library imported on the way (Bolt,
# SQLAlchemy, NumPy…) takes minutes at start and finds nothing of ours.
OURS = ["bot", "handlers", "domain", "storage", "playbooks"]
