"""Real-browser fixtures: the real app served by uvicorn on 127.0.0.1, driven by headless Chromium.

Every test in this folder is marked ``browser``. Without a Chromium the tests are skipped,
unless ``HAVEN_REQUIRE_BROWSER=1`` (CI sets it), in which case they fail: CI never skips silently.

Over plain http://127.0.0.1 the app names its cookies without the ``__Host-`` prefix (browsers
refuse that prefix without Secure); that is by design, not a gap in these tests.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from haven.config import Settings

HERE = Path(__file__).resolve().parent
CHROMIUM_NAMES = ("chromium", "chromium-browser")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SHOTS_FOR_HUMANS = Path("/tmp/haven-shots")


def _playwright_missing() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return True
    return False


if os.environ.get("HAVEN_REQUIRE_BROWSER") == "1" and _playwright_missing():
    # The test modules would otherwise skip themselves (importorskip); CI must not skip silently.
    raise pytest.UsageError("HAVEN_REQUIRE_BROWSER=1 but the playwright package is not installed.")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # This hook sees every collected item, so mark only the ones in this folder.
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


def _no_browser(reason: str) -> None:
    if os.environ.get("HAVEN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"HAVEN_REQUIRE_BROWSER=1 but {reason}; install Chromium and the playwright package.", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason} (set HAVEN_REQUIRE_BROWSER=1 to make this an error)")


@dataclass
class LiveServer:
    url: str
    runtime: object

    def count(self, model) -> int:
        from sqlalchemy import func, select

        with self.runtime.session_factory() as session:
            return session.execute(select(func.count()).select_from(model)).scalar_one()


@contextmanager
def serve_haven(data_dir: Path) -> Iterator[LiveServer]:
    import uvicorn

    from haven.app import create_app
    from haven.db.schema import create_all
    from haven.runtime import build_runtime

    # Cheapest Argon2 the settings allow: these tests are about pages, not hashing cost.
    settings = Settings(env="test", data_dir=data_dir, argon2_time_cost=1, argon2_memory_kib=8192, argon2_parallelism=1)
    runtime = build_runtime(settings)
    create_all(runtime)
    app = create_app(runtime=runtime)

    # Bind first and hand the socket over: the port is ours, with no window for another process.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False, ws="none", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="haven-live-server", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while not _answers(url):
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the live server did not answer on {url}")
            time.sleep(0.05)
        yield LiveServer(url=url, runtime=runtime)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        runtime.dispose()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def launch_chromium() -> Iterator[object]:
    executable = next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)
    if executable is None:
        _no_browser("no Chromium executable is on PATH")
    if _playwright_missing():
        _no_browser("the playwright package is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


# The server and the browser are started once, on first use, and closed as soon as the last test
# of this folder is done, so they do not linger while the rest of the suite runs. (A "package"
# scope would be the whole suite here: tests/ is the package, this folder has no __init__.py.)
_held = ExitStack()
_shared: dict[str, object] = {}


def _hold(name: str, start):
    if name not in _shared:
        _shared[name] = _held.enter_context(start())
    return _shared[name]


def _in_this_folder(item: pytest.Item | None) -> bool:
    return item is not None and item.path.is_relative_to(HERE)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    try:
        return (yield)
    finally:
        if _in_this_folder(item) and not _in_this_folder(nextitem):
            _shared.clear()
            _held.close()


def pytest_sessionfinish(session: pytest.Session) -> None:
    # A run stopped early (-x, Ctrl-C) never reaches the last test of the folder.
    _shared.clear()
    _held.close()


@pytest.fixture
def live_server(tmp_path_factory: pytest.TempPathFactory) -> LiveServer:
    return _hold("server", lambda: serve_haven(tmp_path_factory.mktemp("browser") / "var"))


@pytest.fixture
def browser():
    return _hold("browser", launch_chromium)


@pytest.fixture
def new_page(browser, live_server: LiveServer):
    """Make pages in fresh contexts (no cookies), with relative URLs resolved against the live server."""
    contexts = []

    def make(**options):
        options = {"viewport": {"width": 1280, "height": 800}, **options}
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture(scope="session")
def shots_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="session")
def shots_for_humans() -> Path:
    SHOTS_FOR_HUMANS.mkdir(parents=True, exist_ok=True)
    return SHOTS_FOR_HUMANS


@dataclass
class Member:
    handle: str
    passphrase: str


MEMBER_PASSPHRASE = "a quiet walk by the river"


@pytest.fixture
def member(live_server: LiveServer) -> Member:
    """A member created straight through the service: no browser, no cookie."""
    from haven.accounts import service

    with live_server.runtime.unit_of_work() as session:
        handle = service.signup(session, passphrase=MEMBER_PASSPHRASE).user.handle
    return Member(handle=handle, passphrase=MEMBER_PASSPHRASE)


@pytest.fixture
def tab_to():
    """Press Tab until ``locator`` has focus, as a keyboard user would; fail if it never does."""

    def go(page, locator, limit: int = 40) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if locator.evaluate("el => el === document.activeElement"):
                return
        raise AssertionError(f"{locator} never received focus after {limit} presses of Tab")

    return go
