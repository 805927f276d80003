"""The self-service page in a real browser (Debian's chromium through
chromium-driver and Selenium): the catalog, a grade run with changed params
whose downloaded export equals `dq grade`'s, an invalid param that starts
nothing, and a restarted server that shows earlier runs and the interrupted one.

Set DQ_SCREENSHOTS to a folder to keep a screenshot of each page (docs/images)."""
import os
import random
import shutil
import signal
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import TAXI_MONTHS, Server, cli_grade, make_folders

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SHOTS = os.environ.get("DQ_SCREENSHOTS")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                 "--disable-gpu", "--no-first-run"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.downloads = downloads
    yield driver
    driver.quit()


def shot(browser, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(Path(SHOTS) / f"serve-{name}.png"))


def wait_for(browser, condition, timeout=60):
    # A running run's page reloads itself every second: an element found just before a reload goes stale.
    return WebDriverWait(browser, timeout, ignored_exceptions=(StaleElementReferenceException,
                                                               NoSuchElementException)).until(condition)


def fill(browser, name: str, value: str) -> None:
    box = browser.find_element(By.ID, name)
    box.clear()
    box.send_keys(value)


def choose_inputs(browser, paths) -> None:
    inputs = Select(browser.find_element(By.ID, "inputs"))
    inputs.deselect_all()
    for path in paths:
        inputs.select_by_value(path)


def test_grade_from_the_catalog_downloads_what_dq_grade_writes(server, browser, folders, tmp_path):
    browser.get(server.url + "/")
    shot(browser, "catalog")
    browser.find_element(By.LINK_TEXT, "nyc.yellow_taxi_trips").click()
    wait_for(browser, EC.title_contains("nyc.yellow_taxi_trips"))
    assert "mobility" in browser.page_source
    shot(browser, "contract")
    browser.find_element(By.LINK_TEXT, "Run grade").click()
    wait_for(browser, EC.presence_of_element_located((By.ID, "start")))
    params = {"hub_trips": "120", "hub_fares": "2000", "max_fare": "300"}
    for name, value in params.items():
        fill(browser, f"param.{name}", value)
    choose_inputs(browser, [f"nyc_taxi/{m}" for m in TAXI_MONTHS])
    shot(browser, "run-form")
    browser.find_element(By.ID, "start").click()
    wait_for(browser, lambda b: b.find_element(By.ID, "status").text in ("succeeded", "failed"))
    assert browser.find_element(By.ID, "status").text == "succeeded"
    shot(browser, "run")
    browser.find_element(By.ID, "download-export-csv").click()
    run_id = browser.current_url.rsplit("/", 1)[1]
    downloaded = browser.downloads / f"run-{run_id}-export.csv"
    wait_for(browser, lambda _: downloaded.exists() and not Path(str(downloaded) + ".crdownload").exists())
    cli_grade(folders / "contracts/nyc_taxi.yaml", [f"nyc_taxi/{m}" for m in TAXI_MONTHS], params,
              tmp_path / "cli.csv", folders / "data")
    assert downloaded.read_bytes() == (tmp_path / "cli.csv").read_bytes()


def test_an_invalid_param_shows_dq_message_and_starts_nothing(server, browser):
    before = len(server.api("GET", "/api/runs", params={"limit": 10000}).json())
    browser.get(server.url + "/contracts/nyc.yellow_taxi_trips/run?job=grade")
    fill(browser, "param.hub_trips", "many")
    choose_inputs(browser, [f"nyc_taxi/{TAXI_MONTHS[0]}"])
    browser.find_element(By.ID, "start").click()
    message = wait_for(browser, EC.presence_of_element_located((By.CSS_SELECTOR, ".param.invalid .param-error")))
    assert "hub_trips" in message.text and "many" in message.text
    assert browser.find_element(By.ID, "param.hub_trips").get_attribute("value") == "many"  # kept for correcting
    shot(browser, "invalid-param")
    assert len(server.api("GET", "/api/runs", params={"limit": 10000}).json()) == before


def test_monitors_page_draws_the_history_band_and_anomaly(browser, tmp_path):
    make_folders(tmp_path)
    server = Server(tmp_path).start()
    try:
        rng = random.Random(7)
        for day in range(1, 29):  # orders a day: a weekly rhythm, then a feed that lost most of a day
            count = 5 if day == 24 else 100 + (30 if day % 7 in (5, 6) else 0) + rng.randint(-8, 8)
            body = "".join(f'{{"id": {i}, "amount": 10}}\n' for i in range(count)).encode()
            upload = server.api("POST", "/api/uploads", params={"name": f"orders-{day}.ndjson"}, data=body,
                                headers={"content-type": "application/octet-stream"}).json()["input"]
            run = server.api("POST", "/api/contracts/shop.orders/runs",
                             json={"job": "validate", "inputs": [upload], "as_of": f"2026-02-{day:02d}"}).json()
            assert server.wait(run["id"])["status"] == "succeeded"
        browser.get(server.url + "/contracts/shop.orders/monitors")
        chart = browser.find_element(By.CSS_SELECTOR, "svg.chart")
        assert chart.size["width"] > 300
        assert len(browser.find_elements(By.CSS_SELECTOR, "svg.chart polygon.band")) == 1
        anomalies = browser.find_elements(By.CSS_SELECTOR, "svg.chart circle.anomaly")
        assert len(anomalies) == 1 and "2026-02-24" in anomalies[0].get_attribute("innerHTML")
        shot(browser, "monitors")
    finally:
        server.stop()


def test_a_restarted_server_shows_earlier_runs_and_the_interrupted_one(folders, browser, big_orders):
    server = Server(folders).start()
    done = server.wait(server.start_run("shop.orders", "validate", ["orders.ndjson"]).json()["id"])
    queued = [server.start_run("shop.orders", "validate", [big_orders]).json()["id"] for _ in range(2)][-1]
    server.stop(signal.SIGKILL)
    server.start()
    try:
        browser.get(server.url + "/runs?dataset=shop.orders")
        rows = browser.find_element(By.CSS_SELECTOR, "table.runs").text
        assert f"#{done['id']}" in rows and f"#{queued}" in rows
        browser.find_element(By.LINK_TEXT, f"#{queued}").click()
        assert browser.find_element(By.ID, "status").text == "interrupted"
        shot(browser, "interrupted")
        browser.find_element(By.ID, "rerun").click()
        wait_for(browser, lambda b: b.find_element(By.ID, "status").text in ("succeeded", "failed"))
        assert browser.find_element(By.ID, "status").text == "succeeded"
        assert f"re-run of #{queued}" in browser.page_source.replace("</a>", "").replace(
            f'<a href="/runs/{queued}">', "")
    finally:
        server.stop()
