"""The difficulties' forms read what people and pages send the same way everywhere: ids and
versions in Latin or Devanagari digits, a garbled hidden id refused as a bad request, and the
messages the pages show beside each field."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from app.difficulties.forms import (
    AssignForm,
    BulkAssignForm,
    DifficultyForm,
    MarkDuplicateForm,
    NoticesForm,
    PartForm,
    ResolveForm,
    RoutingForm,
    action_form,
)
from app.difficulties.models import Category
from app.difficulties.workflow import Action
from app.inputs import BadArgument


def _posted(app, data):
    return app.test_request_context(
        "/difficulties/1/resolve", method="POST", data=data, headers={"Accept-Language": "en"}
    )


def test_an_action_reads_the_version_and_the_number_of_the_original(app):
    with _posted(
        app, {"version": "३", "duplicate_of_id": " #१२ ", "resolution": "duplicate", "note": " done "}
    ):
        form = action_form(Action.RESOLVE)
        assert isinstance(form, ResolveForm) and form.problems() == {}
        data = form.action_input(Category.APP)
    assert (data.version, data.duplicate_of_id, data.resolution, data.note) == (3, 12, "duplicate", "done")


def test_an_action_without_its_version_or_with_a_garbled_original_is_refused_by_field(app):
    with _posted(app, {"version": "x", "duplicate_of_id": "twelve"}):
        form = MarkDuplicateForm()
        assert set(form.problems()) == {"version", "duplicate_of_id"}
        assert "open the page again" in form.problems()["version"]
        assert form.sent()["duplicate_of_id"] == "twelve"  # shown back as typed


def test_a_picked_template_is_the_note_when_none_is_written(app):
    with _posted(app, {"version": "1", "template": "0-en"}):
        data = action_form(Action.COMMENT).action_input(Category.NETWORK)
    assert data.note.startswith("Enter the forms where the network is available")


def test_a_garbled_assignee_is_no_choice(app):
    with _posted(app, {"version": "1", "assignee_id": "0"}):
        assert AssignForm().action_input(Category.APP).assignee_id is None


def test_the_bulk_assign_reads_each_ticked_row_with_its_version(app):
    with _posted(app, MultiDict([("ids", "3:2"), ("ids", "१४:१"), ("assignee_id", "7")])):
        form = BulkAssignForm()
        assert form.problems() == [] and form.ids.data == [(3, 2), (14, 1)] and form.assignee_id.data == 7
    with _posted(app, MultiDict([("ids", "3:2"), ("ids", "4")])):
        form = BulkAssignForm()
        assert form.ids.data is None
        assert form.problems() == ["Tick the difficulties to assign.", "Choose whom to give them to."]


def test_notices_ticked_none_or_garbled(app):
    with _posted(app, MultiDict([("id", "5"), ("id", "६")])):
        assert NoticesForm().ids.data == [5, 6]
    with _posted(app, MultiDict([("id", "5"), ("id", "x")])):
        assert NoticesForm().ids.data is None
    with _posted(app, {}):
        assert NoticesForm().ids.data == []  # none ticked: all of them


def test_a_garbled_part_or_original_on_the_new_form_is_a_bad_request(app):
    with app.test_request_context("/difficulties/new?part_id=१"):
        assert PartForm.part_id_in(MultiDict({"part_id": "१"})) == 1
        assert PartForm.part_id_in(MultiDict()) is None
        with pytest.raises(BadArgument):
            PartForm.part_id_in(MultiDict({"part_id": "x"}))
    with _posted(app, {"category": "app", "duplicate_of_id": "#3"}), pytest.raises(BadArgument):
        DifficultyForm()


def test_the_routing_form_names_what_is_wrong_per_category(app):
    fields = {}
    for category in Category:
        fields |= {f"{category.value}-first_level": "ero", f"{category.value}-acknowledge": "2"}
        fields[f"{category.value}-resolve"] = "24"
    fields |= {"app-first_level": "state", "network-acknowledge": "0", "health-resolve": "1,5"}
    with _posted(app, fields):
        form = RoutingForm()
        chosen, errors = form.routes()
        assert form.typed(Category.HEALTH, "resolve") == "1,5"
    assert set(errors) == {"app-first_level", "network-acknowledge", "health-resolve"}
    assert errors["health-resolve"] == "The time to resolve must be longer than the time to acknowledge."
    assert chosen[Category.MAPPING] == ("ero", 2.0, 24.0)
