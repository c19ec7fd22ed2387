"""Prefect flows: thin wrappers around the service functions."""
