"""POST /artikel/<slug>/kaufen/ with whatever a browser, a bot or an attacker sends: never a 500;
an order only for a valid address, at the price in the database, whatever the request says."""

from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import event, example, given, note
from hypothesis import strategies as st

from shop.models import Order
from tests import factories

pytestmark = pytest.mark.django_db

PRICE_CENTS = 490
# Fields a tampered form might add, hoping the shop reads a price or a product from them.
GREEDY_FIELDS = ["price_cents", "total_cents", "amount", "unit_amount", "product", "currency"]
LONG_ADDRESS = "a" * 64 + "@" + ("b" * 60 + ".") * 4 + "de"  # valid for the form's validator, 311

addresses = st.one_of(
    st.emails(),
    st.emails().map(str.upper),
    st.text(max_size=80),
    st.from_regex(r"[a-z]{1,70}@[a-z]{1,70}(\.[a-z]{1,60}){1,5}", fullmatch=True),
    st.just(LONG_ADDRESS),
)
form_values = st.text(max_size=50) | st.integers().map(str) | st.just("-1") | st.just("0")
form_fields = st.dictionaries(
    st.sampled_from(GREEDY_FIELDS) | st.text(min_size=1, max_size=20),
    form_values | st.lists(form_values, max_size=3),
    max_size=6,
)


@pytest.fixture
def article(stripe_server):
    return factories.article(price_cents=PRICE_CENTS)


def checkout(client, article, data=None, **kwargs):
    return client.post(f"/artikel/{article.slug}/kaufen/", data or {}, **kwargs)


def assert_outcome(response, before: int, *, email=None) -> None:
    """303 with exactly one new order at the database's price, or an error and no order."""
    event(str(response.status_code))
    new_orders = list(Order.objects.order_by("pk")[before:])
    if response.status_code == 303:
        [order] = new_orders
        assert order.total_cents == PRICE_CENTS and order.currency == "eur"
        assert [line.gross_cents for line in order.lines.all()] == [PRICE_CENTS]
        if email is not None:
            assert order.email == email.strip().lower()
        assert "/pay/" in response["Location"]
    else:
        assert response.status_code in {400, 403}
        assert new_orders == []


@given(email=addresses, extra=form_fields)
@example(email=LONG_ADDRESS, extra={}).via("once answered 500")
@example(email="leser@example.com", extra={"price_cents": "1", "total_cents": "1"})
def test_form_fields_of_any_kind_never_fail_and_never_set_the_price(client, article, email, extra):
    before = Order.objects.count()

    response = checkout(client, article, {**extra, "email": email, **factories.LAPSE_CONSENT})

    note(f"{response.status_code}: {response.content[:300]!r}")
    assert_outcome(response, before, email=email)


@st.composite
def raw_bodies(draw):
    kind = draw(st.sampled_from(["bytes", "urlencoded", "many fields", "huge"]))
    if kind == "bytes":
        return draw(st.binary(max_size=3000))
    if kind == "urlencoded":
        pairs = draw(st.lists(st.tuples(st.text(max_size=20), st.text(max_size=60)), max_size=10))
        return urlencode(pairs).encode()
    if kind == "many fields":  # Django stops at DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000)
        return urlencode([(f"f{i}", "x") for i in range(draw(st.integers(900, 5000)))]).encode()
    # Up to a few MB, around Django's 2.5 MB limit of a request body.
    size = draw(st.sampled_from([2_600_000, 4 * 2**20]) | st.integers(0, 4 * 2**20))
    consent = urlencode(factories.LAPSE_CONSENT).encode()
    return b"email=leser%40example.com&" + consent + b"&x=" + b"a" * size


@given(
    body=raw_bodies(),
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=----x",
            "multipart/form-data",
            "application/json",
            "text/plain",
        ]
    )
    | st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=60),
)
def test_raw_bodies_of_any_size_and_type_never_fail(client, article, body, content_type):
    note(f"{len(body):,} bytes")
    before = Order.objects.count()

    response = client.generic(
        "POST", f"/artikel/{article.slug}/kaufen/", body, content_type=content_type
    )

    assert_outcome(response, before)


@given(token=st.none() | st.text(max_size=80), email=st.emails())
def test_without_a_valid_csrf_token_nothing_is_ordered(article, token, email):
    browser = Client(enforce_csrf_checks=True)
    data = {"email": email} | ({} if token is None else {"csrfmiddlewaretoken": token})
    before = Order.objects.count()

    response = checkout(browser, article, data)

    assert response.status_code == 403
    assert Order.objects.count() == before


@given(slug=st.text(max_size=60), method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]))
def test_any_article_address_and_method_answers_without_a_server_error(
    client, article, slug, method
):
    before = Order.objects.count()

    body = "email=leser%40example.com&" + urlencode(factories.LAPSE_CONSENT)
    response = client.generic(method, f"/artikel/{slug}/kaufen/", body,
                              content_type="application/x-www-form-urlencoded")  # fmt: skip

    event(str(response.status_code))
    if slug == article.slug and method == "POST":
        assert_outcome(response, before)
    else:
        assert response.status_code in {301, 404, 405}
        assert Order.objects.count() == before
