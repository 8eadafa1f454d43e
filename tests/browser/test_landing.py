"""The landing page and the public pages, as a visitor's browser sees them."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= size["width"] \
        and box["y"] + box["height"] <= size["height"]


def is_focused(locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def test_it_shows_the_crisis_help_link_at_once(page):
    page.goto("/")

    crisis = page.get_by_role("banner").get_by_role("link", name=re.compile("get help now", re.I))
    expect(crisis).to_be_visible()
    expect(crisis).to_have_attribute("href", "/help")
    assert in_viewport(page, crisis), "the crisis link must be on screen without scrolling"

    crisis.press("Enter")
    page.wait_for_url("**/help")
    expect(page.get_by_role("heading", level=1)).to_have_text("If you are in danger now")
    expect(page.get_by_role("link", name="988").first).to_have_attribute("href", "tel:988")


def test_it_has_a_skip_link_that_appears_on_focus_and_moves_focus_to_main(page):
    page.goto("/")
    skip = page.get_by_role("link", name="Skip to main content")
    assert not in_viewport(page, skip), "the skip link stays off screen until focused"

    page.keyboard.press("Tab")
    assert is_focused(skip), "the skip link is the first stop of the tab order"
    assert in_viewport(page, skip), "the focused skip link is on screen"

    page.keyboard.press("Enter")
    assert is_focused(page.locator("main#main")), "Enter on the skip link moves focus to main"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)"), \
        "the next Tab continues inside main, past the header"


def test_it_declares_its_language_and_has_one_h1_per_page(page):
    for path in ("/", "/about", "/help", "/signup", "/login", "/no-such-page"):
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == "en", path
        assert page.locator("h1").count() == 1, path
        assert page.title().endswith("· Haven"), path


def test_it_makes_no_request_to_any_other_host(new_page, live_server):
    page = new_page()
    requests: list[str] = []
    problems: list[str] = []
    page.context.on("request", lambda request: requests.append(request.url))

    def on_console(message) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"console {message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    page.goto("/")
    page.goto("/signup")
    page.get_by_label("Passphrase").fill("a quiet walk by the river")
    page.get_by_label("Passphrase").press("Enter")
    expect(page.get_by_role("heading", name="Welcome to Haven")).to_be_visible()
    page.get_by_role("link", name=re.compile("continue")).click()
    page.wait_for_url("**/home")
    page.goto("/help")
    page.goto("/about")
    page.goto("/login")  # signed in: redirected home

    ours = urlsplit(live_server.url)
    foreign = [u for u in requests if (urlsplit(u).scheme, urlsplit(u).netloc) != (ours.scheme, ours.netloc)]
    assert foreign == [], f"requests left the app: {foreign}"
    assert any(u.endswith("/static/haven.css") for u in requests), "the stylesheet was requested from the app"
    assert problems == [], "the pages logged errors (a CSP violation shows up here)"
