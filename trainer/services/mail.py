"""Mail transports for the worker: SMTP when ``TRAINER_SMTP_URL`` is set, else the log.

Nothing here runs inside a web request: services queue messages with
``services.outbox.queue_mail`` and ``trainer worker`` hands them to a transport.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
from email.message import EmailMessage
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

log = logging.getLogger("trainer.mail")


class DeliveryError(Exception):
    """A message was not delivered. ``permanent``: trying again cannot help (the server
    refused the recipient or the message with a 5xx reply). ``connection``: the server could
    not be reached or talked to, so the rest of the batch is not tried now either."""

    def __init__(self, message: str, permanent: bool = False, connection: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.connection = connection


class Transport(Protocol):
    name: str

    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


class LogTransport:
    """No mail server configured: the message is written to the log (and stays readable in
    the admin outbox)."""

    name = "log"

    def send(self, message: EmailMessage) -> None:
        log.info("mail to %s: %s\n%s", message["To"], message["Subject"], message.get_content())

    def close(self) -> None:
        pass


class SMTPTransport:
    """One SMTP connection, opened on the first message and reused for the batch."""

    name = "smtp"

    def __init__(self, url: str, timeout: float) -> None:
        self.parts = urlsplit(url)
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        parts = self.parts
        cls = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
        smtp = cls(parts.hostname or "localhost", parts.port or 0, timeout=self.timeout)
        try:
            if parts.scheme == "smtp+starttls":
                smtp.starttls()
            if parts.username:
                smtp.login(unquote(parts.username), unquote(parts.password or ""))
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._smtp.send_message(message)
        except Exception as error:
            failure = classify(error)
            if failure.connection:
                self.close()
            raise failure from error

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(Exception):  # the connection may already be gone
                self._smtp.quit()
            with contextlib.suppress(Exception):
                self._smtp.close()
            self._smtp = None


def _reply(error: smtplib.SMTPResponseException) -> str:
    text = error.smtp_error
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{error.smtp_code} {text}".strip()


def classify(error: Exception) -> DeliveryError:
    """What a failed SMTP exchange means for this message and the batch.

    A 5xx reply to the recipient or to the message itself is permanent for that message.
    Everything that concerns the server as a whole (unreachable, timed out, disconnected,
    greeting, HELO, authentication, the sender refused) is temporary and stops the batch:
    the server or its configuration will be fixed, and then every message should go.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = list(error.recipients.values())
        text = "; ".join(f"{code} {msg.decode('utf-8', 'replace')}" for code, msg in replies)
        permanent = bool(replies) and all(code >= 500 for code, _ in replies)
        return DeliveryError(f"recipient refused: {text}", permanent=permanent)
    if isinstance(error, smtplib.SMTPDataError):
        return DeliveryError(f"message refused: {_reply(error)}", permanent=error.smtp_code >= 500)
    if isinstance(error, smtplib.SMTPSenderRefused):
        return DeliveryError(f"sender refused: {_reply(error)}", connection=True)
    if isinstance(error, smtplib.SMTPResponseException):
        return DeliveryError(f"server error: {_reply(error)}", connection=True)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return DeliveryError(f"server disconnected: {error}", connection=True)
    if isinstance(error, TimeoutError):
        return DeliveryError("server did not answer in time", connection=True)
    if isinstance(error, OSError | smtplib.SMTPException):
        return DeliveryError(f"cannot reach the mail server: {error}", connection=True)
    return DeliveryError(f"{type(error).__name__}: {error}")


def transport_for(config: Any) -> Transport:
    url = config.get("SMTP_URL")
    if url:
        return SMTPTransport(url, float(config["SMTP_TIMEOUT"]))
    return LogTransport()
