"""Fixtures of the browser tests; they live in browser_kit.py, which tests also import constants from."""

from browser_kit import chromium, pytest_collection_modifyitems, serve

__all__ = ["chromium", "pytest_collection_modifyitems", "serve"]
