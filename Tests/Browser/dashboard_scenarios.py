#!/usr/bin/env python3
"""What a user does with `kubectl cutover dashboard` in a real browser (Debian's chromium and
chromium-driver through PyPI's selenium): run by Tests/EndToEndTests/DashboardTests.swift against
a KubeSim, a Prometheus and a controller it started, with KUBECONFIG pointing at the cluster and
the built `kubectl-cutover` on PATH. Each scenario starts the plugin itself, drives the page and
kubectl as a user would, and exits non-zero with the reason on the first expectation that fails;
then it saves a screenshot of the page into --screenshots (docs/testing.md, "Dashboard").

    dashboard_scenarios.py follow  --good good.yaml --bad bad.yaml --screenshots DIR [--docs DIR]
    dashboard_scenarios.py actions --release release.yaml --screenshots DIR
    dashboard_scenarios.py group   --release members.yaml --members a,b --screenshots DIR
    dashboard_scenarios.py rbac    --screenshots DIR
"""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

TIMEOUT = 90


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def wait(what, probe, timeout=TIMEOUT):
    """Polls `probe` until it returns something truthy; fails naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def kubectl(*arguments):
    return subprocess.run(["kubectl", *arguments], check=True, capture_output=True, text=True, timeout=60).stdout


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Dashboard:
    """`kubectl cutover dashboard ARGS --no-browser --port PORT`, as a user starts it."""

    def __init__(self, *arguments, port=None):
        self.arguments = list(arguments)
        self.port = port or free_port()
        self.start()

    def start(self):
        command = ["kubectl", "cutover", "dashboard", *self.arguments, "--no-browser", "--port", str(self.port)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.process.stdout.readline()
        match = re.search(r"(http://\S+)", line)
        if not match:
            raise AssertionError(f"`{' '.join(command)}` printed no address: {line!r}{self.process.stdout.read()}")
        self.url = match.group(1)
        log(f"dashboard at {self.url} ({' '.join(self.arguments)})")

    def kill(self):
        self.process.kill()
        self.process.wait()


def browser():
    options = Options()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"]:
        options.add_argument(argument)
    options.binary_location = next(path for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] if os.path.exists(path))
    driver_path = next(path for path in ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"] if os.path.exists(path))
    return webdriver.Chrome(options=options, service=Service(driver_path))


def row_phase(driver, key):
    return driver.execute_script(
        "const cell = document.querySelector(`tr.rollout[data-key='${arguments[0]}'] .phase`); return cell && cell.dataset.phase", key)


def row_text(driver, key, column):
    return driver.execute_script(
        "const cell = document.querySelector(`tr.rollout[data-key='${arguments[0]}'] .${arguments[1]}`); return cell && cell.textContent",
        key, column)


def page_phase(driver):
    return driver.execute_script("const badge = document.querySelector('#release h1 .phase'); return badge && badge.dataset.phase")


def text_of(driver, selector):
    return driver.execute_script("const node = document.querySelector(arguments[0]); return node && node.textContent", selector)


def buttons(driver):
    return driver.execute_script("return [...document.querySelectorAll('button')].map(b => b.dataset.action)")


def group_phase(driver, key):
    return driver.execute_script(
        "const badge = document.querySelector(`tr.group-row[data-group='${arguments[0]}'] .phase`); return badge && badge.dataset.phase", key)


def click_action(driver, action, group=None):
    selector = f"button[data-action='{action}']" + (f"[data-group='{group}']" if group else "")
    driver.execute_script("document.querySelector(arguments[0]).click()", selector)
    alert = wait("the confirmation dialog", lambda: _alert(driver), timeout=10)
    alert.accept()


def _alert(driver):
    try:
        return driver.switch_to.alert
    except Exception:
        return None


def post(url, headers):
    request = urllib.request.Request(url, method="POST", headers=headers, data=b"")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


# --- Scenarios ------------------------------------------------------------------------------


def follow(driver, options):
    """Overview across two namespaces, a release followed live to Healthy (the controller is
    killed meanwhile by the Swift side), the connection lost and back, a bad release's breach in
    the chart and RolledBack; read-only: no button anywhere."""
    dashboard = Dashboard("-A")
    try:
        driver.get(dashboard.url)
        for key in ["shop/payment", "team-b/payment"]:
            wait(f"{key} Healthy in the overview", lambda: row_phase(driver, key) == "Healthy")
        assert buttons(driver) == [], f"a read-only dashboard shows buttons: {buttons(driver)}"
        assert text_of(driver, "#mode") == "read-only"
        status, body = post(dashboard.url + "api/rollouts/shop/payment/pause", {"Origin": dashboard.url.rstrip("/"), "X-Cutover-Token": "x"})
        assert status == 403 and "read-only" in body, f"a read-only dashboard answered an action with {status}: {body}"
        before = row_text(driver, "shop/payment", "active")
        driver.execute_script("window.cutoverNotReloaded = true")

        kubectl("apply", "-f", options.good)
        log("RELEASING shop/payment")
        seen = []

        def healthy_on_green():
            phase = row_phase(driver, "shop/payment")
            if phase and (not seen or seen[-1] != phase):
                seen.append(phase)
            return phase == "Healthy" and row_text(driver, "shop/payment", "active") not in (before, None)

        wait("shop/payment to be Healthy on the new revision", healthy_on_green, timeout=120)
        assert "Canary" in seen, f"the overview never showed the canary: {seen}"
        assert driver.execute_script("return window.cutoverNotReloaded === true"), "the page was reloaded"
        log(f"followed live without a reload: {' → '.join(seen)}")

        dashboard.kill()
        wait("the 'connection lost' banner", lambda: driver.execute_script("return !document.getElementById('connection-lost').hidden"))
        dashboard.start()
        wait("the banner gone once the dashboard is back", lambda: driver.execute_script("return document.getElementById('connection-lost').hidden"))
        wait("the overview again", lambda: row_phase(driver, "team-b/payment") == "Healthy")
        log("connection lost and back")

        kubectl("apply", "-f", options.bad)
        driver.get(dashboard.url + "#/rollouts/team-b/payment")
        wait("a breach marked in team-b/payment's error-rate chart",
             lambda: driver.execute_script("return document.querySelectorAll(\"[data-metric='error-rate'] circle[data-verdict='Breach']\").length"))
        wait("team-b/payment RolledBack", lambda: page_phase(driver) == "RolledBack")
        assert "AnalysisBreach" in (text_of(driver, "#abort") or ""), text_of(driver, "#abort")
        assert buttons(driver) == [], f"a read-only release page shows buttons: {buttons(driver)}"
        log("the bad release: breach in the chart, RolledBack")
        if options.docs:
            driver.set_window_size(1400, 1300)
            driver.save_screenshot(os.path.join(options.docs, "dashboard-rolled-back.png"))
            driver.get(dashboard.url + "#/rollouts/shop/payment")
            wait("shop/payment's chart", lambda: driver.execute_script("return document.querySelectorAll('circle').length > 2"))
            driver.set_window_size(1400, 1500)
            driver.save_screenshot(os.path.join(options.docs, "dashboard-release.png"))
            driver.set_window_size(1400, 500)
            driver.get(dashboard.url)
            wait("the overview", lambda: row_phase(driver, "team-b/payment") == "RolledBack")
            driver.save_screenshot(os.path.join(options.docs, "dashboard-overview.png"))
    finally:
        dashboard.kill()


def actions(driver, options):
    """With --allow-actions: promote a release waiting for approval from its page; requests
    without the page's token, from another origin or naming another host are refused."""
    dashboard = Dashboard("-n", "shop", "--allow-actions")
    try:
        kubectl("apply", "-f", options.release)
        driver.get(dashboard.url + "#/rollouts/shop/payment")
        wait("shop/payment AwaitingApproval", lambda: page_phase(driver) == "AwaitingApproval")
        assert "promote" in buttons(driver), f"no promote button: {buttons(driver)}"

        action = dashboard.url + "api/rollouts/shop/payment/pause"
        token = driver.execute_script("return document.querySelector('meta[name=\"cutover-token\"]').content")
        origin = dashboard.url.rstrip("/")
        for what, headers, code in [
            ("no token", {"Origin": origin}, 403),
            ("a wrong token", {"Origin": origin, "X-Cutover-Token": "0" * 64}, 403),
            ("another origin", {"Origin": "http://evil.example", "X-Cutover-Token": token}, 403),
            ("no origin", {"X-Cutover-Token": token}, 403),
            ("another host", {"Host": "evil.example", "Origin": "http://evil.example", "X-Cutover-Token": token}, 421),
        ]:
            status, body = post(action, headers)
            assert status == code, f"a request with {what} answered {status} (want {code}): {body}"
        assert "paused" not in kubectl("get", "rollout/payment", "-n", "shop", "-o", "jsonpath={.metadata.annotations}"), "a refused request paused the rollout"
        log("forged requests refused")

        click_action(driver, "promote")
        wait("the promote's answer", lambda: text_of(driver, "#action-result.ok"))
        assert "cutover.dev/promote" in text_of(driver, "#action-result"), text_of(driver, "#action-result")
        wait("shop/payment Healthy after the promote", lambda: page_phase(driver) == "Healthy", timeout=120)
        log("promoted from the page")
    finally:
        dashboard.kill()


def group(driver, options):
    """With --allow-actions: a release group waiting for approval is promoted from its row in the
    overview, and every member cuts over."""
    dashboard = Dashboard("-n", "shop", "--allow-actions")
    try:
        members = options.members.split(",")
        driver.get(dashboard.url)
        for member in members:
            wait(f"{member} Healthy under group shop", lambda: row_phase(driver, f"shop/{member}") == "Healthy" and group_phase(driver, "shop/shop"))
        before = {member: row_text(driver, f"shop/{member}", "active") for member in members}
        assert buttons(driver) == [], f"a Healthy group offers {buttons(driver)}"
        kubectl("apply", "-f", options.release)
        wait("group shop AwaitingApproval", lambda: group_phase(driver, "shop/shop") == "AwaitingApproval")
        click_action(driver, "promote", group="shop/shop")
        answer = wait("the promote's answer", lambda: text_of(driver, "#action-result"))
        assert "releasegroup.cutover.dev/shop annotated" in answer, answer
        wait("group shop Healthy", lambda: group_phase(driver, "shop/shop") == "Healthy", timeout=120)
        for member in members:
            wait(f"{member} Healthy on its new revision",
                 lambda: row_phase(driver, f"shop/{member}") == "Healthy" and row_text(driver, f"shop/{member}", "active") != before[member])
        log(f"group promoted from the overview: {', '.join(members)} cut over")
    finally:
        dashboard.kill()


def rbac(driver, options):
    """A user who may read Rollouts in shop only: -A shows shop and leaves every other namespace
    out; an action the user may not do shows the API's answer."""
    dashboard = Dashboard("-A", "--allow-actions")
    try:
        namespaces = kubectl("get", "namespaces", "-o", "name").split()
        driver.get(dashboard.url)
        wait("shop/payment in the overview", lambda: row_phase(driver, "shop/payment"))

        def left_out():
            match = re.search(r"(\d+) namespaces? left out", text_of(driver, "#notices") or "")
            return match and int(match.group(1)) == len(namespaces) - 1

        wait(f"{len(namespaces) - 1} namespaces left out", left_out)
        keys = driver.execute_script("return [...document.querySelectorAll('tr.rollout')].map(row => row.dataset.key)")
        assert keys == ["shop/payment"], f"the viewer sees {keys}"
        log(f"shown: {keys}; notice: {text_of(driver, '#notices')}")

        driver.get(dashboard.url + "#/rollouts/shop/payment")
        wait("the release page", lambda: page_phase(driver))
        click_action(driver, "pause")
        answer = wait("the API's refusal", lambda: text_of(driver, "#action-result.error"))
        assert "forbidden" in answer, answer
        log(f"refused: {answer}")
    finally:
        dashboard.kill()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=["follow", "actions", "group", "rbac"])
    parser.add_argument("--members")
    parser.add_argument("--good")
    parser.add_argument("--bad")
    parser.add_argument("--release")
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--docs")
    options = parser.parse_args()
    driver = browser()
    try:
        globals()[options.scenario](driver, options)
        log(f"{options.scenario}: passed")
    except BaseException:
        os.makedirs(options.screenshots, exist_ok=True)
        path = os.path.join(options.screenshots, f"dashboard-{options.scenario}-failure.png")
        try:
            driver.save_screenshot(path)
            print(f"screenshot of the page: {path}", file=sys.stderr)
            print("browser console: " + json.dumps(driver.get_log("browser")), file=sys.stderr)
        except Exception as error:
            print(f"no screenshot: {error}", file=sys.stderr)
        raise
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
