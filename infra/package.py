"""Builds what ``sam deploy --template-file template.yaml`` uploads, for the Lambda runtime the template names.

    python -m infra.package layer    # build/layer/python: gigcore + the cloud's dependencies (requirements/layer.txt)
    python -m infra.package check    # import the handler from build/deployment.zip + build/layer, print sizes

The architecture is chalicefile.json's ``lambda.architecture`` (arm64), as rendered into the template. On a build
machine of another architecture the layer's native code cannot be loaded here: ``layer`` then also installs the
same requirements for this machine (``build/layer-host``), and ``check`` proves (1) every shared object of the
layer is an ELF file for the target machine, (2) both layers hold the same distributions at the same versions,
(3) the handler imports from the package and the host layer (the same code, the same pins).

The layer is installed for the runtime and architecture the template's functions name (``python3.11`` runs on
Amazon Linux 2, glibc 2.26): pip is given every manylinux tag that glibc accepts, so a wheel built for
``manylinux_2_26`` (argon2-cffi-bindings ships no older one) resolves as well as a ``manylinux2014`` one.
``check`` then proves the result loads: a bare interpreter (``-S``: no site-packages) imports ``app`` from the
unzipped deployment package and every cloud adapter from the layer, and it fails when a package the cloud
must not carry is present or when the unzipped size passes Lambda's limit.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
BUILD = REPO / "build"
LAYER = BUILD / "layer"
TEMPLATE = REPO / "template.yaml"
LAYER_REQUIREMENTS = REPO / "requirements" / "layer.txt"
CONSTRAINTS = REPO / "requirements" / "constraints.txt"

#: Lambda's Python runtimes: the Python version and the glibc of the Amazon Linux they run on.
RUNTIMES: dict[str, tuple[str, tuple[int, int]]] = {
    "python3.11": ("3.11", (2, 26)),  # Amazon Linux 2
    "python3.12": ("3.12", (2, 34)),  # Amazon Linux 2023
    "python3.13": ("3.13", (2, 34)),  # Amazon Linux 2023
}
ARCHITECTURES = {"x86_64": "x86_64", "arm64": "aarch64"}
#: ELF ``e_machine`` of each architecture's shared objects.
ELF_MACHINES = {"x86_64": 62, "arm64": 183}
HOST_LAYER = BUILD / "layer-host"
#: Installed without their declared dependencies: opensearch-py requires opensearch-protobufs (gRPC and
#: protobuf, ~20 MB) for a transport GigConnect does not use; its HTTP dependencies are in layer.txt.
NO_DEPS = ("opensearch-py",)
#: Distributions the cloud layer must not contain (import names, as found in the layer's directory).
FORBIDDEN = ("tantivy", "grpc", "google/protobuf", "opensearch_protobufs", "pytest", "_pytest", "moto",
             "hypothesis", "localstripe", "locust", "mypy", "ruff", "chalice")
#: Lambda's limit on a function's unzipped code and layers together.
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024
#: Modules the cloud imports (the handler's lazy imports included), checked against the built layer.
CLOUD_MODULES = ("app", "gigcore.bootstrap", "gigcore.adapters.aws", "gigcore.adapters.opensearch_search",
                 "gigcore.adapters.stripe_payments", "gigcore.adapters.passwords", "gigcore.adapters.jwt_tokens",
                 "gigcore.adapters.ses_mailer", "gigcore.adapters.sns", "gigcore.adapters.s3_store",
                 "gigcore.adapters.sqs_queue", "gigcore.adapters.websocket", "gigcore.adapters.dynamo_models",
                 "gigcore.observability", "opensearchpy", "argon2", "aws_xray_sdk.core",
                 "aws_lambda_powertools")


def template_runtime(template: dict[str, Any]) -> tuple[str, str]:
    """The one (runtime, architecture) every function of the template names."""
    pairs = set()
    for resource in template["Resources"].values():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        runtime = props.get("Runtime") or template.get("Globals", {}).get("Function", {}).get("Runtime")
        if isinstance(runtime, dict) and "Ref" in runtime:
            # a parameter (PythonRuntime): the layer is built for its default, GIGCONNECT_LAMBDA_RUNTIME overrides
            default = template["Parameters"][runtime["Ref"]]["Default"]
            runtime = os.environ.get("GIGCONNECT_LAMBDA_RUNTIME", default)
        (arch,) = props.get("Architectures", ["x86_64"])
        pairs.add((runtime, arch))
    if len(pairs) != 1:
        raise SystemExit(f"the template's functions name several runtimes or architectures: {sorted(pairs)}")
    (pair,) = pairs
    return pair


def platform_tags(runtime: str, architecture: str) -> list[str]:
    """Every manylinux tag a wheel may carry to load on ``runtime`` (newest glibc first)."""
    if runtime not in RUNTIMES:
        raise SystemExit(f"unknown Lambda runtime {runtime!r}: add it to infra/package.py RUNTIMES")
    _, (major, minor) = RUNTIMES[runtime]
    machine = ARCHITECTURES[architecture]
    tags = [f"manylinux_{major}_{m}_{machine}" for m in range(minor, 16, -1)]
    tags.append(f"manylinux2014_{machine}")
    if machine == "x86_64":
        tags += ["manylinux2010_x86_64", "manylinux1_x86_64"]
    return tags


def _load_template() -> dict[str, Any]:
    text = TEMPLATE.read_text()
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def host_architecture() -> str:
    machine = platform.machine().lower()
    return "arm64" if machine in ("aarch64", "arm64") else "x86_64"


def _pip(target: Path, runtime: str, architecture: str, *args: str) -> None:
    version, _ = RUNTIMES[runtime]
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target), "--upgrade",
               "--implementation", "cp", "--python-version", version, "--only-binary=:all:",
               "-c", str(CONSTRAINTS)]
    for tag in platform_tags(runtime, architecture):
        command += ["--platform", tag]
    subprocess.run(command + list(args), check=True)


def build_layer() -> None:
    runtime, architecture = template_runtime(_load_template())
    _install_layer(LAYER, runtime, architecture)
    shutil.rmtree(HOST_LAYER, ignore_errors=True)
    if architecture != host_architecture():
        print(f"and its twin for this {host_architecture()} machine, for the import check (build/layer-host)")
        _install_layer(HOST_LAYER, runtime, host_architecture())


def _install_layer(layer: Path, runtime: str, architecture: str) -> None:
    shutil.rmtree(layer, ignore_errors=True)
    shutil.rmtree(REPO / "layers" / "gigcore" / "build", ignore_errors=True)  # stale copies would be packaged
    target = layer / "python"
    target.mkdir(parents=True)
    print(f"layer for {runtime} {architecture} ({platform_tags(runtime, architecture)[0]} and older)")
    _pip(target, runtime, architecture, "-r", str(LAYER_REQUIREMENTS))
    _pip(target, runtime, architecture, "--no-deps", *NO_DEPS)
    _pip(target, runtime, architecture, "--no-deps", str(REPO / "layers" / "gigcore"))
    shutil.rmtree(REPO / "layers" / "gigcore" / "build", ignore_errors=True)  # setuptools' in-tree leftovers
    for junk in list(target.rglob("__pycache__")):
        shutil.rmtree(junk, ignore_errors=True)


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def elf_machine(path: Path) -> int | None:
    """The ``e_machine`` of an ELF file (None if it is not one)."""
    with path.open("rb") as handle:
        header = handle.read(20)
    if len(header) < 20 or header[:4] != b"\x7fELF":
        return None
    return int.from_bytes(header[18:20], "little" if header[5] == 1 else "big")


def foreign_binaries(layer: Path, architecture: str) -> list[str]:
    """Shared objects of the layer that are not built for ``architecture``."""
    want = ELF_MACHINES[architecture]
    return sorted(str(p.relative_to(layer)) for p in layer.rglob("*.so*")
                  if p.is_file() and elf_machine(p) not in (want,))


def distributions(layer: Path) -> set[str]:
    """``name==version`` of every distribution installed in the layer."""
    found = set()
    for info in layer.glob("*.dist-info"):
        name, _, version = info.name[:-len(".dist-info")].rpartition("-")
        found.add(f"{name.lower()}=={version}")
    return found


def forbidden_in(layer: Path) -> list[str]:
    return [name for name in FORBIDDEN if (layer / name).exists() or (layer / f"{name}.py").exists()]


def check(deployment: Path, layer: Path) -> int:
    problems = []
    found = forbidden_in(layer / "python")
    if found:
        problems.append(f"the layer carries what the cloud does not use: {', '.join(found)}")
    unpacked = BUILD / "deployment"
    shutil.rmtree(unpacked, ignore_errors=True)
    with zipfile.ZipFile(deployment) as archive:
        archive.extractall(unpacked)
    layer_bytes, code_bytes = tree_size(layer), tree_size(unpacked)
    runtime, architecture = template_runtime(_load_template())
    version, _ = RUNTIMES[runtime]
    foreign = foreign_binaries(layer / "python", architecture)
    if foreign:
        problems.append(f"shared objects not built for {architecture}: {', '.join(foreign[:10])}")
    importable = layer
    if architecture != host_architecture():
        # This machine cannot load the layer's native code: import from its twin built for this machine.
        twin = HOST_LAYER / "python"
        if not twin.exists():
            problems.append("build/layer-host is missing: run `python -m infra.package layer` again")
        elif distributions(layer / "python") != distributions(twin):
            problems.append("the layer and its twin hold different distributions: "
                            f"{sorted(distributions(layer / 'python') ^ distributions(twin))}")
        importable = HOST_LAYER
        print(f"the layer is for {architecture}: its {sum(1 for _ in (layer / 'python').rglob('*.so*'))} shared "
              f"objects are checked as {architecture} ELF files; the imports run against its {host_architecture()} "
              f"twin (the same distributions and versions)")
    python = shutil.which(f"python{version}")
    if python is None:
        print(f"note: python{version} is not on PATH; the import check of the package is skipped")
    else:
        # -S: no site-packages, so only the stdlib, the function's code and the layer can answer an import.
        script = ("import importlib, os, sys; sys.path[:0] = sys.argv[1:3]; "
                  "os.environ.setdefault('AWS_DEFAULT_REGION', 'us-east-1'); "
                  f"[importlib.import_module(m) for m in {list(CLOUD_MODULES)!r}]; "
                  "import argon2; "
                  "argon2.PasswordHasher().verify(argon2.PasswordHasher().hash('x'), 'x'); print('imports ok')")
        answer = subprocess.run([python, "-S", "-c", script, str(unpacked), str(importable / "python")],
                                capture_output=True, text=True, cwd=BUILD)
        if answer.returncode != 0:
            problems.append("the handler does not import from the package and the layer alone:\n"
                            + answer.stderr[-3000:])
    mb = 1024 * 1024
    print(f"layer (build/layer): {layer_bytes / mb:.1f} MB unzipped; function code (build/deployment.zip): "
          f"{code_bytes / mb:.1f} MB unzipped; together {(layer_bytes + code_bytes) / mb:.1f} MB of Lambda's "
          f"{LAMBDA_UNZIPPED_LIMIT // mb} MB")
    if layer_bytes + code_bytes > LAMBDA_UNZIPPED_LIMIT:
        problems.append("the function and its layer pass Lambda's 250 MB unzipped limit")
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["layer", "check"])
    args = parser.parse_args()
    if args.step == "layer":
        build_layer()
        return 0
    return check(BUILD / "deployment.zip", LAYER)


if __name__ == "__main__":
    sys.exit(main())
