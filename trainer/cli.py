"""The ``trainer`` command: thin wrappers over services. Each docstring is its --help text."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import ScriptInfo, with_appcontext

from trainer.clock import utcnow
from trainer.domain.errors import RuleError
from trainer.domain.roles import ROLES


def register(app: Flask) -> None:
    app.cli.add_command(user)
    app.cli.add_command(demo)
    app.cli.add_command(totp_code)
    app.cli.add_command(serve)
    app.cli.add_command(exam)
    app.cli.add_command(worker)
    app.cli.add_command(progress)
    from trainer.backup_cli import backup, restore
    from trainer.certificate_cli import certificate
    from trainer.content_cli import content
    from trainer.operations_cli import audit, keys, storage

    app.cli.add_command(content)
    app.cli.add_command(certificate)
    app.cli.add_command(keys)
    app.cli.add_command(audit)
    app.cli.add_command(storage)
    app.cli.add_command(backup)
    app.cli.add_command(restore)


@click.group()
def user() -> None:
    """Manage accounts."""


@user.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Legal name, as certificates print it.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    help=f"One of {', '.join(ROLES)}; repeat for several.",
)
@click.option("--jurisdiction", help="Board members: the jurisdiction code, e.g. KY.")
@click.option("--organisation", help="Employers: the organisation's name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def user_create(
    email: str,
    name: str,
    roles: tuple[str, ...],
    jurisdiction: str | None,
    organisation: str | None,
    password_stdin: bool,
) -> None:
    """Create an account. The password is asked for, or read from stdin with --password-stdin."""
    from trainer.extensions import db
    from trainer.services import accounts

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        person = accounts.create_user(
            None,
            email,
            name,
            set(roles),
            jurisdiction,
            password=password,
            now=utcnow(),
            organisation=organisation,
        )
    except RuleError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.field or 'error'}: {error.message}") from None
    db.session.commit()
    click.echo(f"created {person.email} ({', '.join(sorted(person.roles))})")


@user.command("reset-two-factor")
@click.argument("email")
@with_appcontext
def user_reset_two_factor(email: str) -> None:
    """Turn off two-factor sign-in for someone who lost their phone and their recovery codes
    (check who they are first). They are signed out everywhere; an administrator or board
    member is asked to set it up again at their next sign-in."""
    from trainer.extensions import db
    from trainer.services import accounts, two_factor

    person = accounts.find_by_email(email)
    if person is None:
        raise click.ClickException(f"no account has the address {email}")
    if not two_factor.reset(person, utcnow()):
        raise click.ClickException(f"{person.email} does not use two-factor sign-in")
    db.session.commit()
    click.echo(f"two-factor sign-in is off for {person.email}; they are signed out everywhere")


@click.command()
@with_appcontext
def demo() -> None:
    """Seed the demo accounts (and demo data). Running it again changes nothing."""
    from trainer.services import demo as demo_service

    for line in demo_service.seed(utcnow()):
        click.echo(line)


@click.command("totp-code")
@click.argument("email")
@with_appcontext
def totp_code(email: str) -> None:
    """Print the current two-factor sign-in code of a demo account (admin@demo.trainer,
    board@demo.trainer), for scripts that sign in to the demo. Other accounts: refused."""
    from trainer.domain import two_factor as rules
    from trainer.services import accounts, two_factor
    from trainer.services import demo as demo_service

    person = accounts.find_by_email(email)
    if accounts.normalise_email(email) not in demo_service.TWO_FACTOR_ACCOUNTS or not person:
        raise click.ClickException("only the demo accounts' codes are shown (run `trainer demo`)")
    secret = two_factor.secret_of(person)
    if secret is None:
        raise click.ClickException(f"{person.email} does not use two-factor sign-in")
    click.echo(rules.code_at(secret, utcnow()))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option(
    "--with-worker",
    is_flag=True,
    help="Also run `trainer worker` beside the server, and stop it with the server.",
)
def serve(host: str, port: int, workers: int, with_worker: bool) -> None:
    """Serve the app with gunicorn, the production server."""
    from trainer.server import run

    factory = click.get_current_context().ensure_object(ScriptInfo).create_app
    if factory is None:
        raise click.UsageError("run this as `trainer serve`, which knows how to build the app")
    run(factory, host, port, workers, with_worker=with_worker)


@click.command()
@click.option("--once", is_flag=True, help="Do everything that is due now, then exit.")
@with_appcontext
def worker(once: bool) -> None:
    """Deliver queued mail (with retries) and run the scheduled jobs: close exam attempts past
    their deadline, supervisor digests and week-old reminders, renewal reminders.

    Runs until SIGTERM or Ctrl-C. Several workers may run at once on PostgreSQL; see
    README.md. With --once it does what is due and exits (for cron or a test)."""
    import logging

    from flask import current_app

    from trainer.worker import Worker

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s [worker] %(levelname)s %(name)s: %(message)s"
    )
    runner = Worker(current_app._get_current_object())  # type: ignore[attr-defined]  # the proxied app
    runner.handle_signals()
    if once:
        summary = runner.run_once()
        click.echo(f"sent {summary.sent}, failed {summary.failed}")
        for name, result in summary.jobs.items():
            click.echo(f"{name}: {result}")
    else:
        runner.run_forever()


@click.group()
def exam() -> None:
    """Certification exam housekeeping."""


@exam.command("close-expired")
@with_appcontext
def exam_close_expired() -> None:
    """Score and close every exam attempt past its deadline (run it from cron, e.g. every
    5 minutes). Attempts also close when their taker returns; this catches the abandoned ones
    so results, waiting periods and certificates do not wait for them."""
    from trainer.extensions import db
    from trainer.services import exams

    closed = exams.close_expired(utcnow())
    db.session.commit()
    click.echo(f"closed {closed} expired attempt{'' if closed == 1 else 's'}")


@click.group()
def progress() -> None:
    """The progress read model (what the progress pages and issuance read)."""


@progress.command("rebuild")
@with_appcontext
def progress_rebuild() -> None:
    """Recompute every enrolment's progress from history (modules, exam, approved hours,
    statements, documents) in one transaction. Safe to run at any time: the state is
    derived data. Content loads do it on their own; run it after restoring or importing
    records by other means."""
    from trainer.extensions import db
    from trainer.services import progress as progress_service
    from trainer.services import release

    if release.current() is None:
        click.echo("no content is loaded: nothing to rebuild", err=True)
        sys.exit(1)
    n = progress_service.rebuild(utcnow())
    db.session.commit()
    click.echo(f"rebuilt the progress of {n} enrolment{'' if n == 1 else 's'}")
