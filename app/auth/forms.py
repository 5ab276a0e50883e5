from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from app.forms import Form


class LoginForm(Form):
    login = StringField(_l("Login"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    remember = BooleanField(_l("Keep me signed in on this phone"))


def login_attempted() -> str:
    """The login a sign-in post tries, as the rate limit counts it (trimmed, lower case; "" when
    none). The limiter asks for it before the view runs, so before any LoginForm is made: it reads
    the one field the form would, with no CSRF check and no refusal, whatever the post holds."""
    return (request.form.get("login") or "").strip().lower()


class LanguageForm(Form):
    """The language buttons on every page: the language chosen and the page to go back to. Any
    other language is refused by the route, with the same answer as before."""

    class Meta(Form.Meta):
        csrf = False  # checked for every post by CSRFProtect

    lang = HiddenField()
    next = HiddenField()


class ChangePasswordForm(Form):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=128)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two passwords differ."))],
    )
