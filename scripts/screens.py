"""Screenshots of the ICSOE dashboard and of an informativa with errors.

Drives headless Chromium over the DevTools protocol (websocket-client, in the
project's virtualenv) against a served Odoo: logs in, opens each page at a
desktop (1366×768) and a mobile (390×844) size, waits until the page has
rendered what it is about, and writes PNG files. Called by ``scripts/screens``.

    python scripts/screens.py URL DB LOGIN PASSWORD OUTDIR
"""

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import requests
import websocket

SIZES = {"desktop": (1366, 768, False), "mobile": (390, 844, True)}
# (file stem, path under /odoo, CSS selector that shows the page is ready)
PAGES = [
    ("dashboard", "/odoo/action-l10n_mx_icsoe.action_icsoe_dashboard", ".o_icsoe_grid"),
    ("filing_errors", None, ".o_form_view .o_icsoe_errors"),
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="icsoe-screens-")
        port = free_port()
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if not chromium:
            sys.exit("screens: Chromium is not installed (Debian package 'chromium').")
        self.proc = subprocess.Popen(
            [
                chromium,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--no-first-run",
                f"--user-data-dir={self.profile}",
                f"--remote-debugging-port={port}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json") as resp:
                    targets = json.load(resp)
                page = next(t for t in targets if t["type"] == "page")
                break
            except (OSError, StopIteration):
                time.sleep(0.1)
        else:
            self.close()
            sys.exit("screens: Chromium did not start.")
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        return result.get("result", {}).get("value")

    def wait_for(self, selector, timeout=30):
        deadline = time.time() + timeout
        check = f"!!document.querySelector({json.dumps(selector)})"
        while time.time() < deadline:
            if self.evaluate(check):
                return True
            time.sleep(0.25)
        return False

    def close(self):
        try:
            self.ws.close()
        except Exception:  # noqa: BLE001 - closing anyway
            pass
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def session_id(url, db, login, password):
    response = requests.post(
        f"{url}/web/session/authenticate",
        json={"jsonrpc": "2.0", "params": {"db": db, "login": login, "password": password}},
        timeout=60,
    )
    response.raise_for_status()
    if response.json().get("error"):
        sys.exit(f"screens: login as {login} failed: {response.json()['error']['message']}")
    return response.cookies["session_id"]


def filing_with_errors(url, session):
    """Id of a draft informativa with errors; the newest filing when none has any."""
    def search(domain):
        response = requests.post(
            f"{url}/web/dataset/call_kw/l10n_mx_icsoe.filing/search_read",
            json={
                "jsonrpc": "2.0",
                "params": {
                    "model": "l10n_mx_icsoe.filing",
                    "method": "search_read",
                    "args": [domain, ["id"]],
                    "kwargs": {"limit": 1, "order": "error_count desc, id desc"},
                },
            },
            cookies={"session_id": session},
            timeout=60,
        )
        return response.json().get("result") or []

    rows = search([("error_count", ">", 0)]) or search([])
    return rows and rows[0]["id"]


def main():
    url, db, login, password, outdir = sys.argv[1:6]
    url = url.rstrip("/")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    session = session_id(url, db, login, password)
    filing_id = filing_with_errors(url, session)
    browser = Browser()
    failures = []
    try:
        host = url.split("://", 1)[1].split("/", 1)[0].split(":")[0]
        browser.call(
            "Network.setCookie", name="session_id", value=session, domain=host, path="/"
        )
        browser.call("Page.enable")
        for size, (width, height, mobile) in SIZES.items():
            browser.call(
                "Emulation.setDeviceMetricsOverride",
                width=width,
                height=height,
                deviceScaleFactor=1,
                mobile=mobile,
            )
            browser.call("Emulation.setTouchEmulationEnabled", enabled=mobile)
            for stem, path, ready in PAGES:
                if path is None:
                    if not filing_id:
                        failures.append(f"{stem}: no informativa in {db}")
                        continue
                    path = f"/odoo/action-l10n_mx_icsoe.action_filing/{filing_id}"
                browser.call("Page.navigate", url=f"{url}{path}")
                time.sleep(0.5)
                if not browser.wait_for(ready):
                    failures.append(f"{stem} ({size}): {ready} did not appear")
                # Let fonts, images and late rendering settle.
                browser.wait_for("body:not(:has(.o_loading_indicator))", timeout=10)
                time.sleep(1.0)
                shot = browser.call("Page.captureScreenshot", format="png")
                target = outdir / f"{stem}_{size}.png"
                target.write_bytes(base64.b64decode(shot["data"]))
                print(f"screens: {target}")
    finally:
        browser.close()
    if failures:
        sys.exit("screens: " + "; ".join(failures))


if __name__ == "__main__":
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    main()
