"""IAM checked against the AWS calls the code really makes (issue 18 item 6).

The local runtime records, when ``GIGCONNECT_RECORD_AWS_CALLS`` names a directory, every AWS call each function
makes (every botocore client's ``_make_api_call``, PynamoDB's included, and every presigned S3 URL) as one JSON
line: the function, the service and operation, and the parameters that name a resource. :func:`evaluate` turns
each into the IAM action(s) and resource ARN(s) AWS would authorize, adds the calls the cloud makes that the
local stack does not (the cold start's secret read, the event source mappings' reads, which Lambda makes with the
function's role), and evaluates each against that function's role in the SAM-translated template with moto's IAM
policy evaluator.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.sam import ACCOUNT

REGION = "us-east-1"
WEBSOCKET_API_ID = "wsapi00001"
COLLECTION_ID = "collection0001"
SECRET_SUFFIX = "AbCdEf"  # noqa: S105 (the random suffix Secrets Manager adds to an ARN)
_NAME_PARAMS = ("TableName", "IndexName", "QueueUrl", "QueueName", "Bucket", "Key", "TopicArn", "TargetArn",
                "PhoneNumber", "Source", "SecretId", "ConnectionId", "PlatformApplicationArn", "EndpointArn")

# ---- recording (inside the local runtime's worker processes) -----------------------------------------------

_state = threading.local()
_lock = threading.Lock()
_installed = False


def set_function(name: str | None) -> None:
    """The function (chalicefile.json's name) whose calls are recorded from now on, in this thread."""
    _state.function = name


def _names(params: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {k: params[k] for k in _NAME_PARAMS if k in params}
    if "TransactItems" in params:
        found["TransactItems"] = [{kind: {"TableName": body.get("TableName")} for kind, body in item.items()}
                                  for item in params["TransactItems"]]
    if "RequestItems" in params:
        found["RequestItems"] = sorted(params["RequestItems"])
    return found


def install_recorder(directory: str) -> None:
    """Record every AWS call of this process into ``directory/<pid>.jsonl`` (idempotent)."""
    global _installed
    if _installed:
        return
    import botocore.client
    import botocore.signers

    path = Path(directory) / f"{os.getpid()}.jsonl"
    environment = {"stack": os.environ.get("GIGCONNECT_STACK_NAME", ""),
                   "bucket": os.environ.get("GIGCONNECT_ATTACHMENTS_BUCKET", "")}

    def record(client: Any, operation: str, params: dict[str, Any], presigned: bool = False,
               service: str | None = None) -> None:
        function = getattr(_state, "function", None)
        if function is None:
            return  # the runtime's own calls: it stands in for Lambda's pollers and API Gateway
        line = {"function": function, "service": service or client.meta.service_model.service_name,
                "operation": operation, "params": _names(params), "presigned": presigned} | environment
        with _lock, path.open("a") as out:
            out.write(json.dumps(line, default=str) + "\n")

    original_call = botocore.client.BaseClient._make_api_call  # type: ignore[attr-defined]

    def make_api_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        record(self, operation_name, api_params)
        return original_call(self, operation_name, api_params)

    original_presign = botocore.signers.generate_presigned_url

    def generate_presigned_url(self: Any, ClientMethod: str, Params: dict[str, Any] | None = None,  # noqa: N803
                               *args: Any, **kwargs: Any) -> Any:
        operation = self.meta.method_to_api_mapping.get(ClientMethod, ClientMethod)
        record(self, operation, Params or {}, presigned=True)
        return original_presign(self, ClientMethod, Params, *args, **kwargs)

    # The hot reads that GigConnect sends to DynamoDB itself (gigcore.adapters.dynamo_wire) are calls too.
    from gigcore.adapters.dynamo_wire import DirectReads

    original_send_all = DirectReads.send_all

    def send_all(self: Any, calls: list[tuple[str, dict[str, Any]]]) -> Any:
        for operation, params in calls:
            record(None, operation, params, service="dynamodb")
        return original_send_all(self, calls)

    botocore.client.BaseClient._make_api_call = make_api_call  # type: ignore[attr-defined]
    DirectReads.send_all = send_all  # type: ignore[method-assign]
    botocore.signers.generate_presigned_url = generate_presigned_url
    _installed = True


def read_records(directory: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for path in sorted(directory.glob("*.jsonl")) for line in path.read_text().splitlines()
            if line.strip()]


# ---- from a call to what IAM authorizes ------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    function: str
    action: str
    resource: str
    conditions: tuple[tuple[str, str], ...] = ()
    why: str = ""


def _table_arn(name: str) -> str:
    return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"


def _queue_arn(url_or_name: str) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{url_or_name.rstrip('/').rsplit('/', 1)[-1]}"


_TRANSACT = {"Put": "dynamodb:PutItem", "Update": "dynamodb:UpdateItem", "Delete": "dynamodb:DeleteItem",
             "ConditionCheck": "dynamodb:ConditionCheckItem", "Get": "dynamodb:GetItem"}
_BATCHES = {"SendMessageBatch": "SendMessage", "DeleteMessageBatch": "DeleteMessage",
            "ChangeMessageVisibilityBatch": "ChangeMessageVisibility"}


def accesses(record: dict[str, Any]) -> list[Access]:
    """What AWS authorizes for one recorded call."""
    function, service, operation, p = record["function"], record["service"], record["operation"], record["params"]
    region = (("aws:RequestedRegion", REGION),)
    if service == "dynamodb":
        if "TransactItems" in p:
            return [Access(function, _TRANSACT[kind], _table_arn(body["TableName"]), region, operation)
                    for item in p["TransactItems"] for kind, body in item.items()]
        if "RequestItems" in p:
            return [Access(function, f"dynamodb:{operation}", _table_arn(t), region) for t in p["RequestItems"]]
        arn = _table_arn(p["TableName"]) + (f"/index/{p['IndexName']}" if "IndexName" in p else "")
        return [Access(function, f"dynamodb:{operation}", arn, region)]
    if service == "sqs":
        queue = p.get("QueueUrl") or p.get("QueueName") or "*"
        return [Access(function, f"sqs:{_BATCHES.get(operation, operation)}", _queue_arn(queue), region)]
    if service == "s3":
        action = {"HeadObject": "s3:GetObject"}.get(operation, f"s3:{operation}")
        if "Key" in p:
            found = [Access(function, action, f"arn:aws:s3:::{p['Bucket']}/{p['Key']}", region)]
            if operation == "HeadObject":  # a missing key answers 404 only with ListBucket, else 403
                found.append(Access(function, "s3:ListBucket", f"arn:aws:s3:::{p['Bucket']}", region,
                                    "HeadObject of a key not uploaded"))
            return found
        return [Access(function, action, f"arn:aws:s3:::{p['Bucket']}", region)]
    if service in ("ses", "sesv2"):
        sender = p.get("Source", "")
        identity = sender.rsplit("@", 1)[-1]
        return [Access(function, f"ses:{operation}", f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{identity}",
                       region + (("ses:FromAddress", sender),))]
    if service == "sns":
        target = p.get("TargetArn") or p.get("TopicArn") or p.get("EndpointArn") or p.get("PlatformApplicationArn")
        return [Access(function, f"sns:{operation}", _local_sns_arn(target) if target else "*", region)]
    if service == "apigatewaymanagementapi":
        method = {"PostToConnection": "POST", "DeleteConnection": "DELETE", "GetConnection": "GET"}[operation]
        return [Access(function, "execute-api:ManageConnections",
                       f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{WEBSOCKET_API_ID}/api/{method}/@connections/"
                       f"{p.get('ConnectionId', '')}", region)]
    if service == "secretsmanager":
        return [Access(function, f"secretsmanager:{operation}", _secret_arn(record["stack"]), region)]
    return [Access(function, f"{service}:{operation}", "*", region)]


def _local_sns_arn(arn: str) -> str:
    """moto's SNS ARNs carry its account; the cloud's carry the stack's."""
    return re.sub(r"^arn:aws:sns:([^:]+):\d+:", f"arn:aws:sns:{REGION}:{ACCOUNT}:", arn)


def _secret_arn(stack: str) -> str:
    return f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{stack}/app-{SECRET_SUFFIX}"


def cloud_only_accesses(cfn: dict[str, Any], stack: str, functions: dict[str, str]) -> list[Access]:
    """Calls the cloud makes with a function's role that the local stack does not make.

    Every function reads the secret at its cold start (locally the keys are in the environment); each event
    source mapping reads its queue or stream, and the stream's writes its failed batches to its destination.
    """
    found = [Access(f, "secretsmanager:GetSecretValue", _secret_arn(stack), (("aws:RequestedRegion", REGION),),
                    "cold start") for f in functions]
    by_logical = {logical: name for name, logical in functions.items()}
    resolver = Resolver(cfn, stack, bucket="")
    for mapping in cfn["Resources"].values():
        if mapping["Type"] != "AWS::Lambda::EventSourceMapping":
            continue
        props = mapping["Properties"]
        function = by_logical[props["FunctionName"]["Ref"]]
        source = resolver.resolve(props["EventSourceArn"])
        region = (("aws:RequestedRegion", REGION),)
        if "StartingPosition" in props:
            found += [Access(function, f"dynamodb:{a}", source, region, "stream mapping")
                      for a in ("DescribeStream", "GetRecords", "GetShardIterator")]
            found.append(Access(function, "dynamodb:ListStreams", source.rsplit("/stream/", 1)[0] + "/stream/*",
                                region, "stream mapping"))
            failure = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
            if failure:
                found.append(Access(function, "sqs:SendMessage", resolver.resolve(failure), region,
                                    "stream mapping's on-failure destination"))
        else:
            found += [Access(function, f"sqs:{a}", source, region, "queue mapping")
                      for a in ("ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes")]
    return found


# ---- the translated template, resolved for one stack ----------------------------------------------------------


class Resolver:
    """Resolves the intrinsics of the translated template to strings, for one stack name and parameter set."""

    def __init__(self, cfn: dict[str, Any], stack: str, bucket: str, parameters: dict[str, str] | None = None):
        self.cfn, self.stack, self.bucket = cfn, stack, bucket
        declared = {k: str(v.get("Default", "")) for k, v in cfn.get("Parameters", {}).items()}
        self.parameters = declared | (parameters or {}) | {
            "AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws", "AWS::StackName": stack,
            "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": "__novalue__"}

    def condition(self, name: str) -> bool:
        return bool(self.resolve(self.cfn["Conditions"][name]))

    def ref(self, name: str) -> Any:
        if name in self.parameters:
            return self.parameters[name]
        resource = self.cfn["Resources"][name]
        kind = resource["Type"]
        if kind == "AWS::DynamoDB::Table":
            return self.resolve(resource["Properties"]["TableName"])
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{self.resolve(resource['Properties']['QueueName'])}"
        if kind == "AWS::S3::Bucket":
            return self.bucket or self.resolve(resource["Properties"]["BucketName"])
        if kind == "AWS::SecretsManager::Secret":
            return _secret_arn(self.stack)
        if kind == "AWS::ApiGatewayV2::Api":
            return WEBSOCKET_API_ID
        return name

    def get_att(self, name: str, attribute: str) -> str:
        resource = self.cfn["Resources"][name]
        kind = resource["Type"]
        if kind == "AWS::DynamoDB::Table":
            arn = _table_arn(self.ref(name))
            return arn + "/stream/2026-01-01T00:00:00.000" if attribute == "StreamArn" else arn
        if kind == "AWS::SQS::Queue":
            queue = self.resolve(resource["Properties"]["QueueName"])
            return queue if attribute == "QueueName" else _queue_arn(queue)
        if kind == "AWS::S3::Bucket":
            return f"arn:aws:s3:::{self.ref(name)}"
        if kind == "AWS::OpenSearchServerless::Collection":
            return f"arn:aws:aoss:{REGION}:{ACCOUNT}:collection/{COLLECTION_ID}"
        if kind == "AWS::IAM::Role":
            return f"arn:aws:iam::{ACCOUNT}:role/{self.stack}-{name}"
        return f"{name}.{attribute}"

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [r for r in (self.resolve(v) for v in value) if r != "__novalue__"]
        if not isinstance(value, dict):
            return value
        if len(value) != 1:
            return {k: self.resolve(v) for k, v in value.items()}
        ((key, arg),) = value.items()
        if key == "Ref":
            return self.ref(arg)
        if key == "Fn::GetAtt":
            name, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
            return self.get_att(name, attribute)
        if key == "Fn::Sub":
            text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
            variables = {k: self.resolve(v) for k, v in extra.items()}
            return re.sub(r"\$\{([^}!]+)\}", lambda m: str(self._variable(m.group(1), variables)), text)
        if key == "Fn::If":
            chosen = arg[1] if self.condition(arg[0]) else arg[2]
            return self.resolve(chosen)
        if key == "Fn::Equals":
            return str(self.resolve(arg[0])) == str(self.resolve(arg[1]))
        if key == "Fn::Not":
            return not self.resolve(arg[0])
        if key == "Fn::Or":
            return any(self.resolve(a) for a in arg)
        if key == "Fn::And":
            return all(self.resolve(a) for a in arg)
        if key == "Condition":
            return self.condition(arg)
        if key == "Fn::Join":
            return arg[0].join(str(self.resolve(v)) for v in arg[1])
        if key == "Fn::FindInMap":
            return self.cfn["Mappings"][arg[0]][self.resolve(arg[1])][arg[2]]
        return {k: self.resolve(v) for k, v in value.items()}

    def _variable(self, name: str, variables: dict[str, Any]) -> Any:
        if name in variables:
            return variables[name]
        if "." in name:
            resource, attribute = name.split(".", 1)
            return self.get_att(resource, attribute)
        return self.ref(name)


def role_documents(cfn: dict[str, Any], resolver: Resolver, role: str) -> list[dict[str, Any]]:
    """The inline policy documents of ``role``, resolved (conditional statements evaluated)."""
    properties = cfn["Resources"][role]["Properties"]
    return [resolver.resolve(policy["PolicyDocument"]) for policy in properties.get("Policies", [])]


# ---- evaluation -------------------------------------------------------------------------------------------


@dataclass
class Report:
    denied: list[Access]
    allowed: list[Access]
    unused: dict[str, list[str]]  # role -> "Sid: action" never used by a recorded call

    def text(self) -> str:
        lines = [f"{len(self.allowed)} distinct calls allowed, {len(self.denied)} denied"]
        lines += [f"DENIED {a.function}: {a.action} on {a.resource} {a.why}".rstrip() for a in self.denied]
        for role, actions in sorted(self.unused.items()):
            lines.append(f"{role}: allowed but not used by any recorded call: {', '.join(actions)}")
        return "\n".join(lines)


def evaluate(records: list[dict[str, Any]], cfn: dict[str, Any], functions: dict[str, dict[str, Any]],
             parameters: dict[str, str] | None = None) -> Report:
    """Every recorded call (and the cloud-only ones) against its function's role.

    ``functions``: chalicefile.json's functions (name -> spec with "role"); the logical ids follow infra.render.
    """
    from moto.iam.access_control import IAMPolicy, PermissionResult

    from infra.render import logical_id

    stacks = {r["stack"] for r in records} or {"gigconnect-local"}
    buckets = {r["bucket"] for r in records if r["bucket"]}
    (stack,) = stacks
    resolver = Resolver(cfn, stack, next(iter(buckets), ""), parameters)
    roles = {name: spec["role"] for name, spec in functions.items()}
    calls = {a for record in records if record["function"] for a in accesses(record)}
    calls |= set(cloud_only_accesses(cfn, stack, {n: logical_id(n) for n in functions}))
    documents = {role: role_documents(cfn, resolver, role) for role in set(roles.values())}
    denied: list[Access] = []
    allowed: list[Access] = []
    used: dict[str, set[tuple[str, str]]] = {role: set() for role in documents}
    for access in sorted(calls, key=lambda a: (a.function, a.action, a.resource)):
        role = roles[access.function]
        values = dict(access.conditions)
        granted = False
        for document in documents[role]:
            for statement in document["Statement"]:
                one = IAMPolicy(json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
                if one.is_action_permitted(access.action, access.resource,
                                           incoming_condition_values=values) == PermissionResult.PERMITTED:
                    granted = True
                    used[role].add((statement.get("Sid", ""), access.action))
        (allowed if granted else denied).append(access)
    unused: dict[str, list[str]] = {}
    for role, docs in documents.items():
        for document in docs:
            for statement in document["Statement"]:
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                for action in actions:
                    if (statement.get("Sid", ""), action) not in used[role] and not action.startswith(
                            ("xray:", "es:", "aoss:")):
                        unused.setdefault(role, []).append(f"{statement.get('Sid', '?')}: {action}")
    return Report(denied, allowed, unused)
