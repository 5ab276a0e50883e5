from __future__ import annotations

from flask import current_app, flash, request, url_for
from flask_babel import gettext as _

from app.access import allow
from app.accounts import bp
from app.accounts.forms import ROLE_LABELS, AccountForm, AccountListForm, ActiveForm
from app.accounts.pages import accounts_listed, districts_offered
from app.accounts.services import (
    AccountError,
    NewAccount,
    create_account,
    reset_password,
    set_active,
)
from app.extensions import db
from app.formatting import lang
from app.htmx import is_partial, redirect_to, render
from app.models import Role
from app.scope import current_scope

MANAGERS = (Role.ADMIN, Role.COLLECTOR)


@bp.route("/")
@allow(MANAGERS)
def index():
    scope = current_scope()
    form = AccountListForm.read()
    q, role = form.q.data, form.role.data
    stmt = accounts_listed(scope, q, role)
    return render(
        "accounts/index.html",
        block="rows",
        pages=form.paginate(stmt, current_app.config["PAGE_SIZE"]),
        q=q,
        role=role or "",
        role_labels=ROLE_LABELS,
        manageable=scope.can_manage_roles(),
    )


def _account_form() -> AccountForm:
    scope = current_scope()
    form = AccountForm()
    form.role.choices = [(r.value, ROLE_LABELS[r.value]) for r in Role if r in scope.can_manage_roles()]
    districts = districts_offered(scope, lang())
    form.district_id.choices = [(0, "—")] + [(d.id, d.name(lang())) for d in districts]
    return form


@bp.route("/new", methods=["GET", "POST"])
@allow(MANAGERS)
def create():
    form = _account_form()
    if form.validate_on_submit():
        data = NewAccount(
            role=Role(form.role.data),
            name=form.name.data,
            login=form.login.data,
            mobile=form.mobile.data or "",
            locale=form.locale.data,
            password=form.password.data,
            district_id=form.district_id.data or None,
            constituency_number=form.constituency_number.data,
            parts=form.parts.data or "",
        )
        try:
            user = create_account(current_scope(), data)
        except AccountError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Account %(login)s created.", login=user.login), "success")
            return redirect_to(url_for("accounts.index", q=user.login))
    status = 422 if request.method == "POST" else 200
    return render("accounts/new.html", block="form", form=form, status=status)


def _refused(error: AccountError, user):
    """A change the actor may not make: nothing saved, the reason shown where the row is."""
    db.session.rollback()
    return render(
        "accounts/reset.html",
        block="notice",
        status=403,
        notice=error.message,
        notice_kind="error",
        user=user,
    )


@bp.route("/<int:user_id>/reset-password", methods=["POST"])
@allow(MANAGERS)
def reset(user_id: int):
    scope = current_scope()
    user = scope.require_user(user_id)
    try:
        temporary = reset_password(scope, user)
    except AccountError as error:
        return _refused(error, user)
    db.session.commit()
    # Shown once, in this response only: never flashed into the session cookie.
    return render(
        "accounts/reset.html",
        block="notice",
        notice_kind="success",
        user=user,
        notice=_(
            "New password for %(login)s: %(password)s. Tell it to them by phone; it is shown only once.",
            login=user.login,
            password=temporary,
        ),
    )


@bp.route("/<int:user_id>/active", methods=["POST"])
@allow(MANAGERS)
def toggle_active(user_id: int):
    scope = current_scope()
    user = scope.require_user(user_id)
    try:
        set_active(scope, user, ActiveForm().activating)
    except AccountError as error:
        return _refused(error, user)
    db.session.commit()
    if not is_partial():
        flash(_("Account %(login)s updated.", login=user.login), "success")
        return redirect_to(url_for("accounts.index", q=user.login))
    return render(
        "accounts/index.html",
        block="user_row",
        u=user,
        role_labels=ROLE_LABELS,
        manageable=scope.can_manage_roles(),
    )
