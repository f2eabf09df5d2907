"""The settings of this process: read from the environment once per cold start, with the secrets loaded from
Secrets Manager when ``secrets_arn`` names them."""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gigcore.settings import Settings


@functools.cache
def settings() -> Settings:
    from gigcore.settings import Settings  # pydantic-settings: paid by the first request, not by the import

    config = Settings()
    if config.secrets_arn:
        config = config.with_secrets(_load_secrets(config))
    return config


def _load_secrets(config: Settings) -> dict[str, str]:
    """The JSON secret at ``secrets_arn`` (read once per cold start)."""
    from gigcore.adapters.aws import AwsClients

    answer = AwsClients(config).client("secretsmanager").get_secret_value(SecretId=str(config.secrets_arn))
    values = json.loads(answer["SecretString"])
    if not isinstance(values, dict):
        raise ValueError("the secret must be a JSON object")
    return {str(k): str(v) for k, v in values.items()}
