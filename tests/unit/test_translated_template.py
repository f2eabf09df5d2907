"""What CloudFormation would really create: template.yaml translated by aws-sam-translator, as the
``AWS::Serverless-2016-10-31`` transform does at deploy time (issue 18 items 2-5)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra import render
from infra.sam import translated_template

REPO = Path(__file__).resolve().parents[2]
MANIFEST = json.loads((REPO / "chalicefile.json").read_text())


@pytest.fixture(scope="module")
def cfn() -> dict[str, Any]:
    return translated_template()


def of_type(cfn: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in cfn["Resources"].items() if v["Type"] == kind}


def function_of_mapping(cfn: dict[str, Any], mapping: dict[str, Any]) -> dict[str, Any]:
    return cfn["Resources"][mapping["Properties"]["FunctionName"]["Ref"]]


def statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for policy in role["Properties"]["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            if "Fn::If" in statement:  # a conditional statement: both branches may be created
                found += [s for s in statement["Fn::If"][1:] if s != {"Ref": "AWS::NoValue"}]
            else:
                found.append(statement)
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def allows(role: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in statements(role) if s["Effect"] == "Allow" and action in as_list(s["Action"])]


# ---- provisioned concurrency is what the API invokes -----------------------------------------------


def test_the_rest_api_invokes_the_alias_that_has_the_provisioned_concurrency(cfn):
    alias = cfn["Resources"]["APIHandlerAliaslive"]
    assert alias["Type"] == "AWS::Lambda::Alias"
    assert alias["Properties"]["ProvisionedConcurrencyConfig"] == {"Fn::If": [  # none with SnapStart (python3.12)
        "UseSnapStart", {"Ref": "AWS::NoValue"},
        {"ProvisionedConcurrentExecutions": {"Ref": "ApiProvisionedConcurrency"}}]}
    (api,) = of_type(cfn, "AWS::ApiGateway::RestApi").values()
    uris = [op["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
            for path in api["Properties"]["Body"]["paths"].values() for op in path.values()]
    assert len(uris) > 20
    assert all(uri.endswith("/functions/${APIHandlerAliaslive}/invocations") for uri in uris), set(uris)
    permission = cfn["Resources"]["APIHandlerInvokePermission"]["Properties"]
    assert permission["FunctionName"] == {"Ref": "APIHandlerAliaslive"}
    target = cfn["Resources"]["APIHandlerProvisionedConcurrencyTarget"]["Properties"]
    assert target["ResourceId"] == {"Fn::Sub": "function:${APIHandler}:live"}


# ---- every function has the size chalicefile.json gives it ----------------------------------------


def test_every_function_has_the_memory_and_timeout_of_chalicefile_websocket_handlers_included(cfn):
    for function, spec in MANIFEST["functions"].items():
        props = cfn["Resources"][render.logical_id(function)]["Properties"]
        assert (props["MemorySize"], props["Timeout"]) == (spec["memory_mb"], spec["timeout_s"]), function
    assert cfn["Resources"]["WebsocketMessage"]["Properties"]["MemorySize"] == 1024  # not Lambda's 128 MB default


# ---- queues, the stream and their mappings ----------------------------------------------------------


def test_every_sqs_mapping_stops_at_the_consumers_reserved_concurrency(cfn):
    mappings = [m for m in of_type(cfn, "AWS::Lambda::EventSourceMapping").values()
                if "Queue" not in m["Properties"] and "StartingPosition" not in m["Properties"]]
    assert len(mappings) == 7
    for mapping in mappings:
        function = function_of_mapping(cfn, mapping)["Properties"]
        maximum = mapping["Properties"]["ScalingConfig"]["MaximumConcurrency"]
        assert 2 <= maximum <= function["ReservedConcurrentExecutions"], mapping


def test_the_stream_mapping_sends_batches_it_gives_up_on_to_a_queue_the_router_may_write(cfn):
    (stream,) = [m for m in of_type(cfn, "AWS::Lambda::EventSourceMapping").values()
                 if "StartingPosition" in m["Properties"]]
    destination = stream["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]
    assert destination == {"Fn::GetAtt": ["OutboxRouterDLQ", "Arn"]}
    assert cfn["Resources"]["OutboxRouterDLQ"]["Type"] == "AWS::SQS::Queue"
    assert "OutboxRouterDLQMessagesAlarm" in cfn["Resources"]
    assert any(s["Resource"] == destination for s in allows(cfn["Resources"]["StreamRouterRole"], "sqs:SendMessage"))


def test_every_queue_hides_a_message_for_at_least_six_times_its_consumers_timeout(cfn):
    queues = {v["Properties"]["QueueName"]["Fn::Sub"]: v for v in of_type(cfn, "AWS::SQS::Queue").values()}
    checked = 0
    for mapping in of_type(cfn, "AWS::Lambda::EventSourceMapping").values():
        source = mapping["Properties"]["EventSourceArn"]
        if "StartingPosition" in mapping["Properties"]:
            continue
        name = source["Fn::Sub"].split("${AWS::AccountId}:", 1)[1]
        timeout = function_of_mapping(cfn, mapping)["Properties"]["Timeout"]
        assert queues[name]["Properties"]["VisibilityTimeout"] >= 6 * timeout, name
        checked += 1
    assert checked == 7


# ---- alarms reach someone; per-IP protection; access logs; compression ---------------------------


def test_the_alarm_topic_has_an_email_subscription_when_an_address_is_given(cfn):
    subscription = cfn["Resources"]["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"] == {"TopicArn": {"Ref": "AlarmTopic"}, "Protocol": "email",
                                          "Endpoint": {"Ref": "AlarmEmail"}}
    assert cfn["Conditions"]["HasAlarmEmail"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]}


def test_no_unkeyed_usage_plan_and_a_waf_rate_based_rule_guards_the_rest_stage(cfn):
    assert not of_type(cfn, "AWS::ApiGateway::UsagePlan")  # plans without API keys throttle nothing
    (acl,) = of_type(cfn, "AWS::WAFv2::WebACL").values()
    (rule,) = acl["Properties"]["Rules"]
    rate = rule["Statement"]["RateBasedStatement"]
    assert rate == {"Limit": MANIFEST["scaling"]["per_ip_rate_limit"]["requests_per_5_minutes"],
                    "AggregateKeyType": "IP"}
    assert rule["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
    body = json.loads(acl["Properties"]["CustomResponseBodies"]["rate-limited"]["Content"])
    assert body["error"]["code"] == "rate_limited"  # the contract's error shape
    (association,) = of_type(cfn, "AWS::WAFv2::WebACLAssociation").values()
    assert association["Properties"]["ResourceArn"]["Fn::Sub"].endswith("/restapis/${RestAPI}/stages/api")
    assert association["DependsOn"] == ["RestAPIapiStage"]
    # Regional, so that the rule counts the client's own address (an edge-optimized API reaches the stage
    # through CloudFront, whose forwarded-for header a client can write itself).
    (api,) = of_type(cfn, "AWS::ApiGateway::RestApi").values()
    assert api["Properties"]["EndpointConfiguration"] == {"Types": ["REGIONAL"]}


def test_the_rest_stage_writes_json_access_logs_and_compresses_responses(cfn):
    stage = cfn["Resources"]["RestAPIapiStage"]["Properties"]
    logs = stage["AccessLogSetting"]
    assert logs["DestinationArn"] == {"Fn::GetAtt": ["RestAPIAccessLogGroup", "Arn"]}
    fields = json.loads(logs["Format"])
    assert {"requestId", "ip", "status", "latencyMs"} <= set(fields)
    assert cfn["Resources"]["RestAPIAccessLogGroup"]["Properties"]["RetentionInDays"] == 90
    # API Gateway refuses access logs until the account has a CloudWatch role: the stack can set it.
    assert cfn["Resources"]["ApiGatewayAccount"]["Condition"] == "SetsApiGatewayLoggingRole"
    (api,) = of_type(cfn, "AWS::ApiGateway::RestApi").values()
    # ... and the API (so its stage) is created after it, when this stack sets it.
    condition, with_role, _ = api["Properties"]["Description"]["Fn::If"]
    assert condition == "SetsApiGatewayLoggingRole" and "${ApiGatewayAccount}" in with_role["Fn::Sub"]
    assert api["Properties"]["MinimumCompressionSize"] == MANIFEST["api"]["minimum_compression_bytes"]


# ---- IAM the code needs ------------------------------------------------------------------------------


def test_texts_to_phone_numbers_may_be_published_within_the_stacks_region_only(cfn):
    (sms,) = [s for s in allows(cfn["Resources"]["ConsumerRole"], "sns:Publish") if s["Resource"] == "*"]
    assert sms["Action"] == "sns:Publish"  # nothing else on "*"
    assert sms["Condition"] == {"StringEquals": {"aws:RequestedRegion": {"Ref": "AWS::Region"}}}


def test_the_websocket_role_may_check_and_presign_attachments(cfn):
    role = cfn["Resources"]["WebsocketRole"]
    (get,) = allows(role, "s3:GetObject")
    assert get["Resource"] == {"Fn::Sub": "${AttachmentsBucket.Arn}/*"}
    # Without ListBucket a HeadObject of a key never uploaded is a 403, not the 404 that means "not uploaded".
    (listing,) = allows(role, "s3:ListBucket")
    assert listing["Resource"] == {"Fn::GetAtt": ["AttachmentsBucket", "Arn"]}


def test_email_is_sent_only_as_the_configured_sender_of_the_configured_identity(cfn):
    (email,) = allows(cfn["Resources"]["ConsumerRole"], "ses:SendEmail")
    assert email["Resource"]["Fn::Sub"].endswith(":identity/${SesIdentity}")
    assert email["Condition"] == {"StringEquals": {"ses:FromAddress": {"Ref": "MailFrom"}}}


# ---- parameters and search ------------------------------------------------------------------------


def test_what_differs_per_account_or_stage_is_a_parameter_that_reaches_the_functions(cfn):
    parameters = set(cfn["Parameters"])
    assert {"Stage", "MailFrom", "SesIdentity", "AlarmEmail", "GoogleClientIds", "PushIosApplicationArn",
            "PushAndroidApplicationArn", "CorsAllowedOrigins", "PayoutReturnUrl", "PayoutRefreshUrl",
            "ApiProvisionedConcurrency", "SearchEngine"} <= parameters
    for function in of_type(cfn, "AWS::Lambda::Function").values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["GIGCONNECT_MAIL_FROM"] == {"Ref": "MailFrom"}
        assert variables["GIGCONNECT_PAYOUT_RETURN_URL"] == {"Ref": "PayoutReturnUrl"}
        assert variables["GIGCONNECT_PUSH_IOS_APPLICATION_ARN"] == {"Ref": "PushIosApplicationArn"}
        # The stage's own settings come from the Stage parameter, not from the one stage Chalice rendered.
        assert variables["GIGCONNECT_STAGE"] == {"Fn::FindInMap": ["StageSettings", {"Ref": "Stage"},
                                                                   "GigconnectStage"]}
    assert cfn["Mappings"]["StageSettings"]["dev"]["PowertoolsLogLevel"] == "DEBUG"
    assert cfn["Mappings"]["StageSettings"]["prod"]["GigconnectStage"] == "prod"


def test_search_is_a_serverless_collection_or_a_domain_reached_with_the_matching_signature(cfn):
    resources = cfn["Resources"]
    collection = resources["SearchCollection"]
    assert collection["Condition"] == "UseServerlessSearch"
    assert set(collection["DependsOn"]) == {"SearchEncryptionPolicy", "SearchNetworkPolicy"}
    assert resources["SearchEncryptionPolicy"]["Properties"]["Type"] == "encryption"
    assert resources["SearchNetworkPolicy"]["Properties"]["Type"] == "network"
    data = resources["SearchDataAccessPolicy"]["Properties"]
    assert data["Type"] == "data"
    assert "${ApiRole.Arn}" in data["Policy"]["Fn::Sub"] and "${ConsumerRole.Arn}" in data["Policy"]["Fn::Sub"]
    assert "${WebsocketRole.Arn}" not in data["Policy"]["Fn::Sub"]  # only the roles that search and index
    domain = resources["SearchDomain"]
    assert domain["Condition"] == "UseSearchDomain"
    principals = domain["Properties"]["AccessPolicies"]["Statement"][0]["Principal"]["AWS"]
    assert principals == [{"Fn::GetAtt": ["ApiRole", "Arn"]}, {"Fn::GetAtt": ["ConsumerRole", "Arn"]}]
    for function in of_type(cfn, "AWS::Lambda::Function").values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["GIGCONNECT_OPENSEARCH_SERVICE"] == {"Fn::If": ["UseServerlessSearch", "aoss", "es"]}
        assert variables["GIGCONNECT_OPENSEARCH_URL"]["Fn::If"][0] == "UseServerlessSearch"
    for role in ("ApiRole", "ConsumerRole"):
        assert allows(resources[role], "aoss:APIAccessAll") and allows(resources[role], "es:ESHttpGet"), role
    assert not allows(resources["WebsocketRole"], "es:ESHttpGet")


# ---- lint ----------------------------------------------------------------------------------------


def test_cfn_lint_finds_nothing_in_the_translated_template(cfn, tmp_path):
    path = tmp_path / "translated.json"
    path.write_text(json.dumps(cfn))
    lint = Path(sys.executable).with_name("cfn-lint")
    answer = subprocess.run([str(lint), str(path)], capture_output=True, text=True)
    assert answer.returncode == 0, answer.stdout + answer.stderr


# ---- the API's kind: REST or HTTP API (issue 20 item 4) ---------------------------------------------------


def _condition(cfn: dict[str, Any], value: Any, parameters: dict[str, str]) -> Any:
    """A condition's or an intrinsic's value for the given parameter values (their defaults otherwise)."""
    if isinstance(value, dict) and len(value) == 1:
        (key, args), = value.items()
        if key == "Ref":
            return parameters.get(args, cfn["Parameters"].get(args, {}).get("Default"))
        if key == "Condition":
            return _condition(cfn, cfn["Conditions"][args], parameters)
        if key == "Fn::Equals":
            left, right = (_condition(cfn, a, parameters) for a in args)
            return str(left) == str(right)
        if key == "Fn::Not":
            return not _condition(cfn, args[0], parameters)
        if key == "Fn::And":
            return all(_condition(cfn, a, parameters) for a in args)
        if key == "Fn::Or":
            return any(_condition(cfn, a, parameters) for a in args)
        if key == "Fn::If":
            name, when, otherwise = args
            return _condition(cfn, when if _condition(cfn, cfn["Conditions"][name], parameters) else otherwise,
                              parameters)
    return value


def created(cfn: dict[str, Any], parameters: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The resources CloudFormation creates with these parameter values."""
    return {name: resource for name, resource in cfn["Resources"].items()
            if "Condition" not in resource
            or _condition(cfn, cfn["Conditions"][resource["Condition"]], parameters)}


def rest_operations(cfn: dict[str, Any]) -> set[str]:
    (api,) = of_type(cfn, "AWS::ApiGateway::RestApi").values()
    return {f"{method.upper()} {path}" for path, operations in api["Properties"]["Body"]["paths"].items()
            for method in operations}


@pytest.mark.parametrize("kind", ["rest", "http"])
def test_the_api_kind_parameter_creates_one_api_for_the_clients_and_the_other_not_at_all(cfn, kind):
    made = created(cfn, {"ApiKind": kind})
    # (the WebSocket API's routes and integrations are ApiGatewayV2 resources too: only the HTTP API's count)
    types = {resource["Type"] for resource in made.values()
             if resource["Properties"].get("ApiId", {"Ref": "HttpAPI"}) == {"Ref": "HttpAPI"}}
    rest_types = {"AWS::ApiGateway::RestApi", "AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment",
                  "AWS::WAFv2::WebACL", "AWS::WAFv2::WebACLAssociation"}
    http_types = {"AWS::ApiGatewayV2::Integration", "AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Stage"}
    if kind == "rest":
        assert rest_types <= types and not http_types & types
        assert {"APIHandlerInvokePermission", "ApiLatencyP95Alarm", "Api5xxRateAlarm"} <= set(made)
        assert not {"HttpAPI", "HttpAPIInvokePermission", "HttpApiLatencyP95Alarm"} & set(made)
    else:
        assert http_types <= types and not rest_types & types
        assert {"HttpAPI", "HttpAPIStage", "HttpAPIInvokePermission", "HttpApiLatencyP95Alarm",
                "HttpApi5xxRateAlarm", "HttpAPIAccessLogGroup"} <= set(made)
        assert not {"RestAPI", "APIHandlerInvokePermission", "ApiLatencyP95Alarm", "RestAPIWebACL"} & set(made)
    # The WebSocket API is the same either way.
    assert {"WebsocketAPI", "WebsocketAPIStage", "WebsocketMessageRoute"} <= set(made)
    endpoint = cfn["Outputs"]["EndpointURL"]["Value"]["Fn::If"]
    assert endpoint[0] == "UseHttpApi" and "${HttpAPI}" in endpoint[1]["Fn::Sub"] and "${RestAPI}" in endpoint[2][
        "Fn::Sub"]
    assert cfn["Parameters"]["ApiKind"]["Default"] == "rest" and cfn["Parameters"]["ApiKind"]["AllowedValues"] == [
        "rest", "http"]


def test_the_http_api_routes_every_rest_operation_to_the_live_alias_with_payload_format_1_0(cfn):
    made = created(cfn, {"ApiKind": "http"})
    routes = {r["Properties"]["RouteKey"]: r for r in made.values() if r["Type"] == "AWS::ApiGatewayV2::Route"
              and r["Properties"]["ApiId"] == {"Ref": "HttpAPI"}}
    assert set(routes) == rest_operations(cfn) and len(routes) > 40
    assert all(r["Properties"]["Target"] == {"Fn::Sub": "integrations/${HttpAPIIntegration}"}
               and r["Properties"]["ApiId"] == {"Ref": "HttpAPI"} for r in routes.values())
    integration = made["HttpAPIIntegration"]["Properties"]
    assert integration["IntegrationType"] == "AWS_PROXY" and integration["PayloadFormatVersion"] == "1.0"
    assert integration["IntegrationUri"] == {"Ref": "APIHandlerAliaslive"}  # the provisioned instances
    assert integration["TimeoutInMillis"] <= 30_000
    assert made["HttpAPI"]["Properties"]["ProtocolType"] == "HTTP"
    stage = made["HttpAPIStage"]["Properties"]
    assert stage["StageName"] == "$default" and stage["AutoDeploy"] is True
    throttle = MANIFEST["scaling"]["api_throttle"]
    assert (stage["DefaultRouteSettings"]["ThrottlingRateLimit"], stage["DefaultRouteSettings"]["ThrottlingBurstLimit"]
            ) == (throttle["rate_per_second"], throttle["burst"])
    assert stage["AccessLogSettings"]["DestinationArn"] == {"Fn::GetAtt": ["HttpAPIAccessLogGroup", "Arn"]}
    assert {"requestId", "ip", "status", "route"} <= set(json.loads(stage["AccessLogSettings"]["Format"]))


@pytest.mark.parametrize("kind", ["rest", "http"])
def test_only_the_created_api_may_invoke_the_alias_and_the_roles_are_the_same_either_way(cfn, kind):
    made = created(cfn, {"ApiKind": kind})
    permissions = [r["Properties"] for r in made.values() if r["Type"] == "AWS::Lambda::Permission"
                   and r["Properties"]["FunctionName"] == {"Ref": "APIHandlerAliaslive"}]
    (permission,) = permissions
    assert permission["Action"] == "lambda:InvokeFunction" and permission["Principal"] == "apigateway.amazonaws.com"
    source = json.dumps(permission["SourceArn"])
    assert ("${HttpAPI}/*" in source) == (kind == "http") and ("RestAPI" in source) == (kind == "rest")
    roles = {name: r for name, r in made.items() if r["Type"] == "AWS::IAM::Role"}
    other = created(cfn, {"ApiKind": "http" if kind == "rest" else "rest"})
    assert roles == {name: r for name, r in other.items() if r["Type"] == "AWS::IAM::Role"}


# ---- what is logged, traced and which runtime (issue 20: the cost per request) ----------------------


def test_every_function_logs_json_at_the_parameters_level_without_the_platforms_report_lines(cfn):
    functions = of_type(cfn, "AWS::Lambda::Function")
    assert len(functions) >= 10
    for name, function in functions.items():
        assert function["Properties"]["LoggingConfig"] == {
            "LogFormat": "JSON", "ApplicationLogLevel": {"Ref": "ApplicationLogLevel"}, "SystemLogLevel": "WARN"}, name
    assert cfn["Parameters"]["ApplicationLogLevel"]["Default"] == "INFO"


def test_the_rest_stage_is_sampled_by_the_stacks_rule_reservoir_and_rate_from_parameters(cfn):
    (rule,) = of_type(cfn, "AWS::XRay::SamplingRule").values()
    spec = rule["Properties"]["SamplingRule"]
    assert (spec["ReservoirSize"], spec["FixedRate"]) == ({"Ref": "TraceReservoirPerSecond"}, {"Ref": "TraceFixedRate"})
    assert (cfn["Parameters"]["TraceReservoirPerSecond"]["Default"], cfn["Parameters"]["TraceFixedRate"]["Default"]) \
        == (1, 0.01)
    assert spec["ServiceType"] == "AWS::ApiGateway::Stage"
    assert "${RestAPI}" in spec["ResourceARN"]["Fn::Sub"]  # this stack's stage, not every API of the account


def test_the_runtime_is_a_parameter_and_python312_swaps_provisioned_concurrency_for_snapstart(cfn):
    assert cfn["Parameters"]["PythonRuntime"]["Default"] == "python3.11"
    assert cfn["Conditions"]["UseSnapStart"] == {"Fn::Equals": [{"Ref": "PythonRuntime"}, "python3.12"]}
    for function in of_type(cfn, "AWS::Lambda::Function").values():
        assert function["Properties"]["Runtime"] == {"Ref": "PythonRuntime"}
    snapstart = {"Fn::If": ["UseSnapStart", {"ApplyOn": "PublishedVersions"}, {"Ref": "AWS::NoValue"}]}
    for name in ("APIHandler", "WebsocketMessage"):
        assert cfn["Resources"][name]["Properties"]["SnapStart"] == snapstart, name
    alias = cfn["Resources"]["APIHandlerAliaslive"]["Properties"]
    assert alias["ProvisionedConcurrencyConfig"]["Fn::If"][:2] == ["UseSnapStart", {"Ref": "AWS::NoValue"}]
    assert cfn["Resources"]["APIHandlerProvisionedConcurrencyTarget"]["Condition"] == "UseProvisionedConcurrency"
    # the socket's message route invokes the published alias (a snapshot serves only versions)
    uri = cfn["Resources"]["WebsocketMessageAPIIntegration"]["Properties"]["IntegrationUri"]["Fn::Sub"]
    assert "${WebsocketMessageAliaslive}" in uri
    assert cfn["Resources"]["WebsocketMessageInvokePermission"]["Properties"]["FunctionName"] == {
        "Ref": "WebsocketMessageAliaslive"}


def test_every_function_traces_as_the_parameter_says_active_by_default(cfn):
    functions = of_type(cfn, "AWS::Lambda::Function")
    assert len(functions) >= 10
    for name, function in functions.items():
        assert function["Properties"]["TracingConfig"] == {"Mode": {"Ref": "FunctionTracing"}}, name
    parameter = cfn["Parameters"]["FunctionTracing"]
    assert parameter["Default"] == "Active" and parameter["AllowedValues"] == ["Active", "PassThrough"]


@pytest.mark.parametrize("kind", ["rest", "http"])
def test_an_access_log_line_holds_what_the_runbooks_query_and_no_path_or_user_agent(cfn, kind):
    made = created(cfn, {"ApiKind": kind})
    if kind == "rest":
        fields = json.loads(made["RestAPIapiStage"]["Properties"]["AccessLogSetting"]["Format"])
        route = {"method": "$context.httpMethod", "resource": "$context.resourcePath",
                 "wafStatus": "$context.waf.status"}
    else:
        fields = json.loads(made["HttpAPIStage"]["Properties"]["AccessLogSettings"]["Format"])
        route = {"route": "$context.routeKey"}
    # ids in paths and the user agent doubled a line's bytes (CloudWatch bills each one); the request id leads
    # to the function's own lines, the route and latency are what the latency queries group by
    assert fields.keys() == {"requestId", "ip", "time", "status", "latencyMs", "integrationLatencyMs",
                             "integrationError"} | route.keys()
    assert all(fields[name] == value for name, value in route.items())
    assert not any("userAgent" in v or v.endswith(".path") for v in fields.values())


# ---- the table's capacity mode (issue 20 item 4: DynamoDB's cost per request) ----------------------------


def test_the_table_is_on_demand_by_default_and_nothing_scales_it(cfn):
    made = created(cfn, {})
    table = made["MainTable"]["Properties"]
    assert _condition(cfn, table["BillingMode"], {}) == "PAY_PER_REQUEST"
    assert _condition(cfn, table["ProvisionedThroughput"], {}) is None  # AWS::NoValue: no units
    for index in table["GlobalSecondaryIndexes"]:
        assert _condition(cfn, index["ProvisionedThroughput"], {}) is None
    assert not [r for r in made.values() if r["Type"] == "AWS::ApplicationAutoScaling::ScalingPolicy"]
    assert not [r for r in made.values() if r["Type"] == "AWS::ApplicationAutoScaling::ScalableTarget"
                and r["Properties"]["ServiceNamespace"] == "dynamodb"]


def test_a_provisioned_table_and_each_index_scale_reads_and_writes_by_target_tracking(cfn):
    parameters = {"TableCapacityMode": "provisioned"}
    made = created(cfn, parameters)
    table = made["MainTable"]["Properties"]
    units = {"ReadCapacityUnits": {"Ref": "TableReadUnitsMin"}, "WriteCapacityUnits": {"Ref": "TableWriteUnitsMin"}}
    assert _condition(cfn, table["BillingMode"], parameters) == "PROVISIONED"
    assert _condition(cfn, table["ProvisionedThroughput"], parameters) == units
    indexes = [index["IndexName"] for index in table["GlobalSecondaryIndexes"]]
    assert indexes == ["gsi1", "gsi2"]
    for index in table["GlobalSecondaryIndexes"]:
        assert _condition(cfn, index["ProvisionedThroughput"], parameters) == units
    targets = {name: r["Properties"] for name, r in made.items()
               if r["Type"] == "AWS::ApplicationAutoScaling::ScalableTarget"
               and r["Properties"]["ServiceNamespace"] == "dynamodb"}
    scaled = {(t["ResourceId"]["Fn::Sub"], t["ScalableDimension"]) for t in targets.values()}
    assert scaled == {(resource, f"dynamodb:{kind}:{units}CapacityUnits")
                      for resource, kind in [("table/${MainTable}", "table")]
                      + [(f"table/${{MainTable}}/index/{i}", "index") for i in indexes]
                      for units in ("Read", "Write")}
    for target in targets.values():
        units_of = "Read" if "Read" in target["ScalableDimension"] else "Write"
        assert (target["MinCapacity"], target["MaxCapacity"]) == (
            {"Ref": f"Table{units_of}UnitsMin"}, {"Ref": f"Table{units_of}UnitsMax"})
        assert "RoleARN" not in target  # Application Auto Scaling's service-linked role
    policies = [r["Properties"] for r in made.values() if r["Type"] == "AWS::ApplicationAutoScaling::ScalingPolicy"
                and r["Properties"].get("ScalingTargetId", {}).get("Ref") in targets]
    assert len(policies) == len(targets) == 6
    for policy in policies:
        target = targets[policy["ScalingTargetId"]["Ref"]]
        tracking = policy["TargetTrackingScalingPolicyConfiguration"]
        assert policy["PolicyType"] == "TargetTrackingScaling"
        assert tracking["TargetValue"] == {"Ref": "TableTargetUtilization"}
        metric = tracking["PredefinedMetricSpecification"]["PredefinedMetricType"]
        assert metric == ("DynamoDBReadCapacityUtilization" if "Read" in target["ScalableDimension"]
                          else "DynamoDBWriteCapacityUtilization")
    assert cfn["Parameters"]["TableCapacityMode"]["Default"] == "on-demand"
    assert cfn["Parameters"]["TableTargetUtilization"]["Default"] == 70
