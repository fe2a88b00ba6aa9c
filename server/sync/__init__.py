"""The server side of the sync contract (DESIGN.md §4): push, pull, the change log."""
