"""Sign-in, sign-out, CSRF, rate limiting, headers and the health check."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, User
from tests.conftest import csrf_token, make_app, reset_database


def test_sign_in_and_out(client, auth):
    response = auth.login("collector.bhopal")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    response = auth.logout()
    assert response.status_code == 303
    assert client.get("/").status_code == 302


def test_wrong_password_and_unknown_login_get_the_same_answer(client, auth):
    wrong = auth.login("collector.bhopal", "not-the-password")
    unknown = auth.login("nobody.here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong login or password." in wrong.get_data(as_text=True)
    assert "Wrong login or password." in unknown.get_data(as_text=True)


def test_inactive_account_cannot_sign_in(app, client, auth):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == "blo.1.2"))
        user.active = False
        db.session.commit()
    assert auth.login("blo.1.2").status_code == 401


def test_next_must_be_a_local_path(client, auth):
    response = auth.login("state", next_url="/places/")
    assert response.headers["Location"] == "/places/"
    auth.logout()
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = auth.login("state", next_url=evil)
        assert response.headers["Location"] == "/", evil
        auth.logout()


def test_sign_in_without_csrf_token_is_refused(client):
    response = client.post("/auth/login", data={"login": "state", "password": "sir-demo-2025"})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_htmx_post_without_csrf_header_is_refused(client, auth):
    auth.login("collector.bhopal")
    response = client.post("/auth/language", data={"lang": "en"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    token = auth.token("/")
    response = client.post(
        "/auth/language", data={"lang": "en"}, headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/"


def test_failed_sign_ins_are_rate_limited_with_a_clear_message(database_url):
    app = make_app(database_url, {"LOGIN_RATE_LIMIT": "3 per minute"})
    reset_database(app)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    for _ in range(3):
        token = csrf_token(client)
        assert (
            client.post(
                "/auth/login", data={"login": "state", "password": "x", "csrf_token": token}
            ).status_code
            == 401
        )
    token = csrf_token(client)
    response = client.post(
        "/auth/login", data={"login": "state", "password": "sir-demo-2025", "csrf_token": token}
    )
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.get_data(as_text=True)


def test_successful_sign_ins_do_not_count_against_the_limit(database_url):
    app = make_app(database_url, {"LOGIN_RATE_LIMIT": "2 per minute"})
    reset_database(app)
    client = app.test_client()
    for _ in range(4):
        token = csrf_token(client)
        response = client.post(
            "/auth/login", data={"login": "state", "password": "sir-demo-2025", "csrf_token": token}
        )
        assert response.status_code == 303
        client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})


def test_sign_in_and_out_are_audited(app, auth):
    auth.login("ero.1", lang=None)
    auth.logout()
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["user.sign_in", "user.sign_out"]


def test_security_headers_and_cookie_flags(client, auth):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    response = auth.login("state")
    session_cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie


def test_pages_carry_no_inline_script(client, auth):
    auth.login("collector.bhopal")
    for url in ("/", "/places/", "/accounts/"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and " onclick=" not in html and "style=" not in html


def test_change_own_password(client, auth):
    auth.login("blo.1.1")
    token = auth.token("/auth/password")
    response = client.post(
        "/auth/password",
        data={"current": "wrong", "new": "newpass123", "confirm": "newpass123", "csrf_token": token},
    )
    assert response.status_code == 422
    assert "not right" in response.get_data(as_text=True)
    response = client.post(
        "/auth/password",
        data={"current": "sir-demo-2025", "new": "newpass123", "confirm": "newpass123", "csrf_token": token},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 204
    auth.logout()
    assert auth.login("blo.1.1", "newpass123").status_code == 303


def test_healthz_pings_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "database": "ok"}


def test_an_unexpected_error_gets_a_500_page_and_nothing_is_saved(database_url):
    from app.access import public
    from app.models import Campaign

    app = make_app(database_url)
    reset_database(app)

    @app.route("/boom")
    @public
    def boom():
        campaign = db.session.scalar(select(Campaign))
        campaign.name = "half-saved"
        db.session.flush()
        raise RuntimeError("boom")

    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "hi"
    response = client.get("/boom")
    assert response.status_code == 500
    assert "सर्वर" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Campaign.name)) != "half-saved"


# -- staying signed in, and ending sessions -------------------------------------------------------

REMEMBER = "remember_token"


def _sign_in(app, login: str, remember: bool = False, addr: str = "127.0.0.1"):
    """A client of its own (a phone or a browser), signed in as `login`."""
    client = app.test_client()
    client.environ_base.update(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=addr)
    data = {"login": login, "password": "sir-demo-2025", "csrf_token": csrf_token(client)}
    if remember:
        data["remember"] = "y"
    assert client.post("/auth/login", data=data).status_code == 303
    return client


def _remembered_only(app, client):
    """A client holding only `client`'s remember cookie, as a phone after the browser drops the session."""
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    other.set_cookie(REMEMBER, client.get_cookie(REMEMBER).value)
    return other


def _signed_in(client) -> bool:
    response = client.get("/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def _user_id(app, login: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.login == login))


def test_a_new_ip_address_does_not_sign_the_user_out(app):
    plain = _sign_in(app, "blo.1.1")
    remembered = _sign_in(app, "blo.1.2", remember=True)
    for client in (plain, remembered):
        client.environ_base["REMOTE_ADDR"] = "127.0.0.2"  # the phone moved to another mobile network
        assert _signed_in(client)
        assert _signed_in(client)
    phone = _remembered_only(app, remembered)
    phone.environ_base["REMOTE_ADDR"] = "127.0.0.3"
    assert _signed_in(phone)


def test_a_password_reset_ends_every_session_and_remembered_sign_in(app):
    blo = _sign_in(app, "blo.1.1", remember=True)
    phone = _remembered_only(app, blo)
    assert _signed_in(blo) and _signed_in(phone)
    collector = _sign_in(app, "collector.bhopal")
    token = csrf_token(collector, "/accounts/")
    response = collector.post(
        f"/accounts/{_user_id(app, 'blo.1.1')}/reset-password", data={"csrf_token": token}
    )
    assert response.status_code == 200
    for client in (blo, phone):
        response = client.get("/")
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert _signed_in(collector)


def test_changing_ones_own_password_keeps_this_session_and_ends_the_others(app):
    here = _sign_in(app, "blo.1.1", remember=True)
    elsewhere = _sign_in(app, "blo.1.1", remember=True, addr="127.0.0.2")
    elsewhere_phone = _remembered_only(app, elsewhere)
    token = csrf_token(here, "/auth/password")
    response = here.post(
        "/auth/password",
        data={"current": "sir-demo-2025", "new": "newpass123", "confirm": "newpass123", "csrf_token": token},
    )
    assert response.status_code == 303
    assert _signed_in(here)
    assert _signed_in(_remembered_only(app, here))  # this phone's remember cookie was renewed
    assert not _signed_in(elsewhere) and not _signed_in(elsewhere_phone)


def test_deactivation_ends_every_session(app):
    blo = _sign_in(app, "blo.1.1", remember=True)
    phone = _remembered_only(app, blo)
    admin = _sign_in(app, "collector.bhopal")
    token = csrf_token(admin, "/accounts/")
    response = admin.post(
        f"/accounts/{_user_id(app, 'blo.1.1')}/active", data={"active": "0", "csrf_token": token}
    )
    assert response.status_code == 303
    assert not _signed_in(blo) and not _signed_in(phone)
    response = admin.post(
        f"/accounts/{_user_id(app, 'blo.1.1')}/active", data={"active": "1", "csrf_token": token}
    )
    assert response.status_code == 303
    assert not _signed_in(blo) and not _signed_in(phone)  # reactivation does not revive old cookies


def test_signing_out_ends_the_remembered_sign_in_too(app):
    client = _sign_in(app, "blo.1.1", remember=True)
    response = client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 303
    assert client.get_cookie(REMEMBER) is None
    assert not _signed_in(client)


def test_signing_out_ends_a_copied_cookie_and_the_other_phones(app):
    client = _sign_in(app, "blo.1.1", remember=True)
    phone = _sign_in(app, "blo.1.1", remember=True, addr="127.0.0.2")
    copied = app.test_client()
    copied.set_cookie("session", client.get_cookie("session").value)
    assert _signed_in(copied)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    assert not _signed_in(copied)
    assert not _signed_in(phone)
    assert not _signed_in(_remembered_only(app, phone))


def test_an_old_cookie_without_the_session_token_is_sent_to_sign_in(app):
    """Cookies issued before session tokens carried the bare id: they ask for one more sign-in."""
    client = _sign_in(app, "blo.1.1")
    with client.session_transaction() as session:
        session["_user_id"] = str(_user_id(app, "blo.1.1"))
    assert not _signed_in(client)


def test_production_hashes_passwords_with_scrypt_and_refuses_a_cheaper_hash(tmp_path):
    """The suite signs in with a one-round hash (tests/conftest.py); an app built without TESTING
    keeps scrypt, and refuses to start with any other method."""
    import pytest
    from werkzeug.security import check_password_hash

    from app import create_app
    from app.demo import DEMO_PASSWORD, demo_password_hash
    from app.models import Role

    url = f"sqlite:///{tmp_path / 'production.sqlite'}"
    production = create_app({"SQLALCHEMY_DATABASE_URI": url})
    assert production.config["PASSWORD_HASH_METHOD"] == "scrypt"
    with production.app_context():
        user = User(login="someone", name="Someone", role=Role.BLO, mobile="9999999999", locale="en")
        user.set_password("a long enough password")
        assert user.password_hash.startswith("scrypt:")
        assert user.check_password("a long enough password") and not user.check_password("another")
        assert demo_password_hash().startswith("scrypt:")
        assert check_password_hash(demo_password_hash(), DEMO_PASSWORD)
    with pytest.raises(RuntimeError, match="for tests only"):
        create_app({"SQLALCHEMY_DATABASE_URI": url, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"})


def test_the_suite_signs_in_with_a_one_round_hash_that_still_checks(app):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == "blo.1.1"))
        assert user.password_hash.startswith("pbkdf2:sha256:1$")
        assert user.check_password("sir-demo-2025") and not user.check_password("sir-demo-2026")
