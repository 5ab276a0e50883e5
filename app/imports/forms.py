from flask_babel import lazy_gettext as _l

from app.forms import Form, TableFileField


class UploadForm(Form):
    file = TableFileField(
        _l("File of part figures (.csv or .xlsx)"),
        description=_l("At most 20 MB. One row per part and date; headers in English or Hindi."),
    )
