"""The last report's figure beside each field of a report form (small#p<part id>-<name>), built in
Python rather than by a template macro: a form has ten, and every live check and every save sends
them all again (the macro's calls were a tenth of a save's time)."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.figures.models import FIGURES
from app.formatting import number


def previous_marks(card, previous_label: str, oob: bool = False) -> dict[str, Markup]:
    """Each figure's mark: "Yesterday: 1,020", with "· as last report" while the field still shows
    that figure; "No earlier report" before the part's first. `oob`: swapped out of band."""
    pid = card.part.id
    swap = _SWAP if oob else Markup()
    previous = card.previous
    if previous is None:
        nothing = escape(_("No earlier report"))
    else:
        label = escape(previous_label)
        as_last = _AS_LAST.format(_("as last report"))
    marks = {}
    for name in FIGURES:
        last = card.as_last_report(name)
        if previous is None:
            text = nothing
        else:
            text = _SHOWN.format(label, number(getattr(previous, name)), as_last if last else Markup())
        css = "previous as-last" if last else "previous"
        marks[name] = _MARK.format(pid, name, css, swap, text)
    return marks


_SWAP = Markup(' hx-swap-oob="true"')
_AS_LAST = Markup(" · {}")
_SHOWN = Markup("{}: {}{}")
_MARK = Markup('<small id="p{}-{}" class="{}"{}>{}</small>')
