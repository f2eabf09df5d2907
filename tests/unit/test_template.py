"""The rendered deployment files: fresh, and saying what the architecture requires."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from infra import render
from infra.local.cfn import load

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def template() -> dict:
    return yaml.safe_load((REPO / "template.yaml").read_text())


def functions(template: dict) -> dict:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == "AWS::Serverless::Function"}


def test_the_committed_files_are_what_render_produces():
    config_text, template_text = render.render()
    assert (REPO / "functions" / ".chalice" / "config.json").read_text() == config_text, "run `make render`"
    assert (REPO / "template.yaml").read_text() == template_text, "run `make render`"


def test_every_queue_consumer_reports_partial_batch_failures(template):
    events = [e for f in functions(template).values() for e in f["Properties"].get("Events", {}).values()
              if e["Type"] in ("SQS", "DynamoDB")]
    assert len(events) >= 5
    assert all(e["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"] for e in events)


def test_the_outbox_router_reads_the_main_tables_stream(template):
    router = template["Resources"]["OutboxRouter"]["Properties"]["Events"]["OutboxRouterDynamodbEventSource"]
    assert router["Properties"]["Stream"] == {"Fn::GetAtt": ["MainTable", "StreamArn"]}


def test_every_queue_has_a_dead_letter_queue_after_three_receives():
    resources = load()["Resources"]
    queues = {k: v for k, v in resources.items() if v["Type"] == "AWS::SQS::Queue" and not k.endswith("DLQ")}
    assert queues
    for logical_id, queue in queues.items():
        policy = queue["Properties"]["RedrivePolicy"]
        assert policy["maxReceiveCount"] == 3, logical_id
        assert policy["deadLetterTargetArn"].value == [f"{logical_id[:-len('Queue')]}DLQ", "Arn"]


def test_iam_is_least_privilege(template):
    # X-Ray has no resource-level scoping; a text to a phone number has no ARN (its statement is region-bound).
    wildcard_ok = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
    for name, resource in template["Resources"].items():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        for policy in resource["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                if "Fn::If" in statement:
                    continue  # conditional statements name their resources (test_translated_template)
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                assert not any(a.endswith(":*") or a == "*" for a in actions), (name, actions)
                if statement["Resource"] == "*":
                    regional = statement.get("Condition") == {
                        "StringEquals": {"aws:RequestedRegion": {"Ref": "AWS::Region"}}}
                    assert set(actions) <= wildcard_ok or (actions == ["sns:Publish"] and regional), (name, actions)


def test_every_function_is_traced_has_the_layer_and_its_own_role(template):
    assert template["Globals"]["Function"]["Layers"] == [{"Ref": "GigcoreLayer"}]
    manifest = json.loads((REPO / "chalicefile.json").read_text())
    for name, function in functions(template).items():
        props = function["Properties"]
        assert props["Tracing"] == {"Ref": "FunctionTracing"}, name  # Active unless the stage says PassThrough
        assert props["Role"]["Fn::GetAtt"][0] in {"ApiRole", "StreamRouterRole", "ConsumerRole", "WebsocketRole",
                                                  "GeoLayoutRole"}
        assert f"{name}LogGroup" in template["Resources"]
    assert len(functions(template)) == len(manifest["functions"])


def test_the_geo_layout_job_runs_on_a_schedule_with_only_the_table_access_it_needs(template):
    """Issue 20 item 1: the layout job measures (Scan) and moves (a transaction of put, delete and update) on
    the main table, and nothing else: no queue, no index, no other table."""
    job = template["Resources"]["GeoLayout"]["Properties"]
    (event,) = job["Events"].values()
    assert event["Type"] == "Schedule"
    assert event["Properties"]["Schedule"].startswith("rate(")
    assert job["Role"] == {"Fn::GetAtt": ["GeoLayoutRole", "Arn"]}
    assert job["Timeout"] == 900
    statements = {s["Sid"]: s for s in
                  template["Resources"]["GeoLayoutRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]}
    table = statements["MeasureAndMoveGeoEntries"]
    assert set(table["Action"]) == {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                                    "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:Scan",
                                    "dynamodb:ConditionCheckItem"}
    assert table["Resource"] == {"Fn::GetAtt": ["MainTable", "Arn"]}
    assert not any(a.startswith(("sqs:", "sns:", "ses:", "s3:")) for s in statements.values()
                   for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]]))


def test_cfn_lint_finds_no_errors():
    lint = Path(sys.executable).with_name("cfn-lint")
    if not lint.exists() and shutil.which("cfn-lint") is None:
        pytest.skip("cfn-lint is not installed in this environment")
    answer = subprocess.run([str(lint), str(REPO / "template.yaml")], capture_output=True, text=True)
    assert answer.returncode & 2 == 0, answer.stdout


# ---- scaling and protection (chalicefile.json "scaling") ------------------------------------------


@pytest.fixture(scope="module")
def scaling() -> dict:
    return json.loads((REPO / "chalicefile.json").read_text())["scaling"]


def test_the_api_stage_is_throttled(template, scaling):
    (settings,) = template["Resources"]["RestAPI"]["Properties"]["MethodSettings"]
    assert settings["ThrottlingRateLimit"] == scaling["api_throttle"]["rate_per_second"]
    assert settings["ThrottlingBurstLimit"] == scaling["api_throttle"]["burst"]


def test_workers_have_reserved_concurrency(template, scaling):
    for function, reserved in scaling["reserved_concurrency"].items():
        props = template["Resources"][render.logical_id(function)]["Properties"]
        assert props["ReservedConcurrentExecutions"] == reserved, function


def test_every_event_window_raises_and_then_lowers_provisioned_concurrency(template, scaling):
    provisioned = scaling["provisioned_concurrency"]
    target = template["Resources"]["APIHandlerProvisionedConcurrencyTarget"]["Properties"]
    condition, scheduled, otherwise = target["ScheduledActions"]["Fn::If"]
    assert condition == "HasEventSeasons" and otherwise == {"Ref": "AWS::NoValue"}
    actions = {a["ScheduledActionName"]: a for a in scheduled}
    for window in provisioned["event_windows"]:
        month, day = (int(x) for x in window["start"].split("-"))
        start = actions[f"{window['name']}-start"]
        assert start["Schedule"] == f"cron(0 0 {day} {month} ? *)"
        assert start["ScalableTargetAction"]["MinCapacity"] == window["concurrency"]
        end = actions[f"{window['name']}-end"]["ScalableTargetAction"]["MinCapacity"]
        assert end == {"Ref": "ApiProvisionedConcurrency"}  # back to the stage's baseline
    assert template["Resources"]["APIHandler"]["Properties"]["AutoPublishAlias"] == "live"
    assert template["Parameters"]["ApiProvisionedConcurrency"]["Default"] == provisioned["baseline"]


def test_alarms_watch_latency_errors_dlqs_throttles_and_the_table(template, scaling):
    resources = template["Resources"]
    p95 = resources["ApiLatencyP95Alarm"]["Properties"]
    assert p95["ExtendedStatistic"] == "p95" and p95["Threshold"] == scaling["alarms"]["p95_latency_ms"]
    assert resources["Api5xxRateAlarm"]["Properties"]["Threshold"] == scaling["alarms"]["error_rate_5xx_percent"]
    dlqs = [k for k, v in resources.items() if v["Type"] == "AWS::SQS::Queue" and k.endswith("DLQ")]
    assert dlqs and all(f"{k}MessagesAlarm" in resources for k in dlqs)
    assert all(f"{k}ThrottlesAlarm" in resources for k in functions(template))
    assert "TableThrottlesAlarm" in resources and "Dashboard" in resources
    alarms = [v for v in resources.values() if v["Type"] == "AWS::CloudWatch::Alarm"]
    assert all(a["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}] for a in alarms)
