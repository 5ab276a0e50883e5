"""Weak networks, the browser's side (issue 11): the service worker, the web app manifest, the queue
page of posts kept on the phone, and which pages a phone may keep to read offline."""

from flask import Blueprint

bp = Blueprint("offline", __name__)

from app.offline import routes  # noqa: E402,F401
