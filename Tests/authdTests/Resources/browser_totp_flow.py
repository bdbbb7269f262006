"""The second factor in a real browser: headless Chromium driven by selenium, against an authd
with a --secret-key-file behind nginx on loopback; pyotp is the authenticator app. Usage:
    browser_totp_flow.py PROXY_PORT SCREENSHOT_FOLDER
The user signs up and logs in, turns TOTP on from the account page (reading the secret from the
page), logs out, logs in with the password, is held at the code step (the application's gate sends
the waiting session there too), gives the code and reaches the application. Each step is printed;
a failing step leaves a screenshot and the page's HTML in SCREENSHOT_FOLDER and exits 1."""

import json
import sys
import time

import pyotp
from selenium.webdriver.common.by import By

from browser_driver import Browser

port = int(sys.argv[1])
shots = sys.argv[2]
app = f"http://app.example.test:{port}"
portal = f"http://auth.example.test:{port}"
email, password = "totp-browser@example.test", "correct horse battery staple"
state = {}

browser = Browser(shots, hosts=["*.example.test"])
driver = browser.driver
click_and_wait, fill, heading, expect, step = (browser.click_and_wait, browser.fill, browser.heading,
                                               browser.expect, browser.step)


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
