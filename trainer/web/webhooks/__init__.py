"""Webhooks of board members and employers: add an endpoint (its secret shown once), see
its deliveries and what each try got back, replay one, send a test event, change its
settings, make a new secret, disable, enable or delete it. The rules and the sending are
``services.webhooks``; an endpoint of someone else answers 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice, StringField
from wtforms.validators import Length

from trainer.clock import utcnow
from trainer.domain import outbox as outbox_rules
from trainer.domain import webhooks as rules
from trainer.extensions import db, limiter
from trainer.services import webhooks
from trainer.web.access import roles
from trainer.web.forms import CheckboxesField, act, save

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
OWNERS = ("board", "employer")

#: test events and replays make this site POST to an address its user chose: a few a
#: minute per person, so nobody can use it to flood someone else's server
sends_limit = limiter.shared_limit(
    lambda: current_app.config["WEBHOOK_SEND_RATE_LIMIT"],
    scope="webhook-sends",
    key_func=lambda: f"user:{current_user.get_id()}",
)


class EndpointForm(FlaskForm):
    url = StringField(
        "Address (URL)",
        description="An https:// address of your system that accepts POST requests.",
    )  # its rules (and their messages) are services.webhooks.create's
    description = StringField(
        "Description (optional)",
        description="For example: Licensing database sync.",
        validators=[Length(max=rules.MAX_DESCRIPTION)],
    )
    events = CheckboxesField(
        "Events to send",
        choices=[SelectChoice(k, v) for k, v in rules.EVENT_LABELS.items()],
    )


def _me() -> Any:
    return current_user._get_current_object()


def _index(form: EndpointForm, secret: str | None = None, status: int = 200) -> Any:
    return render_template(
        "webhooks/index.html",
        form=form,
        endpoints=webhooks.endpoints_of(_me()),
        labels=rules.EVENT_LABELS,
        secret=secret,
        limit=webhooks.MAX_ENDPOINTS,
    ), status


@bp.get("/")
@roles(*OWNERS)
def index():
    """Your endpoints, and the form to add one."""
    return _index(EndpointForm(formdata=None, events=list(rules.EVENT_LABELS)))


@bp.post("/")
@roles(*OWNERS)
def create():
    form = EndpointForm()
    created = save(
        form,
        lambda: webhooks.create(
            _me(),
            form.url.data or "",
            form.description.data or "",
            list(form.events.data or []),
            utcnow(),
        ),
    )
    if not created:
        return _index(form, status=400)
    _, secret = created.value
    # shown once, on this response only (signed-in pages are never cached)
    return _index(EndpointForm(formdata=None, events=list(rules.EVENT_LABELS)), secret=secret)


@bp.get("/<int:endpoint_id>")
@roles(*OWNERS)
def endpoint(endpoint_id: int):
    """One endpoint: its settings and its deliveries, newest first, with every try."""
    page = request.args.get("page", "1")
    number = int(page) if page.isdigit() and 0 < len(page) < 6 and int(page) > 0 else 1
    return _endpoint_page(endpoint_id, number)


def _endpoint_page(
    endpoint_id: int,
    number: int,
    secret: str | None = None,
    form: EndpointForm | None = None,
    status: int = 200,
) -> Any:
    view, deliveries, has_next = webhooks.deliveries(_me(), endpoint_id, number, utcnow())
    if form is None:
        form = EndpointForm(
            formdata=None, url=view.url, description=view.description, events=view.events
        )
    return render_template(
        "webhooks/endpoint.html",
        endpoint=view,
        deliveries=deliveries,
        page=number,
        has_next=has_next,
        labels=rules.EVENT_LABELS,
        states=outbox_rules.STATES,
        test_event=rules.TEST_EVENT,
        secret=secret,
        form=form,
    ), status


@bp.post("/<int:endpoint_id>")
@roles(*OWNERS)
def change(endpoint_id: int):
    """Change the address, description or events; refused input re-renders beside it."""
    form = EndpointForm()
    changed = save(
        form,
        lambda: webhooks.change(
            _me(),
            endpoint_id,
            form.url.data or "",
            form.description.data or "",
            list(form.events.data or []),
            utcnow(),
        ),
    )
    if not changed:
        return _endpoint_page(endpoint_id, 1, form=form, status=400)
    flash("Saved. New deliveries use these settings.", "success")
    return redirect(_back(endpoint_id))


@bp.post("/<int:endpoint_id>/secret")
@roles(*OWNERS)
def rotate_secret(endpoint_id: int):
    """A new signing secret, shown on this response only (never flashed: the flash lives in
    the session cookie); the old one keeps signing beside it for a day."""
    _, secret = webhooks.rotate_secret(_me(), endpoint_id, utcnow())
    db.session.commit()
    return _endpoint_page(endpoint_id, 1, secret=secret)


def _back(endpoint_id: int) -> str:
    return url_for("webhooks.endpoint", endpoint_id=endpoint_id)


@bp.post("/<int:endpoint_id>/test")
@roles(*OWNERS)
@sends_limit
def send_test(endpoint_id: int):
    return act(
        lambda: webhooks.send_test(_me(), endpoint_id, utcnow()),
        _back(endpoint_id),
        "A test event is queued; it is sent within a minute. Refresh to see the answer.",
    )


@bp.post("/<int:endpoint_id>/disable")
@roles(*OWNERS)
def disable(endpoint_id: int):
    return act(
        lambda: webhooks.disable(_me(), endpoint_id, utcnow()),
        _back(endpoint_id),
        "The webhook is disabled: nothing more is sent to it until you enable it.",
    )


@bp.post("/<int:endpoint_id>/enable")
@roles(*OWNERS)
def enable(endpoint_id: int):
    return act(
        lambda: webhooks.enable(_me(), endpoint_id, utcnow()),
        _back(endpoint_id),
        "The webhook is enabled: new events are sent to it again.",
    )


@bp.post("/<int:endpoint_id>/delete")
@roles(*OWNERS)
def delete(endpoint_id: int):
    return act(
        lambda: webhooks.delete(_me(), endpoint_id, utcnow()),
        url_for("webhooks.index"),
        lambda view: f"The webhook to {view.url} is deleted.",
    )


@bp.post("/<int:endpoint_id>/deliveries/<int:delivery_id>/replay")
@roles(*OWNERS)
@sends_limit
def replay(endpoint_id: int, delivery_id: int):
    """Send a delivery again: the same body and Webhook-Id, signed afresh."""
    return act(
        lambda: webhooks.replay(_me(), endpoint_id, delivery_id, utcnow()),
        _back(endpoint_id),
        "The delivery is queued again; it is sent within a minute.",
    )
