/*
 * sriovfo-ui.js: the admin page of sriovfo-engine (docs/ui.md)
 *
 * Plain JavaScript over the engine's REST API (oVirt's, JSON) and the page's own
 * endpoints under /ovirt-engine/sriovfo/ (strings, failover candidates, VM counts).
 * The page holds no rule: which profiles may be a failover comes from the server, a
 * refusal is the server's message. The SSO token lives in this module's memory only.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
"use strict";

(function () {
    const API = "/ovirt-engine/api";
    const SSO = "/ovirt-engine/sso/oauth/token";
    const LOGOUT = "/ovirt-engine/services/sso-logout";
    const UI = "/ovirt-engine/sriovfo";
    const LOCALE_KEY = "sriovfo.locale";

    const state = {
        token: null,          // the bearer token: memory only, never stored or put in a URL
        user: null,
        locale: "en",
        locales: [],
        strings: {},          // {bundle: {key: text}}
        profiles: [],
        networks: new Map(),
        dataCenters: new Map(),
        vmCounts: {},
        sort: { key: "name", dir: 1 },
        selected: null,       // id of the selected profile
        dialog: null,         // {mode: "new"|"edit", profile, usedByVms}
        lastFocus: null,
    };

    const $ = (id) => document.getElementById(id);

    /* ------------------------------------------------------------------ */
    /* strings                                                            */
    /* ------------------------------------------------------------------ */

    function t(key, vars) {
        const s = state.strings;
        let text = (s.ApplicationConstants && s.ApplicationConstants[key]) ||
            (s.UIConstants && s.UIConstants[key]) || key;
        if (vars) {
            text = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g,
                (m, name) => (name in vars ? String(vars[name]) : m));
        }
        return text;
    }

    function applyStrings() {
        document.documentElement.lang = state.locale.replace("_", "-");
        document.title = "sriov-failover - " + t("applicationTitle");
        for (const el of document.querySelectorAll("[data-i18n]"))
            el.textContent = t(el.dataset.i18n);
        for (const el of document.querySelectorAll("[data-i18n-placeholder]"))
            el.placeholder = t(el.dataset.i18nPlaceholder);
        for (const el of document.querySelectorAll("[data-i18n-aria-label]"))
            el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel));
        for (const sel of document.querySelectorAll(".sfo-language-select")) {
            sel.replaceChildren(...state.locales.map((l) => {
                const o = new Option(l.name, l.id, false, l.id === state.locale);
                o.lang = l.id.replace("_", "-");
                return o;
            }));
        }
        if (state.user)
            $("signed-in-as").textContent = t("signedInAs", { user: state.user });
    }

    async function loadStrings(locale) {
        const r = await fetch(UI + "/strings/" + encodeURIComponent(locale),
            { headers: { Accept: "application/json" } });
        if (!r.ok)
            throw new Error(t("serverUnreachable"));
        const body = await r.json();
        state.locale = body.locale;
        state.strings = body.strings;
        applyStrings();
    }

    async function switchLocale(locale) {
        try {
            localStorage.setItem(LOCALE_KEY, locale);
        } catch (e) { /* storage may be off: the choice lasts for this page */ }
        await loadStrings(locale);
        if (state.token)
            await refresh();
    }

    /* ------------------------------------------------------------------ */
    /* the engine                                                         */
    /* ------------------------------------------------------------------ */

    class Fault extends Error {
        constructor(status, reason, details, key) {
            super(details.join(" "));
            this.status = status;
            this.reason = reason;
            this.details = details;
            this.key = key;
        }
    }

    /* The messages of a fault's detail: oVirt writes several as "[msg, msg]" */
    function faultDetails(body) {
        const detail = (body && (body.detail || body.reason)) || "";
        if (Array.isArray(detail))
            return detail.map(String);
        if (body && Array.isArray(body.messages))
            return body.messages.map(String);
        const m = /^\[(.*)\]$/s.exec(detail);
        return [m ? m[1] : detail];
    }

    async function call(method, path, body) {
        const headers = {
            Accept: "application/json",
            "Accept-Language": state.locale.replace("_", "-"),
            Authorization: "Bearer " + state.token,
        };
        const init = { method, headers, credentials: "omit", cache: "no-store" };
        if (body !== undefined) {
            headers["Content-Type"] = "application/json";
            init.body = JSON.stringify(body);
        }
        let r;
        try {
            r = await fetch(path, init);
        } catch (e) {
            throw new Fault(0, "", [t("serverUnreachable")], "");
        }
        if (r.status === 401) {
            signedOut(t("sessionExpired"));
            throw new Fault(401, "", [t("sessionExpired")], "AUTH_REQUIRED");
        }
        const text = await r.text();
        let json = null;
        try {
            json = text ? JSON.parse(text) : null;
        } catch (e) {
            json = null;
        }
        if (!r.ok) {
            throw new Fault(r.status, (json && json.reason) || r.statusText,
                json ? faultDetails(json) : [text || r.statusText],
                (json && json.key) || r.headers.get("X-Sriovfo-Error-Key") || "");
        }
        return json;
    }

    const list = (json, name) => (json && json[name]) || [];
    const isTrue = (v) => v === true || v === "true";
    const ref = (o) => (o && o.id) || null;

    async function refresh() {
        const [profiles, networks, dcs, counts] = await Promise.all([
            call("GET", API + "/vnicprofiles"),
            call("GET", API + "/networks"),
            call("GET", API + "/datacenters"),
            call("GET", UI + "/api/vnicprofile-vm-counts"),
        ]);
        state.networks = new Map(list(networks, "network").map((n) => [n.id, n]));
        state.dataCenters = new Map(list(dcs, "data_center").map((d) => [d.id, d]));
        state.vmCounts = counts || {};
        state.profiles = list(profiles, "vnic_profile");
        renderProfiles();
        if (!$("vms-panel").hidden)
            await renderVms();
    }

    /* ------------------------------------------------------------------ */
    /* sign in / out                                                      */
    /* ------------------------------------------------------------------ */

    function showLogin(message) {
        $("main-view").hidden = true;
        $("login-view").hidden = false;
        $("login-error").hidden = !message;
        $("login-error-text").textContent = message || "";
        $("login-password").value = "";
        $("login-user").focus();
    }

    function signedOut(message) {
        state.token = null;
        state.user = null;
        closeDialogs();
        showLogin(message);
    }

    async function signIn(event) {
        event.preventDefault();
        const user = $("login-user").value.trim();
        const form = new URLSearchParams({
            grant_type: "password", scope: "ovirt-app-api",
            username: user, password: $("login-password").value,
        });
        let r;
        try {
            r = await fetch(SSO, {
                method: "POST", body: form, credentials: "omit", cache: "no-store",
                headers: { Accept: "application/json" },
            });
        } catch (e) {
            showLogin(t("serverUnreachable"));
            return;
        }
        const body = await r.json().catch(() => ({}));
        if (!r.ok || !body.access_token) {
            showLogin(t("signInFailed"));
            return;
        }
        state.token = body.access_token;
        state.user = user;
        $("login-password").value = "";
        $("login-view").hidden = true;
        $("main-view").hidden = false;
        applyStrings();
        try {
            await refresh();
        } catch (e) {
            pageError(e);
        }
        $("profile-filter").focus();
    }

    async function signOut() {
        const token = state.token;
        signedOut(null);
        if (token) {
            await fetch(LOGOUT, {
                method: "POST", body: new URLSearchParams({ token }), credentials: "omit",
            }).catch(() => null);
        }
    }

    function pageError(e) {
        if (e instanceof Fault && e.status === 401)
            return;
        $("page-error").hidden = false;
        $("page-error-text").textContent = e.message;
    }

    /* ------------------------------------------------------------------ */
    /* the vNIC profiles grid                                             */
    /* ------------------------------------------------------------------ */

    function row(p) {
        const net = state.networks.get(ref(p.network)) || {};
        const dc = state.dataCenters.get(ref(net.data_center)) || {};
        const failover = state.profiles.find((q) => q.id === ref(p.failover));
        return {
            id: p.id,
            name: p.name || "",
            network: net.name || "",
            dataCenter: dc.name || "",
            passthrough: p.pass_through && p.pass_through.mode === "enabled",
            migratable: isTrue(p.migratable),
            failover: failover ? failover.name : "",
            vms: Number(state.vmCounts[p.id] || 0),
        };
    }

    function cell(label, content) {
        const td = document.createElement("td");
        td.className = "pf-v6-c-table__td";
        td.dataset.label = label;
        if (content instanceof Node)
            td.append(content);
        else
            td.textContent = content;
        return td;
    }

    function renderProfiles() {
        const filter = $("profile-filter").value.trim().toLowerCase();
        const { key, dir } = state.sort;
        const rows = state.profiles.map(row)
            .filter((r) => !filter || r.name.toLowerCase().includes(filter))
            .sort((a, b) => {
                const x = a[key], y = b[key];
                const c = typeof x === "string" ? x.localeCompare(y, state.locale.replace("_", "-"))
                    : Number(x) - Number(y);
                return (c || a.name.localeCompare(b.name)) * dir;
            });
        const yes = t("yes"), no = t("no");
        const body = $("profiles-body");
        body.replaceChildren(...rows.map((r) => {
            const tr = document.createElement("tr");
            tr.className = "pf-v6-c-table__tr";
            tr.dataset.id = r.id;
            if (r.id === state.selected)
                tr.classList.add("pf-m-selected");
            const radio = document.createElement("input");
            radio.type = "radio";
            radio.name = "profile-select";
            radio.value = r.id;
            radio.checked = r.id === state.selected;
            radio.setAttribute("aria-label", r.name);
            radio.addEventListener("change", () => select(r.id));
            const sel = cell("", radio);
            sel.classList.add("sfo-select-col");
            tr.append(sel,
                cell(t("nameVnicProfile"), r.name),
                cell(t("networkVnicProfile"), r.network),
                cell(t("dataCenterVnicProfile"), r.dataCenter),
                cell(t("passthroughVnicProfile"), r.passthrough ? yes : no),
                cell(t("migratableVnicProfile"), r.migratable ? yes : no),
                cell(t("failoverVnicProfile"), r.failover),
                cell(t("vmsUsingVnicProfile"), String(r.vms)));
            tr.addEventListener("click", (e) => {
                if (e.target !== radio)
                    select(r.id);
            });
            tr.addEventListener("dblclick", () => openProfileDialog("edit"));
            return tr;
        }));
        $("profiles-empty").hidden = rows.length > 0;
        for (const th of document.querySelectorAll("#profiles-table th[data-sort]")) {
            const active = th.dataset.sort === key;
            th.setAttribute("aria-sort", active ? (dir > 0 ? "ascending" : "descending") : "none");
            th.classList.toggle("pf-m-selected", active);
            th.querySelector(".sfo-sort-indicator").textContent = active ? (dir > 0 ? "\u25B2" : "\u25BC") : "";
        }
        if (state.selected && !state.profiles.some((p) => p.id === state.selected))
            state.selected = null;
        $("profile-edit").disabled = !state.selected;
        $("profile-remove").disabled = !state.selected;
    }

    function select(id) {
        state.selected = id;
        renderProfiles();
        const radio = document.querySelector('#profiles-body input[value="' + CSS.escape(id) + '"]');
        if (radio)
            radio.focus();
    }

    function sortBy(key) {
        state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : 1 };
        renderProfiles();
    }

    /* ------------------------------------------------------------------ */
    /* dialogs                                                            */
    /* ------------------------------------------------------------------ */

    function openModal(backdropId, focusId) {
        state.lastFocus = document.activeElement;
        $(backdropId).hidden = false;
        $("app").setAttribute("aria-hidden", "true");
        $("app").inert = true;
        $(focusId).focus();
    }

    function closeModal(backdropId) {
        $(backdropId).hidden = true;
        if ($("profile-dialog-backdrop").hidden && $("remove-dialog-backdrop").hidden) {
            $("app").removeAttribute("aria-hidden");
            $("app").inert = false;
            if (state.lastFocus && document.contains(state.lastFocus))
                state.lastFocus.focus();
        }
    }

    function closeDialogs() {
        state.dialog = null;
        closeModal("profile-dialog-backdrop");
        closeModal("remove-dialog-backdrop");
    }

    /* Tab stays inside the open dialog; Escape closes it */
    function trapKeys(event) {
        const backdrop = ["profile-dialog-backdrop", "remove-dialog-backdrop"]
            .map($).find((b) => !b.hidden);
        if (!backdrop)
            return;
        if (event.key === "Escape") {
            event.preventDefault();
            state.dialog = null;
            closeModal(backdrop.id);
            return;
        }
        if (event.key !== "Tab")
            return;
        const focusable = [...backdrop.querySelectorAll("button, input, select")]
            .filter((el) => !el.disabled && el.offsetParent !== null);
        if (!focusable.length)
            return;
        const first = focusable[0], last = focusable[focusable.length - 1];
        if (event.shiftKey && document.activeElement === first) {
            event.preventDefault();
            last.focus();
        } else if (!event.shiftKey && document.activeElement === last) {
            event.preventDefault();
            first.focus();
        }
    }

    function showErrors(listId, boxId, messages) {
        $(listId).replaceChildren(...messages.map((m) => {
            const li = document.createElement("li");
            li.textContent = m;
            return li;
        }));
        $(boxId).hidden = messages.length === 0;
    }

    /* ------------------------------------------------------------------ */
    /* New / Edit                                                         */
    /* ------------------------------------------------------------------ */

    function openProfileDialog(mode) {
        const profile = mode === "edit" ? state.profiles.find((p) => p.id === state.selected) : null;
        if (mode === "edit" && !profile)
            return;
        const usedByVms = profile ? Number(state.vmCounts[profile.id] || 0) > 0 : false;
        state.dialog = { mode, profile, usedByVms, candidates: [] };
        $("profile-dialog-title").textContent =
            t(mode === "edit" ? "editVnicProfileTitle" : "newVnicProfileTitle");
        showErrors("profile-dialog-error-list", "profile-dialog-error", []);
        $("vnic-name-help").hidden = true;
        $("vnic-name").removeAttribute("aria-invalid");

        const nets = [...state.networks.values()].sort((a, b) => a.name.localeCompare(b.name));
        $("vnic-network").replaceChildren(...nets.map((n) => {
            const dc = state.dataCenters.get(ref(n.data_center));
            return new Option(dc ? n.name + " (" + dc.name + ")" : n.name, n.id);
        }));
        $("vnic-network").value = profile ? ref(profile.network) : (nets[0] ? nets[0].id : "");
        $("vnic-network").disabled = mode === "edit";   // oVirt: a profile keeps its network
        $("vnic-name").value = profile ? profile.name || "" : "";
        $("vnic-description").value = profile ? profile.description || "" : "";
        $("vnic-passthrough").checked = !!(profile && profile.pass_through &&
            profile.pass_through.mode === "enabled");
        $("vnic-migratable").checked = profile ? isTrue(profile.migratable) : false;
        $("vnic-port-mirroring").checked = profile ? isTrue(profile.port_mirroring) : false;
        state.dialog.failover = profile ? ref(profile.failover) : null;
        updateDialog();
        loadCandidates();
        openModal("profile-dialog-backdrop", "vnic-name");
    }

    /* oVirt's VnicProfileModel: which fields are enabled, and the failover's reset */
    function updateDialog() {
        const d = state.dialog;
        if (!d)
            return;
        const pt = $("vnic-passthrough").checked;
        $("vnic-migratable").disabled = !pt;
        if (!pt)
            $("vnic-migratable").checked = false;
        $("vnic-port-mirroring").disabled = pt;
        if (pt)
            $("vnic-port-mirroring").checked = false;
        const eligible = pt && $("vnic-migratable").checked;
        if (!eligible)
            d.failover = null;            // unchecking either resets the failover to None
        const select = $("failoverVnicProfile");
        const hint = $("failover-hint");
        select.disabled = !eligible || d.usedByVms;
        if (d.usedByVms) {
            hint.textContent = t("failoverNotChangedIfUsedByVms");
            $("failover-control").title = t("failoverNotChangedIfUsedByVms");
        } else {
            hint.textContent = eligible ? "" : t("failoverNeedsPassthroughMigratable");
            $("failover-control").removeAttribute("title");
        }
        select.classList.toggle("pf-m-disabled", select.disabled);
        renderCandidates();
    }

    function renderCandidates() {
        const d = state.dialog;
        const select = $("failoverVnicProfile");
        const options = [new Option(t("noneFailover"), "")];
        const seen = new Set();
        for (const c of d.candidates) {
            options.push(new Option(c.name, c.id));
            seen.add(c.id);
        }
        /* the current target stays visible even when it is no longer a valid choice */
        if (d.failover && !seen.has(d.failover)) {
            const cur = state.profiles.find((p) => p.id === d.failover);
            options.push(new Option(cur ? cur.name : d.failover, d.failover));
        }
        select.replaceChildren(...options);
        select.value = d.failover || "";
    }

    /* The profiles the library's rules allow as failover, from the server */
    async function loadCandidates() {
        const d = state.dialog;
        const params = new URLSearchParams({ network: $("vnic-network").value });
        if (d.profile)
            params.set("profile", d.profile.id);
        try {
            const json = await call("GET", UI + "/api/failover-candidates?" + params);
            if (state.dialog !== d)
                return;
            d.candidates = list(json, "vnic_profile");
            renderCandidates();
        } catch (e) {
            if (state.dialog === d)
                showErrors("profile-dialog-error-list", "profile-dialog-error", e.details || [e.message]);
        }
    }

    async function saveProfile(event) {
        event.preventDefault();
        const d = state.dialog;
        if (!d)
            return;
        const name = $("vnic-name").value.trim();
        if (!name) {
            $("vnic-name-help").hidden = false;
            $("vnic-name").setAttribute("aria-invalid", "true");
            $("vnic-name").focus();
            return;
        }
        $("vnic-name-help").hidden = true;
        $("vnic-name").removeAttribute("aria-invalid");
        const body = {
            name,
            description: $("vnic-description").value,
            pass_through: { mode: $("vnic-passthrough").checked ? "enabled" : "disabled" },
            migratable: $("vnic-migratable").checked,
            port_mirroring: $("vnic-port-mirroring").checked,
        };
        const failover = $("failoverVnicProfile").value;
        if (!d.usedByVms || d.mode === "new")
            body.failover = failover ? { id: failover } : null;   // null clears it
        $("profile-dialog-ok").disabled = true;
        try {
            if (d.mode === "new") {
                body.network = { id: $("vnic-network").value };
                await call("POST", API + "/vnicprofiles", body);
            } else {
                await call("PUT", API + "/vnicprofiles/" + encodeURIComponent(d.profile.id), body);
            }
        } catch (e) {
            /* the server's refusal, in the dialog; what the user typed stays */
            showErrors("profile-dialog-error-list", "profile-dialog-error", e.details || [e.message]);
            $("profile-dialog-error").scrollIntoView({ block: "nearest" });
            return;
        } finally {
            $("profile-dialog-ok").disabled = false;
        }
        state.dialog = null;
        closeModal("profile-dialog-backdrop");
        await refresh().catch(pageError);
    }

    /* ------------------------------------------------------------------ */
    /* Remove                                                             */
    /* ------------------------------------------------------------------ */

    function openRemoveDialog() {
        const profile = state.profiles.find((p) => p.id === state.selected);
        if (!profile)
            return;
        state.removing = profile;
        showErrors("remove-dialog-error-list", "remove-dialog-error", []);
        $("remove-dialog-question").textContent = t("removeVnicProfileQuestion", { name: profile.name });
        $("remove-dialog-ok").disabled = false;
        openModal("remove-dialog-backdrop", "remove-dialog-cancel");
    }

    async function removeProfile() {
        const profile = state.removing;
        try {
            await call("DELETE", API + "/vnicprofiles/" + encodeURIComponent(profile.id));
        } catch (e) {
            showErrors("remove-dialog-error-list", "remove-dialog-error", e.details || [e.message]);
            $("remove-dialog-ok").disabled = true;
            $("remove-dialog-cancel").focus();
            return;
        }
        state.selected = null;
        closeModal("remove-dialog-backdrop");
        await refresh().catch(pageError);
    }

    /* ------------------------------------------------------------------ */
    /* Virtual machines and their NICs                                    */
    /* ------------------------------------------------------------------ */

    function detail(label, value) {
        const div = document.createElement("div");
        div.className = "sfo-detail";
        const dt = document.createElement("dt");
        dt.textContent = label + ":";
        const dd = document.createElement("dd");
        dd.textContent = value;
        div.append(dt, dd);
        return div;
    }

    async function renderVms() {
        const vms = list(await call("GET", API + "/vms"), "vm");
        $("vms-empty").hidden = vms.length > 0;
        $("vm-list").replaceChildren(...vms.map((vm) => {
            const li = document.createElement("li");
            li.className = "sfo-vm";
            const button = document.createElement("button");
            button.type = "button";
            button.className = "pf-v6-c-button pf-m-link sfo-vm-toggle";
            button.setAttribute("aria-expanded", "false");
            button.textContent = vm.name;
            button.setAttribute("aria-label", t("showInterfaces", { name: vm.name }));
            const panel = document.createElement("div");
            panel.hidden = true;
            panel.id = "vm-nics-" + vm.id;
            button.setAttribute("aria-controls", panel.id);
            button.addEventListener("click", async () => {
                const open = button.getAttribute("aria-expanded") !== "true";
                button.setAttribute("aria-expanded", String(open));
                panel.hidden = !open;
                if (open)
                    await renderNics(vm, panel).catch(pageError);
            });
            li.append(button, panel);
            return li;
        }));
    }

    /* oVirt's VmInterfaceListGroupItem: a row per NIC, "Failover vNIC profile: NAME" when set */
    async function renderNics(vm, panel) {
        const nics = list(await call("GET", API + "/vms/" + encodeURIComponent(vm.id) + "/nics"), "nic");
        if (!nics.length) {
            const p = document.createElement("p");
            p.textContent = t("vmNoInterfaces");
            panel.replaceChildren(p);
            return;
        }
        const h = document.createElement("h2");
        h.className = "pf-v6-c-title pf-m-md";
        h.textContent = t("networkInterfacesTitle");
        panel.replaceChildren(h, ...nics.map((nic) => {
            const profile = state.profiles.find((p) => p.id === ref(nic.vnic_profile));
            const failover = profile && state.profiles.find((p) => p.id === ref(profile.failover));
            const dl = document.createElement("dl");
            dl.className = "sfo-nic";
            dl.dataset.nic = nic.id;
            dl.append(detail(t("vmNicName"), nic.name || ""),
                detail(t("vmNicVnicProfile"), profile ? profile.name : ""));
            if (failover)
                dl.append(detail(t("failoverVnicProfile"), failover.name));
            if (nic.mac && nic.mac.address)
                dl.append(detail(t("vmNicMacAddress"), nic.mac.address));
            dl.append(detail(t("vmNicPlugged"), isTrue(nic.plugged) ? t("yes") : t("no")));
            return dl;
        }));
    }

    function showTab(which) {
        const profiles = which === "profiles";
        $("profiles-panel").hidden = !profiles;
        $("vms-panel").hidden = profiles;
        for (const [id, on] of [["tab-profiles", profiles], ["tab-vms", !profiles]]) {
            $(id).setAttribute("aria-selected", String(on));
            $(id).tabIndex = on ? 0 : -1;
            $(id).parentElement.classList.toggle("pf-m-current", on);
        }
        if (!profiles)
            renderVms().catch(pageError);
    }

    /* ------------------------------------------------------------------ */
    /* start                                                              */
    /* ------------------------------------------------------------------ */

    async function start() {
        $("login-form").addEventListener("submit", signIn);
        $("sign-out").addEventListener("click", signOut);
        for (const sel of document.querySelectorAll(".sfo-language-select"))
            sel.addEventListener("change", () => switchLocale(sel.value).catch(pageError));
        $("profile-filter").addEventListener("input", renderProfiles);
        for (const th of document.querySelectorAll("#profiles-table th[data-sort]"))
            th.querySelector("button").addEventListener("click", () => sortBy(th.dataset.sort));
        $("profile-new").addEventListener("click", () => openProfileDialog("new"));
        $("profile-edit").addEventListener("click", () => openProfileDialog("edit"));
        $("profile-remove").addEventListener("click", openRemoveDialog);
        $("profile-form").addEventListener("submit", saveProfile);
        $("profile-dialog-cancel").addEventListener("click", () => {
            state.dialog = null;
            closeModal("profile-dialog-backdrop");
        });
        $("profile-dialog-close").addEventListener("click", () => {
            state.dialog = null;
            closeModal("profile-dialog-backdrop");
        });
        $("vnic-passthrough").addEventListener("change", updateDialog);
        $("vnic-migratable").addEventListener("change", updateDialog);
        $("vnic-network").addEventListener("change", loadCandidates);
        $("failoverVnicProfile").addEventListener("change", (e) => {
            if (state.dialog)
                state.dialog.failover = e.target.value || null;
        });
        $("remove-dialog-ok").addEventListener("click", removeProfile);
        $("remove-dialog-cancel").addEventListener("click", () => closeModal("remove-dialog-backdrop"));
        $("tab-profiles").addEventListener("click", () => showTab("profiles"));
        $("tab-vms").addEventListener("click", () => showTab("vms"));
        for (const id of ["tab-profiles", "tab-vms"]) {
            $(id).addEventListener("keydown", (e) => {
                if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
                    const other = id === "tab-profiles" ? "tab-vms" : "tab-profiles";
                    showTab(other === "tab-vms" ? "vms" : "profiles");
                    $(other).focus();
                }
            });
        }
        document.addEventListener("keydown", trapKeys);

        /* the language: the user's earlier choice, else the browser's (Accept-Language) */
        let chosen = null;
        try {
            chosen = localStorage.getItem(LOCALE_KEY);
        } catch (e) { /* no storage */ }
        try {
            const r = await fetch(UI + "/strings", { headers: { Accept: "application/json" } });
            const index = await r.json();
            state.locales = index.locales;
            await loadStrings(chosen || index.locale);
        } catch (e) {
            showLogin(t("serverUnreachable"));
            return;
        }
        showLogin(null);
    }

    document.addEventListener("DOMContentLoaded", start);
})();
