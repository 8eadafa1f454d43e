"""Sign up, log out and log in through the HTML forms, with the keyboard, in a real browser."""

from __future__ import annotations

import re

import pytest

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

HANDLE = re.compile(r"^[a-z]+-[a-z]+-\d{4}$")
RECOVERY_CODE = re.compile(r"^[0-9A-F]{5}(-[0-9A-F]{5}){3}$")


def session_cookies(page) -> list[str]:
    return [c["name"] for c in page.context.cookies() if c["name"].endswith("haven_session")]


def test_it_signs_up_logs_out_and_logs_in_with_the_keyboard_only(page, live_server, tab_to):
    passphrase = "lanterns over a still harbour"

    page.goto("/")
    tab_to(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Start anonymously"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/signup")

    tab_to(page, page.get_by_label("Passphrase"))
    page.keyboard.type(passphrase)
    page.keyboard.press("Tab")
    page.keyboard.type("Sam")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Haven")
    handle = page.locator("#handle").inner_text().strip()
    recovery_code = page.locator("#recovery-code").inner_text().strip()
    assert HANDLE.match(handle), handle
    assert RECOVERY_CODE.match(recovery_code), recovery_code
    # Over plain http the cookie has no __Host- prefix (browsers refuse it without Secure): by design.
    assert session_cookies(page) == ["haven_session"]

    tab_to(page, page.get_by_role("link", name=re.compile("written them down")))
    page.keyboard.press("Enter")
    page.wait_for_url("**/home")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Sam")
    expect(page.locator("main")).to_contain_text(f"You are logged in as {handle}")

    tab_to(page, page.get_by_role("button", name="Log out"))
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")).to_be_visible()
    assert session_cookies(page) == []
    page.goto("/home")
    page.wait_for_url("**/login")  # the old session is gone, not just the cookie

    page.goto("/")
    tab_to(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/login")
    tab_to(page, page.get_by_label("Handle"))
    page.keyboard.type(handle)
    tab_to(page, page.get_by_label("Passphrase"))
    page.keyboard.type(passphrase)
    page.keyboard.press("Enter")

    page.wait_for_url("**/home")
    expect(page.locator("main")).to_contain_text(f"You are logged in as {handle}")


def test_it_refuses_a_too_short_passphrase_and_creates_nothing(page, live_server):
    from haven.accounts.models import AuthSession, User

    users, sessions = live_server.count(User), live_server.count(AuthSession)
    page.goto("/signup")
    field = page.get_by_label("Passphrase")
    field.fill("short")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        field.press("Enter")

    assert answer.value.status == 422
    expect(page.get_by_role("heading", level=1)).to_have_text("Start anonymously")
    expect(page.get_by_role("alert")).to_contain_text("at least 8 characters")
    field = page.get_by_label("Passphrase")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile("Use at least 8 characters"))
    expect(field).to_be_focused()
    expect(field).to_have_value("")  # a passphrase is never echoed back into the page
    assert (live_server.count(User), live_server.count(AuthSession)) == (users, sessions)
    assert session_cookies(page) == []


def test_it_shows_the_error_on_a_wrong_passphrase_and_announces_the_field(page, member):
    page.goto("/login")
    page.get_by_label("Handle").fill(member.handle)
    page.get_by_label("Passphrase").fill("not the right passphrase")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_label("Passphrase").press("Enter")

    assert answer.value.status == 401
    expect(page.get_by_role("alert")).to_have_text("That handle and passphrase do not match.")
    for name in ("Handle", "Passphrase"):
        field = page.get_by_label(name)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(re.compile("That handle and passphrase do not match."))
    # Focus lands on the first field, so a screen reader reads its label, "invalid" and the error.
    expect(page.get_by_label("Handle")).to_be_focused()
    assert session_cookies(page) == []

    # The same form then works.
    page.get_by_label("Handle").fill(member.handle)
    page.get_by_label("Passphrase").fill(member.passphrase)
    page.get_by_label("Passphrase").press("Enter")
    page.wait_for_url("**/home")
    expect(page.locator("main")).to_contain_text(member.handle)
