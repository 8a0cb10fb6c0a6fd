"""Helpers shared by the test suites: import them from here, never from a conftest.py or another test module."""
