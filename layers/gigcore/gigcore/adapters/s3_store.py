"""S3 adapter of :class:`gigcore.ports.chat.ObjectStore` (moto's S3 locally).

Presigned PUTs sign the content type and length, so S3 refuses another type or size; moto does not enforce
either (nor expiry), which is why messages check the uploaded object's size and type with HeadObject.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gigcore.adapters.aws import or_none

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client


class S3ObjectStore:
    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def presign_put(self, key: str, content_type: str, size: int, expires_in: int) -> str:
        return str(self._client.generate_presigned_url(
            "put_object", ExpiresIn=expires_in,
            Params={"Bucket": self._bucket, "Key": key, "ContentType": content_type, "ContentLength": size}))

    def presign_get(self, key: str, expires_in: int) -> str:
        return str(self._client.generate_presigned_url("get_object", ExpiresIn=expires_in,
                                                        Params={"Bucket": self._bucket, "Key": key}))

    def head(self, key: str) -> tuple[int, str] | None:
        answer = or_none(lambda: self._client.head_object(Bucket=self._bucket, Key=key), "S3",
                         codes=("404", "NoSuchKey", "NotFound"))
        if answer is None:
            return None
        return int(answer["ContentLength"]), str(answer.get("ContentType", ""))
