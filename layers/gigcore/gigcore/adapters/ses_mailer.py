"""SES adapter of :class:`gigcore.ports.auth.Mailer` (moto's SES locally)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gigcore.adapters.aws import translated

if TYPE_CHECKING:
    from types_boto3_ses import SESClient


class SesMailer:
    def __init__(self, client: SESClient, sender: str) -> None:
        self._client = client
        self._sender = sender

    def send(self, to: str, subject: str, text: str, html: str) -> str:
        with translated("SES"):
            answer = self._client.send_email(
                Source=self._sender,
                Destination={"ToAddresses": [to]},
                Message={
                    "Subject": {"Data": subject, "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": text, "Charset": "UTF-8"}, "Html": {"Data": html, "Charset": "UTF-8"}},
                },
            )
        return str(answer["MessageId"])
