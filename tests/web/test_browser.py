"""End to end in headless Chromium: a clinician's first session and a client's diary on a phone.

Screenshots go to $BACLOTRACK_TEST_OUTPUT (default ./test-output/). Without Chromium the test
is skipped, unless BACLOTRACK_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from baclotrack.clinic.access import CLINICIANS_GROUP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PASSWORD = "a-long-passphrase-2026"


def _require_browser() -> None:
    if Path(CHROMIUM).exists() and shutil.which(CHROMIUM):
        return
    if os.environ.get("BACLOTRACK_REQUIRE_BROWSER") == "1":
        pytest.fail(f"Chromium is required (BACLOTRACK_REQUIRE_BROWSER=1) but {CHROMIUM} is missing")
    pytest.skip(f"no Chromium at {CHROMIUM}")


@pytest.fixture
def output_dir() -> Path:
    path = Path(os.environ.get("BACLOTRACK_TEST_OUTPUT", "test-output"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def browser() -> Iterator[Any]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def clinician(transactional_db: None) -> User:
    user = User.objects.create_user(username="alice", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=CLINICIANS_GROUP)[0])
    return user


def fill_day(page: Any, drinks: int, craving: int, somnolence: int) -> None:
    if drinks:
        page.select_option("#id_drink_0_beverage", "wine")
        page.fill("#id_drink_0_count", str(drinks))
    else:
        page.check("#id_drank_0")  # "No alcohol": a day without drinks is abstinent only when said
    page.fill("#id_craving", str(craving))
    page.fill("#id_anxiety", "3")
    page.fill("#id_dose_0", "5")
    page.select_option("#id_se_somnolence", str(somnolence))
    page.click("button.primary.big")


def test_clinician_session_and_client_diary_on_a_phone(
    live_server: Any, clinician: User, browser: Any, output_dir: Path
) -> None:
    today = timezone.localdate()
    start = today - dt.timedelta(days=2)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/caseload/")

    page.click("text=New client")
    page.fill("#id_code", "BROWSER-01")
    page.select_option("#id_sex", "F")
    page.fill("#id_birth_year", "1979")
    page.fill("#id_weight_kg", "62")
    page.select_option("#id_country", "FR")
    page.fill("#id_treatment_start", start.isoformat())
    page.check("input[value=sedatives_or_opioids]")
    page.click("button.primary")
    page.wait_for_url("**/clients/*/")
    client_url = page.url

    page.click(".client-nav >> text=Plan")
    page.select_option("#id_protocol", "resab")
    page.fill("#id_start_date", start.isoformat())
    page.fill("#id_max_dose_mg", "80")
    page.click("button.primary")
    page.wait_for_url(client_url)
    assert "15 mg/day" in page.inner_text("body").replace("15.0", "15")

    for offset, (drinks, craving, somnolence) in enumerate([(4, 7, 0), (2, 5, 1), (0, 3, 3)]):
        day = start + dt.timedelta(days=offset)
        page.goto(f"{client_url}diary/{day.isoformat()}/", wait_until="load")
        fill_day(page, drinks, craving, somnolence)
        page.wait_for_url("**/diary/")

    page.goto(client_url)
    assert page.locator(".chart svg").count() == 1
    alerts = page.locator("#alerts .alert-item")
    assert alerts.count() >= 1, "a severe side effect must raise an alert on the dashboard"
    page.screenshot(path=str(output_dir / "clinician-dashboard.png"), full_page=True)
    page.goto(f"{live_server.url}/caseload/")
    page.screenshot(path=str(output_dir / "clinician-caseload.png"), full_page=True)

    page.goto(client_url)
    page.click(".client-nav >> text=Diary access")
    page.click("text=Create a new link")
    link = page.input_value("#new-link")
    page.screenshot(path=str(output_dir / "clinician-access.png"), full_page=True)

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    client_page = phone.new_page()
    client_page.goto(link)
    client_page.screenshot(path=str(output_dir / "client-diary-phone.png"), full_page=True)
    client_page.click("text=Fill in today")
    client_page.wait_for_load_state("load")  # diary.js (deferred) must be running before the preset is chosen
    client_page.select_option("#id_drink_0_beverage", "beer")
    assert client_page.input_value("#id_drink_0_volume_ml") == "330", "the preset fills the volume"
    assert client_page.is_checked("#id_drank_1"), "choosing a drink answers 'Yes'"
    client_page.fill("#id_drink_0_count", "1")
    client_page.fill("#id_craving", "2")
    client_page.fill("#id_anxiety", "2")
    client_page.screenshot(path=str(output_dir / "client-day-phone.png"), full_page=True)
    client_page.click("button.primary.big")
    client_page.wait_for_url(link)
    assert "not filled in" not in client_page.locator("table.diary tbody tr").first.inner_text()
    client_page.screenshot(path=str(output_dir / "client-diary-saved-phone.png"), full_page=True)
    phone.close()
