"""Screening: instrument definitions (versioned data files), the scoring engine, and its API and command."""
