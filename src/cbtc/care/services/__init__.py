"""Writes of the care pathway: plain functions taking the acting user (docs/architecture.md)."""
