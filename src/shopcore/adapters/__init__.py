"""Implementations of the ports: real infrastructure and in-memory stand-ins."""
