"""test_admin_page.py: the admin page in headless Chromium against a real engine (docs/ui.md)

The cases of issue 13: sign in and out; a passthrough+migratable profile created with a
failover; the Failover select disabled (and reset to None) unless Passthrough and Migratable
are both checked; only the candidates the library's rules allow; the select disabled with
oVirt's tooltip for a profile VMs use, and the server's refusal shown in the dialog with the
input kept; None clears a failover; removing a failover target refused with the users
named; the VM NIC detail; ja_JP labels and a ja_JP fault; the browser's own language;
keyboard use, 1280x800 and a narrow window; axe-core finds no serious violation.
Each case leaves a screenshot in the output directory.
"""

import json

import pytest

import conftest
from conftest import engconf

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

P_SRIOV_FAILOVER = engconf.P_SRIOV_FAILOVER   # sriov-failover -> virtio-failover, web1 uses it
P_VIRTIO_FAILOVER = engconf.P_VIRTIO_FAILOVER
P_SRIOV_PLAIN = engconf.P_SRIOV_PLAIN         # passthrough, not migratable, no VM
NET_VF = engconf.NET_VF


def wait(browser, cond, timeout=15):
    return WebDriverWait(browser, timeout).until(cond)


def by_id(browser, ident):
    return browser.find_element(By.ID, ident)


def visible(browser, ident):
    return wait(browser, EC.visibility_of_element_located((By.ID, ident)))


def sign_in(browser, engine, user=conftest.ADMIN, password=conftest.ADMIN_PASSWORD):
    browser.get("http://127.0.0.1:%d%s" % (engine.port, conftest.PAGE))
    visible(browser, "login-user").clear()
    by_id(browser, "login-user").send_keys(user)
    by_id(browser, "login-password").send_keys(password)
    by_id(browser, "login-password").send_keys(Keys.ENTER)


def signed_in(browser, engine):
    if browser.find_elements(By.ID, "main-view") and by_id(browser, "main-view").is_displayed():
        return
    sign_in(browser, engine)
    visible(browser, "main-view")
    grid_row(browser, "sriov-failover")


def grid_rows(browser):
    rows = []
    for tr in browser.find_elements(By.CSS_SELECTOR, "#profiles-body tr"):
        rows.append([td.text for td in tr.find_elements(By.CSS_SELECTOR, "td")][1:])
    return rows


def grid_row(browser, name):
    def find(_):
        for tr in browser.find_elements(By.CSS_SELECTOR, "#profiles-body tr"):
            cells = tr.find_elements(By.CSS_SELECTOR, "td")
            if len(cells) > 1 and cells[1].text == name:
                return tr
        return False
    return wait(browser, find)


def row_cells(browser, name):
    """The texts of @name's row; the grid may be drawn anew (a refresh) while it is read."""
    def read(_):
        try:
            return [td.text for td in grid_row(browser, name).find_elements(By.TAG_NAME, "td")]
        except StaleElementReferenceException:
            return False
    return wait(browser, read)


def open_edit(browser, name):
    grid_row(browser, name).click()
    by_id(browser, "profile-edit").click()
    visible(browser, "profile-dialog")
    wait(browser, lambda b: by_id(b, "vnic-name").get_attribute("value") == name)


def open_new(browser):
    by_id(browser, "profile-new").click()
    visible(browser, "profile-dialog")


def failover(browser):
    return Select(by_id(browser, "failoverVnicProfile"))


def option_texts(browser):
    return [o.text for o in failover(browser).options]


def candidates_loaded(browser, expected_count):
    wait(browser, lambda b: len(failover(b).options) == expected_count)


def close_dialog(browser):
    by_id(browser, "profile-dialog-cancel").click()
    wait(browser, EC.invisibility_of_element_located((By.ID, "profile-dialog")))


def dialog_errors(browser):
    visible(browser, "profile-dialog-error")
    return [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#profile-dialog-error-list li")]


def store_profile(dsn, ident):
    import sriovfo.store

    with sriovfo.store.Store(dsn) as store:
        return store.get("vnic_profiles", ident)


def server_candidates(dsn, network_id, profile_id=None):
    """The names the store's failover_candidates() gives for a profile on @network_id."""
    import sriovfo.store

    with sriovfo.store.Store(dsn) as store:
        profile = store.get("vnic_profiles", profile_id) if profile_id else {"name": "new"}
        profile["network"] = {"id": network_id}
        names = {p["id"]: p["name"] for p in store.list("vnic_profiles")}
        return sorted(names[i] for i in store.failover_candidates(profile))


# ---------------------------------------------------------------------------

def test_sign_in_keeps_the_token_out_of_the_url_and_storage(browser, engine, shot):
    sign_in(browser, engine, password="wrong")
    visible(browser, "login-error")
    assert by_id(browser, "login-error-text").text == "The user name or password is incorrect."
    sign_in(browser, engine)
    visible(browser, "main-view")
    grid_row(browser, "sriov-failover")
    shot()
    assert "token" not in browser.current_url and "access_token" not in browser.current_url
    assert browser.get_cookies() == []
    assert browser.execute_script("return window.localStorage.length + window.sessionStorage.length"
                                  " - (localStorage.getItem('sriovfo.locale') ? 1 : 0)") == 0
    assert by_id(browser, "signed-in-as").text == "Signed in as %s" % conftest.ADMIN


def test_grid_shows_the_failover_and_vm_counts_sorts_and_filters(browser, engine, shot):
    signed_in(browser, engine)
    row = row_cells(browser, "sriov-failover")
    assert row[1:] == ["sriov-failover", "sriov-vf", "Default", "Yes", "Yes", "virtio-failover", "1"]
    names = [r[0] for r in grid_rows(browser)]
    assert names == sorted(names, key=str.lower) or names == sorted(names)
    header = browser.find_element(By.CSS_SELECTOR, 'th[data-sort="name"] button')
    header.click()
    assert browser.find_element(By.CSS_SELECTOR, 'th[data-sort="name"]').get_attribute(
        "aria-sort") == "descending"
    assert [r[0] for r in grid_rows(browser)] == names[::-1]
    browser.find_element(By.CSS_SELECTOR, 'th[data-sort="vms"] button').click()
    counts = [int(r[6]) for r in grid_rows(browser)]
    assert counts == sorted(counts)
    by_id(browser, "profile-filter").send_keys("sriov")
    assert sorted(r[0] for r in grid_rows(browser)) == ["sriov-failover", "sriov-plain"]
    shot()
    # clear() fires no input event: delete the text as a user does
    by_id(browser, "profile-filter").send_keys(Keys.CONTROL + "a")
    by_id(browser, "profile-filter").send_keys(Keys.DELETE)
    wait(browser, lambda b: len(grid_rows(b)) > 2)
    browser.find_element(By.CSS_SELECTOR, 'th[data-sort="name"] button').click()


def test_only_the_candidates_the_rules_allow(browser, engine, dsn, shot):
    signed_in(browser, engine)
    open_new(browser)
    Select(by_id(browser, "vnic-network")).select_by_value(NET_VF)
    by_id(browser, "vnic-passthrough").click()
    by_id(browser, "vnic-migratable").click()
    expected = server_candidates(dsn, network_id=NET_VF)
    candidates_loaded(browser, 1 + len(expected))
    shot()
    offered = option_texts(browser)
    assert offered[0] == "None"
    assert sorted(offered[1:]) == expected
    # what the rules leave out: passthrough profiles, another data center, an external
    # network (and, on edit, the profile itself)
    for excluded in ("sriov-plain", "sriov-failover", "pool-failover", "remote-virtio",
                     "ovn-virtio"):
        assert excluded not in offered
    assert "virtio-failover" in offered
    close_dialog(browser)


def test_create_a_passthrough_migratable_profile_with_a_failover(browser, engine, dsn, shot):
    signed_in(browser, engine)
    open_new(browser)
    Select(by_id(browser, "vnic-network")).select_by_value(NET_VF)
    by_id(browser, "vnic-name").send_keys("vf-web")
    assert not failover(browser).first_selected_option.get_attribute("value")
    assert not by_id(browser, "failoverVnicProfile").is_enabled()
    by_id(browser, "vnic-passthrough").click()
    by_id(browser, "vnic-migratable").click()
    wait(browser, lambda b: by_id(b, "failoverVnicProfile").is_enabled())
    wait(browser, lambda b: "vm-bridge" in option_texts(b))
    failover(browser).select_by_visible_text("vm-bridge")
    shot()
    conftest.checked_in_screenshot(shot("vnic-profile-dialog"))
    by_id(browser, "profile-dialog-ok").click()
    wait(browser, EC.invisibility_of_element_located((By.ID, "profile-dialog")))
    row = row_cells(browser, "vf-web")
    assert row[1:] == ["vf-web", "sriov-vf", "Default", "Yes", "Yes", "vm-bridge", "0"]
    shot("create-after")


def test_failover_select_needs_passthrough_and_migratable(browser, engine, shot):
    signed_in(browser, engine)
    open_edit(browser, "sriov-plain")   # passthrough, not migratable
    assert by_id(browser, "vnic-passthrough").is_selected()
    assert not by_id(browser, "vnic-migratable").is_selected()
    assert not by_id(browser, "failoverVnicProfile").is_enabled()
    assert failover(browser).first_selected_option.text == "None"
    shot()
    close_dialog(browser)
    # unchecking either of the two resets a chosen failover to None
    open_edit(browser, "vf-web")
    wait(browser, lambda b: failover(b).first_selected_option.text == "vm-bridge")
    by_id(browser, "vnic-migratable").click()
    assert failover(browser).first_selected_option.text == "None"
    assert not by_id(browser, "failoverVnicProfile").is_enabled()
    by_id(browser, "vnic-migratable").click()
    assert by_id(browser, "failoverVnicProfile").is_enabled()
    assert failover(browser).first_selected_option.text == "None"
    shot("reset-to-none")
    close_dialog(browser)


def test_profile_used_by_vms_refusal_keeps_the_input(browser, engine, dsn, shot):
    signed_in(browser, engine)
    open_edit(browser, "sriov-failover")   # web1's nic1 uses it
    select = by_id(browser, "failoverVnicProfile")
    assert not select.is_enabled()
    tooltip = ("'Failover vNIC profile' cannot be changed if the vNIC Profile is used by a VM")
    assert by_id(browser, "failover-control").get_attribute("title") == tooltip
    assert by_id(browser, "failover-hint").text == tooltip
    # the server refuses what the rules refuse: passthrough cannot change while web1 uses it
    by_id(browser, "vnic-description").send_keys("typed by the admin")
    by_id(browser, "vnic-passthrough").click()
    by_id(browser, "profile-dialog-ok").click()
    errors = dialog_errors(browser)
    shot()
    assert len(errors) == 1 and "web1" in errors[0], errors
    assert errors[0].startswith("Cannot edit VM network interface profile 'sriov-failover'.")
    assert by_id(browser, "profile-dialog").is_displayed()
    assert by_id(browser, "vnic-description").get_attribute("value") == "typed by the admin"
    assert not by_id(browser, "vnic-passthrough").is_selected()
    close_dialog(browser)
    assert store_profile(dsn, P_SRIOV_FAILOVER)["pass_through"]["mode"] == "enabled"


def test_none_clears_the_failover(browser, engine, dsn, shot):
    signed_in(browser, engine)
    open_edit(browser, "vf-web")
    wait(browser, lambda b: failover(b).first_selected_option.text == "vm-bridge")
    failover(browser).select_by_visible_text("None")
    shot()
    by_id(browser, "profile-dialog-ok").click()
    wait(browser, EC.invisibility_of_element_located((By.ID, "profile-dialog")))
    row = row_cells(browser, "vf-web")
    assert row[6] == ""
    ident = grid_row(browser, "vf-web").get_attribute("data-id")
    assert "failover" not in store_profile(dsn, ident)


def test_remove_of_a_failover_target_names_its_users(browser, engine, dsn, shot):
    signed_in(browser, engine)
    grid_row(browser, "virtio-failover").click()
    by_id(browser, "profile-remove").click()
    visible(browser, "remove-dialog")
    assert "virtio-failover" in by_id(browser, "remove-dialog-question").text
    by_id(browser, "remove-dialog-ok").click()
    visible(browser, "remove-dialog-error")
    shot()
    messages = [li.text for li in browser.find_elements(By.CSS_SELECTOR,
                                                        "#remove-dialog-error-list li")]
    assert messages == ["Cannot remove VM network interface profile 'virtio-failover'. "
                        "Profile is selected as failover for: sriov-failover."]
    by_id(browser, "remove-dialog-cancel").click()
    store_profile(dsn, P_VIRTIO_FAILOVER)   # still there


def test_vm_nic_detail_shows_the_failover_profile(browser, engine, shot):
    signed_in(browser, engine)
    by_id(browser, "tab-vms").click()
    toggle = wait(browser, EC.element_to_be_clickable(
        (By.XPATH, "//button[contains(@class,'sfo-vm-toggle') and text()='web1']")))
    toggle.click()
    nic = wait(browser, EC.visibility_of_element_located(
        (By.XPATH, "//dl[contains(@class,'sfo-nic')][div/dd[text()='sriov-failover']]")))
    shot()
    details = [d.text.replace("\n", " ") for d in nic.find_elements(By.CSS_SELECTOR, ".sfo-detail")]
    assert "Failover vNIC profile: virtio-failover" in details
    other = browser.find_element(By.XPATH, "//dl[contains(@class,'sfo-nic')][div/dd[text()='vm-bridge']]")
    assert not any(d.text.startswith("Failover") for d in other.find_elements(By.CSS_SELECTOR, ".sfo-detail"))
    by_id(browser, "tab-profiles").click()


def test_keyboard_only(browser, engine, shot):
    signed_in(browser, engine)
    by_id(browser, "profile-filter").click()
    active = browser.switch_to.active_element
    active.send_keys(Keys.TAB)          # New
    assert browser.switch_to.active_element.get_attribute("id") == "profile-new"
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    visible(browser, "profile-dialog")
    assert browser.switch_to.active_element.get_attribute("id") == "vnic-name"
    # every input of the dialog has a label tied to it
    for ident in ("vnic-network", "vnic-name", "vnic-description", "vnic-passthrough",
                  "vnic-migratable", "failoverVnicProfile", "vnic-port-mirroring"):
        labels = browser.find_elements(By.CSS_SELECTOR, 'label[for="%s"]' % ident)
        assert labels and labels[0].text.strip(), ident
    # Tab moves through the dialog and stays in it
    seen = set()
    for _ in range(12):
        browser.switch_to.active_element.send_keys(Keys.TAB)
        el = browser.switch_to.active_element
        seen.add(el.get_attribute("id"))
        assert browser.execute_script("return document.getElementById('profile-dialog')"
                                      ".contains(arguments[0])", el)
    assert {"vnic-passthrough", "profile-dialog-ok", "profile-dialog-cancel"} <= seen
    by_id(browser, "vnic-name").click()
    by_id(browser, "vnic-name").send_keys(Keys.TAB, Keys.TAB, Keys.SPACE)   # Passthrough
    assert by_id(browser, "vnic-passthrough").is_selected()
    shot()
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait(browser, EC.invisibility_of_element_located((By.ID, "profile-dialog")))
    assert browser.switch_to.active_element.get_attribute("id") == "profile-new"


def axe_violations(browser):
    with open(conftest.AXE, encoding="utf-8") as f:
        browser.execute_script(f.read())
    return browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then("
        "  r => done(r.violations.map(v => ({id: v.id, impact: v.impact,"
        "    nodes: v.nodes.map(n => n.target.join(' '))}))),"
        "  e => done([{id: 'axe-error', impact: 'critical', nodes: [String(e)]}]));")


@pytest.mark.parametrize("size", [(1280, 800), (420, 800)], ids=["1280x800", "narrow"])
def test_sizes_and_accessibility(browser, engine, shot, size):
    browser.set_window_size(*size)
    try:
        signed_in(browser, engine)
        serious = [v for v in axe_violations(browser) if v["impact"] in ("serious", "critical")]
        assert serious == [], serious
        open_edit(browser, "sriov-failover")
        shot()
        dialog = by_id(browser, "profile-dialog")
        width = browser.execute_script("return document.documentElement.clientWidth")
        rect = dialog.rect
        assert rect["x"] >= 0 and rect["x"] + rect["width"] <= width + 1, (rect, width)
        serious = [v for v in axe_violations(browser) if v["impact"] in ("serious", "critical")]
        assert serious == [], serious
        close_dialog(browser)
    finally:
        browser.set_window_size(1280, 800)


def test_japanese_labels_and_fault(browser, engine, shot):
    signed_in(browser, engine)
    Select(by_id(browser, "main-language")).select_by_value("ja_JP")
    wait(browser, lambda b: b.find_element(By.CSS_SELECTOR, 'th[data-sort="failover"]').text
         == "フェイルオーバー vNIC プロファイル")
    assert browser.execute_script("return document.documentElement.lang") == "ja-JP"
    assert by_id(browser, "profile-new").text == "新規作成"
    grid_row(browser, "virtio-failover").click()
    by_id(browser, "profile-remove").click()
    visible(browser, "remove-dialog")
    by_id(browser, "remove-dialog-ok").click()
    visible(browser, "remove-dialog-error")
    shot()
    message = browser.find_element(By.CSS_SELECTOR, "#remove-dialog-error-list li").text
    assert message == ("VM ネットワークインターフェースプロファイル「virtio-failover」を削除できません。"
                       "このプロファイルは次のプロファイルのフェイルオーバーに選択されています: "
                       "sriov-failover。")
    by_id(browser, "remove-dialog-cancel").click()
    open_edit(browser, "sriov-failover")
    assert by_id(browser, "failover-hint").text == (
        "vNIC プロファイルを VM が使用している間は「フェイルオーバー vNIC プロファイル」を変更できません")
    assert failover(browser).first_selected_option.text == "virtio-failover"
    shot("ja_JP-dialog")
    close_dialog(browser)
    Select(by_id(browser, "main-language")).select_by_value("en")
    wait(browser, lambda b: by_id(b, "profile-new").text == "New")


def test_the_page_follows_the_browser_language(engine, output_dir):
    import os

    driver = conftest.new_browser(lang="de-DE")
    try:
        driver.get("http://127.0.0.1:%d%s" % (engine.port, conftest.PAGE))
        wait(driver, lambda b: by_id(b, "login-submit").text == "Anmelden")
        assert Select(by_id(driver, "login-language")).first_selected_option.text == "Deutsch"
        driver.save_screenshot(os.path.join(output_dir, "browser-language-de_DE.png"))
    finally:
        driver.quit()


def test_sign_out_revokes_the_token(browser, engine, shot):
    signed_in(browser, engine)
    by_id(browser, "sign-out").click()
    visible(browser, "login-view")
    shot()
    assert not by_id(browser, "main-view").is_displayed()
    # the page holds no token any more: its next call would have none
    assert browser.execute_script("return document.body.innerHTML.indexOf('Bearer')") == -1


def test_the_engine_serves_the_page_strings_and_patternfly(engine):
    status, headers, body = engine.request("GET", conftest.PAGE)
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in headers["content-security-policy"]
    assert b"patternfly.min.css" in body and b"cdn" not in body.lower()
    status, headers, _ = engine.request("GET", "/ovirt-engine/sriovfo/patternfly/patternfly.min.css")
    assert status == 200 and headers["content-type"].startswith("text/css")
    status, _, body = engine.request("GET", "/ovirt-engine/sriovfo/strings",
                                     headers={"Accept-Language": "ja,en;q=0.5"})
    index = json.loads(body)
    assert status == 200 and index["locale"] == "ja_JP"
    assert [loc["id"] for loc in index["locales"]] == ["en", "de_DE", "fr_FR", "ja_JP", "zh_CN"]
    status, _, body = engine.request("GET", "/ovirt-engine/sriovfo/strings/fr-FR")
    strings = json.loads(body)
    assert strings["locale"] == "fr_FR"
    assert strings["strings"]["ApplicationConstants"]["noneFailover"] == "Aucun"
    assert strings["strings"]["UIConstants"]["failoverVnicProfile"] == "Profil vNIC de basculement"


def test_the_page_api_needs_a_token(engine, dsn):
    for path in ("/ovirt-engine/sriovfo/api/failover-candidates?network=" + NET_VF,
                 "/ovirt-engine/sriovfo/api/vnicprofile-vm-counts"):
        status, _, _ = engine.request("GET", path)
        assert status == 401, path
    token = engine.token()
    status, _, body = engine.request(
        "GET", "/ovirt-engine/sriovfo/api/failover-candidates?network=%s&profile=%s" % (
            NET_VF, P_SRIOV_FAILOVER), token=token)
    assert status == 200
    names = sorted(p["name"] for p in json.loads(body)["vnic_profile"])
    assert names == server_candidates(dsn, network_id=NET_VF, profile_id=P_SRIOV_FAILOVER)
    status, _, body = engine.request("GET", "/ovirt-engine/sriovfo/api/vnicprofile-vm-counts",
                                     token=token)
    assert status == 200 and json.loads(body)[P_SRIOV_FAILOVER] == 1
    status, _, _ = engine.request("GET", "/ovirt-engine/sriovfo/api/failover-candidates",
                                  token=token)
    assert status == 400
