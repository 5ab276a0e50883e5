"""The BLO's report at state scale: one valid POST, saved, audited and rolled up."""

from itertools import count

from sqlalchemy import select

from bench.harness import report


def run(bench) -> None:
    from app.campaign.clock import campaign_today
    from app.extensions import db
    from app.figures.models import ASD_FIGURES, FIGURES
    from app.models import Constituency, Part
    from app.reports.services import previous_report

    with bench.app.app_context():
        part_id = db.session.scalar(
            select(Part.id)
            .join(Constituency, Part.constituency_id == Constituency.id)
            .where(Constituency.number == 1, Part.number == 1)
        )
        previous = previous_report(part_id, campaign_today()).figures()
    # Today's figures = the previous report's, digitized one higher every other time when there is room:
    # never below the previous report, so every POST is valid and saved (an update after the first).
    room = previous["collected"] + sum(previous[name] for name in ASD_FIGURES) > previous["digitized"]
    client = bench.client("blo.1.1")
    turn = count()

    def submit():
        figures = dict(previous)
        if room and next(turn) % 2:
            figures["digitized"] += 1
        data = {name: str(figures[name]) for name in FIGURES}
        response = client.post(f"/reports/parts/{part_id}", data=data, headers={"HX-Request": "true"})
        assert response.status_code == 200, response.status_code

    report("report_submit_ms", bench.median_ms(submit), "ms")
