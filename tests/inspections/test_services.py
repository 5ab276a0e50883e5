"""Planning, visiting and flagging through the services: what the pages rely on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.campaign.clock import campaign_today
from app.difficulties.models import Category, Difficulty, Level, Source
from app.extensions import db
from app.figures.models import DailyReport
from app.inspections import routing, services
from app.inspections.models import InspectionStatus, PartFlag, StopStatus
from app.models import AuditEntry
from app.refusals import NotAllowed, VersionConflict
from app.reports.services import submit_report
from tests.inspections.support import bhopal, part, plan, user


def _latest(part_id, day):
    return db.session.scalar(
        select(DailyReport)
        .where(DailyReport.part_id == part_id, DailyReport.report_date <= day)
        .order_by(DailyReport.report_date.desc())
        .limit(1)
    )


def test_a_plan_orders_its_stops_by_the_shortest_route(app, without_seeded_inspections):
    with app.test_request_context():
        chosen = [part(1, n) for n in (1, 2, 3, 4, 5)]
        inspection = plan(chosen)
        stops = inspection.stops
        assert [s.position for s in stops] == [1, 2, 3, 4, 5]
        assert {s.part_id for s in stops} == {p.id for p in chosen}
        start = (inspection.start_lat, inspection.start_lon)
        assert start == (bhopal().hq_lat, bhopal().hq_lon)  # the headquarters by default
        points = [start, *[(s.part.lat, s.part.lon) for s in stops]]
        d = routing.distance_matrix(points)
        best = routing.length(routing.exact(d, True), d, True)
        assert routing.length(range(1, 6), d, True) == pytest.approx(best)
        settings = services.settings_for(bhopal().id)
        route = services.plan_of(inspection, settings)
        assert len(route.legs) == 6  # back to the start
        assert route.total_km == pytest.approx(best * 1.3)
        assert route.total_minutes == sum(leg.minutes for leg in route.legs)
        assert db.session.scalar(select(func.count()).where(AuditEntry.action == "inspection.plan")) == 1


def test_a_refused_plan_saves_nothing(app, without_seeded_inspections):
    with app.test_request_context():
        collector, district = user("collector.bhopal"), bhopal()
        with pytest.raises(services.InspectionError) as refused:
            services.plan_inspection(
                collector,
                district,
                services.PlanInput(
                    day=campaign_today() - timedelta(days=1), inspector_id=user("blo.1.1").id, part_ids=()
                ),
                services.Part.district_id == district.id,
                campaign_today(),
            )
        assert set(refused.value.errors) == {"day", "inspector_id", "part_ids"}
        db.session.rollback()
        assert db.session.scalar(select(func.count(services.Inspection.id))) == 0


def test_booking_an_inspector_twice_on_a_day_is_found(app):
    with app.test_request_context():
        first = plan([part(1, 1)])
        second = plan([part(1, 2)])
        clashing = services.conflicts(first.inspector_id, first.day, own_id=second.id)
        assert [i.id for i in clashing] == [first.id]
        assert services.conflicts(first.inspector_id, first.day + timedelta(days=1)) == []


def test_a_visit_that_disagrees_flags_the_part_and_opens_an_ero_difficulty(app, without_seeded_difficulties):
    with app.test_request_context():
        # The count finds 10 % fewer forms distributed than reported, on a part where that still
        # leaves room for those collected and the ASD ones.
        today = campaign_today()

        def counted_of(r):
            return r.distributed - r.distributed // 10 - 1

        target, report = next(
            (p, r)
            for p in (part(1, n) for n in range(1, 7))
            if (r := _latest(p.id, today)) is not None
            and counted_of(r) >= r.collected + r.asd_absent + r.asd_shifted + r.asd_dead + r.asd_duplicate
        )
        inspection = plan([target])
        stop = inspection.stops[0]
        counted = counted_of(report)
        collector = user("collector.bhopal")
        services.record_visit(
            collector,
            stop,
            services.VisitInput(
                blo_present=True,
                verified={
                    "distributed": counted,
                    "collected": report.collected,
                    "digitized": report.digitized,
                },
                households_sampled=10,
                households_confirmed=9,
            ),
            services.settings_for(target.district_id),
            None,
            stop.version,
            campaign_today(),
        )
        db.session.commit()
        assert stop.status == StopStatus.VISITED and inspection.status == InspectionStatus.UNDER_WAY
        assert [f["kind"] for f in stop.findings] == ["distributed"]
        assert (stop.reported_distributed, stop.verified_distributed) == (report.distributed, counted)
        flag = db.session.scalar(select(PartFlag).where(PartFlag.part_id == target.id))
        assert flag.cleared_at is None and flag.stop_id == stop.id
        difficulty = db.session.get(Difficulty, stop.difficulty_id)
        assert (difficulty.source, difficulty.category, difficulty.level) == (
            Source.INSPECTION,
            Category.DISCREPANCY,
            Level.ERO,
        )
        assert difficulty.owner_id == user("ero.1").id
        # a second visit cannot be recorded over the first
        with pytest.raises(NotAllowed):
            services.record_visit(
                collector,
                stop,
                services.VisitInput(),
                services.settings_for(target.district_id),
                None,
                None,
                campaign_today(),
            )

        # The BLO's corrected report for the day agrees with the count: the flag clears.
        figures = {**report.figures(), "distributed": counted}
        blo = db.session.get(services.User, target.blo_id)
        submit_report(
            blo, target, report.report_date, figures, correction_reason="Recounted at the inspection"
        )
        db.session.commit()
        db.session.refresh(flag)
        assert flag.cleared_by == "report" and flag.cleared_at is not None


def test_a_report_that_still_disagrees_keeps_the_flag(app, without_seeded_difficulties):
    with app.test_request_context():
        target = part(1, 3)
        inspection = plan([target])
        stop = inspection.stops[0]
        report = _latest(target.id, inspection.day)
        services.record_visit(
            user("collector.bhopal"),
            stop,
            services.VisitInput(verified={"distributed": report.distributed - report.distributed // 10 - 1}),
            services.settings_for(target.district_id),
            None,
            None,
            campaign_today(),
        )
        db.session.commit()
        submit_report(
            db.session.get(services.User, target.blo_id), target, report.report_date, report.figures()
        )
        db.session.commit()
        flag = db.session.scalar(select(PartFlag).where(PartFlag.part_id == target.id))
        assert flag.cleared_at is None


def test_an_action_item_becomes_a_difficulty_with_its_owner_and_deadline(app, without_seeded_difficulties):
    with app.test_request_context():
        target = part(1, 4)
        inspection = plan([target])
        stop = inspection.stops[0]
        supervisor = (
            user("sup.1.1")
            if target.supervisor_id == user("sup.1.1").id
            else db.session.get(services.User, target.supervisor_id)
        )
        due = campaign_today() + timedelta(days=2)
        services.record_visit(
            user("collector.bhopal"),
            stop,
            services.VisitInput(actions=(services.ActionInput("Send 200 more forms", supervisor.id, due),)),
            services.settings_for(target.district_id),
            None,
            None,
            campaign_today(),
        )
        db.session.commit()
        difficulty = db.session.scalar(select(Difficulty).where(Difficulty.source == Source.INSPECTION))
        assert (difficulty.owner_id, difficulty.level, difficulty.description) == (
            supervisor.id,
            Level.SUPERVISOR,
            "Send 200 more forms",
        )
        # resolved by the end of the due day, in the campaign's zone
        assert difficulty.resolve_minutes > 24 * 60
        assert services._end_of_day(due) - difficulty.opened_at == pytest.approx(
            timedelta(minutes=difficulty.resolve_minutes), abs=timedelta(minutes=1)
        )


def test_an_action_for_someone_outside_the_part_is_refused(app):
    with app.test_request_context():
        target = part(1, 4)
        stop = plan([target]).stops[0]
        with pytest.raises(services.InspectionError) as refused:
            services.record_visit(
                user("collector.bhopal"),
                stop,
                services.VisitInput(
                    actions=(services.ActionInput("x", user("blo.1.1").id, campaign_today()),)
                ),
                services.settings_for(target.district_id),
                None,
                None,
                campaign_today(),
            )
        assert "action_1_owner" in refused.value.errors
        db.session.rollback()
        assert db.session.get(type(stop), stop.id).status == StopStatus.PENDING


def test_a_stale_page_is_refused(app):
    with app.test_request_context():
        inspection = plan([part(1, 1), part(1, 2)])
        with pytest.raises(VersionConflict):
            services.move(
                user("collector.bhopal"), inspection, inspection.stops[0].id, 1, inspection.version + 1
            )


def test_suggestions_say_why_and_stay_within_the_radius(app):
    with app.test_request_context():
        district = bhopal()
        settings = services.settings_for(district.id)
        found = services.suggestions(
            services.Part.district_id == district.id,
            services.district_start(district),
            campaign_today(),
            None,
            settings,
        )
        assert found, "the tiny demo has parts behind"
        assert all(s.reasons and s.km <= settings.suggest_radius_km for s in found)
        assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
        none = services.suggestions(
            services.Part.district_id == district.id, (8.0, 77.0), campaign_today(), None, settings
        )
        assert none == []  # nothing within 40 km of the far south
