"""What the browser flows share (browser_flow.py, browser_totp_flow.py): headless Chromium (Debian's
chromium and chromium-driver) driven by selenium, with the names the flows use resolved to 127.0.0.1
inside the browser, and steps that leave a screenshot and the page's HTML in the screenshot folder
when they fail."""

import os
import sys
import traceback

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


class Browser:
    """One headless Chromium; `hosts` are host-resolver patterns mapped to 127.0.0.1."""

    def __init__(self, shots, hosts):
        self.shots = shots
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        rules = ", ".join(f"MAP {host} 127.0.0.1" for host in hosts) + ", EXCLUDE localhost"
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                         "--no-first-run", "--disable-extensions", "--window-size=1024,768",
                         f"--host-resolver-rules={rules}",
                         f"--user-data-dir={os.path.join(shots, 'profile')}"):
            options.add_argument(argument)
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        self.driver.set_page_load_timeout(30)

    def click_and_wait(self, element):
        """Clicks, then waits for the next page: a click returns before the navigation it starts."""
        page = self.driver.find_element(By.TAG_NAME, "html")
        element.click()

        def gone(_):
            # Chromium reports a node of a page left behind as stale, or, across hosts, as not in
            # the document: either way the next page is there.
            try:
                page.is_enabled()
                return False
            except Exception:
                return True

        WebDriverWait(self.driver, 15).until(gone)

    def fill(self, fields, submit_text):
        """Types `fields` (name: value) into the page's form, then presses the button `submit_text`."""
        for name, value in fields.items():
            box = self.driver.find_element(By.NAME, name)
            box.clear()
            box.send_keys(value)
        self.click_and_wait(self.driver.find_element(By.XPATH, f"//button[normalize-space()='{submit_text}']"))

    def heading(self):
        return self.driver.find_element(By.TAG_NAME, "h1").text

    def expect(self, condition, what):
        if not condition:
            raise AssertionError(f"{what}; at {self.driver.current_url}")

    def step(self, name, action):
        """Runs `action`, printed as a step; on failure, the screenshot, the HTML and exit 1."""
        print(f"step: {name}", flush=True)
        try:
            action()
        except Exception:
            os.makedirs(self.shots, exist_ok=True)
            base = os.path.join(self.shots, name.replace(" ", "-"))
            self.driver.save_screenshot(base + ".png")
            with open(base + ".html", "w") as page:
                page.write(self.driver.page_source)
            print(f"failed: {name}; screenshot {base}.png", flush=True)
            traceback.print_exc()
            self.driver.quit()
            sys.exit(1)
