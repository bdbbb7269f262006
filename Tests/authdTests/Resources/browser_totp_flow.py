"""The second factor in a real browser: headless Chromium driven by selenium, against an authd
with a --secret-key-file behind nginx on loopback; pyotp is the authenticator app. Usage:
    browser_totp_flow.py PROXY_PORT SCREENSHOT_FOLDER
The user signs up and logs in, turns TOTP on from the account page (reading the secret from the
page), logs out, logs in with the password, is held at the code step (the application's gate sends
the waiting session there too), gives the code and reaches the application. Each step is printed;
a failing step leaves a screenshot and the page's HTML in SCREENSHOT_FOLDER and exits 1."""

import json
import os
import sys
import time
import traceback

import pyotp
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

port = int(sys.argv[1])
shots = sys.argv[2]
app = f"http://app.example.test:{port}"
portal = f"http://auth.example.test:{port}"
email, password = "totp-browser@example.test", "correct horse battery staple"
state = {}

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--no-first-run", "--disable-extensions", "--window-size=1024,768",
                 f"--host-resolver-rules=MAP *.example.test 127.0.0.1, EXCLUDE localhost",
                 f"--user-data-dir={os.path.join(shots, 'profile')}"):
    options.add_argument(argument)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_page_load_timeout(30)


def click_and_wait(element):
    """Clicks, then waits for the next page: a click returns before the navigation it starts."""
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()

    def gone(_):
        # Chromium reports a node of a page left behind as stale, or, across hosts, as not in the
        # document: either way the next page is there.
        try:
            page.is_enabled()
            return False
        except Exception:
            return True

    WebDriverWait(driver, 15).until(gone)


def fill(fields, submit_text):
    for name, value in fields.items():
        box = driver.find_element(By.NAME, name)
        box.clear()
        box.send_keys(value)
    click_and_wait(driver.find_element(By.XPATH, f"//button[normalize-space()='{submit_text}']"))


def heading():
    return driver.find_element(By.TAG_NAME, "h1").text


def expect(condition, what):
    if not condition:
        raise AssertionError(f"{what}; at {driver.current_url}")


def step(name, action):
    print(f"step: {name}", flush=True)
    try:
        action()
    except Exception:
        os.makedirs(shots, exist_ok=True)
        base = os.path.join(shots, name.replace(" ", "-"))
        driver.save_screenshot(base + ".png")
        with open(base + ".html", "w") as page:
            page.write(driver.page_source)
        print(f"failed: {name}; screenshot {base}.png", flush=True)
        traceback.print_exc()
        driver.quit()
        sys.exit(1)


def sign_up_and_log_in():
    driver.get(app + "/private/page?x=1")
    expect(heading() == "Log in", "no login form")
    click_and_wait(driver.find_element(By.LINK_TEXT, "Create an account"))
    fill({"email": email, "password": password}, "Create the account")
    driver.get(app + "/private/page?x=1")
    fill({"email": email, "password": password}, "Log in")
    expect(driver.current_url == app + "/private/page?x=1", "not returned to the page first asked")


def turn_totp_on():
    driver.get(portal + "/account")
    expect(heading() == "Your account", "no account page")
    expect(driver.find_element(By.ID, "totp-status").text.startswith("Off"), "the second factor is not off")
    fill({"password": password}, "Set up")
    expect(heading() == "Set up two-factor authentication", "no enrolment page")
    expect(driver.find_elements(By.CSS_SELECTOR, "#totp-qr svg"), "no QR code on the page")
    secret = driver.find_element(By.ID, "totp-secret").text
    expect(len(secret) == 32, f"not a 160-bit base32 secret: {secret!r}")
    state["secret"] = secret
    state["enrolled_at"] = time.time()
    fill({"code": pyotp.TOTP(secret).at(state["enrolled_at"])}, "Turn on")
    expect(heading() == "Recovery codes", "no recovery codes page")
    expect("only time they are shown" in driver.find_element(By.ID, "recovery-warning").text, "no warning")
    codes = driver.find_elements(By.CSS_SELECTOR, "#recovery-codes li")
    expect(len(codes) == 10, f"{len(codes)} recovery codes")
    driver.get(portal + "/account")
    expect(driver.find_element(By.ID, "totp-status").text.startswith("On"), "the second factor is not on")


def log_out():
    click_and_wait(driver.find_element(By.ID, "logout"))
    expect(heading() == "Log in", "not back at the login page")


def log_in_through_the_code_step():
    driver.get(app + "/private/page?x=1")
    expect(heading() == "Log in", "no login form")
    fill({"email": email, "password": password}, "Log in")
    expect(driver.current_url.startswith(portal + "/login/2fa?rd="), "not at the code step")
    expect(heading() == "Two-factor authentication", "no code form")
    # The gate sends a session that waits for its code back to the code step.
    driver.get(app + "/private/page?x=1")
    expect(driver.current_url.startswith(portal + "/login/2fa?rd="), "the gate let a waiting session through")
    fill({"code": "000000" if pyotp.TOTP(state["secret"]).now() != "000000" else "111111"}, "Continue")
    expect("Wrong code" in driver.find_element(By.ID, "message").text, "no inline error")
    # The enrolment's step is used up: the next one's code (within the ±1 step window), or, once
    # the clock is past it, the current one's.
    fill({"code": pyotp.TOTP(state["secret"]).at(max(time.time(), state["enrolled_at"] + 30))}, "Continue")
    expect(driver.current_url == app + "/private/page?x=1", "not returned to the page first asked")
    seen = json.loads(driver.find_element(By.TAG_NAME, "body").text)
    expect(seen["headers"].get("remote-email") == [email], f"the application saw {seen['headers']}")


step("sign up and log in", sign_up_and_log_in)
step("turn TOTP on from the account page", turn_totp_on)
step("log out", log_out)
step("log in through the code step", log_in_through_the_code_step)
driver.quit()
print("done", flush=True)
