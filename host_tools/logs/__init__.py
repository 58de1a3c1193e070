"""Host log store: pulled sessions in SQLite."""
