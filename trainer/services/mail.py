"""All outgoing mail goes through ``send``.

With ``TRAINER_SMTP_URL`` set (``smtp://user:password@host:port``, or ``smtps://`` for TLS)
messages go out by SMTP; otherwise they are written to the log. Either way a copy is kept
in the outbox, which admins can read, so a setup without a mail server still works.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import current_app

from trainer.extensions import db
from trainer.models import OutboxMessage


def send(to: str, subject: str, body: str, kind: str = "general") -> OutboxMessage:
    smtp_url = current_app.config.get("SMTP_URL")
    transport = "smtp" if smtp_url else "outbox"
    message = OutboxMessage(to=to, subject=subject, body=body, transport=transport, kind=kind)
    db.session.add(message)
    db.session.flush()
    if smtp_url:
        _send_smtp(smtp_url, to, subject, body)
    else:
        current_app.logger.info("mail to %s: %s\n%s", to, subject, body)
    return message


def _send_smtp(url: str, to: str, subject: str, body: str) -> None:
    parts = urlsplit(url)
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    cls = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with cls(parts.hostname or "localhost", parts.port or 0, timeout=20) as smtp:
        if parts.scheme == "smtp+starttls":
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(msg)
