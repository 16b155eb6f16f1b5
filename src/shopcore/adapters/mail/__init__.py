"""Mailers: console (development), SMTP (production), memory (tests)."""
