"""The S3-compatible object store behind services.storage when ``STORAGE_BACKEND`` is ``s3``.

Settings (README, "Scaling out"): ``S3_BUCKET`` (required), ``S3_ENDPOINT_URL`` (empty: AWS
itself; otherwise MinIO, Ceph, Garage, a cloud's S3 endpoint), ``S3_REGION``, ``S3_PREFIX``
(prepended to every object's key, so one bucket can serve several deployments). Credentials
come from boto3's usual chain (``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``, a profile,
an instance role), never from trainer's own settings.

Objects are written once under the stored file's name and never changed; what is read is
checked against the SHA-256 its ``stored_files`` row recorded, so a damaged or replaced
object is refused rather than served. Every failure is a StorageError naming the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from flask import current_app

from trainer.domain.errors import StorageError

#: Seconds: how long a request waits for the store before it gives up and says so.
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 20
PROBE_TIMEOUT = 2


def _settings() -> tuple[str, str | None, str | None, str]:
    config = current_app.config
    bucket = str(config.get("S3_BUCKET") or "").strip()
    if not bucket:
        raise StorageError(
            "STORAGE_BACKEND is 's3' but no bucket is set: set TRAINER_S3_BUCKET (and "
            "TRAINER_S3_ENDPOINT_URL for a store other than AWS)"
        )
    endpoint = str(config.get("S3_ENDPOINT_URL") or "").strip() or None
    region = str(config.get("S3_REGION") or "").strip() or None
    prefix = str(config.get("S3_PREFIX") or "").strip()
    return bucket, endpoint, region, prefix


def _client(probe: bool = False) -> tuple[Any, str, str]:
    """(client, bucket, key prefix). One client per app and settings (boto3 clients may be
    shared between threads); ``probe``: the readiness check's, which gives up after 2 s
    without retrying, so /readyz answers quickly while the store is down."""
    bucket, endpoint, region, prefix = _settings()
    cache = current_app.extensions.setdefault("trainer_object_store", {})
    key = (bucket, endpoint, region, probe)
    if key not in cache:
        import boto3  # only deployments that use an object store pay for the import
        from botocore.config import Config

        cache[key] = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint,
            region_name=region,
            config=Config(
                connect_timeout=PROBE_TIMEOUT if probe else CONNECT_TIMEOUT,
                read_timeout=PROBE_TIMEOUT if probe else READ_TIMEOUT,
                retries={"max_attempts": 1 if probe else 3, "mode": "standard"},
                # checksums only where S3 requires them: not every S3-compatible store
                # accepts the newer default ones (the SHA-256 check on read covers damage)
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )
    return cache[key], bucket, prefix


def _failed(name: str, doing: str, error: Exception) -> StorageError:
    current_app.logger.warning("object store: %s %s failed: %s", doing, name, error)
    return StorageError(f"{name}: the object store could not {doing} it ({error})")


def put(name: str, data: bytes, content_type: str, sha256: str) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    client, bucket, prefix = _client()
    try:
        client.put_object(
            Bucket=bucket,
            Key=prefix + name,
            Body=data,
            ContentType=content_type,
            Metadata={"sha256": sha256},
        )
    except (BotoCoreError, ClientError) as error:
        raise _failed(name, "store", error) from None


def get(name: str, sha256: str) -> bytes:
    """The object's bytes, checked against ``sha256``."""
    from botocore.exceptions import BotoCoreError, ClientError

    client, bucket, prefix = _client()
    try:
        data: bytes = client.get_object(Bucket=bucket, Key=prefix + name)["Body"].read()
    except (BotoCoreError, ClientError) as error:
        raise _failed(name, "read", error) from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise StorageError(
            f"{name}: the object store holds different bytes than were stored (SHA-256 does "
            "not match): it was damaged or replaced, so it is not served"
        )
    return data


def delete(name: str) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    client, bucket, prefix = _client()
    try:
        client.delete_object(Bucket=bucket, Key=prefix + name)
    except (BotoCoreError, ClientError) as error:
        raise _failed(name, "delete", error) from None


def names() -> Iterator[str]:
    """The names of every object under the prefix (for ``trainer storage check``)."""
    from botocore.exceptions import BotoCoreError, ClientError

    client, bucket, prefix = _client()
    try:
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for page in pages:
            for item in page.get("Contents", []):
                yield str(item["Key"])[len(prefix) :]
    except (BotoCoreError, ClientError) as error:
        raise _failed(bucket, "list the objects of", error) from None


def reachable() -> str | None:
    """None when the bucket answers; otherwise why not (for /readyz and restores)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        client, bucket, _ = _client(probe=True)
        client.head_bucket(Bucket=bucket)
    except StorageError as error:
        return str(error)
    except (BotoCoreError, ClientError) as error:
        return f"the object store does not answer: {error}"
    return None
