"""SNS adapters: mobile push through platform endpoints, and SMS."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from gigcore.adapters.aws import or_none, translated
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
        with translated("SNS"):
            answer = self._client.create_platform_endpoint(PlatformApplicationArn=application, Token=device.token)
        return str(answer["EndpointArn"])

    def push(self, endpoint_arn: str, title: str, body: str, data: dict[str, str]) -> bool:
        apns = json.dumps({"aps": {"alert": {"title": title, "body": body}, "sound": "default"}, **data})
        fcm = json.dumps({"notification": {"title": title, "body": body}, "data": data})
        message = json.dumps({"default": body, "APNS": apns, "APNS_SANDBOX": apns, "GCM": fcm})

        def send() -> bool:
            attributes = self._client.get_endpoint_attributes(EndpointArn=endpoint_arn)["Attributes"]
            if str(attributes.get("Enabled", "true")).lower() == "false":
                return False
            self._client.publish(TargetArn=endpoint_arn, Message=message, MessageStructure="json")
            return True

        # A disabled or deleted endpoint (an uninstalled app) is not an outage: the caller forgets the device.
        return or_none(send, "SNS", codes=("EndpointDisabled", "NotFound", "InvalidParameter")) is True

    def forget(self, endpoint_arn: str) -> None:
        with translated("SNS"):
            self._client.delete_endpoint(EndpointArn=endpoint_arn)


class SnsSmsSender:
    def __init__(self, client: SNSClient) -> None:
        self._client = client

    def sms(self, phone: str, text: str) -> str:
        with translated("SNS"):
            answer = self._client.publish(PhoneNumber=phone, Message=text, MessageAttributes={
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}})
        return str(answer["MessageId"])
