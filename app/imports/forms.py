from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired

from app.forms import Form


class UploadForm(Form):
    file = FileField(
        _l("File of part figures (.csv or .xlsx)"),
        validators=[
            FileRequired(message=_l("Choose a file to upload.")),
            FileAllowed(["csv", "xlsx"], message=_l("Upload a .csv or .xlsx file.")),
        ],
        description=_l("At most 20 MB. One row per part and date; headers in English or Hindi."),
        render_kw={
            "accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        },
    )
