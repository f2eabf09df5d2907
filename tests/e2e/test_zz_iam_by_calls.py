"""IAM checked against the calls the code really makes (issue 18 item 6).

While the e2e tests of this package ran, the local runtime recorded every AWS call of every function
(infra/iam_calls.py). Each call, with the calls the cloud adds (the cold start's secret read, the event source
mappings' reads), is evaluated against that function's role in the SAM-translated template with moto's IAM
policy evaluator: a call its role would deny fails here. Actions a role allows that no call used are printed.
The file's name makes it run after the package's other tests.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest

from gigcore.settings import Settings
from infra.iam_calls import evaluate, read_records
from infra.sam import translated_template
from tests.e2e.conftest import aws_calls_dir, local_only

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def test_every_aws_call_each_function_made_is_allowed_by_its_role(runtime: Any, request: pytest.FixtureRequest,
                                                                   tmp_path_factory: pytest.TempPathFactory):
    local_only("the calls are recorded by the local runtime")
    others = [item for item in request.session.items
              if "/tests/e2e/" in str(item.path) and item.path != Path(__file__)]
    if not others:
        pytest.skip("run with the e2e package: its other tests make the calls this test checks")
    records = read_records(aws_calls_dir(tmp_path_factory))
    functions = json.loads((REPO / "chalicefile.json").read_text())["functions"]
    called = {r["function"] for r in records}
    # The flows of this package reach the API, the WebSocket handlers, the stream router and the consumers.
    assert {"api_handler", "ws_connect", "ws_message", "outbox_router", "notifications_consumer"} <= called, called
    cfn = translated_template()
    # The stage's parameters as the local stack has them: its sender, and push applications (moto's), so the
    # template's conditional push statement is there.
    sender = Settings.model_fields["mail_from"].default
    parameters = {"MailFrom": sender, "SesIdentity": sender.rsplit("@", 1)[1],
                  "PushIosApplicationArn": "arn:aws:sns:us-east-1:123456789012:app/APNS/gigconnect"}
    report = evaluate(records, cfn, functions, parameters=parameters)
    assert not report.denied, report.text()
    if report.unused:  # reported, not failed: the flows here do not reach every path (SMS, push, attachments)
        warnings.warn("IAM: " + report.text(), stacklevel=1)
    assert len(report.allowed) > 20
