"""The certificate as a PDF/A-3b document with its signed credential attached.

The wording helpers are pure: what the certificate says depends only on the program and
the credential's name, so each rule is tested without rendering.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

import segno

from trainer import pdf
from trainer.domain.content.model import Program as ProgramSpec
from trainer.domain.credential import CertificateFacts


def qr_svg(url: str) -> str:
    """A vector QR code of the verification address."""
    return segno.make(url, error="m").svg_inline(scale=4, dark="#1d2433", border=2)


def indefinite_article(phrase: str) -> str:
    """``"an"`` before a vowel-initial phrase (``an Adult ...``), else ``"a"``.

    Judged by the first letter, which is right for the credential names we issue; words
    like "hour" or "university" would need a pronunciation, not a spelling."""
    return "an" if phrase.strip()[:1].lower() in ("a", "e", "i", "o", "u") else "a"


def requirement_kinds(program: ProgramSpec) -> tuple[str, ...]:
    """The kinds of requirement a program actually sets, in the order a certificate names
    them. A kind whose every target is zero is left out: a program without supervised
    hours never has its holders certified for supervised practice."""
    kinds = []
    if program.modules or program.education_hours > 0 or any(program.education_topics.values()):
        kinds.append("training")
    kinds.append("examination")  # every program ends in the certification exam
    if (
        program.supervised_hours > 0
        or program.supervision_hours > 0
        or any(v > 0 for v in program.supervised_categories.values())
    ):
        kinds.append("supervised-practice")
    return tuple(kinds)


def requirements_phrase(kinds: Sequence[str]) -> str:
    """``("training", "examination")`` -> ``"the training and examination requirements"``;
    no kinds -> ``"the requirements"``."""
    if not kinds:
        return "the requirements"
    listed = kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} and {kinds[-1]}"
    return f"the {listed} requirements"


def split_url(url: str) -> tuple[str, str]:
    """The site (scheme and host) and the rest of ``url``: printed as two unbreakable
    pieces, so a line may break between them but never inside the certificate number."""
    parts = urlsplit(url)
    site = f"{parts.scheme}://{parts.netloc}"
    return site, url.removeprefix(site)


def render(
    facts: CertificateFacts, credential_json: str, requirements: Sequence[str] = ()
) -> bytes:
    """The certificate PDF. ``requirements``: the kinds it says the holder met
    (``requirement_kinds`` of the program); none gives the plain "the requirements"."""
    from weasyprint import Attachment

    verify_site, verify_path = split_url(facts.verify_url)
    html = pdf.render_html(
        "certificate.html",
        title=f"{facts.credential_name}: {facts.holder_name}",
        f=facts,
        article=indefinite_article(facts.credential_name),
        requirements=requirements_phrase(requirements),
        verify_site=verify_site,
        verify_path=verify_path,
        qr=qr_svg(facts.verify_url),
    )
    attachment = Attachment(
        string=credential_json,
        name="credential.json",
        description="Signed digital credential (Open Badges 3.0)",
        relationship="Data",
    )
    return pdf.html_to_pdf(
        html,
        title=f"{facts.credential_name}: {facts.holder_name}",
        author=facts.issuer.name,
        subject=f"Certificate {facts.number}: {facts.program_title}",
        attachments=[attachment],
        pdf_variant="pdf/a-3b",
    )
