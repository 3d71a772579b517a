"""Sharing a certificate: LinkedIn's "Add to profile" address for a certification.

LinkedIn documents a pre-filled certification form (addtoprofile.linkedin.com, "filled form"
model): ``https://www.linkedin.com/profile/add`` with ``startTask=CERTIFICATION_NAME``, the
certification ``name``, the issuing ``organizationName``, ``issueYear``/``issueMonth``,
``expirationYear``/``expirationMonth``, the credential id ``certId`` and ``certUrl`` where it
can be checked. Nothing is sent to LinkedIn unless the holder follows the link.
"""

from __future__ import annotations

from urllib.parse import urlencode

from trainer.models import Certificate
from trainer.services.certificates.issuance import verify_url

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def linkedin_url(cert: Certificate) -> str | None:
    """The pre-filled "Add to profile" address; None before the certificate is issued."""
    if cert.number is None or cert.issued_at is None:
        return None
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": cert.credential_name,
        "organizationName": cert.issuer_name or cert.issuing_authority,
        "issueYear": cert.issued_at.year,
        "issueMonth": cert.issued_at.month,
    }
    if cert.expires_at is not None:
        params |= {"expirationYear": cert.expires_at.year, "expirationMonth": cert.expires_at.month}
    params |= {"certUrl": verify_url(cert.number), "certId": cert.number}
    return f"{LINKEDIN_ADD}?{urlencode(params)}"
