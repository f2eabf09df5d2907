"""The cloud package's layer is built for the runtime the template names (issue 18 item 1)."""

from __future__ import annotations

from pathlib import Path

import yaml

from infra import package

REPO = Path(__file__).resolve().parents[2]


def test_the_layer_is_built_for_the_templates_runtime_with_every_tag_its_glibc_loads():
    template = yaml.safe_load((REPO / "template.yaml").read_text())
    runtime, architecture = package.template_runtime(template)
    assert (runtime, architecture) == ("python3.11", "arm64")
    tags = package.platform_tags(runtime, architecture)
    # Amazon Linux 2 has glibc 2.26: argon2-cffi-bindings' only wheel is manylinux_2_26, others manylinux2014.
    assert "manylinux_2_26_aarch64" in tags and "manylinux2014_aarch64" in tags
    assert "manylinux_2_28_aarch64" not in tags  # would load nowhere on python3.11's Lambda
    assert "manylinux_2_26_x86_64" in package.platform_tags("python3.11", "x86_64")
    assert "manylinux_2_34_aarch64" in package.platform_tags("python3.12", "arm64")


def test_the_layer_requirements_leave_out_what_the_cloud_does_not_use():
    text = (REPO / "requirements" / "layer.txt").read_text()
    lines = {line.split("#")[0].strip().lower() for line in text.splitlines()}
    for name in ("tantivy", "opensearch-py", "opensearch-protobufs", "grpcio", "protobuf", "pytest", "moto",
                 "localstripe", "chalice"):
        assert name not in lines, name
    assert "opensearch-py" in package.NO_DEPS


def test_every_dependency_gigcore_declares_is_in_the_layer_but_the_local_search_engine():
    import tomllib

    declared = tomllib.loads((REPO / "layers" / "gigcore" / "pyproject.toml").read_text())["project"]["dependencies"]
    text = (REPO / "requirements" / "layer.txt").read_text()
    layer = {line.split("#")[0].strip().lower() for line in text.splitlines()} | set(package.NO_DEPS)
    missing = {d.lower() for d in declared} - layer - {"tantivy"}
    assert not missing, f"add to requirements/layer.txt: {missing}"


def test_every_function_and_the_layer_have_the_architecture_of_chalicefile():
    """issue 20 item 4: arm64, since every binary wheel of the layer has a manylinux aarch64 build for cp311."""
    import json

    manifest = json.loads((REPO / "chalicefile.json").read_text())
    template = yaml.safe_load((REPO / "template.yaml").read_text())
    assert manifest["lambda"]["architecture"] == "arm64"
    functions = [r for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::Function"]
    assert len(functions) > 10 and all(f["Properties"]["Architectures"] == ["arm64"] for f in functions)
    layer = template["Resources"]["GigcoreLayer"]["Properties"]
    assert layer["CompatibleArchitectures"] == ["arm64"]


def _elf(path: Path, machine: int) -> Path:
    header = bytearray(b"\x7fELF" + bytes([2, 1, 1]) + bytes(11))  # 64-bit, little-endian
    header += machine.to_bytes(2, "little") + bytes(2)
    path.write_bytes(bytes(header) + bytes(40))
    return path


def test_the_check_refuses_a_shared_object_built_for_another_machine(tmp_path):
    (tmp_path / "pkg").mkdir()
    _elf(tmp_path / "pkg" / "_fast.cpython-311-aarch64-linux-gnu.so", 183)
    assert package.foreign_binaries(tmp_path, "arm64") == []
    _elf(tmp_path / "pkg" / "_slow.cpython-311-x86_64-linux-gnu.so", 62)
    assert package.foreign_binaries(tmp_path, "arm64") == ["pkg/_slow.cpython-311-x86_64-linux-gnu.so"]
    assert package.foreign_binaries(tmp_path, "x86_64") == ["pkg/_fast.cpython-311-aarch64-linux-gnu.so"]


def test_a_layer_and_its_twin_are_compared_by_distribution_and_version(tmp_path):
    for layer, version in (("a", "2.50.4"), ("b", "2.50.4"), ("c", "2.50.5")):
        (tmp_path / layer / f"pydantic_core-{version}.dist-info").mkdir(parents=True)
    assert package.distributions(tmp_path / "a") == {"pydantic_core==2.50.4"}
    assert package.distributions(tmp_path / "a") == package.distributions(tmp_path / "b")
    assert package.distributions(tmp_path / "a") != package.distributions(tmp_path / "c")
