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
