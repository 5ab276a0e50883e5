"""Command-line tasks: `flask seed-demo`, `flask escalate`, `flask expire-offers`,
`flask purge-idempotency-keys`."""

from __future__ import annotations

import time

import click
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import District


def init_app(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option(
        "--scale", type=click.Choice(["tiny", "district", "state"]), default="district", show_default=True
    )
    @click.option("--if-empty", is_flag=True, help="Do nothing when places already exist.")
    def seed_demo_command(scale: str, if_empty: bool) -> None:
        """Fill the database with a synthetic Madhya Pradesh demo."""
        from app.demo import DEMO_PASSWORD, seed_demo

        if if_empty and db.session.scalar(select(func.count(District.id))):
            click.echo("Demo data already present; not seeding.")
            logins = None
        else:
            started = time.perf_counter()
            logins = seed_demo(scale, log=click.echo)
            click.echo(f"seed {scale}: {time.perf_counter() - started:.1f} s")
        if logins is None:
            from app.demo import demo_logins

            logins = demo_logins()
        click.echo(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD}):")
        for role, login in logins.items():
            click.echo(f"  {role:<11} {login}")

    @app.cli.command("expire-offers")
    def expire_offers_command() -> None:
        """Expire the volunteers' offers not answered in time (the periodic job does it too)."""
        from app.volunteers.tasks import expire_unanswered_offers

        click.echo(f"expired offers: {expire_unanswered_offers()}")

    @app.cli.command("escalate")
    def escalate_command() -> None:
        """Write the notices, breaches, climbs and automatic closes of difficulties that are due
        (what the queue does every five minutes, for those who prefer cron)."""
        from app.difficulties.tasks import run_escalation

        started = time.perf_counter()
        result = run_escalation()
        counts = " ".join(f"{name}={value}" for name, value in result.as_dict().items())
        click.echo(f"escalate: {counts} in {time.perf_counter() - started:.2f} s")

    @app.cli.command("purge-idempotency-keys")
    def purge_idempotency_keys_command() -> None:
        """Delete the idempotency keys older than 48 hours (the periodic job does it every hour)."""
        from app.idempotency import purge

        click.echo(f"purged idempotency keys: {purge()}")
