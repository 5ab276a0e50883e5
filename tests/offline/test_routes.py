"""The server's side of the phone's offline work: the worker's script, the manifest, the queue page,
which pages the worker may keep (and for whom), and the sign-out that wipes the phone's copy."""

from __future__ import annotations

import json
import re

from app.offline.shell import build_version, url_pattern


def test_the_worker_is_served_from_the_root_with_its_scope_and_no_stale_copy(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response.headers["Cache-Control"]
    text = response.get_data(as_text=True)
    version = re.search(r'var VERSION = "([0-9a-f]+)";', text)[1]
    assert f"Build {version}" in text
    # the shell is fetched under the stamped URLs, the queue script is imported
    assert re.search(r'"/static/css/app\.css\?v=[0-9a-f]+"', text)
    assert "/static/js/offline-queue.js?v=" in text and "/static/vendor/idb-keyval-6.3.0.umd.js?v=" in text


def test_the_build_version_changes_with_any_static_file(tmp_path):
    (tmp_path / "app.css").write_text("a{}")
    first = build_version(str(tmp_path))
    build_version.cache_clear()
    (tmp_path / "app.css").write_text("a{color:red}")
    second = build_version(str(tmp_path))
    build_version.cache_clear()
    assert first != second
    assert build_version(str(tmp_path), "2.0") != second


def test_a_url_rule_becomes_a_pattern_for_the_browser():
    pattern = url_pattern("/volunteers/assignments/<int:assignment_id>/check-in")
    assert re.match(pattern, "/volunteers/assignments/12/check-in")
    assert not re.match(pattern, "/volunteers/assignments/12/check-in/more")
    assert not re.match(pattern, "/volunteers/assignments/12/check-out")


def test_the_manifest_names_the_app_in_the_readers_language(client, auth):
    response = client.get("/manifest.webmanifest", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/manifest+json")
    body = response.get_json(force=True)
    assert body["name"] == "SIR field desk" and body["lang"] == "en"
    assert body["start_url"] == "/" and body["display"] == "standalone" and body["theme_color"]
    assert {icon["sizes"] for icon in body["icons"]} == {"192x192", "512x512"}
    for icon in body["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200 and image.data[:8] == b"\x89PNG\r\n\x1a\n"

    auth.login("blo.1.1", lang="hi")
    hindi = json.loads(client.get("/manifest.webmanifest").get_data(as_text=True))
    assert hindi["lang"] == "hi" and hindi["name"] != "SIR field desk"
    assert re.search(r"[\u0900-\u097f]", hindi["name"])


def test_every_page_links_the_manifest_and_carries_the_offline_settings(client, auth):
    auth.login("blo.1.1")
    html = client.get("/").get_data(as_text=True)
    assert 'rel="manifest" href="/manifest.webmanifest"' in html
    assert '<meta name="theme-color"' in html
    assert re.search(r'<script src="/static/js/offline\.js\?v=[0-9a-f]+" defer', html)
    # The queue's own scripts are named for offline.js to load when needed, not loaded by the page.
    bundle = re.search(r'data-bundle="([^"]+)"', html)[1].split()
    assert [b.split("?")[0] for b in bundle] == [
        "/static/vendor/idb-keyval-6.3.0.umd.js",
        "/static/js/offline-queue.js",
        "/static/js/report-kept.js",
        "/static/js/offline-ui.js",
    ]
    assert '<script src="/static/js/offline-queue.js' not in html
    settings = json.loads(re.search(r'id="offline-config">(.*?)</script>', html, re.S)[1])
    assert "waiting" not in settings["strings"]  # the queue page's words come with that page
    assert settings["user"] and settings["sw"] == "/sw.js"
    assert "^/reports/parts/[^/]+$" in settings["queueable"]
    assert settings["strings"]["saved"] == "Saved on this phone, waiting to send."
    assert "data-offline-badge" in html


def test_the_queue_page_whole_and_as_a_fragment(client, auth):
    auth.login("vol.bhopal.1")
    page = client.get("/offline/queue")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<html" in html and 'id="offline-queue"' in html and "Send now" in html
    assert 'id="offline-item-template"' in html
    words = json.loads(re.search(r'id="offline-words">(.*?)</script>', html, re.S)[1])
    assert words["zone"] == "Asia/Kolkata" and words["refused"] == "Not saved"
    fragment = client.get("/offline/queue", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    text = fragment.get_data(as_text=True)
    assert "<html" not in text and text.strip().startswith('<section id="offline-queue"')
    assert "HX-Request" in fragment.headers["Vary"]


def test_only_a_blo_or_volunteers_own_pages_are_marked_to_keep(client, auth):
    auth.login("blo.1.1")
    page = client.get("/reports/")
    assert page.headers["X-Offline-Copy"].isdigit()
    assert 'id="offline-copy"' in page.get_data(as_text=True)
    assert client.get("/").headers["X-Offline-Copy"].isdigit()  # home: the installed app's start page
    assert "X-Offline-Copy" not in client.get("/reports/", headers={"HX-Request": "true"}).headers
    auth.logout()
    auth.login("sup.1.1")
    page = client.get("/reports/")
    assert page.status_code == 200
    assert "X-Offline-Copy" not in page.headers  # an officer's pages are never kept
    assert "X-Offline-Copy" not in client.get("/").headers
    assert 'id="offline-copy"' not in page.get_data(as_text=True)


def test_the_kept_copy_names_its_user(client, auth, app):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import User

    auth.login("blo.1.1")
    kept_for = client.get("/reports/").headers["X-Offline-Copy"]
    with app.app_context():
        assert int(kept_for) == db.session.scalar(select(User.id).where(User.login == "blo.1.1"))


def test_signing_out_tells_the_browser_to_wipe_its_copy(client, auth):
    auth.login("blo.1.1")
    response = auth.logout()
    assert response.status_code == 303
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert client.get("/offline/queue").status_code == 302  # signed out: the queue page asks to sign in
