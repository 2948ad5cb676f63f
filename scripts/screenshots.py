"""Full-page PNG screenshots of a run's index and reports, with headless Chromium.

``make screenshots`` calls it on the latest run of ``reports/`` for US and JP::

    python scripts/screenshots.py --reports reports --out screenshots -m US -m JP

Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``: no port,
no extra package): each page is loaded at a fixed width, its content height is measured and the
whole page is captured (``Page.captureScreenshot``). The Chinese reports need a CJK font in the
browser; a machine without one gets the Noto Sans CJK SC that the ``mplfonts`` dependency ships,
through a fontconfig file that adds its folder (the pages themselves are not changed).
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
WIDTH = 1400             # page width [CSS px]: a laptop screen
MAX_HEIGHT = 30000       # taller pages are cut here [CSS px] (and said so)
LOAD_TIMEOUT = 60.0      # seconds to wait for a page's load event (offline CDN scripts fail)
SETTLE_SECONDS = 1.0     # after load: images decode, layout settles


class DevTools:
    """A headless Chromium driven over ``--remote-debugging-pipe`` (fd 3 in, fd 4 out)."""

    def __init__(self, binary, profile, environment):
        to_browser = os.pipe()
        from_browser = os.pipe()
        # high numbers first, so that the child's dup2 to 3 and 4 cannot clobber one another
        child_in = fcntl.fcntl(to_browser[0], fcntl.F_DUPFD, 10)
        child_out = fcntl.fcntl(from_browser[1], fcntl.F_DUPFD, 10)

        def pipes_as_3_and_4():
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        self.process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--remote-debugging-pipe", "--no-first-run", "--mute-audio",
             f"--user-data-dir={profile}", "about:blank"],
            pass_fds=(3, 4), preexec_fn=pipes_as_3_and_4, env=environment,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for fd in (to_browser[0], from_browser[1], child_in, child_out):
            os.close(fd)
        self.writer, self.reader = to_browser[1], from_browser[0]
        self.buffer, self.next_id, self.events = b"", 0, []
        self.session = None

    def send(self, method, params=None, timeout=LOAD_TIMEOUT):
        """Send one command (to the attached page once there is one) and return its result."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        os.write(self.writer, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, event, timeout):
        """Wait for an event of the page; False on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            if any(item.get("method") == event for item in self.events):
                self.events = [item for item in self.events if item.get("method") != event]
                return True
            try:
                self.events.append(self._read(deadline))
            except TimeoutError:
                return False

    def _read(self, deadline):
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.reader], [], [], left)[0]:
                raise TimeoutError("no answer from Chromium")
            chunk = os.read(self.reader, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def open_page(self):
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget",
                                 {"targetId": target, "flatten": True})["sessionId"]
        self.send("Page.enable")

    def screenshot(self, url, width=WIDTH):
        """PNG bytes of the whole page at ``url`` and whether it was cut at MAX_HEIGHT."""
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False})
        self.events.clear()
        self.send("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired", LOAD_TIMEOUT)
        time.sleep(SETTLE_SECONDS)
        metrics = self.send("Page.getLayoutMetrics")
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        height = int(min(size["height"], MAX_HEIGHT)) + 1
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        shot = self.send("Page.captureScreenshot",
                         {"format": "png", "captureBeyondViewport": True,
                          "clip": {"x": 0, "y": 0, "width": width, "height": height,
                                   "scale": 1}})
        return base64.b64decode(shot["data"]), size["height"] > MAX_HEIGHT

    def close(self):
        try:
            self.send("Browser.close", timeout=10)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        os.close(self.writer)
        os.close(self.reader)


def latest_run(reports) -> Path:
    """The run ``latest`` names, else the newest run folder with an index page."""
    latest = reports / "latest"
    if latest.is_symlink() or latest.is_dir():
        return latest.resolve()
    if latest.is_file():
        return reports / latest.read_text(encoding="utf-8").strip()
    runs = sorted(path.parent for path in reports.glob("*/index.html"))
    if not runs:
        raise SystemExit(f"no run in {reports}: run `make report` first")
    return runs[-1]


def pages(run, marketplaces) -> list[tuple[str, Path]]:
    """(PNG name, HTML file): the index, then every report of each marketplace."""
    found = [("index", run / "index.html")] if (run / "index.html").is_file() else []
    if not found:
        print(f"warning: {run} has no index.html (run not finished?)", file=sys.stderr)
    for code in marketplaces:
        reports = sorted((run / code).glob("*.html"))
        if not reports:
            print(f"warning: no HTML report for {code} in {run}", file=sys.stderr)
        found += [(f"{code}_{path.stem}", path) for path in reports]
    return found


def cjk_fontconfig(folder) -> dict:
    """Environment whose fontconfig also sees the CJK fonts shipped with mplfonts."""
    try:
        import mplfonts
    except ImportError:  # the system's fonts only
        return dict(os.environ)
    fonts = Path(mplfonts.__file__).parent / "fonts"
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{fonts}</dir>\n  <cachedir>{folder / 'cache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(config)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", default="reports", type=Path, help="parent of the runs")
    parser.add_argument("--run", type=Path, help="a run folder (default: the latest)")
    parser.add_argument("--out", default="screenshots", type=Path)
    parser.add_argument("-m", "--marketplace", action="append", default=None,
                        help="marketplace whose reports to capture (repeatable; default US, JP)")
    parser.add_argument("--width", type=int, default=WIDTH)
    args = parser.parse_args(argv)
    binary = next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)
    if binary is None:
        raise SystemExit("Chromium not found: apt-get install -y chromium")
    run = (args.run or latest_run(args.reports)).resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="opsanalysis-screenshots-") as scratch:
        browser = DevTools(binary, Path(scratch) / "profile", cjk_fontconfig(Path(scratch)))
        try:
            browser.open_page()
            for name, path in pages(run, args.marketplace or ["US", "JP"]):
                png, cut = browser.screenshot(path.as_uri(), args.width)
                target = args.out / f"{name}.png"
                target.write_bytes(png)
                print(f"{target} (cut at {MAX_HEIGHT} px)" if cut else target)
        finally:
            browser.close()
    print(f"screenshots of run {run.name} in {args.out}/")


if __name__ == "__main__":
    main()
