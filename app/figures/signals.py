"""What the figures tell the features above them, without importing them (the data flows down):
`reports_saved` is sent in the saving transaction after a form's report or an import's reports are
written, with rows of (part_id, day, figures, report_id or None) and the actor's id. The
inspections clear a part's flag there when the new figures agree with what a visit counted."""

from blinker import Namespace

_signals = Namespace()
reports_saved = _signals.signal("reports-saved")
