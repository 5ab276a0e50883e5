from __future__ import annotations

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app import audit
from app.access import ALL_ROLES, allow, public
from app.auth import bp
from app.auth.forms import ChangePasswordForm, LanguageForm, LoginForm, login_attempted
from app.auth.services import authenticate, change_password, set_locale
from app.errors import render_error
from app.extensions import db, limiter
from app.htmx import redirect_to, render
from app.inputs import local_path


def safe_next(target: str | None) -> str:
    """Only a local path may follow sign-in or a language change; anything else goes home."""
    return local_path(target) or url_for("main.home")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_key() -> str:
    return "login:" + login_attempted()


def _failed(response) -> bool:
    return response.status_code != 303


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed, key_func=_login_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.login.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            session.pop("lang", None)
            audit.record(user, "user.sign_in", user)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")), code=303)
        form.password.errors.append(_("Wrong login or password."))
        return render("auth/login.html", form=form, status=401)
    return render("auth/login.html", form=form, status=422 if form.errors else 200)


@bp.errorhandler(429)
def too_many_attempts(error):
    """Too many failed sign-ins: the sign-in page again, saying why, not the generic error page."""
    if request.endpoint != "auth.login":
        return render_error(429)
    form = LoginForm()
    form.password.errors = [_("Too many failed sign-ins. Please wait a few minutes before trying again.")]
    return render("auth/login.html", form=form, status=429)


@bp.route("/logout", methods=["POST"])
@allow(ALL_ROLES)
def logout():
    """Sign out everywhere: a copied session or remember cookie must not outlive the sign-out."""
    user = current_user._get_current_object()
    user.end_sessions()
    audit.record(user, "user.sign_out", user)
    db.session.commit()
    logout_user()
    flash(_("You have signed out."), "info")
    response = redirect_to(url_for("auth.login"))
    # The phone forgets the user's kept pages and queue (the page's script wipes them first, too).
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/language", methods=["POST"])
@public
def language():
    """Remember the language for the user, or for this browser before sign-in."""
    form = LanguageForm()
    lang = form.lang.data or ""
    if lang not in current_app.config["LANGUAGES"]:
        return render(
            "errors/error.html",
            status=400,
            title=_("Bad request"),
            message=_("Unknown language."),
            status_code=400,
        )
    session["lang"] = lang
    if current_user.is_authenticated:
        set_locale(current_user._get_current_object(), lang)
        db.session.commit()
    return redirect_to(safe_next(form.next.data))


@bp.route("/password", methods=["GET", "POST"])
@allow(ALL_ROLES)
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("The current password is not right."))
        else:
            user = current_user._get_current_object()
            change_password(user, form.new.data, user)
            db.session.commit()
            # Other phones and browsers are signed out; this one stays, remembered if it was.
            remembered = current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies
            login_user(user, remember=remembered)
            flash(_("Your password has been changed."), "success")
            return redirect_to(url_for("main.home"))
    status = 422 if request.method == "POST" else 200
    return render("auth/password.html", block="form", form=form, status=status)
