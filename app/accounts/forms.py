from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.formatting import ROLE_LABELS  # noqa: F401 - re-exported for the routes
from app.forms import Form
from app.lists import ListForm, OptionField
from app.models import Role


class AccountForm(Form):
    role = SelectField(_l("Role"), validators=[DataRequired()])
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    login = StringField(
        _l("Login"),
        validators=[
            DataRequired(),
            Length(min=3, max=64),
            Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Use only letters, digits, dot, dash or underscore.")),
        ],
    )
    mobile = StringField(
        _l("Mobile"),
        validators=[Optional(), Regexp(r"^[6-9]\d{9}$", message=_l("Enter a 10-digit mobile number."))],
    )
    locale = SelectField(_l("Language"), choices=[("hi", "हिन्दी"), ("en", "English")])
    password = PasswordField(_l("First password"), validators=[DataRequired(), Length(min=8, max=128)])
    district_id = SelectField(_l("District"), coerce=int, validators=[Optional()])
    constituency_number = IntegerField(_l("AC number"), validators=[Optional()])
    parts = StringField(
        _l("Parts (AC-part, separated by commas)"),
        validators=[Optional(), Length(max=2000)],
        description=_l("For example: 152-12, 152-13"),
    )


class AccountListForm(ListForm):
    """The accounts list's controls: a search, a page and a role to narrow to."""

    role = OptionField()

    def __init__(self, **controls):
        super().__init__(**controls)
        self.role.options = tuple(role.value for role in Role)


class ActiveForm(Form):
    """Activate ("1") or deactivate (anything else) an account, from its row."""

    class Meta(Form.Meta):
        csrf = False  # checked for every post by CSRFProtect

    active = HiddenField()

    @property
    def activating(self) -> bool:
        return self.active.data == "1"
