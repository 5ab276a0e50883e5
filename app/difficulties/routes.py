"""The officers' side of the difficulties: the board with its bulk assign, one difficulty's page with
the actions its reader may take now, the notices, the badge on every page, and a district's routing."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, g, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import audit, idempotency
from app.access import OFFICERS, PLACE_VIEWERS, allow
from app.difficulties import bp, labels, services, sla, workflow
from app.difficulties.board import (
    OWNER_CHOICES,
    STATUS_CHOICES,
    BoardFilters,
    assignee_choices,
    badge_counts,
    board_query,
    narrowing_conditions,
    shown_constituencies,
    time_left,
)
from app.difficulties.models import (
    Category,
    Difficulty,
    DifficultyEvent,
    DifficultyPhoto,
    DifficultyRoute,
    Level,
    Notification,
    Resolution,
    Source,
)
from app.difficulties.services import ActionInput, DifficultyError, NotAllowed, VersionConflict
from app.difficulties.tasks import escalate_if_due
from app.difficulties.workflow import Action
from app.extensions import db
from app.formatting import day as format_day
from app.formatting import lang, number
from app.htmx import is_partial, redirect_to, render
from app.inputs import parse_whole_number
from app.lists import ListForm
from app.models import Constituency, District, Part, Role, User
from app.scope import Scope, current_scope
from app.timeutil import utcnow

# -- labels in templates -------------------------------------------------------------------------

_LABELS = {
    "category_label": labels.CATEGORY_LABELS,
    "severity_label": labels.SEVERITY_LABELS,
    "status_label": labels.STATUS_LABELS,
    "level_label": labels.LEVEL_LABELS,
    "source_label": labels.SOURCE_LABELS,
    "resolution_label": labels.RESOLUTION_LABELS,
    "event_label": labels.EVENT_LABELS,
    "notice_label": labels.NOTICE_LABELS,
    "action_label": labels.ACTION_LABELS,
}


def _label_filter(table: dict):
    by_value = {getattr(key, "value", key): text for key, text in table.items()}

    def label(value) -> str:
        if value is None:
            return "—"
        return str(by_value.get(getattr(value, "value", value), value))

    return label


for _name, _table in _LABELS.items():
    bp.add_app_template_filter(_label_filter(_table), _name)


@bp.app_template_filter("duration")
def duration(value: timedelta | None) -> str:
    """Clock time in hours and minutes (days past 48 hours), in the reader's language."""
    if value is None:
        return "—"
    minutes = max(int(value.total_seconds() // 60), 0)
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        return _("%(days)s d %(hours)s h", days=number(hours // 24), hours=number(hours % 24))
    if hours:
        return _("%(hours)s h %(minutes)s min", hours=number(hours), minutes=number(minutes))
    return _("%(minutes)s min", minutes=number(minutes))


# -- the badge on every page ---------------------------------------------------------------------


@bp.app_template_global("difficulty_badge")
def difficulty_badge() -> dict | None:
    """The nav link's address and count (queue + unread notices), for officers and BLOs only: one
    query, run only when base.html asks, once per request."""
    if not current_user.is_authenticated or current_user.role not in PLACE_VIEWERS:
        return None
    if "difficulty_badge" not in g:
        endpoint = "difficulties.board" if current_user.role in OFFICERS else "difficulties.mine"
        url = url_for(endpoint) if endpoint in current_app.view_functions else None
        queue, unread = badge_counts(current_user._get_current_object())
        g.difficulty_badge = {"url": url, "count": queue + unread, "queue": queue, "unread": unread}
    return g.difficulty_badge


# -- the board -----------------------------------------------------------------------------------


def _place_choices(scope: Scope) -> tuple[list, list]:
    """The state narrows by district; a collector (or anyone spanning several ACs) by AC."""
    if scope.sees_whole_state:
        return db.session.scalars(scope.districts().order_by(District.name_en)).all(), []
    acs = db.session.scalars(scope.constituencies().order_by(Constituency.number)).all()
    return [], (acs if len(acs) > 1 else [])


def _board_context(scope: Scope, message: str | None = None, level: str = "success") -> dict:
    user = scope.user
    form = ListForm.read(scope=scope)
    filters = BoardFilters.parse(request.args)
    now = utcnow()
    conditions = [
        *filters.conditions(user, now),
        *narrowing_conditions(form.district, form.constituency),
    ]
    pages = form.paginate(board_query(scope, conditions), current_app.config["PAGE_SIZE"])
    districts, constituencies = _place_choices(scope)
    args = {**filters.args, **form.narrowing}
    return {
        "pages": pages,
        "rows": [(row, time_left(row, now)) for row in pages.items],
        "filters": filters,
        "args": args,
        "narrowing": form.narrowing,
        "districts": districts,
        "constituencies": constituencies,
        "queue": services.queue_count(user),
        "assignees": assignee_choices(
            scope, user, shown_constituencies(scope, form.district, form.constituency)
        ),
        "status_choices": STATUS_CHOICES,
        "owner_choices": OWNER_CHOICES,
        "categories": list(Category),
        "sources": list(Source),
        "message": message,
        "message_level": level,
        "board_url": url_for("difficulties.board", **args, page=pages.page if pages.page > 1 else None),
    }


@bp.route("/")
@allow(OFFICERS)
def board():
    return render("difficulties/board.html", block="rows", **_board_context(current_scope()))


def _chosen(values: list[str]) -> list[tuple[int, int]] | None:
    """The ticked rows, each "id:version"; None when one is not of that form."""
    chosen = []
    for value in values:
        difficulty_id, _, version = value.partition(":")
        try:
            chosen.append((parse_whole_number(difficulty_id), parse_whole_number(version)))
        except ValueError:
            return None
    return chosen


@bp.route("/assign", methods=["POST"])
@allow(OFFICERS)
def bulk_assign():
    """Hand the ticked difficulties to one officer, all in one transaction or none of them."""
    scope = current_scope()
    user = scope.user
    chosen = _chosen(request.form.getlist("ids"))
    assignee_id = _whole_number(request.form.get("assignee_id"))
    problems: list[str] = []
    status = 422
    if not chosen:
        problems.append(_("Tick the difficulties to assign."))
    if assignee_id is None:
        problems.append(_("Choose whom to give them to."))
    if not problems:
        found = {
            d.id: d
            for d in db.session.scalars(
                select(Difficulty).where(Difficulty.id.in_([i for i, _ in chosen]), scope.of(Difficulty))
            )
        }
        now = utcnow()
        for difficulty_id, version in sorted(chosen):
            difficulty = found.get(difficulty_id)
            try:
                if difficulty is None:
                    raise NotAllowed()
                services.perform(
                    user,
                    difficulty,
                    Action.ASSIGN,
                    ActionInput(assignee_id=assignee_id, version=version),
                    now,
                )
            except VersionConflict:
                problems.append(_("#%(id)s was changed by someone else a moment ago.", id=difficulty_id))
                status = 409
                if difficulty is not None and difficulty.version != version:
                    continue
                break  # the conflict surfaced on writing: the session must be rolled back now
            except NotAllowed:
                problems.append(_("#%(id)s is not yours to assign now.", id=difficulty_id))
                status = 409 if status == 409 else 403
            except DifficultyError as error:
                problems.append(_("#%(id)s: %(problem)s", id=difficulty_id, problem=error))
    if problems:
        db.session.rollback()
        message = " ".join([_("Nothing was assigned."), *problems])
        if is_partial():
            return render(
                "difficulties/board.html",
                block="rows",
                status=status,
                **_board_context(scope, message, "error"),
            )
        flash(message, "error")
        return redirect_to(url_for("difficulties.board", **request.args))
    db.session.commit()
    assignee = db.session.get(User, assignee_id)
    message = _("%(count)s difficulties given to %(name)s.", count=number(len(chosen)), name=assignee.name)
    if is_partial():
        return render("difficulties/board.html", block="rows", **_board_context(scope, message))
    flash(message, "success")
    return redirect_to(url_for("difficulties.board", **request.args))


def _whole_number(text: str | None) -> int | None:
    try:
        return parse_whole_number(text or "")
    except ValueError:
        return None


# -- one difficulty ------------------------------------------------------------------------------

# Statuses of a conflict or a refusal, and the message each answers with.
CONFLICT_MESSAGE = _l(
    "Someone else changed this difficulty a moment ago; here is what it is now. Nothing you sent was saved."
)
REFUSED_MESSAGE = _l("You cannot do that to this difficulty now. Nothing was saved.")


def _show_context(
    scope: Scope, difficulty: Difficulty, *, message=None, level="info", errors=None, failed=None, sent=None
) -> dict:
    user = scope.user
    now = utcnow()
    events = list(
        db.session.scalars(
            select(DifficultyEvent)
            .where(DifficultyEvent.difficulty_id == difficulty.id)
            .options(selectinload(DifficultyEvent.actor), selectinload(DifficultyEvent.owner))
            .order_by(DifficultyEvent.id)
        )
    )
    clock = services.live_clock(difficulty, events, now)
    held = services.relations_of(user, difficulty)
    actions = workflow.allowed_actions(
        difficulty.status, held, reopenable=workflow.may_reopen(difficulty.resolved_at, now)
    )
    hints = []
    if Action.MARK_DUPLICATE in actions or difficulty.is_active:
        hints = services.duplicate_hints(difficulty.constituency_id, difficulty.category, now, difficulty.id)
        if hints:
            visible = set(
                db.session.scalars(
                    select(Difficulty.id).where(
                        Difficulty.id.in_([h.id for h in hints]), scope.of(Difficulty)
                    )
                )
            )
            hints = [h for h in hints if h.id in visible]
    has_photo = (
        db.session.scalar(select(DifficultyPhoto.id).where(DifficultyPhoto.difficulty_id == difficulty.id))
        is not None
    )
    return {
        "d": difficulty,
        "part": difficulty.part,
        "events": events,
        "clock": clock,
        "overdue": difficulty.is_overdue or (clock.running and clock.breached),
        "actions": actions,
        "simple_actions": [a for a in actions if a not in _FORM_ACTIONS],
        "hints": hints,
        "has_photo": has_photo,
        "assignees": services.assignees(difficulty, user) if Action.ASSIGN in actions else [],
        "resolutions": list(Resolution),
        "reopen_until": workflow.reopen_until(difficulty.resolved_at) if Action.REOPEN in actions else None,
        "reopen_days": sla.REOPEN_WITHIN.days,
        "reopen_max": workflow.REOPEN_REASON_MAX,
        "responses": labels.responses(difficulty.category),
        "message": message,
        "message_level": level,
        "errors": errors or {},
        "failed": failed,
        "sent": sent or {},
        "now": now,
    }


def _reopen_closed_message(closed: workflow.ReopenWindowClosed) -> str:
    """Reopening refused after its window: the window and when it was resolved, and what to do."""
    if closed.resolved_at is None:
        return str(REFUSED_MESSAGE)
    return _(
        "Reopening is possible for %(days)s days after it was resolved; it was resolved on "
        "%(resolved)s, so the last moment was %(until)s. Nothing was saved. If it is still not fixed, "
        "raise a new difficulty.",
        days=number(sla.REOPEN_WITHIN.days),
        resolved=format_day(closed.resolved_at),
        until=format_day(closed.until),
    )


# Actions that ask for more than a tap: they have their own form on the page.
_FORM_ACTIONS = {Action.RESOLVE, Action.COMMENT, Action.ASSIGN, Action.MARK_DUPLICATE, Action.REOPEN}


@bp.route("/<int:difficulty_id>")
@allow(PLACE_VIEWERS)
def show(difficulty_id: int):
    scope = current_scope()
    difficulty = scope.require(Difficulty, difficulty_id)
    # A step found due on reading goes to the queue (the page itself writes nothing); when the queue
    # runs tasks at once, the page shows what it did.
    if escalate_if_due(difficulty):
        db.session.refresh(difficulty)
    return render("difficulties/show.html", block="difficulty", **_show_context(scope, difficulty))


@bp.route("/<int:difficulty_id>/<action>", methods=["POST"])
@allow(PLACE_VIEWERS)
def act(difficulty_id: int, action: str):
    """One action of the workflow; the server decides whether it is allowed, whatever the page showed."""
    try:
        chosen = Action(action)
    except ValueError:
        abort(404)
    scope = current_scope()
    difficulty = scope.require(Difficulty, difficulty_id)
    form = request.form
    sent = {
        name: (form.get(name) or "").strip() for name in ("note", "resolution", "duplicate_of_id", "template")
    }
    note = sent["note"] or labels.response_text(difficulty.category, sent["template"] or None)
    errors: dict[str, str] = {}
    version = _whole_number(form.get("version"))
    if version is None:
        errors["version"] = _("This form has lost track of the difficulty's version: open the page again.")
    duplicate_of_id = _whole_number(sent["duplicate_of_id"].lstrip("#"))
    if sent["duplicate_of_id"] and duplicate_of_id is None:
        errors["duplicate_of_id"] = _("Give the number of the difficulty it repeats.")
    status, message = 200, None
    if not errors:
        data = ActionInput(
            note=note,
            resolution=sent["resolution"] or None,
            duplicate_of_id=duplicate_of_id,
            assignee_id=_whole_number(form.get("assignee_id")),
            version=version,
        )
        try:
            services.perform(scope.user, difficulty, chosen, data)
            db.session.commit()
        except VersionConflict:
            status, message = 409, str(CONFLICT_MESSAGE)
        except workflow.ReopenWindowClosed as closed:
            status, message = 403, _reopen_closed_message(closed)
            idempotency.refusal(message)
        except NotAllowed:
            status, message = 403, str(REFUSED_MESSAGE)
        except DifficultyError as error:
            errors = error.errors
    if errors:
        status = 422
        message = _("Nothing was saved: see the messages below.")
    if status != 200:
        db.session.rollback()
        difficulty = scope.require(Difficulty, difficulty_id)
        context = _show_context(
            scope,
            difficulty,
            message=message,
            level="error",
            errors=errors,
            failed=chosen,
            sent=sent if errors else None,
        )
        return render("difficulties/show.html", block="difficulty", status=status, **context)
    done = _("%(action)s: saved.", action=labels.ACTION_LABELS[chosen])
    if is_partial():
        return render(
            "difficulties/show.html", block="difficulty", **_show_context(scope, difficulty, message=done)
        )
    flash(done, "success")
    return redirect_to(url_for("difficulties.show", difficulty_id=difficulty.id))


# -- notices -------------------------------------------------------------------------------------


def _notifications_context(scope: Scope, message: str | None = None) -> dict:
    user = scope.user
    form = ListForm.read()
    query = (
        select(
            Notification,
            Difficulty.category,
            Difficulty.status,
            Constituency.number.label("ac_number"),
            Part.number.label("part_number"),
        )
        .join(Difficulty, Difficulty.id == Notification.difficulty_id)
        .join(Part, Part.id == Difficulty.part_id)
        .join(Constituency, Constituency.id == Difficulty.constituency_id)
        # A notice is its addressee's alone (the scope's owner rule); it carries no place of its own.
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    pages = form.paginate(query, current_app.config["PAGE_SIZE"])
    return {"pages": pages, "unread": services.unread_count(user), "message": message}


@bp.route("/notifications")
@allow(PLACE_VIEWERS)
def notifications():
    return render(
        "difficulties/notifications.html", block="notices", **_notifications_context(current_scope())
    )


@bp.route("/notifications/read", methods=["POST"])
@allow(PLACE_VIEWERS)
def mark_read():
    """Mark the ticked notices (or, without any, all of them) read."""
    scope = current_scope()
    values = request.form.getlist("id")
    ids = [_whole_number(value) for value in values]
    if any(i is None for i in ids):
        return render(
            "difficulties/notifications.html",
            block="notices",
            status=422,
            **_notifications_context(scope, _("That notice is not one of yours.")),
        )
    marked = services.mark_read(scope.user, ids or None)
    audit.record(scope.user, "difficulty.notifications_read", scope.user, None, {"count": marked})
    db.session.commit()
    message = _("%(count)s notices marked read.", count=number(marked))
    if is_partial():
        return render(
            "difficulties/notifications.html", block="notices", **_notifications_context(scope, message)
        )
    flash(message, "success")
    return redirect_to(url_for("difficulties.notifications"))


# -- a district's routing ------------------------------------------------------------------------

ROUTE_LEVELS = (Level.SUPERVISOR, Level.ERO, Level.COLLECTOR)
MAX_ACKNOWLEDGE_HOURS = 72
MAX_RESOLVE_HOURS = 24 * 30


def _hours(text: str) -> float | None:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _hours_text(minutes: float) -> str:
    hours = minutes / 60
    return str(int(hours)) if hours == int(hours) else f"{hours:.2f}".rstrip("0")


def _read_routes(form) -> tuple[dict, dict]:
    """Each category's choice from the posted form, and the messages of what is wrong with it."""
    chosen, errors = {}, {}
    for category in Category:
        level = form.get(f"{category.value}-first_level", "")
        acknowledge = _hours(form.get(f"{category.value}-acknowledge", ""))
        resolve = _hours(form.get(f"{category.value}-resolve", ""))
        if level not in {lv.value for lv in ROUTE_LEVELS}:
            errors[f"{category.value}-first_level"] = _("Choose who gets it first.")
        if acknowledge is None or round(acknowledge * 60) < 1:
            errors[f"{category.value}-acknowledge"] = _("Give a number of hours above 0.")
        elif acknowledge > MAX_ACKNOWLEDGE_HOURS:
            errors[f"{category.value}-acknowledge"] = _(
                "At most %(hours)s hours to acknowledge.", hours=number(MAX_ACKNOWLEDGE_HOURS)
            )
        if resolve is None or round(resolve * 60) < 1:
            errors[f"{category.value}-resolve"] = _("Give a number of hours above 0.")
        elif resolve > MAX_RESOLVE_HOURS:
            errors[f"{category.value}-resolve"] = _(
                "At most %(hours)s hours to resolve.", hours=number(MAX_RESOLVE_HOURS)
            )
        elif acknowledge is not None and resolve <= acknowledge:
            errors[f"{category.value}-resolve"] = _(
                "The time to resolve must be longer than the time to acknowledge."
            )
        chosen[category] = (level, acknowledge, resolve)
    return chosen, errors


def _routing_rows(district: District, posted=None) -> list[dict]:
    saved = services.policies([district.id])
    rows = []
    for category in Category:
        default = sla.DEFAULT_POLICIES[category]
        policy = saved.get((district.id, category), default)
        row = {
            "category": category,
            "default": default,
            "default_acknowledge": _hours_text(default.acknowledge.total_seconds() / 60),
            "default_resolve": _hours_text(default.resolve.total_seconds() / 60),
            "first_level": policy.first_level.value,
            "acknowledge": _hours_text(policy.acknowledge.total_seconds() / 60),
            "resolve": _hours_text(policy.resolve.total_seconds() / 60),
            "changed": (district.id, category) in saved and policy != default,
        }
        if posted is not None:
            row["first_level"] = posted.get(f"{category.value}-first_level", "")
            row["acknowledge"] = posted.get(f"{category.value}-acknowledge", "")
            row["resolve"] = posted.get(f"{category.value}-resolve", "")
        rows.append(row)
    return rows


def _save_routes(user: User, district: District, chosen: dict) -> None:
    existing = {
        r.category: r
        for r in db.session.scalars(select(DifficultyRoute).where(DifficultyRoute.district_id == district.id))
    }
    before = {
        c.value: [r.first_level.value, r.acknowledge_minutes, r.resolve_minutes] for c, r in existing.items()
    }
    after = {}
    for category, (level, acknowledge, resolve) in chosen.items():
        route = existing.get(category)
        if route is None:
            route = DifficultyRoute(district_id=district.id, category=category)
            db.session.add(route)
        route.first_level = Level(level)
        route.acknowledge_minutes = round(acknowledge * 60)
        route.resolve_minutes = round(resolve * 60)
        route.updated_by_id = user.id
        after[category.value] = [level, route.acknowledge_minutes, route.resolve_minutes]
    audit.record(user, "difficulty.routing", district, before, after)


@bp.route("/routing", methods=["GET", "POST"])
@allow(Role.COLLECTOR, Role.STATE)
def routing():
    """The collector sets each category's first owner and clocks for the district; the state office
    reads any district's."""
    scope = current_scope()
    user = scope.user
    editable = user.role == Role.COLLECTOR
    if editable:
        if user.district_id is None:
            abort(403)
        district = scope.require_district(user.district_id)
        if request.args.get("district_id") not in (None, "", str(district.id)):
            abort(403)
    else:
        if request.method == "POST":
            abort(403)
        district_id = _whole_number(request.args.get("district_id"))
        district = scope.require_district(district_id) if district_id else None
    context = {
        "district": district,
        "editable": editable,
        "levels": ROUTE_LEVELS,
        "districts": []
        if editable
        else db.session.scalars(scope.districts().order_by(District.name_en)).all(),
        "errors": {},
        "message": None,
        "limits": {"acknowledge": MAX_ACKNOWLEDGE_HOURS, "resolve": MAX_RESOLVE_HOURS},
    }
    if request.method == "POST":
        chosen, errors = _read_routes(request.form)
        if errors:
            return render(
                "difficulties/routing.html",
                block="routes",
                status=422,
                **{
                    **context,
                    "rows": _routing_rows(district, request.form),
                    "errors": errors,
                    "message": _("Nothing was saved: see the messages below."),
                },
            )
        _save_routes(user, district, chosen)
        db.session.commit()
        message = _("The routing of %(district)s is saved.", district=district.name(lang()))
        if not is_partial():
            flash(message, "success")
            return redirect_to(url_for("difficulties.routing"))
        context["message"] = message
    context["rows"] = _routing_rows(district) if district is not None else []
    return render("difficulties/routing.html", block="routes", **context)
