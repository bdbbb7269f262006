"""The portal in a real browser: headless Chromium (Debian's chromium and chromium-driver) driven
by selenium, against an authd behind nginx on loopback. Usage:
    browser_flow.py PROXY_PORT SCREENSHOT_FOLDER
The application is http://app.example.test:PROXY_PORT/, the portal http://auth.example.test:PROXY_PORT/
(*.example.test resolves to 127.0.0.1 inside the browser), and a page of another site,
http://attacker.test:PORT/, posts the portal's forms from there. A second client (http.client, not
the browser) logs in too, so the account page lists two sessions. Each step is printed; a failing step
leaves a screenshot and the page's HTML in SCREENSHOT_FOLDER and exits 1."""

import http.client
import http.server
import json
import sys
import threading

from selenium.webdriver.common.by import By

from browser_driver import Browser

port = int(sys.argv[1])
shots = sys.argv[2]
app = f"http://app.example.test:{port}"
portal = f"http://auth.example.test:{port}"
email, password = "browser@example.test", "correct horse battery"


class AttackerPage(http.server.BaseHTTPRequestHandler):
    """Another site's page with the portal's forms on it, posting to the portal as a victim's browser would."""

    def do_GET(self):
        handle = self.path.partition("handle=")[2]
        page = f"""<!doctype html><title>attacker</title>
<form method="post" action="{portal}/login"><input name="email" value="{email}">
<input name="password" value="{password}"><button id="login">Log in</button></form>
<form method="post" action="{portal}/logout"><button id="logout">Log out</button></form>
<form method="post" action="{portal}/account/revoke"><input name="session" value="{handle}">
<button id="revoke">Revoke</button></form>""".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, *_):
        pass


attacker_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), AttackerPage)
attacker = f"http://attacker.test:{attacker_server.server_address[1]}"
threading.Thread(target=attacker_server.serve_forever, daemon=True).start()

browser = Browser(shots, hosts=["*.example.test", "attacker.test"])
driver = browser.driver
click_and_wait, fill, heading, expect, step = (browser.click_and_wait, browser.fill, browser.heading,
                                               browser.expect, browser.step)


def seen_by_app():
    return json.loads(driver.find_element(By.TAG_NAME, "body").text)


def app_sends_to_login():
    driver.get(app + "/private/page?x=1")
    expect(driver.current_url.startswith(portal + "/login?rd="), "not sent to the login page")
    expect(heading() == "Log in", "no login form")


def sign_up():
    click_and_wait(driver.find_element(By.LINK_TEXT, "Create an account"))
    expect(heading() == "Create an account", "no sign-up form")
    email_box = driver.find_element(By.ID, "email")
    expect(email_box.get_attribute("autocomplete") == "username", "the email field is not named for password managers")
    expect(driver.find_element(By.ID, "password").get_attribute("autocomplete") == "new-password",
           "the new password field is not named for password managers")
    fill({"email": email, "password": password}, "Create the account")
    expect("Account created" in driver.find_element(By.ID, "message").text, "no confirmation")


def log_in_and_reach_the_app():
    driver.get(app + "/private/page?x=1")
    expect(heading() == "Log in", "no login form")
    fill({"email": email, "password": "wrong"}, "Log in")
    expect("Wrong email or password" in driver.find_element(By.ID, "message").text, "no inline error")
    fill({"email": email, "password": password}, "Log in")
    expect(driver.current_url == app + "/private/page?x=1", "not returned to the page first asked")
    seen = seen_by_app()
    expect(seen["headers"].get("remote-email") == [email], f"the application saw {seen['headers']}")


def second_client(method, path, body=None, cookie=None):
    """A request of the second client through nginx to the portal; its status and session cookie."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    headers = {"Host": f"auth.example.test:{port}", "User-Agent": "second-client/1.0"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if cookie:
        headers["Cookie"] = f"session_id={cookie}"
    connection.request(method, path, body=body, headers=headers)
    answer = connection.getresponse()
    answer.read()
    set_cookie = answer.getheader("Set-Cookie") or ""
    connection.close()
    return answer.status, set_cookie.partition("session_id=")[2].partition(";")[0]


second = {}


def log_in_with_a_second_client():
    form = "email=" + email.replace("@", "%40") + "&password=" + password.replace(" ", "+")
    status, cookie = second_client("POST", "/login", form)
    expect(status == 303 and cookie, f"the second client's login answered {status}")
    second["cookie"] = cookie
    expect(second_client("GET", "/verify", cookie=cookie)[0] == 200, "the second session is not let through")


def session_rows():
    return driver.find_elements(By.CSS_SELECTOR, "#sessions tbody tr")


def see_both_sessions_on_the_account():
    driver.get(portal + "/account")
    expect(heading() == "Your account", "no account page")
    expect(driver.find_element(By.ID, "account-email").text == email, "not the user's email")
    rows = session_rows()
    expect(len(rows) == 2, f"{len(rows)} sessions listed, not 2")
    current = [row for row in rows if "This session" in row.text]
    expect(len(current) == 1 and "HeadlessChrome" in current[0].text, "the browser's own session is not marked")
    other = [row for row in rows if "second-client/1.0" in row.text]
    expect(len(other) == 1, "the second client's session is not listed")
    second["handle"] = other[0].get_attribute("id").removeprefix("session-")


def portal_session():
    cookie = driver.get_cookie("session_id")
    return cookie and cookie["value"]


def cross_site_posts_are_refused():
    session = portal_session()
    expect(session, "no session cookie after the login")
    for form in ("login", "logout", "revoke"):
        driver.get(attacker + "/?handle=" + second["handle"])
        click_and_wait(driver.find_element(By.ID, form))
        body = driver.find_element(By.TAG_NAME, "body").text
        expect("cross-site request refused" in body, f"the cross-site {form} was not refused: {body[:200]}")
        expect(portal_session() == session, f"the cross-site {form} changed the session cookie")
    driver.get(app + "/private/page?x=1")
    expect(driver.current_url == app + "/private/page?x=1", "the session no longer reaches the application")
    expect(second_client("GET", "/verify", cookie=second["cookie"])[0] == 200, "the cross-site revoke ended the session")


def revoke_the_other_session():
    driver.get(portal + "/account")
    row = driver.find_element(By.ID, "session-" + second["handle"])
    click_and_wait(row.find_element(By.XPATH, ".//button[normalize-space()='Revoke']"))
    expect(heading() == "Your account", "not back at the account page")
    expect(len(session_rows()) == 1, "the revoked session is still listed")
    status = second_client("GET", "/verify", cookie=second["cookie"])[0]
    expect(status == 401, f"the revoked session's check answered {status}, not 401")


def log_out():
    click_and_wait(driver.find_element(By.ID, "logout"))
    expect(heading() == "Log in", "not back at the login page")
    driver.get(app + "/private/page?x=1")
    expect(driver.current_url.startswith(portal + "/login?rd="), "the application is still reachable")


step("the application sends to the login page", app_sends_to_login)
step("sign up", sign_up)
step("log in and reach the application", log_in_and_reach_the_app)
step("log in with a second client", log_in_with_a_second_client)
step("see both sessions on the account page", see_both_sessions_on_the_account)
step("cross-site posts are refused", cross_site_posts_are_refused)
step("revoke the other session", revoke_the_other_session)
step("log out", log_out)
driver.quit()
attacker_server.shutdown()
print("done", flush=True)
