"""Fixtures for the app tests: the shared databases are in tests/conftest.py."""
