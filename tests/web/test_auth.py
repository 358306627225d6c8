"""Signing in and out, sessions, CSRF and the failed sign-in back-off."""

from __future__ import annotations

from collections.abc import Callable

from apiary.web.security import LoginThrottle
from tests.web.conftest import Browser, csrf_of


def test_pages_need_a_signed_in_user(browser: Callable[[], Browser]) -> None:
    response = browser().get("/helpdesk/Ticket?q=x")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fhelpdesk%2FTicket%3Fq%3Dx"


def test_sign_in_with_the_right_password_opens_a_session(
        browser: Callable[[], Browser]) -> None:
    tab = browser()
    response = tab.submit("/login", {"email": "Agent@Example.com", "password":
                                     "correct horse battery", "next": "/helpdesk/"})
    assert response.status_code == 303 and response.headers["location"] == "/helpdesk/"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    home = tab.get("/")
    assert home.status_code == 200 and "Helpdesk" in home.text and "agent@example.com" in home.text


def test_a_wrong_password_or_unknown_address_gets_one_message(
        browser: Callable[[], Browser]) -> None:
    wrong = browser().login("agent@example.com", "not the password")
    unknown = browser().login("nobody@example.com", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "is not right" in wrong.text and "is not right" in unknown.text
    assert "user_id" not in wrong.headers.get("set-cookie", "")


def test_sign_in_elsewhere_than_this_site_is_not_a_redirect_target(
        browser: Callable[[], Browser]) -> None:
    response = browser().submit("/login", {"email": "agent@example.com", "password":
                                           "correct horse battery", "next": "//evil.example"})
    assert response.headers["location"] == "/"


def test_sign_out_ends_the_session(signed_in: Callable[[str], Browser]) -> None:
    tab = signed_in("agent")
    response = tab.submit("/", {}, action="/logout")
    assert response.status_code == 303
    assert tab.get("/").status_code == 303


def test_a_post_without_the_session_csrf_token_is_refused(
        signed_in: Callable[[str], Browser], browser: Callable[[], Browser]) -> None:
    tab = signed_in("customer")
    data = {"subject": "Printer on fire", "category": "incident", "description": "Smoke"}
    missing = tab.post("/helpdesk/Ticket/new", data)
    other = browser()
    foreign = tab.post("/helpdesk/Ticket/new", {**data, "csrf": csrf_of(other.get(
        "/login").text)})
    assert missing.status_code == foreign.status_code == 403
    assert "expired" in missing.text
    assert "Printer on fire" not in tab.get("/helpdesk/Ticket").text
    assert tab.post("/logout", {}).status_code == 403


def test_login_form_needs_its_csrf_token_too(browser: Callable[[], Browser]) -> None:
    response = browser().post("/login", {"email": "agent@example.com",
                                         "password": "correct horse battery"})
    assert response.status_code == 403


def clocked(**options: int) -> tuple[LoginThrottle, list[float]]:
    """A throttle on a clock the test moves by changing ``now[0]``."""
    now = [100.0]
    return LoginThrottle(clock=lambda: now[0], **options), now


def test_repeated_failures_make_the_next_attempt_wait() -> None:
    throttle, now = clocked()
    for _ in range(3):
        assert throttle.wait_seconds("a@example.com") == 0
        throttle.failed("a@example.com")
    throttle.failed("a@example.com")
    assert throttle.wait_seconds("a@example.com") == 2
    assert throttle.wait_seconds("b@example.com") == 0
    now[0] += 2
    assert throttle.wait_seconds("a@example.com") == 0
    throttle.succeeded("a@example.com")
    throttle.failed("a@example.com")
    assert throttle.wait_seconds("a@example.com") == 0


def test_a_guesser_elsewhere_does_not_slow_the_real_user_down() -> None:
    throttle, _ = clocked()
    for _ in range(10):
        throttle.failed("a@example.com", "203.0.113.9")
    assert throttle.wait_seconds("a@example.com", "203.0.113.9") > 0
    assert throttle.wait_seconds("a@example.com", "198.51.100.7") == 0


def test_one_address_trying_many_accounts_is_slowed_down() -> None:
    throttle, _ = clocked()
    for number in range(20):
        throttle.failed(f"user{number}@example.com", "203.0.113.9")
    assert throttle.wait_seconds("fresh@example.com", "203.0.113.9") > 0
    assert throttle.wait_seconds("fresh@example.com", "198.51.100.7") == 0


def test_guessing_one_account_from_many_addresses_costs_the_owner_a_minute_at_most() -> None:
    throttle, now = clocked()
    for number in range(40):
        throttle.failed("a@example.com", f"203.0.113.{number}")
    assert 0 < throttle.wait_seconds("a@example.com", "198.51.100.7") <= 60
    now[0] += 60
    assert throttle.wait_seconds("a@example.com", "198.51.100.7") == 0


def test_a_valid_account_does_not_reset_a_guessers_count_and_counts_are_forgotten() -> None:
    throttle, now = clocked()
    for number in range(25):
        throttle.failed(f"user{number}@example.com", "203.0.113.9")
    throttle.succeeded("mine@example.com", "203.0.113.9")
    assert throttle.wait_seconds("user1@example.com", "203.0.113.9") > 0
    now[0] += 901
    assert throttle.wait_seconds("user1@example.com", "203.0.113.9") == 0


def test_flooding_with_new_addresses_does_not_wipe_a_recent_count() -> None:
    throttle, now = clocked(max_tracked=50)
    for number in range(40):
        now[0] += 0.01
        throttle.failed(f"noise{number}@example.com", f"192.0.2.{number}")
    for _ in range(5):
        now[0] += 0.01
        throttle.failed("a@example.com", "203.0.113.9")
    for number in range(3):
        now[0] += 0.01
        throttle.failed(f"more{number}@example.com", f"198.51.100.{number}")
    assert throttle.wait_seconds("a@example.com", "203.0.113.9") > 0


def test_a_throttled_address_is_told_to_wait_even_with_the_right_password(
        browser: Callable[[], Browser]) -> None:
    for _ in range(3):
        assert browser().login("agent@example.com", "wrong password").status_code == 401
    response = browser().login("agent@example.com")
    assert response.status_code == 429 and "Try again in" in response.text


def test_a_tampered_session_cookie_signs_nobody_in(signed_in: Callable[[str], Browser],
                                                  browser: Callable[[], Browser]) -> None:
    import base64
    import json

    tab = signed_in("customer")
    cookie = tab.client.cookies["apiary_session"]
    payload, _, signature = cookie.partition(".")
    data = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    # Claim to be someone else, keeping the signature of the real session.
    data["user_id"] = int(data["user_id"]) + 1
    forged = base64.b64encode(json.dumps(data).encode()).decode().rstrip("=")
    # Change the signature's first character: every bit of it is signed data,
    # whereas the last character of base64 also holds padding bits a decoder ignores.
    signed, _, mac = cookie.rpartition(".")
    flipped = f"{signed}.{'A' if mac[0] != 'A' else 'B'}{mac[1:]}"
    genuine = browser()
    genuine.client.cookies.set("apiary_session", cookie)
    assert genuine.get("/helpdesk/Ticket").status_code == 200, "the real cookie works anywhere"
    for value in (f"{forged}.{signature}", flipped, "garbage"):
        other = browser()
        other.client.cookies.set("apiary_session", value)
        response = other.get("/helpdesk/Ticket")
        assert response.status_code == 303, value
        assert response.headers["location"].startswith("/login")
