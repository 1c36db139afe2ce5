"""What a reader does in the end-to-end tests, with a plain HTTP client: post a form with its CSRF
token as a browser would, and wait for the e-mails the worker leaves in the mail folder."""

import email
import re
import time
from email import policy


def wait_for_mail(folder, count, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = sorted(folder.glob("*.eml")) if folder.exists() else []
        if len(files) >= count:
            return [email.message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
        time.sleep(0.2)
    raise AssertionError(f"expected {count} e-mail(s) in {folder}")


def csrf_post(browser, url, data, **kwargs):
    page = browser.get(url).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return browser.post(
        url, data={**data, "csrfmiddlewaretoken": token}, headers={"Referer": url}, **kwargs
    )
