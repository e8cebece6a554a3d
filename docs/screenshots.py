"""Screenshots of the diary page at phone and desktop width, taken with headless Chromium.

Run from the repository root (needs the dev extra and Debian's chromium + chromium-driver):

    .venv/bin/python docs/screenshots.py

writes docs/img/diary-phone.png (390 px wide) and docs/img/diary-desktop.png (1280 px).
The trial is simulated: it started 24 days ago, the diary of the past days is imported
from a simulated diary.csv with two days left blank, and today's form is half filled in.
"""

from __future__ import annotations

import base64
import datetime as dt
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from _chromium import start_chromium  # noqa: E402

from nof1 import PairedDesign  # noqa: E402
from nof1.planning.simulate import simulate_diary  # noqa: E402
from nof1.trial import create_trial  # noqa: E402


def _diary_csv(trial, today: dt.date) -> str:
    diary = simulate_diary(trial.schedule, rng=12345, missing=0.0)
    diary = diary[diary["date"] < today.isoformat()].copy()
    blank = diary.index[[5, 17]]                        # two days the participant missed
    diary.loc[blank, ["pain", "stress", "sleep", "took_pack"]] = ""
    codes = {int(p["period"]): p["code"] for p in trial.protocol.packs}
    diary["pack"] = [codes.get(int(p), "") if str(p) not in ("", "nan") else ""
                     for p in diary["period"]]
    return diary.to_csv(index=False)


def _shoot(url: str, csv_text: str, out: Path, width: int, profile: Path) -> None:
    driver = start_chromium(profile, width=width, height=900)
    try:
        driver.get(url)
        driver.execute_script("nof1Diary.importCsv(arguments[0])", csv_text)
        driver.execute_script("document.getElementById('pain-4').checked = true;"
                              "document.getElementById('stress-3').checked = true;")
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
        out.write_bytes(base64.b64decode(shot["data"]))
        print(f"{out.relative_to(ROOT)}: {width} x {height} px")
    finally:
        driver.quit()


def main() -> None:
    today = dt.date.today()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        trial = create_trial(tmp / "trial", design=PairedDesign(6), rng=2026,
                             start=today - dt.timedelta(days=24))
        url = (trial.participant_dir / "diary.html").as_uri()
        csv_text = _diary_csv(trial, today)
        img = ROOT / "docs" / "img"
        img.mkdir(parents=True, exist_ok=True)
        _shoot(url, csv_text, img / "diary-phone.png", 390, tmp / "phone")
        _shoot(url, csv_text, img / "diary-desktop.png", 1280, tmp / "desktop")


if __name__ == "__main__":
    main()
