"""Workflow engine: generic, knows nothing of channels."""
