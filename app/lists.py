"""One set of list controls: the GET form every list page reads, and the page of rows it shows.

A list's day, district or AC, search, sort, filter and page come in the query string. They are read
as one form (like canaille's `TableForm`), so a bad value is a form error answered with a 400 in the
reader's language, and a place outside the reader's scope is a 403 or 404, before anything reaches the
database or date arithmetic. A list offers only the controls it is given the context for: a day
when it knows today, a district or AC when it has a scope, a sort or filter when it names them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from flask import request
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import Select
from sqlalchemy.sql.elements import ColumnElement
from wtforms import Field, StringField
from wtforms.validators import ValidationError

from app.extensions import db
from app.forms import Form
from app.inputs import BadArgument, bad_value_message, parse_iso_day, parse_whole_number
from app.models import Campaign, Constituency, District, Part
from app.scope import Scope

SEARCH_LENGTH = 80
# The form has checked the page and the route chose the page size: Flask-SQLAlchemy need not.
_CHECKED_PAGE = {"max_per_page": None, "error_out": False}


class WholeNumberField(StringField):
    """ASCII digits from `minimum` to the largest id; absent or blank keeps the default."""

    def __init__(self, label=None, validators=None, minimum: int = 1, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.minimum = minimum

    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist else ""
        if not text:
            return
        try:
            self.data = parse_whole_number(text, self.minimum)
        except ValueError:
            self.data = None
            raise ValueError(bad_value_message(self.name, text)) from None


class OptionField(StringField):
    """One of the options a list offers; absent or blank keeps the default; anything else is refused."""

    options: Sequence[str] = ()

    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist else ""
        if text:
            self.data = text

    def pre_validate(self, form):
        if not self.options:
            self.data = None  # a control this list does not offer
        elif self.data is not None and self.data not in self.options:
            raise ValidationError(bad_value_message(self.name, self.data))


def _search(text: str | None) -> str:
    return (text or "")[:SEARCH_LENGTH].strip()


class ListForm(Form):
    """The query string of a list page: `page` and `q` always; the rest when the list offers them.

    Read it with `ListForm.read(...)`: it either returns the checked controls or raises the 400
    (or, for a place outside the scope, the scope's 403 or 404) that the error pages answer.
    """

    class Meta(Form.Meta):
        csrf = False

    page = WholeNumberField(minimum=0, default=1)
    q = StringField(filters=[_search], default="")
    date = StringField()
    district_id = WholeNumberField()
    constituency_id = WholeNumberField()
    sort = OptionField()
    order = OptionField()
    filter = OptionField()

    def __init__(
        self,
        today: date | None = None,
        campaign: Campaign | None = None,
        sorts: Sequence[str] = (),
        descending_sorts: Sequence[str] = (),
        filters: Sequence[str] = (),
    ):
        super().__init__(formdata=request.args)
        self.today, self.campaign = today, campaign
        self.descending_sorts = descending_sorts
        self.sort.options, self.filter.options = sorts, filters
        self.order.options = ("asc", "desc") if sorts else ()
        self.district: District | None = None
        self.constituency: Constituency | None = None

    @classmethod
    def read(cls, scope: Scope | None = None, **controls) -> ListForm:
        """The checked controls; with a scope, the district and AC asked for, each through it."""
        form = cls(**controls)
        if not form.validate():
            first = next(iter(form.errors.values()))
            raise BadArgument(message=str(first[0]))
        if scope is not None:
            form._narrow(scope)
        return form

    # -- the day -----------------------------------------------------------------------------
    def validate_date(self, field: Field) -> None:
        """A day of the campaign up to today; only for lists that know today."""
        text = (field.data or "").strip()
        if self.today is None or not text:
            field.data = None
            return
        try:
            day = parse_iso_day(text)
        except ValueError:
            raise ValidationError(
                _(
                    "“%(value)s” is not a date. The date must look like %(example)s.",
                    value=text[:20],
                    example=self.today.isoformat(),
                )
            ) from None
        if day > self.today:
            raise ValidationError(
                _("%(day)s is in the future: there are no figures for it yet.", day=day.isoformat())
            )
        if self.campaign is not None and day < self.campaign.enumeration_start - timedelta(days=1):
            raise ValidationError(_("The campaign had not started on that day."))
        field.data = day

    @property
    def day(self) -> date:
        """The day asked for, today when none was."""
        return self.date.data or self.today

    # -- narrowing to a district or an AC ----------------------------------------------------
    def _narrow(self, scope: Scope) -> None:
        district_id, constituency_id = self.district_id.data, self.constituency_id.data
        self.district = scope.require_district(district_id) if district_id else None
        self.constituency = scope.require_constituency(constituency_id) if constituency_id else None
        if self.district is not None and self.constituency is not None:
            if self.constituency.district_id != self.district.id:
                self.constituency = None  # the district was changed after the AC was chosen

    def part_conditions(self) -> list[ColumnElement[bool]]:
        """Narrow a list of parts to the district or AC asked for (already checked by the scope)."""
        conditions = []
        if self.district is not None:
            conditions.append(Part.district_id == self.district.id)
        if self.constituency is not None:
            conditions.append(Part.constituency_id == self.constituency.id)
        return conditions

    @property
    def narrowing(self) -> dict[str, int]:
        """The narrowing as query arguments, for the list's links and downloads."""
        args = {}
        if self.district is not None:
            args["district_id"] = self.district.id
        if self.constituency is not None:
            args["constituency_id"] = self.constituency.id
        return args

    # -- sort, order and filter --------------------------------------------------------------
    @property
    def sort_by(self) -> str | None:
        return self.sort.data or (self.sort.options[0] if self.sort.options else None)

    @property
    def descending(self) -> bool:
        if self.order.data:
            return self.order.data == "desc"
        return self.sort_by in self.descending_sorts

    @property
    def filter_by(self) -> str | None:
        return self.filter.data or (self.filter.options[0] if self.filter.options else None)

    @property
    def page_number(self) -> int:
        """Page 0 means the first page, as it always did."""
        return max(1, self.page.data)

    # -- pages -------------------------------------------------------------------------------
    def paginate(self, stmt: Select, per_page: int) -> Pagination:
        """One page of a select, past the last page the last one: a select of one model pages
        with `db.paginate` (its items are models); a select of several columns gives rows."""

        def page_of(page: int) -> Pagination:
            if len(stmt.column_descriptions) == 1:
                return db.paginate(stmt, page=page, per_page=per_page, **_CHECKED_PAGE)
            return RowsPagination(
                select=stmt, session=db.session, page=page, per_page=per_page, **_CHECKED_PAGE
            )

        return _last_page_at_most(page_of, self.page_number)

    def paginate_list(self, items: list, per_page: int) -> Pagination:
        """One page of rows already in memory (ranked or sorted in Python), the same way."""

        def page_of(page: int) -> Pagination:
            return ListPagination(items=items, page=page, per_page=per_page, **_CHECKED_PAGE)

        return _last_page_at_most(page_of, self.page_number)


def place_choices(scope: Scope, district: District | None) -> tuple[list[District], list[Constituency]]:
    """The places a page's filters offer: the scope's districts (only when it spans several), and the
    ACs of the district chosen, or of the reader's own area, only when more than one."""
    districts = list(db.session.scalars(scope.districts().order_by(District.name_en)))
    constituencies: list[Constituency] = []
    if district is not None or not scope.sees_whole_state:
        query = scope.constituencies().order_by(Constituency.number)
        if district is not None:
            query = query.where(Constituency.district_id == district.id)
        constituencies = list(db.session.scalars(query))
    return (districts if len(districts) > 1 else []), (constituencies if len(constituencies) > 1 else [])


def _last_page_at_most(page_of, page: int) -> Pagination:
    """The page asked for or, past the end (the last rows of a page were dealt with), the last one."""
    pages = page_of(page)
    if page > 1 and not pages.items and pages.total:
        pages = page_of(pages.pages)
    return pages


class RowsPagination(SelectPagination):
    """`db.paginate` for a select of several columns: its items are rows, not the first column."""

    def _query_items(self) -> list:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).all())


class ListPagination(Pagination):
    """Flask-SQLAlchemy's page object over a list, so every list has the same pager."""

    def _query_items(self) -> list:
        return self._query_args["items"][self._query_offset : self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["items"])
