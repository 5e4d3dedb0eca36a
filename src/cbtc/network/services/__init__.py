"""Every write in the network app, as plain functions taking the acting user (see docs/architecture.md)."""
