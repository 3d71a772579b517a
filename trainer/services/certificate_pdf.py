"""The certificate as a PDF/A-3b document with its signed credential attached."""

from __future__ import annotations

import segno

from trainer import pdf
from trainer.domain.credential import CertificateFacts


def qr_svg(url: str) -> str:
    """A vector QR code of the verification address."""
    return segno.make(url, error="m").svg_inline(scale=4, dark="#1d2433", border=2)


def render(facts: CertificateFacts, credential_json: str) -> bytes:
    from weasyprint import Attachment

    html = pdf.render_html(
        "certificate.html",
        title=f"{facts.credential_name}: {facts.holder_name}",
        f=facts,
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
        author=facts.issuing_authority,
        subject=f"Certificate {facts.number}: {facts.program_title}",
        attachments=[attachment],
        pdf_variant="pdf/a-3b",
    )
