from __future__ import annotations

from datetime import date

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import audit
from app.access import ALL_ROLES, allow
from app.campaign import bp
from app.campaign.forms import CampaignForm
from app.campaign.services import current_campaign, update_campaign
from app.extensions import db
from app.htmx import redirect_to, render
from app.models import Campaign, Role


@bp.route("/", methods=["GET", "POST"])
@allow(ALL_ROLES - {Role.ADMIN})
def settings():
    """Everyone sees the campaign's dates and target; only the state office changes them."""
    campaign = current_campaign()
    can_edit = current_user.role == Role.STATE
    form = CampaignForm(obj=campaign)
    if request.method == "GET" and campaign is None:
        form.timezone.data = "Asia/Kolkata"
        form.daily_target_percent.data = 10
        form.report_cutoff_hour.data = 12
    if request.method == "POST":
        if not can_edit:
            abort(403)
        if form.validate_on_submit():
            if campaign is None:
                campaign = Campaign(
                    name=form.name.data,
                    enumeration_start=date.today(),
                    enumeration_end=date.today(),
                )
                db.session.add(campaign)
                db.session.flush()
                audit.record(current_user, "campaign.create", campaign)
            update_campaign(
                campaign,
                current_user,
                name=form.name.data,
                enumeration_start=form.enumeration_start.data,
                enumeration_end=form.enumeration_end.data,
                daily_target_percent=form.daily_target_percent.data,
                timezone=form.timezone.data,
                report_cutoff_hour=form.report_cutoff_hour.data,
            )
            db.session.commit()
            flash(_("Campaign settings saved."), "success")
            return redirect_to(url_for("campaign.settings"))
    status = 422 if request.method == "POST" else 200
    return render(
        "campaign/settings.html", block="form", form=form, campaign=campaign, can_edit=can_edit, status=status
    )
