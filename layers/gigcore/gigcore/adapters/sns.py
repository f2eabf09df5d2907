"""SNS adapters: mobile push through platform endpoints, and SMS."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from gigcore.adapters.aws import error_code, translate
from gigcore.domain.notifications import Device

if TYPE_CHECKING:
    from types_boto3_sns import SNSClient


class SnsPushSender:
    """Push through SNS platform applications (APNs for iOS, FCM for Android), one endpoint per token."""

    def __init__(self, client: SNSClient, applications: dict[str, str]) -> None:
        self._client = client
        self._applications = applications

    def endpoint(self, device: Device) -> str:
        if device.endpoint_arn:
            return device.endpoint_arn
        application = self._applications.get(device.platform)
        if not application:
            raise ValueError(f"no SNS platform application is configured for {device.platform}")
        try:
            answer = self._client.create_platform_endpoint(PlatformApplicationArn=application, Token=device.token)
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, "SNS") from exc
        return str(answer["EndpointArn"])

    def push(self, endpoint_arn: str, title: str, body: str, data: dict[str, str]) -> bool:
        apns = json.dumps({"aps": {"alert": {"title": title, "body": body}, "sound": "default"}, **data})
        fcm = json.dumps({"notification": {"title": title, "body": body}, "data": data})
        message = json.dumps({"default": body, "APNS": apns, "APNS_SANDBOX": apns, "GCM": fcm})
        try:
            attributes = self._client.get_endpoint_attributes(EndpointArn=endpoint_arn)["Attributes"]
            if str(attributes.get("Enabled", "true")).lower() == "false":
                return False
            self._client.publish(TargetArn=endpoint_arn, Message=message, MessageStructure="json")
        except ClientError as exc:
            if error_code(exc) in ("EndpointDisabled", "NotFound", "InvalidParameter"):
                return False
            raise translate(exc, "SNS") from exc
        except BotoCoreError as exc:
            raise translate(exc, "SNS") from exc
        return True

    def forget(self, endpoint_arn: str) -> None:
        try:
            self._client.delete_endpoint(EndpointArn=endpoint_arn)
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, "SNS") from exc


class SnsSmsSender:
    def __init__(self, client: SNSClient) -> None:
        self._client = client

    def sms(self, phone: str, text: str) -> str:
        try:
            answer = self._client.publish(PhoneNumber=phone, Message=text, MessageAttributes={
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}})
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, "SNS") from exc
        return str(answer["MessageId"])
