from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError

from app.forms import Form


class CampaignForm(Form):
    name = StringField(_l("Campaign name"), validators=[DataRequired(), Length(max=120)])
    enumeration_start = DateField(_l("Enumeration starts"), validators=[DataRequired()])
    enumeration_end = DateField(_l("Enumeration ends"), validators=[DataRequired()])
    daily_target_percent = DecimalField(
        _l("Daily target (percent of forms digitized per day)"),
        places=2,
        validators=[DataRequired(), NumberRange(min=0.01, max=100)],
    )
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)])
    report_cutoff_hour = IntegerField(
        _l("Hour until which yesterday's report can still be filled"),
        validators=[NumberRange(min=0, max=23)],
    )

    def validate_enumeration_end(self, field):
        if self.enumeration_start.data and field.data and field.data < self.enumeration_start.data:
            raise ValidationError(_l("The end date must not be before the start date."))

    def validate_timezone(self, field):
        if field.data not in available_timezones():
            raise ValidationError(_l("Unknown time zone, e.g. Asia/Kolkata."))
