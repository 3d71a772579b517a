"""The certificate e-mail links to the pages it names: the holder's program page, where the
PDF is offered, and the public verification page. Both addresses are absolute (the worker
builds them without a request) and open the right page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Auth
from tests.support.certificates import certificate_of, certified
from tests.support.content import write_tree
from tests.support.exams import load
from tests.support.smtp import SMTPSink

BASE_URL = "https://trainer.example.org"


@pytest.fixture
def app_config(smtp: SMTPSink) -> dict[str, Any]:
    return {"SMTP_URL": smtp.url, "SMTP_TIMEOUT": 2, "BASE_URL": BASE_URL}


def test_the_certificate_mail_links_to_the_download_and_the_verify_page(
    app: Any, tmp_path: Path, make_user: Any, smtp: SMTPSink, run_worker: Any
) -> None:
    load(app, write_tree(tmp_path))
    trainee, _, _ = certified(app, make_user, "Casey Candidate")
    cert = certificate_of(app, trainee.id)
    assert cert is not None and cert.number

    run_worker()
    [mail] = [m for m in smtp.received if m.subject.startswith("Your certificate")]
    assert mail.to == trainee.email
    links = re.findall(r"https?://\S+", mail.body)
    program_page = f"{BASE_URL}/learn/programs/test-prog#requirements"
    verify_page = f"{BASE_URL}/verify/{cert.number}"
    assert program_page in links and verify_page in links, mail.body

    # the program page offers this certificate's PDF to its holder...
    me = app.test_client()
    Auth(me).login(trainee)
    page = me.get(program_page.removeprefix(BASE_URL).partition("#")[0])
    assert page.status_code == 200 and cert.number in page.text
    download = f"/learn/certificates/{cert.id}/certificate.pdf"
    assert f'href="{download}"' in page.text
    assert me.get(download).data == cert.pdf
    # ...and the verification page opens for anyone
    public = app.test_client().get(verify_page.removeprefix(BASE_URL))
    assert public.status_code == 200 and "Casey Candidate" in public.text
