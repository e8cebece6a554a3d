"""The offline diary page (participant/diary.html) and the paper diary.

The browser tests run the page in the system's headless Chromium (Selenium):
fill every day of a short trial by clicking, export diary.csv through the
page's own download, read it back with ``read_diary`` and analyse it. They skip
on a machine without Chromium, and fail in CI (``CI=true``), which installs it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _chromium import chromium_or_skip, start_chromium
from hypothesis import given, settings
from hypothesis import strategies as st

import nof1
from nof1 import PairedDesign
from nof1.cli import main
from nof1.data import read_diary
from nof1.outcomes import parse_outcome_spec
from nof1.trial import create_trial, read_trial
from nof1.trial.diary_page import DONT_KNOW, diary_days, diary_page_html
from nof1.trial.paper_diary import paper_diary_html
from nof1.trial.protocol import read_protocol

TODAY = dt.date.today()


def _csv_rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _config(page: bytes) -> dict:
    text = page.decode("utf-8")
    m = re.search(r'<script id="nof1-config" type="application/json">(.*?)</script>', text, re.S)
    return json.loads(m.group(1))


def _small_trial(folder: Path, *, outcomes=None, start=None, blinded=True):
    """3 pairs of 2-day periods after a 1-day run-in: 13 days, all in the past."""
    return create_trial(folder, design=PairedDesign(3), start=start or TODAY - dt.timedelta(30),
                        period_days=2, run_in_days=1, washout_days=0, rng=2026,
                        outcomes=outcomes, blinded=blinded)


# -- the page as a file ---------------------------------------------------------------------
def test_page_is_built_from_participant_files_only(tmp_path):
    trial = _small_trial(tmp_path / "t")
    page = (trial.participant_dir / "diary.html").read_bytes()
    # the same bytes again from protocol.json alone: the page cannot carry the allocation
    assert diary_page_html(read_protocol(trial.participant_dir / "protocol.json")) == page
    assert paper_diary_html(read_protocol(trial.participant_dir / "protocol.json")) == (
        trial.participant_dir / "paper-diary.html").read_bytes()
    key = json.loads((trial.helper_dir / "key.json").read_text())
    text = page.decode()
    assert key["salt"] not in text and '"seed"' not in text and "treatment" not in text
    cfg = _config(page)
    assert {k for d in cfg["days"] for k in d} == {
        "date", "day", "period", "pack", "first_of_period", "last_of_period"}
    assert cfg["guesses"] == ["magnesium", "placebo", DONT_KNOW]     # alphabetical, not by role


def test_page_days_match_schedule_csv(tmp_path):
    for kind, design, kw in [("paired", PairedDesign(2), {"period_days": 3}),
                             ("phase", nof1.PhaseDesign("ABAB", n_occasions=40, min_phase=8),
                              {})]:
        trial = create_trial(tmp_path / kind, design=design, start="2026-01-05", rng=7,
                             washout_days=2, **kw)
        rows = _csv_rows(trial.participant_dir / "schedule.csv")
        days = diary_days(trial.protocol)
        assert [[d["date"], str(d["day"]), str(d["period"]), d["pack"]] for d in days] == [
            r[:4] for r in rows[1:]]
        last = [d["date"] for d in days if d["last_of_period"]]
        assert last == [p["end"] for p in trial.protocol.packs]


def test_page_has_no_network_or_external_resources(tmp_path):
    text = (_small_trial(tmp_path / "t").participant_dir / "diary.html").read_text()
    assert "default-src 'none'" in text                     # CSP: no fetch of any kind
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text, re.I)
    assert "http://" not in text and "https://" not in text


def test_config_cannot_close_its_script_element(tmp_path):
    mood = parse_outcome_spec("mood:higher:question=Mood </script><b>today</b> & more?")
    trial = _small_trial(tmp_path / "t", outcomes=[mood])
    page = (trial.participant_dir / "diary.html").read_bytes()
    assert page.decode().count("</script>") == 2
    assert _config(page)["outcomes"][0]["question"] == "Mood </script><b>today</b> & more?"


def test_paper_diary_pages(tmp_path):
    trial = _small_trial(tmp_path / "t")
    html = (trial.participant_dir / "paper-diary.html").read_text()
    assert html.count('<section class="page"') == 1 + trial.protocol.n_periods
    assert "@page { size: A4" in html
    for pack in trial.protocol.packs:
        assert f'pack <span class="code">{pack["code"]}</span>' in html
    assert html.count("what do you think this pack held?") == trial.protocol.n_periods
    assert "0 = no pain" in html and "10 = excellent" in html


# -- the page in a real browser ---------------------------------------------------------------
@pytest.fixture
def browser(tmp_path):
    chromium_or_skip()
    drivers = []

    def start(name="profile", **kw):
        d = start_chromium(tmp_path / name, **kw)
        drivers.append(d)
        return d
    yield start
    for d in drivers:
        d.quit()


def _click(driver, input_id):
    from selenium.webdriver.common.by import By

    driver.find_element(By.ID, input_id).find_element(By.XPATH, "..").click()


def _fill_day(driver, date, values):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(By.ID, "day")).select_by_value(date)
    for name, value in values.items():
        if value == "":
            continue
        if name in ("pain", "stress", "sleep"):
            _click(driver, f"{name}-{int(value)}")
        elif name == "took_pack":
            _click(driver, "took_pack-" + ("0" if value == "yes" else "1"))
        elif name == "blinding_guess":
            idx = driver.execute_script("return nof1Diary.config.guesses").index(value)
            _click(driver, f"blinding_guess-{idx}")
        else:
            box = driver.find_element(By.ID, name)
            box.clear()
            box.send_keys(value)
    driver.find_element(By.ID, "save").click()
    status = driver.find_element(By.ID, "status").text
    assert status == f"Saved for {date}.", status


def _typed_week(trial, rng):
    """What a participant types: scores, pack taken, awkward notes, a guess at period ends."""
    typed = {}
    for d in diary_days(trial.protocol):
        in_period = d["period"] != ""
        v = {"pain": str(rng.integers(3, 9)), "stress": str(rng.integers(0, 11)),
             "sleep": str(rng.integers(0, 11)),
             "took_pack": "yes" if in_period else "",
             "side_effects": "", "notes": "",
             "blinding_guess": ""}
        if d["last_of_period"]:
            v["blinding_guess"] = str(rng.choice(["magnesium", "placebo", DONT_KNOW]))
        typed[d["date"]] = v
    dates = list(typed)
    typed[dates[3]]["notes"] = 'slept badly, "woke" twice; then ok'
    typed[dates[4]]["side_effects"] = "loose stools"
    typed[dates[5]]["took_pack"] = "no"
    typed[dates[6]]["sleep"] = ""                        # one answer left out
    return typed


def _wait_for(path: Path, timeout: float = 20.0) -> bytes:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.exists() and not list(path.parent.glob("*.crdownload")):
            data = path.read_bytes()
            if data:
                return data
        time.sleep(0.1)
    raise AssertionError(f"{path} was not downloaded")


def test_fill_export_read_back_and_analyse(tmp_path, browser):
    from selenium.webdriver.common.by import By

    trial = _small_trial(tmp_path / "t")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = browser(downloads=downloads)
    driver.get((trial.participant_dir / "diary.html").as_uri())
    days = diary_days(trial.protocol)
    missing = driver.find_element(By.ID, "progress-text").get_attribute("data-missing")
    assert missing.split(",") == [d["date"] for d in days]     # all past, none filled

    typed = _typed_week(trial, np.random.default_rng(12345))
    for date, values in typed.items():
        _fill_day(driver, date, values)
    assert driver.find_element(By.ID, "progress-text").get_attribute("data-missing") == ""
    assert driver.find_element(By.ID, "progress-text").text == (
        f"{len(days)} of {len(days)} past days are filled in.")

    # export through the page's own download button
    driver.find_element(By.ID, "export").click()
    exported = _wait_for(downloads / "diary.csv")
    assert exported.decode() == driver.execute_script("return nof1Diary.exportCsv()")
    # nothing was fetched: the page is one file
    assert driver.execute_script(
        "return performance.getEntriesByType('resource').length") == 0

    # same columns and calendar cells as the template participant/diary.csv
    template = _csv_rows(trial.participant_dir / "diary.csv")
    got = list(csv.reader(io.StringIO(exported.decode())))
    assert got[0] == template[0]
    assert [r[:4] for r in got] == [r[:4] for r in template]

    # read back unchanged, with every typed value where it was typed
    path = tmp_path / "diary.csv"
    path.write_bytes(exported)
    diary = read_diary(path, trial.calendar, outcomes=trial.protocol.outcomes, warn=False)
    data = diary.data.set_index(diary.data["date"].dt.strftime("%Y-%m-%d"))
    for date, v in typed.items():
        for name in ("pain", "stress", "sleep"):
            want = np.nan if v[name] == "" else float(v[name])
            np.testing.assert_equal(data.loc[date, name], want)
        assert data.loc[date, "notes"] == v["notes"]
        assert data.loc[date, "side_effects"] == v["side_effects"]
        assert data.loc[date, "blinding_guess"] == v["blinding_guess"]
        took = {"yes": True, "no": False, "": pd.NA}[v["took_pack"]]
        assert (data.loc[date, "took_pack"] is pd.NA) if took is pd.NA else (
            bool(data.loc[date, "took_pack"]) is took)

    # analyse: the estimate is the mean pair difference of the typed period means
    full = read_trial(trial.directory, unblind=True)
    result = nof1.analyze(diary, full.schedule, primary="pain")
    days_frame = full.schedule.days.assign(
        pain=[float(typed[d.date().isoformat()]["pain"]) for d in full.schedule.days["date"]])
    means = days_frame[days_frame["analysed"]].groupby(["pair", "treatment"])["pain"].mean()
    diffs = means.xs("magnesium", level="treatment") - means.xs("placebo", level="treatment")
    row = result.to_frame().set_index("outcome").loc["pain"]
    assert row["estimate"] == pytest.approx(diffs.mean(), rel=1e-12)

    # and the command line analyses the exported file in the trial folder
    (trial.participant_dir / "diary.csv").write_bytes(exported)
    assert main(["analyze", str(trial.directory), "--format", "json"]) == 0


def test_entries_survive_a_reload_and_import_into_a_fresh_browser(tmp_path, browser):
    from selenium.webdriver.common.by import By

    trial = _small_trial(tmp_path / "t")
    url = (trial.participant_dir / "diary.html").as_uri()
    first = browser("p1")
    first.get(url)
    typed = _typed_week(trial, np.random.default_rng(7))
    dates = list(typed)[:7]                                  # one week
    for date in dates:
        _fill_day(first, date, typed[date])
    first.refresh()
    missing = first.find_element(By.ID, "progress-text").get_attribute("data-missing")
    assert missing.split(",") == list(typed)[7:]
    exported = first.execute_script("return nof1Diary.exportCsv()")
    stored = first.execute_script("return localStorage.getItem(nof1Diary.storageKey)")
    assert json.loads(stored)["trial_id"] == trial.protocol.trial_id
    # a day already saved shows its values when selected again
    first.execute_script("nof1Diary.select(arguments[0])", dates[3])
    assert first.find_element(By.ID, "notes").get_attribute("value") == typed[dates[3]]["notes"]

    # another browser (another phone): import the exported file through the file input
    path = tmp_path / "exported.csv"
    path.write_text(exported, encoding="utf-8")
    second = browser("p2")
    second.get(url)
    second.find_element(By.ID, "import").send_keys(str(path))
    status = second.find_element(By.ID, "file-status")
    end = time.monotonic() + 10
    while not status.text and time.monotonic() < end:
        time.sleep(0.05)
    assert status.text == "Imported 7 day(s)."
    assert second.execute_script("return nof1Diary.exportCsv()") == exported

    # a bad file is refused whole: nothing changes
    bad = exported.replace(f"{dates[0]},1,,,{typed[dates[0]]['pain']},",
                           f"{dates[0]},1,,,11,", 1)
    assert bad != exported
    err = second.execute_script(
        "try { nof1Diary.importCsv(arguments[0]); return ''; } catch (e) { return e.message; }",
        bad)
    assert err == f"pain on {dates[0]}: '11' is not a number from 0 to 10"
    assert second.execute_script("return nof1Diary.exportCsv()") == exported


def test_today_card_and_guess_only_on_the_last_day(tmp_path, browser):
    from selenium.webdriver.common.by import By

    # started yesterday: today is the run-in's ... no, day 2 = first day of period 1
    trial = _small_trial(tmp_path / "t", start=TODAY - dt.timedelta(1))
    driver = browser()
    driver.get((trial.participant_dir / "diary.html").as_uri())
    code = trial.protocol.packs[0]["code"]
    card = driver.find_element(By.ID, "today-card").text
    assert f"Period 1 of 6 · pack {code}" in card
    assert f"Today you start a new pack: {code}." in card
    assert not driver.find_element(By.ID, "guess-set").is_displayed()
    assert driver.find_element(By.ID, "took-pack-set").is_displayed()
    options = driver.execute_script(
        "return Array.from(document.getElementById('day').options).map(o => o.value)")
    assert options == [(TODAY - dt.timedelta(1)).isoformat(), TODAY.isoformat()]  # no future
    driver.execute_script("nof1Diary.select(arguments[0])", options[0])       # run-in day
    assert not driver.find_element(By.ID, "took-pack-set").is_displayed()


def test_custom_outcome_on_a_wide_scale_uses_a_number_box(tmp_path, browser):
    from selenium.webdriver.common.by import By

    steps = parse_outcome_spec("steps:0-30000:higher:mcid=1000:question=Steps walked today")
    trial = _small_trial(tmp_path / "t", outcomes=[parse_outcome_spec("pain"), steps])
    driver = browser()
    driver.get((trial.participant_dir / "diary.html").as_uri())
    first = diary_days(trial.protocol)[0]["date"]
    driver.execute_script("nof1Diary.select(arguments[0])", first)
    driver.find_element(By.ID, "steps").send_keys("40000")
    driver.find_element(By.ID, "save").click()
    assert driver.find_element(By.ID, "status").text == "steps: enter a number from 0 to 30000"
    box = driver.find_element(By.ID, "steps")
    box.clear()
    box.send_keys("8500")
    driver.find_element(By.ID, "save").click()
    text = driver.execute_script("return nof1Diary.exportCsv()")
    frame = read_diary(pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False),
                       trial.calendar, outcomes=trial.protocol.outcomes, warn=False)
    assert frame.data.loc[0, "steps"] == 8500.0
    assert "Steps walked today" in driver.find_element(By.ID, "questions").text


@pytest.mark.parametrize(("period_days", "run_in_days"), [(14, 7), (28, 0), (7, 14)])
def test_paper_diary_prints_one_a4_page_per_period(tmp_path, browser, period_days,
                                                   run_in_days):
    import base64

    trial = create_trial(tmp_path / "t", design=PairedDesign(2), start="2026-01-05", rng=1,
                         period_days=period_days, run_in_days=run_in_days, washout_days=3,
                         outcomes=[parse_outcome_spec(n) for n in ("pain", "stress", "sleep")]
                         + [parse_outcome_spec("fatigue:lower")])
    driver = browser()
    driver.get((trial.participant_dir / "paper-diary.html").as_uri())
    pdf = base64.b64decode(driver.execute_cdp_cmd("Page.printToPDF", {
        "paperWidth": 210 / 25.4, "paperHeight": 297 / 25.4, "preferCSSPageSize": True,
        "printBackground": True})["data"])
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    assert pages == trial.protocol.n_periods + (1 if run_in_days else 0)


def test_awkward_text_survives_export_and_read_back(tmp_path, browser):
    """Quotes, commas, semicolons, line breaks, non-Latin letters: exported, read back intact."""
    trial = _small_trial(tmp_path / "t")
    driver = browser()
    driver.get((trial.participant_dir / "diary.html").as_uri())
    rng = np.random.default_rng(2024)
    pieces = ['"', ",", ";", "\n", "'", "ä", "ß", "日本", "—", "=1+1", "  ", "\\", "<b>", "#",
              "7,5", "x"]
    typed = {}
    for d in diary_days(trial.protocol):
        notes = "".join(rng.choice(pieces, size=6))
        side = "".join(rng.choice(pieces, size=3))
        driver.execute_script(
            "nof1Diary.select(arguments[0]);"
            "document.getElementById('notes').value = arguments[1];"
            "document.getElementById('side_effects').value = arguments[2];"
            "nof1Diary.save();", d["date"], notes, side)
        # an <input> drops line breaks; a <textarea> keeps them
        typed[d["date"]] = (notes.strip(), side.replace("\n", "").strip())
    path = tmp_path / "diary.csv"
    path.write_text(driver.execute_script("return nof1Diary.exportCsv()"), encoding="utf-8")
    diary = read_diary(path, trial.calendar, outcomes=trial.protocol.outcomes, warn=False)
    got = {d.strftime("%Y-%m-%d"): (n, s) for d, n, s in
           zip(diary.data["date"], diary.data["notes"], diary.data["side_effects"], strict=True)}
    assert got == typed


@settings(max_examples=40, deadline=None)
@given(kind=st.sampled_from(["paired", "alternating", "phase"]), n=st.integers(1, 4),
       period_days=st.integers(2, 9), run_in=st.integers(0, 8), washout=st.integers(0, 1),
       start=st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)), seed=st.integers(0, 2**32))
def test_page_days_follow_the_schedule_for_any_design(kind, n, period_days, run_in, washout,
                                                      start, seed):
    from nof1 import AlternatingDesign, PhaseDesign, make_schedule
    from nof1.outcomes import default_outcomes
    from nof1.trial.blinding import make_key
    from nof1.trial.protocol import make_protocol

    if kind == "paired":
        design, unit = PairedDesign(n), period_days
    elif kind == "alternating":
        design, unit = AlternatingDesign(2 * n), period_days
    else:
        design, unit = PhaseDesign("AB" * n, n_occasions=2 * n * period_days + 3,
                                   min_phase=period_days), 1
    s = make_schedule(design, start=start, period_days=unit, run_in_days=run_in,
                      washout_days=washout if unit > 1 else 0, rng=seed)
    key = make_key(s)
    p = make_protocol(s, key, outcomes=default_outcomes(), primary="pain", blinded=True)
    days = diary_days(p)
    codes = {int(pk["period"]): pk["code"] for pk in key["packs"]}
    assert [d["date"] for d in days] == [x.date().isoformat() for x in s.days["date"]]
    assert [d["day"] for d in days] == list(range(1, len(s.days) + 1))
    want = ["" if pd.isna(x) else int(x) for x in s.days["period"]]
    assert [d["period"] for d in days] == want
    assert [d["pack"] for d in days] == ["" if w == "" else codes[w] for w in want]
    assert sum(d["last_of_period"] for d in days) == p.n_periods
    assert sum(d["first_of_period"] for d in days) == p.n_periods


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_page_fits_the_screen_width(tmp_path, browser, width):
    """No sideways scrolling on a small phone, a common phone and a desktop."""
    from selenium.webdriver.common.by import By

    trial = create_trial(tmp_path / "t", design=PairedDesign(6), rng=5,
                         start=TODAY - dt.timedelta(20))
    driver = browser(width=width, height=800)
    driver.get((trial.participant_dir / "diary.html").as_uri())
    assert driver.execute_script("return document.documentElement.scrollWidth") <= width
    # the 11 buttons of a 0-10 scale sit on one row
    tops = {b.rect["y"] for b in driver.find_elements(By.CSS_SELECTOR, "#questions .scale")[0]
            .find_elements(By.TAG_NAME, "label")}
    assert len(tops) == 1
