from __future__ import annotations

import re
import secrets
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import ValidationError

from app.forms import Form
from app.reviews.labels import DIFFICULTY_LABELS, KIND_LABELS
from app.reviews.models import ReviewKind
from app.reviews.services import (
    OUTCOME_MAX_LENGTH,
    NewReview,
    difficulty_problem,
    follow_up_problem,
    kind_problem,
    outcome_problem,
)


class OptionalDateField(DateField):
    """A date that may be left empty; a malformed one gets our message, in the user's language."""

    def process_formdata(self, valuelist):
        if not any((value or "").strip() for value in valuelist):
            self.data = None
            return
        super().process_formdata(valuelist)


_FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}", re.ASCII)


class ReviewForm(Form):
    """The rules themselves live in app/reviews/services.py; the form only reports them per field."""

    # One per rendered form, kept through a re-render with errors: a second Save of it adds nothing.
    form_token = HiddenField()

    kind = RadioField(
        _l("How you reviewed"),
        choices=[(kind.value, label) for kind, label in KIND_LABELS.items()],
        validate_choice=False,
    )
    outcome = TextAreaField(
        _l("Outcome: what was said and agreed"),
        render_kw={"maxlength": OUTCOME_MAX_LENGTH, "rows": 4},
    )
    difficulty = SelectField(
        _l("Difficulty heard"),
        choices=[("", _l("None"))] + [(d.value, label) for d, label in DIFFICULTY_LABELS.items()],
        default="",
        validate_choice=False,
    )
    follow_up_on = OptionalDateField(
        _l("Follow up on"),
        invalid_value_message=_l("Enter a date, like 2025-11-20."),
        description=_l("Leave empty when nothing needs following up."),
    )

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        if not self.is_submitted():
            self.kind.data = self.kind.data or ReviewKind.CALL.value  # a new form starts at "call"
            self.form_token.data = secrets.token_urlsafe(24)
        self.follow_up_on.render_kw = {"min": today.isoformat()}

    def validate_kind(self, field):
        self._check(kind_problem(field.data))

    def validate_outcome(self, field):
        self._check(outcome_problem(field.data))

    def validate_difficulty(self, field):
        self._check(difficulty_problem(field.data))

    def validate_follow_up_on(self, field):
        self._check(follow_up_problem(field.data, self.today))

    @staticmethod
    def _check(problem: str | None) -> None:
        if problem:
            raise ValidationError(problem)

    def review(self) -> NewReview:
        return NewReview(
            kind=self.kind.data,
            outcome=self.outcome.data,
            difficulty=self.difficulty.data or None,
            follow_up_on=self.follow_up_on.data,
            form_token=self.form_token.data if _FORM_TOKEN.fullmatch(self.form_token.data or "") else None,
        )

    def add_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            getattr(self, name).errors.append(message)
