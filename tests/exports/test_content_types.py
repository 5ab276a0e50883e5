"""A download names its type once: `text/csv; charset=utf-8`, whether built at once or on the queue."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Job

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_table_downloaded_at_once_says_its_charset_once(client, auth):
    auth.login("state")
    assert client.get("/exports/districts.csv").headers["Content-Type"] == CSV
    assert client.get("/exports/districts.xlsx").headers["Content-Type"] == XLSX


def test_a_table_prepared_on_the_queue_says_its_charset_once(app, client, auth, tmp_path):
    app.config["EXPORTS_DIR"] = str(tmp_path)
    auth.login("state")
    for fmt, expected in (("csv", CSV), ("xlsx", XLSX)):
        token = auth.token(f"/exports/parts.{fmt}")
        response = client.post("/exports/jobs", data={"table": "parts", "fmt": fmt, "csrf_token": token})
        assert response.status_code == 303
        with app.app_context():
            job_id = db.session.scalar(select(Job.id).order_by(Job.id.desc()))
        download = client.get(f"/exports/jobs/{job_id}/file")
        assert download.status_code == 200
        assert download.headers["Content-Type"] == expected
