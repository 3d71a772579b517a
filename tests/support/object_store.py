"""An S3-compatible object store for tests: moto's server mode on a free port of
127.0.0.1, reached over HTTP through boto3 exactly as a deployment reaches MinIO or AWS."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

BUCKET = "trainer-files"
PREFIX = "test/"


@dataclass
class ObjectStore:
    endpoint: str
    client: Any  # boto3's S3 client, for looking at (and damaging) what the app stored

    def settings(self) -> dict[str, str]:
        """The app's configuration for this store."""
        return {
            "STORAGE_BACKEND": "s3",
            "S3_BUCKET": BUCKET,
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_REGION": "us-east-1",
            "S3_PREFIX": PREFIX,
        }

    def keys(self) -> list[str]:
        found = self.client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
        return sorted(item["Key"] for item in found)

    def read(self, name: str) -> bytes:
        data: bytes = self.client.get_object(Bucket=BUCKET, Key=PREFIX + name)["Body"].read()
        return data

    def write(self, name: str, data: bytes) -> None:
        self.client.put_object(Bucket=BUCKET, Key=PREFIX + name, Body=data)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def object_store(monkeypatch: Any) -> Iterator[ObjectStore]:
    """A running store with an empty bucket; credentials through the standard AWS_*
    variables, as boto3 reads them in a deployment."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",  # noqa: S105 (moto accepts any)
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        # moto keeps its buckets per process, not per server: start every test empty
        reset = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")  # noqa: S310
        urllib.request.urlopen(reset, timeout=10).close()  # noqa: S310 (http, our own server)
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield ObjectStore(endpoint, client)
    finally:
        server.stop()
