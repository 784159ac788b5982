"""An HTTP client for the app on 127.0.0.1, shared by the benchmarks and the fault tests.

Standard library only. Each request opens a fresh connection (gunicorn's sync workers close
each one), sends cookies and an urlencoded form, and returns the status, the cookies the
response sets (a Django CSRF token among them) and the body text.

bench/ scripts import it as ``_loopback`` (bench/ is their sys.path[0]); tests/faults/conftest.py
loads it from this file, since bench/ is neither a package nor on the tests' path.
"""

from __future__ import annotations

import http.client
import http.cookies
import re
import socket
import urllib.parse

#: Seconds a request may wait for an answer before it fails with an OSError.
TIMEOUT_S = 60


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for a server to bind)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(
    port: int,
    method: str,
    path: str,
    body: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], str]:
    """One request on a fresh connection: (status, cookies the response sets, body text)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
    try:
        headers = {"Host": "127.0.0.1"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        jar: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return response.status, {k: m.value for k, m in jar.items()}, text
    finally:
        conn.close()


def open_diary(port: int, token: str) -> tuple[list[str], str]:
    """A client's diary link opened as the phone does: (the day page URLs, the CSRF token).

    Raises IndexError or KeyError when the page has no day links or sets no CSRF cookie.
    """
    _status, _cookies, page = request(port, "GET", f"/d/{token}/")
    days = re.findall(rf'href="(/d/{re.escape(token)}/\d{{4}}-\d{{2}}-\d{{2}}/)"', page)
    csrf = request(port, "GET", days[0])[1]["csrftoken"]
    return days, csrf
