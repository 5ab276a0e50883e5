"""Exports at state scale: the bulletin, the districts table, a district's parts, the state's missing list."""

from sqlalchemy import select

from bench.harness import report


def run(bench) -> None:
    from app.extensions import db
    from app.models import District

    with bench.app.app_context():
        district_id = db.session.scalar(select(District.id).where(District.name_en == "Bhopal"))
    client = bench.client("state")
    for name, path in (
        ("exports_state_bulletin_xlsx_ms", "/exports/bulletin.xlsx"),
        ("exports_state_districts_csv_ms", "/exports/districts.csv"),
        ("exports_district_parts_xlsx_ms", f"/exports/parts.xlsx?district_id={district_id}"),
        ("exports_district_calls_csv_ms", f"/exports/calls.csv?district_id={district_id}"),
        ("exports_state_missing_csv_ms", "/exports/missing.csv"),
    ):

        def get(path=path):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        report(name, bench.median_ms(get, repeat=5, warmup=1), "ms")
