"""Hostile input the API tests do not already send (see README, Reliability):

- SQL and markup in every text field a user controls: stored and given back verbatim, the
  database unharmed, and the ops dashboard (page and live fragment) shows it escaped, never
  as markup;
- NUL characters in text, query parameters and ids: 422 or 404, never a 500, and the read
  models keep up;
- webhook URLs that lead to loopback in forms api/test_webhooks.py and
  test_notifier_ssrf.py do not try: refused with 422 problem+json.

Against a real `redress api` and `redress projector`, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from markupsafe import escape
from support.postgres import fresh_database
from support.processes import ApiService, Fleet, wait_until
from support.traffic import ADMIN_TOKEN, World, client, process_env

HOSTILE = [
    "'; DROP TABLE case_list; --",
    "Robert'); DELETE FROM redress_events WHERE ''='",
    "1' OR '1'='1' UNION SELECT token_hash FROM api_keys --",
    '" onmouseover="alert(1)" data-x="',
    "<script>alert('x')</script>",
    "</td></tr></table><img src=x onerror=alert(document.cookie)>",
    "{{ 7*7 }} {% if true %}jinja{% endif %} ${7*7}",
    "<!-- --><svg/onload=alert(1)>?",  # (a bidi override is refused: test_strict_input)
]
NUL = "a\x00b"  # PostgreSQL text cannot hold it: refused at the door, never a 500 or a stuck
# projector (which a store named with one used to cause: its scorecard row could not be written)
REFUSED_URLS = [
    "http://localhost./hooks",  # the root's trailing dot
    "http://LOCALHOST/hooks",
    "http://[0:0:0:0:0:0:0:1]/hooks",  # IPv6 loopback written out
    "http://[0000::1]:8080/hooks",
    "http://[::ffff:7f00:1]/hooks",  # IPv4-mapped loopback, in hex
    "http://[::127.0.0.1]/hooks",  # IPv4-compatible (deprecated) loopback
    "http://127.000.000.001/hooks",  # zero-padded: octal to some parsers
    "http://2130706433./hooks",  # decimal, with the root's dot
    "http://0/hooks",
    "http://127.0.0.1:80@example.com/hooks",  # user info that looks like a host and port
    "http://example.com:80@127.0.0.1/hooks",
    "http://example.com%40127.0.0.1/hooks",  # an encoded @
    "http://127.0.0.1#@example.com/hooks",  # the host is 127.0.0.1; the rest is a fragment
    "http://127。0。0。1/hooks",  # ideographic full stops
    "http://①②⑦.0.0.1/hooks",  # circled digits (NFKC folds them to 127)
]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiService]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'redress.db'}"
    else:
        url = request.getfixturevalue("postgres_module_database")
    logs = tmp_path_factory.mktemp("hostile-logs")
    # No allowed hosts here: every loopback form must be refused.
    with Fleet(logs, process_env(url, REDRESS_WEBHOOK_ALLOWED_HOSTS="")) as fleet:
        api = fleet.api()
        fleet.start("projector")
        yield api


@pytest.fixture(scope="module")
def postgres_module_database(postgres_url: str) -> Iterator[str]:
    with fresh_database(postgres_url) as url:
        yield url


@pytest.fixture(scope="module")
def world(api: ApiService) -> World:
    return World.create(api.url, consumers=1, prefix="h")


def test_sql_and_markup_in_text_fields_are_kept_verbatim_and_escaped_on_the_dashboard(
    api: ApiService, world: World
) -> None:
    consumer = world.consumers[next(iter(world.consumers))]
    with client(world, consumer) as alice, client(world, world.staff) as staff:
        for n, text in enumerate(HOSTILE):
            store_id = _hostile_store(api.url, n, text)
            case_id = _file(alice, store_id, text)
            said = alice.post(f"/v1/cases/{case_id}/messages", json={"body": text})
            escalated = staff.post(f"/v1/cases/{case_id}/escalate", json={"reason": text})
            assert (said.status_code, escalated.status_code) == (200, 200), escalated.text

            history = staff.get(f"/v1/cases/{case_id}/history").json()["events"]
            assert history[0]["data"]["description"] == text
            assert [m["body"] for m in said.json()["messages"]] == [text]
            assert history[-1]["data"]["note"] == text
            assert staff.get(f"/v1/stores/{store_id}").json()["name"] == text
        # Every table the SQL names is still there and whole.
        listed = staff.get("/v1/cases", params={"limit": 200}).json()["items"]
        assert len(listed) == len(HOSTILE)
        wait_until(lambda: staff.get("/v1/stats/overview").json()["behind"] == 0, 60, "projector")

    with _signed_in(api.url, world.ops) as browser:
        for path in ("/dashboard", "/dashboard/live"):
            page = browser.get(path)
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
            for text in HOSTILE:  # each store's name is on the page, as text
                assert str(escape(text)) in page.text, (path, text)
                if str(escape(text)) != text:
                    assert text not in page.text, (path, text)
            for tag in ("<script>alert", "<img src=x", "<svg/onload", "<!-- -->"):
                assert tag not in page.text, (path, tag)


STORE = {"id": "nul-store", "platform": "bigben", "country": "FR", "timezone": "Europe/Paris"}
IMPORT = {"consumer_id": "c-1"}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/v1/stores", STORE | {"name": NUL}),
        ("post", "/v1/cases", IMPORT | {"description": NUL}),
        ("post", "/v1/cases", IMPORT | {"goods_category": NUL}),
        (
            "post",
            "/v1/cases",
            IMPORT | {"order": {"reference": NUL, "amount": "1", "currency": "EUR"}},
        ),
        ("post", "/v1/cases/{case}/messages", {"body": NUL}),
        ("post", "/v1/cases/{case}/escalate", {"reason": NUL}),
        ("post", "/v1/webhooks", {"url": f"http://hooks.example/{NUL}", "event_types": ["*"]}),
        ("get", "/v1/cases?status=a%00b", None),
        ("get", "/v1/cases?platform=a%00b", None),
        ("get", "/v1/webhooks/wh_a%00b", None),
        ("get", "/v1/webhooks/wh_a%00b/deliveries", None),
        ("post", "/v1/webhooks/wh_a%00b/deliveries/1/retry", {}),
        ("delete", "/v1/webhooks/wh_a%00b", None),
    ],
)
def test_nul_characters_are_refused_and_the_read_models_keep_up(
    api: ApiService, world: World, method: str, path: str, body: dict[str, Any] | None
) -> None:
    store_id = next(s for s, platform in world.stores if platform == "bigben")
    valid = _case_body(store_id, "fine") | IMPORT
    token = world.store_agent if path.startswith("/v1/webhooks") else world.staff
    with client(world, world.staff) as staff, client(world, token) as caller:
        case_id = staff.post("/v1/cases", json=valid).json()["id"]
        if path == "/v1/cases" and body is not None:
            body = valid | body
        sent = {"json": body} if body is not None else {}
        answer = caller.request(method.upper(), path.format(case=case_id), **sent)
        assert answer.status_code in (404, 422), answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        staff.post("/v1/cases", json=valid)  # something new for the projector
        wait_until(lambda: staff.get("/v1/stats/overview").json()["behind"] == 0, 60, "projector")


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_webhook_urls_that_lead_to_loopback_are_refused(
    api: ApiService, world: World, url: str
) -> None:
    with client(world, world.store_agent) as store:
        answer = store.post("/v1/webhooks", json={"url": url, "event_types": ["*"]})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"][0]["field"] == "url"


def _hostile_store(url: str, n: int, name: str) -> str:
    store_id = f"hostile-{n}"
    with httpx.Client(base_url=url, timeout=60) as admin:
        answer = admin.post(
            "/v1/stores",
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            json={
                "id": store_id,
                "platform": "bigben",
                "name": name,
                "certified": False,
                "country": "FR",
                "timezone": "Europe/Paris",
            },
        )
    assert answer.status_code == 201, answer.text
    return store_id


def _case_body(store_id: str, text: str) -> dict[str, Any]:
    return {
        "platform": "bigben",
        "store_id": store_id,
        "kind": "complaint",
        "order": {"reference": text[:500], "amount": "10.00", "currency": "EUR"},
        "description": text,
    }


def _file(consumer: httpx.Client, store_id: str, text: str) -> str:
    answer = consumer.post("/v1/cases", json=_case_body(store_id, text))
    assert answer.status_code == 201, answer.text
    case_id: str = answer.json()["id"]
    return case_id


@contextmanager
def _signed_in(url: str, token: str) -> Iterator[httpx.Client]:
    """A browser signed in to the dashboard (the token once, then the cookie)."""
    with httpx.Client(base_url=url, timeout=60) as browser:
        answer = browser.get("/dashboard", params={"token": token})
        assert answer.status_code == 303, answer.text
        yield browser
