"""Signing in to the staff console through the test client, and the CSRF token of its forms."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

PASSWORD = "correct-horse-battery"  # the console tests' accounts'


def login(app, username: str, password: str = PASSWORD) -> TestClient:
    """A test client signed in as ``username`` (the login form with its own CSRF cookie)."""
    c = TestClient(app, base_url="http://testserver")
    token = re.search(r'name="login_csrf" value="([^"]+)"', c.get("/console/login").text).group(1)
    response = c.post("/console/login", data={"username": username, "password": password, "login_csrf": token},
                      follow_redirects=False)
    assert response.status_code == 303, response.text
    return c


def csrf(c: TestClient, path: str = "/console/") -> str:
    """The CSRF token the forms of the page at ``path`` carry."""
    return re.search(r'name="csrf_token" value="([^"]+)"', c.get(path).text).group(1)
