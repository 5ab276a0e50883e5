"""The consumer's entry point: `huey_consumer app.worker.huey`.

Building the app once registers every feature's tasks (the blueprints import them) and points
the queue at QUEUE_URL; each task then runs in an app context of this app.
"""

from app import create_app
from app.tasks import huey

app = create_app()

__all__ = ["app", "huey"]
