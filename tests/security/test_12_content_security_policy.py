"""Finding 12: no Content-Security-Policy and no Permissions-Policy header. Now every answer says
that only the shop's own files run, nothing frames it, its forms post to the shop or Stripe's
checkout page, and camera, microphone, location and payment handlers stay off; a browser
reports what the policy blocked to /csp-report/, which logs it. tests/browser/
test_content_security_policy.py visits the key pages in Chromium and fails on any violation."""

import json
import logging

import pytest

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    directives = [part.split() for part in response["Content-Security-Policy"].split(";")]
    return {directive[0]: directive[1:] for directive in directives if directive}


@pytest.mark.parametrize("path", ["/", "/sign-in/", "/admin/login/", "/gibt-es-nicht/"])
def test_every_page_allows_only_the_shops_own_scripts_and_styles(client, path):
    response = client.get(path)
    directives = policy(response)

    assert directives["default-src"] == ["'self'"]
    assert "script-src" not in directives and "style-src" not in directives  # so: 'self' only
    assert not any("unsafe" in source for sources in directives.values() for source in sources)
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["report-uri"] == ["/csp-report/"]
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment"):
        assert f"{feature}=()" in permissions


def test_forms_post_to_the_shop_and_to_the_checkout_page_its_buy_buttons_redirect_to(
    client, settings
):
    settings.STRIPE_API_BASE = ""
    assert policy(client.get("/"))["form-action"] == ["'self'", "https://checkout.stripe.com"]

    settings.STRIPE_API_BASE = "http://127.0.0.1:12111"  # the stand-in serves its page itself
    assert policy(client.get("/"))["form-action"] == ["'self'", "http://127.0.0.1:12111"]


def test_a_violation_report_is_logged_and_answered_without_content(client, caplog):
    report = {"csp-report": {"document-uri": "http://testserver/", "violated-directive": "x"}}

    with caplog.at_level(logging.WARNING, logger="csp"):
        response = client.post(
            "/csp-report/", json.dumps(report), content_type="application/csp-report"
        )

    assert response.status_code == 204
    assert (
        "Content-Security-Policy violation" in caplog.text and "violated-directive" in caplog.text
    )


def test_a_report_that_is_not_one_gets_a_plain_refusal(client):
    assert client.post("/csp-report/", "nicht json", content_type="text/plain").status_code == 400
    assert client.get("/csp-report/").status_code == 405
