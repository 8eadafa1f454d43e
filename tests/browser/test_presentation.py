"""How the pages look: reflow at 200% zoom, a visible focus, readable contrast, and screenshots."""

from __future__ import annotations

import re
import shutil

import pytest

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

# Colour maths in the page: WCAG relative luminance, and the background an element really sits on
# (its own and its ancestors' background colours, blended until one is opaque; white below all).
COLOUR_JS = """
window.havenColour = (() => {
  const parse = (c) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(c);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const blend = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    return layers.reverse().reduce((under, top) => blend(top, under), [255, 255, 255, 1]);
  };
  const lum = (rgb) => {
    const [r, g, b] = rgb.slice(0, 3).map((v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => { const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x); return (hi + 0.05) / (lo + 0.05); };
  return { parse, blend, background, ratio };
})();
"""

TEXT_CONTRAST_JS = """
() => {
  const { parse, blend, background, ratio } = window.havenColour;
  const out = [];
  const fields = 'input[type=text], input[type=password], textarea, select';
  for (const el of document.body.querySelectorAll('*')) {
    const ownText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    if (!(ownText || el.matches(fields)) || !el.checkVisibility({ visibilityProperty: true })) continue;
    const bg = background(el);
    const fg = blend(parse(getComputedStyle(el).color), bg);
    out.push({ tag: el.tagName.toLowerCase(), cls: el.className, text: (el.innerText || el.value || '').trim().slice(0, 50),
               ratio: Math.round(ratio(fg, bg) * 100) / 100 });
  }
  return out;
}
"""

FOCUS_JS = """
() => {
  const { parse, background, ratio } = window.havenColour;
  const el = document.activeElement;
  const s = getComputedStyle(el);
  const ring = parse(s.outlineColor);
  const around = background(el.parentElement);
  return { tag: el.tagName.toLowerCase(), text: (el.innerText || el.name || el.id || '').trim().slice(0, 40),
           style: s.outlineStyle, width: parseFloat(s.outlineWidth),
           ringContrast: ring ? Math.round(ratio(ring, around) * 100) / 100 : 0, isBody: el === document.body };
}
"""

NO_HORIZONTAL_SCROLL_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.body.querySelectorAll('*')]
    .filter((e) => e.checkVisibility() && e.getBoundingClientRect().left >= 0 && e.getBoundingClientRect().right > width + 0.5)
    .map((e) => e.tagName.toLowerCase() + '.' + e.className).slice(0, 5);
  return { scroll: document.documentElement.scrollWidth, client: width, wide };
}
"""


def sign_up(page, *, passphrase: str = "lanterns over a still harbour", nickname: str = "Sam") -> str:
    page.goto("/signup")
    page.get_by_label("Passphrase").fill(passphrase)
    page.get_by_label(re.compile("What should Haven call you")).fill(nickname)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Welcome to Haven")).to_be_visible()
    return page.locator("#handle").inner_text().strip()


def continue_home(page) -> None:
    page.get_by_role("link", name=re.compile("written them down")).click()
    page.wait_for_url("**/home")


def signup_with_error(page) -> None:
    page.goto("/signup")
    page.get_by_label("Passphrase").fill("short")
    page.get_by_label("Passphrase").press("Enter")
    expect(page.get_by_role("alert")).to_be_visible()


def login_with_error(page) -> None:
    page.goto("/login")
    page.get_by_label("Handle").fill("no-such-handle-1234")
    page.get_by_label("Passphrase").fill("not the right passphrase")
    page.get_by_label("Passphrase").press("Enter")
    expect(page.get_by_role("alert")).to_be_visible()


def each_page(page, shoot=None):
    """Visit every server-rendered page a member meets, yielding a name for each (screenshots on request)."""

    def visited(name: str) -> str:
        if shoot:
            shoot(page, name)
        return name

    for path, name in (("/", "landing"), ("/help", "help"), ("/login", "login"), ("/signup", "signup")):
        page.goto(path)
        yield visited(name)
    signup_with_error(page)
    yield visited("signup-error")
    login_with_error(page)
    yield visited("login-error")
    sign_up(page)
    yield visited("signup-done")
    continue_home(page)
    yield visited("home")


@pytest.fixture
def shoot(shots_dir, shots_for_humans):
    """Save a full-page screenshot in the test's temp dir and a copy in /tmp/haven-shots for people."""

    def take(page, name: str, look: str = "desktop"):
        path = shots_dir / f"{name}-{look}.png"
        page.screenshot(path=path, full_page=True)
        shutil.copy(path, shots_for_humans / path.name)
        return path

    return take


@pytest.mark.parametrize(
    "viewport, scale",
    [({"width": 640, "height": 480}, 2), ({"width": 320, "height": 640}, 1)],
    ids=["200-percent-zoom", "400-percent-reflow"],
)
def test_it_needs_no_horizontal_scrolling_when_zoomed(new_page, shoot, viewport, scale):
    # 1280 CSS pixels at 200% zoom leave 640 for the page (WCAG 1.4.10 asks for 320, at 400%).
    page = new_page(viewport=viewport, device_scale_factor=scale)
    for name in each_page(page, shoot=lambda p, n: shoot(p, n, "zoom200") if scale == 2 else None):
        layout = page.evaluate(NO_HORIZONTAL_SCROLL_JS)
        assert layout["scroll"] <= layout["client"], f"{name} scrolls sideways at {viewport['width']}px: {layout}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_it_keeps_text_links_and_buttons_readable(new_page, shoot, scheme):
    page = new_page(color_scheme=scheme)
    page.add_init_script(COLOUR_JS)
    checked: set[str] = set()
    for name in each_page(page, shoot=lambda p, n: shoot(p, n, "dark") if scheme == "dark" else None):
        elements = page.evaluate(TEXT_CONTRAST_JS)
        checked.update(e["tag"] for e in elements)
        poor = [e for e in elements if e["ratio"] < 4.5]
        assert poor == [], f"{name} ({scheme}): text below 4.5:1: {poor}"
    assert {"p", "a", "button", "label", "h1", "li", "input"} <= checked


def test_it_shows_where_the_keyboard_focus_is(new_page):
    page = new_page()
    page.add_init_script(COLOUR_JS)

    def tab_through_everything(where: str) -> int:
        seen = 0
        for _ in range(40):
            page.keyboard.press("Tab")
            focus = page.evaluate(FOCUS_JS)
            if focus["isBody"]:
                break
            seen += 1
            assert focus["style"] != "none" and focus["width"] >= 2, f"{where}: no visible focus on {focus}"
            assert focus["ringContrast"] >= 3, f"{where}: the focus ring is too faint on {focus}"
        return seen

    page.goto("/")
    assert tab_through_everything("landing") >= 8
    page.goto("/signup")
    assert tab_through_everything("signup") >= 8
    signup_with_error(page)  # focus starts on the field that needs fixing, and shows
    focus = page.evaluate(FOCUS_JS)
    assert (focus["tag"], focus["style"]) == ("input", "solid") and focus["width"] >= 2, focus
    sign_up(page)
    continue_home(page)
    assert tab_through_everything("home") >= 5


def test_it_takes_screenshots_of_each_page(page, shoot):
    """Landing, sign-up, sign-up done, home and help, for a person to look at (the 640px and dark
    variants come from the zoom and contrast tests)."""
    taken = [shoot(page, name) for name in each_page(page)]
    page.goto("/help")
    taken.append(shoot(page, "help"))
    assert len(taken) == 9 and all(p.stat().st_size > 5_000 for p in taken)
