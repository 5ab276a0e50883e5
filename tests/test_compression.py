"""Pages, fragments and static files go out compressed (Flask-Compress), with Vary kept right."""

import re
from pathlib import Path


def _blo_part_url(client) -> str:
    """The BLO's own part form, read from her report page (ids differ between databases)."""
    return re.search(r'action="(/reports/parts/\d+)"', client.get("/reports/").get_data(as_text=True))[1]


def test_pages_go_out_compressed(app, client, auth):
    auth.login("blo.1.1")
    for path in ("/reports/", "/static/vendor/pico-2.1.1.min.css", "/static/vendor/htmx-2.0.11.min.js"):
        response = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert response.headers["Content-Encoding"] == "br", path
        assert "Accept-Encoding" in response.headers["Vary"]
        gzipped = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert gzipped.headers["Content-Encoding"] == "gzip"
        assert len(gzipped.get_data()) < len(client.get(path).get_data()) / 2
    fragment = client.post(
        _blo_part_url(client) + "/check",
        data={"csrf_token": auth.token()},
        headers={"HX-Request": "true", "Accept-Encoding": "br"},
    )
    assert fragment.status_code == 200 and fragment.headers["Content-Encoding"] == "br"
    assert {"HX-Request", "Accept-Encoding"} <= {v.strip() for v in fragment.headers["Vary"].split(",")}


def test_a_refused_form_goes_out_compressed_with_its_status(app, client, auth):
    auth.login("blo.1.1")
    response = client.post(
        _blo_part_url(client),
        data={"csrf_token": auth.token()},
        headers={"HX-Request": "true", "Accept-Encoding": "br"},
    )
    assert response.status_code == 422 and response.headers["Content-Encoding"] == "br"


def test_static_addresses_change_with_the_file_content(app, client, auth):
    """A release that changes app.css gives it a new address, so no browser keeps the old one."""
    from app import _file_stamp

    html = client.get("/auth/login").get_data(as_text=True)
    stamp = re.search(r'css/app\.css\?v=([0-9a-f]{8})"', html)
    assert stamp, "app.css is linked without a content stamp"
    path = str(Path(app.static_folder) / "css" / "app.css")
    assert stamp[1] == _file_stamp(path)
    assert client.get(f"/static/css/app.css?v={stamp[1]}").status_code == 200


def test_static_files_go_out_packed_small_with_only_their_headers(app, client):
    """A script: brotli at its best, without comments, cached a year under its stamped address, and
    none of a document's policies; a conditional request gets a 304 with no body."""
    import brotli

    html = client.get("/auth/login").get_data(as_text=True)
    url = re.search(r'src="(/static/js/offline\.js\?v=[0-9a-f]{8})"', html)[1]
    response = client.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "br"
    source = (Path(app.static_folder) / "js" / "offline.js").read_text()
    served = brotli.decompress(response.get_data()).decode()
    assert "window.sirOffline" in served and "/*" not in served and len(served) < 0.8 * len(source)
    assert int(response.headers["Content-Length"]) == len(response.get_data())
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    dropped = (
        "Content-Security-Policy",
        "X-Frame-Options",
        "Referrer-Policy",
        "Content-Disposition",
        "Expires",
    )
    for name in dropped:
        assert name not in response.headers, name
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    again = client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and not again.get_data()
    # A vendored file is packed as it is; without brotli, Flask-Compress's gzip of the file itself.
    htmx = client.get("/static/vendor/htmx-2.0.11.min.js", headers={"Accept-Encoding": "br"})
    vendored = Path(app.static_folder) / "vendor" / "htmx-2.0.11.min.js"
    assert brotli.decompress(htmx.get_data()) == vendored.read_bytes()
    assert "max-age=31536000" not in htmx.headers["Cache-Control"]  # no stamp: no year
    gzipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip"
    # An SVG may be opened as a document: it keeps a policy that runs nothing.
    svg = client.get("/static/favicon.svg")
    assert "default-src 'none'" in svg.headers["Content-Security-Policy"]
    # A page keeps them all.
    page = client.get("/auth/login")
    assert "X-Frame-Options" in page.headers
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
