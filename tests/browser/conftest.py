"""conftest.py: fixtures of the admin page's browser tests (tests/browser, docs/ui.md).

Real components only: a private PostgreSQL cluster and a sriovfo-engine process
(tests/engine/conftest.py's), Debian's headless Chromium driven by its chromedriver through
python3-selenium (nothing downloads a browser), axe-core from the page's node_modules.
Screenshots go to $SFO_BROWSER_OUTPUT_DIR (make check-browser: the build tree's
tests/browser/output), one per case.
"""

import importlib.util
import json
import os
import shutil

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "sfo_engine_conftest", os.path.join(HERE, "..", "engine", "conftest.py"))
engconf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(engconf)

import sriovfo  # noqa: E402
import sriovfo.store  # noqa: E402

pytest_sessionfinish = engconf.pytest_sessionfinish
pg_cluster = engconf.pg_cluster

TOP_SRCDIR = engconf.TOP_SRCDIR
TOP_BUILDDIR = engconf.TOP_BUILDDIR
UI_DIR = os.path.join(TOP_SRCDIR, "engine-ext", "ui")
AXE = os.path.join(UI_DIR, "node_modules", "axe-core", "axe.min.js")
OUTPUT_DIR = os.environ.get("SFO_BROWSER_OUTPUT_DIR") or os.path.join(
    TOP_BUILDDIR, "tests", "browser", "output")
CHROMIUM = os.environ.get("SFO_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("SFO_CHROMEDRIVER", "/usr/bin/chromedriver")
PAGE = "/ovirt-engine/sriovfo/"
ADMIN, ADMIN_PASSWORD = engconf.ADMIN, engconf.ADMIN_PASSWORD

# The example inventory and, for the failover candidates, what the rules must leave out:
# a profile in a second data center and one on an external (OVN) network.
DC2 = "c0c0c0c0-0000-4000-8000-000000000001"
NET_DC2 = "c0c0c0c0-0000-4000-8000-000000000002"
NET_EXT = "c0c0c0c0-0000-4000-8000-000000000003"
P_DC2 = "c0c0c0c0-0000-4000-8000-000000000004"
P_EXT = "c0c0c0c0-0000-4000-8000-000000000005"


def inventory():
    with open(engconf.EXAMPLE, encoding="utf-8") as f:
        inv = json.load(f)
    inv["data_centers"].append({"id": DC2, "name": "Remote"})
    inv["networks"] += [
        {"id": NET_DC2, "name": "remote-bridge", "data_center": {"id": DC2}},
        {"id": NET_EXT, "name": "ovn-external", "data_center": {"id": engconf.DC},
         "external_provider": {"id": "c0c0c0c0-0000-4000-8000-000000000006"}},
    ]
    inv["vnic_profiles"] += [
        {"id": P_DC2, "name": "remote-virtio", "network": {"id": NET_DC2},
         "pass_through": {"mode": "disabled"}},
        {"id": P_EXT, "name": "ovn-virtio", "network": {"id": NET_EXT},
         "pass_through": {"mode": "disabled"}},
    ]
    return json.dumps(inv)


@pytest.fixture(scope="module")
def dsn(pg_cluster):
    if not os.path.exists(AXE):
        pytest.skip("engine-ext/ui/node_modules is missing (scripts/install-deps.sh installs it)")
    if not hasattr(sriovfo.store.Store, "failover_candidates"):
        pytest.skip("this sriovfo.Store has no failover_candidates()")
    dsn = pg_cluster.new_dsn()
    with sriovfo.store.Store(dsn, connect_only=True) as store:
        store.upgrade()
    with sriovfo.store.Store(dsn) as store:
        assert store.import_inventory(sriovfo.Inventory.from_string(inventory())).ok
        store.add_user(ADMIN, ADMIN_PASSWORD, "admin")
    return dsn


@pytest.fixture(scope="module")
def engine(dsn):
    e = engconf.Engine(dsn, workers=1)
    try:
        yield e
    finally:
        e.stop()


def new_browser(width=1280, height=800, lang="en-US"):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.path.exists(path):
            pytest.skip("%s is missing (Debian's chromium and chromium-driver)" % path)
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-extensions", "--lang=" + lang,
                "--window-size=%d,%d" % (width, height)):
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {"intl.accept_languages": lang})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_window_size(width, height)
    driver.implicitly_wait(0)
    return driver


@pytest.fixture(scope="module")
def browser():
    driver = new_browser()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def output_dir():
    os.makedirs(OUTPUT_DIR, exist_ok=True)
    return OUTPUT_DIR


@pytest.fixture
def shot(browser, output_dir, request):
    """shot(name=None): a screenshot of the page as the test sees it, NAME.png."""

    def take(name=None):
        path = os.path.join(output_dir, (name or request.node.name) + ".png")
        browser.save_screenshot(path)
        return path

    return take


def checked_in_screenshot(path):
    """Copies @path over docs/images/vnic-profile-dialog.png when SFO_TEST_REGENERATE=1."""
    if os.environ.get("SFO_TEST_REGENERATE") == "1":
        dest = os.path.join(TOP_SRCDIR, "docs", "images", "vnic-profile-dialog.png")
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(path, dest)
