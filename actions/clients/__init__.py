"""Clients for the systems the actions talk to."""
