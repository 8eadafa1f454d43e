"""The chat page in a real browser: keyboard only, with and without JavaScript, text kept as text, crisis replies."""

from __future__ import annotations

import re

import pytest

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

CHAT_URL = re.compile(r"/chat/[0-9a-f-]{36}(#latest)?$")
PASSPHRASE = "lanterns over a still harbour"


def sign_up_with_the_keyboard(page, tab_to) -> None:
    page.goto("/")
    tab_to(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Start anonymously"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/signup")
    tab_to(page, page.get_by_label("Passphrase"))
    page.keyboard.type(PASSPHRASE)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Haven")


def sign_up(page) -> None:
    page.goto("/signup")
    page.get_by_label("Passphrase").fill(PASSPHRASE)
    page.get_by_label("Passphrase").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Haven")


def start_conversation(page) -> None:
    page.goto("/chat")
    page.get_by_role("button", name="Start a new conversation").click()
    page.wait_for_url(CHAT_URL)


def text_content(locator) -> str:
    return locator.evaluate("el => el.textContent")


def test_it_chats_with_the_keyboard_only_and_without_reloading(page, tab_to):
    sign_up_with_the_keyboard(page, tab_to)
    page.goto("/chat")
    tab_to(page, page.get_by_role("button", name="Start a new conversation"))
    page.keyboard.press("Enter")
    page.wait_for_url(CHAT_URL)
    chat_url = page.url
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    haven = page.locator("#messages .message-haven")
    assert haven.count() == 0
    quick = page.get_by_role("group", name="Suggested replies")
    expect(quick).to_be_hidden()

    tab_to(page, page.get_by_label("Your message"))
    page.keyboard.type("hi")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send")).to_be_focused()
    page.keyboard.press("Enter")

    expect(haven).to_have_count(1)
    assert page.url == chat_url
    assert page.evaluate("window.__sameDocument") is True
    expect(page.locator("#messages .message-member .text")).to_have_text(["hi"])
    reply = text_content(haven.last.locator(".text"))
    assert reply.strip()
    expect(page.locator("#announcer")).to_have_text("Haven: " + reply, use_inner_text=False)
    expect(page.locator("#announcer")).to_have_attribute("aria-live", "polite")
    expect(quick).to_be_visible()
    skip = quick.get_by_role("button", name="Skip")
    expect(skip).to_be_visible()
    expect(page.get_by_label("Your message")).to_be_focused()
    expect(page.get_by_label("Your message")).to_have_value("")

    tab_to(page, skip)
    page.keyboard.press("Enter")

    expect(haven).to_have_count(2)
    assert page.url == chat_url
    assert page.evaluate("window.__sameDocument") is True
    expect(page.locator("#messages .message-member .text")).to_have_text(["hi", "Skip"])
    second = text_content(haven.last.locator(".text"))
    assert second.strip() and second != reply
    expect(page.locator("#announcer")).to_have_text("Haven: " + second, use_inner_text=False)
    expect(page.locator("#messages .message").last).to_have_id("latest")
    assert page.locator("#latest").count() == 1


def test_it_posts_the_form_and_reloads_without_javascript(new_page):
    page = new_page(java_script_enabled=False)
    sign_up(page)
    start_conversation(page)
    chat_url = page.url.split("#")[0]

    page.get_by_label("Your message").fill("hi")
    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()

    assert page.url == chat_url + "#latest"
    messages = page.locator("#messages .message")
    expect(messages).to_have_count(2)
    expect(messages.nth(0)).to_have_class(re.compile(r"\bmessage-member\b"))
    expect(messages.nth(0).locator(".text")).to_have_text("hi")
    expect(messages.nth(1)).to_have_class(re.compile(r"\bmessage-haven\b"))
    assert text_content(messages.nth(1).locator(".text")).strip()
    expect(messages.nth(1)).to_have_id("latest")
    expect(page.get_by_label("Your message")).to_have_value("")

    # The quick replies are plain submit buttons too.
    with page.expect_navigation():
        page.get_by_role("group", name="Suggested replies").get_by_role("button", name="Skip").click()
    expect(messages).to_have_count(4)
    expect(messages.nth(2).locator(".text")).to_have_text("Skip")
    expect(messages.nth(3)).to_have_class(re.compile(r"\bmessage-haven\b"))


def test_it_shows_markup_as_literal_text_and_fetches_nothing_elsewhere(page, live_server):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    sign_up(page)
    start_conversation(page)
    markup = "<b>bold</b> ![x](https://example.org/a.png)"

    page.get_by_label("Your message").fill(markup)
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#messages .message-haven")).to_have_count(1)

    def check() -> None:
        expect(page.locator("#messages .message-member .text").first).to_have_text(markup, use_inner_text=False)
        assert page.locator("#messages b, #messages img, #messages strong").count() == 0
        assert not page.locator("#messages").evaluate("el => el.innerHTML").count("<b>")

    check()  # as inserted by chat.js
    page.reload()
    check()  # as rendered by the server
    page.wait_for_load_state("networkidle")

    assert requests
    outside = [url for url in requests if not url.startswith(live_server.url + "/")]
    assert outside == []


def test_a_crisis_message_gets_help_lines_and_the_chat_goes_on(page):
    sign_up(page)
    start_conversation(page)

    page.get_by_label("Your message").fill("I want to kill myself")
    page.get_by_role("button", name="Send").click()

    reply = page.locator("#messages .message-haven").last
    expect(reply).to_contain_text("people are ready to talk with you right now")
    expect(reply).to_contain_text("Find A Helpline")
    expect(reply).to_contain_text("your local emergency number")
    expect(page.locator("#announcer")).to_contain_text("Find A Helpline")
    quick = page.get_by_role("group", name="Suggested replies")
    expect(quick.get_by_role("button")).to_have_text(["I'm safe right now", "Keep talking with me", "Show me help lines"])
    expect(page.get_by_role("link", name=re.compile("Get help now"))).to_have_attribute("href", "/help")

    field = page.get_by_label("Your message")
    expect(field).to_be_visible()
    expect(field).to_be_editable()
    expect(page.get_by_role("button", name="Send")).to_be_enabled()

    # The conversation never ends: the next message gets another reply, on the page and after a reload.
    field.fill("Keep talking with me")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#messages .message-haven")).to_have_count(2)
    page.reload()
    expect(page.locator("#messages .message-haven")).to_have_count(2)
    expect(page.locator("#messages .message-haven").first).to_contain_text("Find A Helpline")
    expect(page.get_by_label("Your message")).to_be_editable()
