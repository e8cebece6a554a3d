"""The report in a real browser: headless Chromium at phone and desktop width, and in print.

Checks what a reader meets: no table wider than its container (nothing clipped or
scrolled sideways), every collapsible section opens and every heading inside is
visible, every image has alt text, and the print layout at A4 width overflows
nothing either. Needs Debian's ``chromium`` and ``chromium-driver`` and the
``selenium`` package (dev extra); skipped when they are missing, except in CI
(``CI=true``), where a missing browser is a failure.

Run as a script to write the documentation screenshots::

    python tests/test_report_browser.py docs/img
"""

from __future__ import annotations

import base64
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("NOF1_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("NOF1_CHROMEDRIVER", "/usr/bin/chromedriver")
PHONE, DESKTOP = 390, 1280
#: printable width of A4 (210 mm) and US Letter (215.9 mm) with the report's 12 mm
#: margins, in CSS pixels (96 per inch)
PRINT_WIDTHS = {"A4": round((210 - 24) / 25.4 * 96), "Letter": round((215.9 - 24) / 25.4 * 96)}

#: every element that could be wider than the page: (selector, element, scrollWidth,
#: clientWidth) of those whose content is wider than their box
OVERFLOW_JS = """
const out = [];
const page = document.documentElement;
if (page.scrollWidth > page.clientWidth) {
  out.push(['html', '', page.scrollWidth, page.clientWidth]);
}
const boxes = 'main, section, details, .section, .table, table, figure, dl, p, li';
for (const el of document.querySelectorAll(boxes)) {
  if (el.getClientRects().length === 0) continue;
  if (el.scrollWidth > el.clientWidth + 1) {
    out.push([el.tagName, el.className || el.id, el.scrollWidth, el.clientWidth]);
  }
}
for (const t of document.querySelectorAll('table')) {
  const box = t.parentElement.getBoundingClientRect();
  const r = t.getBoundingClientRect();
  if (r.right > box.right + 1 || r.left < box.left - 1) {
    const caption = t.querySelector('caption');
    out.push(['TABLE', caption ? caption.textContent : '', r.width, box.width]);
  }
}
for (const img of document.querySelectorAll('img')) {
  const r = img.getBoundingClientRect();
  if (r.right > page.clientWidth + 1) out.push(['IMG', img.className, r.right, page.clientWidth]);
}
return out;
"""


def _browser_missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.exists(path) or shutil.which(path)):
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    return None


def start_chromium(profile: str):
    """A headless Chromium with no network side traffic and a fresh profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}", "--window-size=1280,900",
                 "--hide-scrollbars"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


def set_width(driver, width: int, *, height: int = 900, media: str = "screen") -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": media})


def demo_report(folder: Path) -> Path:
    """A report of a simulated 6-pair trial (the demo's design), written to ``folder``."""
    from nof1 import PairedDesign, analyze, make_schedule, read_diary
    from nof1.planning.simulate import simulate_diary
    from nof1.report import render_report, write_report

    s = make_schedule(PairedDesign(6), start="2026-01-05", period_days=14, run_in_days=7,
                      washout_days=7, rng=3)
    diary = read_diary(simulate_diary(s, rng=3), s, warn=False)
    page = render_report(analyze(diary, s), diary, title="Personal trial report (simulated)",
                         provenance={"trial_id": "demo-3f2a",
                                     "commitment": "9" * 8 + "e1c4" * 14,
                                     "key_verified": True, "plan_verified": True,
                                     "printed_copies_verified": True,
                                     "analysis": "unblinded", "interim": False,
                                     "analysed_on": "2026-06-29"})
    return write_report(page, folder / "report.html", overwrite=True)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    missing = _browser_missing()
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must run the browser tests: {missing}")
        pytest.skip(missing)
    profile = tmp_path_factory.mktemp("chromium-profile")
    driver = start_chromium(str(profile))
    report = demo_report(tmp_path_factory.mktemp("report"))
    driver.get(report.as_uri())
    yield driver
    driver.quit()


def _open_all(driver) -> int:
    return driver.execute_script(
        "const d = document.querySelectorAll('details'); d.forEach(x => x.open = true);"
        "return d.length;")


def _close_all(driver) -> None:
    driver.execute_script("document.querySelectorAll('details').forEach(x => x.open = false)")


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_nothing_overflows_with_every_section_open(browser, width):
    set_width(browser, width)
    _close_all(browser)
    assert browser.execute_script(OVERFLOW_JS) == []
    assert _open_all(browser) >= 5
    assert browser.execute_script(OVERFLOW_JS) == []
    widths = browser.execute_script(
        "return [...document.querySelectorAll('table')].map(t => "
        "[t.scrollWidth, t.parentElement.clientWidth])")
    assert widths and all(w <= c for w, c in widths)


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_every_section_opens_and_its_headings_are_visible(browser, width):
    from selenium.webdriver.common.by import By

    set_width(browser, width)
    _close_all(browser)
    sections = browser.find_elements(By.CSS_SELECTOR, "details")
    assert len(sections) >= 5
    for section in sections:
        summary = section.find_element(By.CSS_SELECTOR, "summary")
        browser.execute_script("arguments[0].scrollIntoView()", summary)
        summary.click()  # a reader's click, not a script setting `open`
        assert section.get_attribute("open") is not None
        inner = section.find_elements(By.CSS_SELECTOR, ".section > *")
        assert inner and all(e.is_displayed() for e in inner[:3])
    headings = browser.find_elements(By.CSS_SELECTOR, "h1, h2, h3, h4, caption")
    hidden = [h.text or h.get_attribute("textContent") for h in headings
              if not h.is_displayed()]
    assert hidden == []


def test_first_screen_holds_headlines_plot_and_provenance(browser):
    set_width(browser, PHONE, height=844)
    _close_all(browser)
    top = browser.execute_script(
        "const y = s => document.querySelector(s).getBoundingClientRect().top + scrollY;"
        "return [y('.headlines'), y('img.forest'), y('.provenance')];")
    assert top[0] < top[1] < top[2]
    texts = browser.execute_script(
        "return [...document.querySelectorAll('.headline .sentence')].map(e => e.textContent)")
    assert [t.split(" was ")[0] for t in texts] == ["pain", "stress", "sleep"]


def test_every_image_has_meaningful_alt_text(browser):
    alts = browser.execute_script(
        "return [...document.querySelectorAll('img')].map(i => "
        "[i.getAttribute('alt'), i.naturalWidth])")
    assert len(alts) == 1 + 3 * 2 + 1  # forest, (series + pairs) per outcome, null
    for alt, natural_width in alts:
        assert alt and len(alt.split()) >= 12  # a sentence, not a file name
        assert natural_width > 0  # the inline image decoded


@pytest.mark.parametrize("paper", sorted(PRINT_WIDTHS))
def test_print_layout_fits_the_page(browser, paper):
    set_width(browser, PRINT_WIDTHS[paper], media="print")
    try:
        _close_all(browser)
        # closed sections are printed too (the stylesheet shows their content)
        shown = browser.execute_script(
            "return [...document.querySelectorAll('details .section')].map(e => "
            "e.getClientRects().length > 0)")
        assert shown and all(shown)
        assert browser.execute_script(OVERFLOW_JS) == []
        pdf = browser.execute_cdp_cmd("Page.printToPDF", {
            "paperWidth": 8.27 if paper == "A4" else 8.5,
            "paperHeight": 11.69 if paper == "A4" else 11.0, "preferCSSPageSize": True})
        assert base64.b64decode(pdf["data"])[:5] == b"%PDF-"
    finally:
        set_width(browser, DESKTOP)


def screenshots(target: Path) -> list[Path]:
    """Write the first screen of the demo report at phone and desktop width as PNG."""
    missing = _browser_missing()
    if missing:
        raise SystemExit(missing)
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        driver = start_chromium(str(Path(tmp) / "profile"))
        try:
            driver.get(demo_report(Path(tmp)).as_uri())
            out = []
            for name, width, height in (("phone", PHONE, 1900), ("desktop", DESKTOP, 1400)):
                set_width(driver, width, height=height)
                shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
                path = target / f"report-{name}.png"
                path.write_bytes(base64.b64decode(shot["data"]))
                out.append(path)
            return out
        finally:
            driver.quit()


if __name__ == "__main__":
    for p in screenshots(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/img")):
        print(p)
