"""The SQLite backend: one writer thread with group commit, WAL readers."""
