"""Certificates: evidence -> requirements -> exactly one certificate, rendered once, signed.

By job: keys (the issuer's signing key), record (a person's record and what is
missing), issuance, public (reading and revoking), renewal (continuing education). What
the program page shows of them is ``services.dashboard``.

``issue_if_met(user, program_id)`` runs after every event that can complete a requirement
(module completed, exam passed, hours approved, statement signed, document approved). A
database unique constraint on (enrolment, cycle) makes issuance happen exactly once, whatever
races.
"""

from trainer.services.certificates import keys, status_list
from trainer.services.certificates.issuance import (
    approve_review,
    certificate_facts,
    current,
    finalise,
    issue_if_met,
    verify_url,
)
from trainer.services.certificates.keys import (
    base_url,
    issuer,
    key_url,
    legacy_key_url,
    public_key,
    signing_key,
)
from trainer.services.certificates.keys import published as published_keys
from trainer.services.certificates.public import (
    PublicCertificate,
    by_number,
    for_holder,
    public,
    revoke,
)
from trainer.services.certificates.record import requirements
from trainer.services.certificates.renewal import (
    ce_entries,
    decide_ce,
    log_ce,
    pending_ce,
    renew,
    renewal_status,
)
from trainer.services.certificates.sharing import linkedin_url

__all__ = [
    "PublicCertificate",
    "approve_review",
    "base_url",
    "by_number",
    "ce_entries",
    "certificate_facts",
    "current",
    "decide_ce",
    "finalise",
    "for_holder",
    "issue_if_met",
    "issuer",
    "key_url",
    "legacy_key_url",
    "linkedin_url",
    "log_ce",
    "pending_ce",
    "public",
    "public_key",
    "published_keys",
    "renew",
    "renewal_status",
    "requirements",
    "revoke",
    "signing_key",
    "status_list",
    "keys",
    "verify_url",
]
