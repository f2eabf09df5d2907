"""The cloud package's layer is built for the runtime the template names (issue 18 item 1)."""

from __future__ import annotations

from pathlib import Path

import yaml

from infra import package

REPO = Path(__file__).resolve().parents[2]


def test_the_layer_is_built_for_the_templates_runtime_with_every_tag_its_glibc_loads():
    template = yaml.safe_load((REPO / "template.yaml").read_text())
    runtime, architecture = package.template_runtime(template)
    assert (runtime, architecture) == ("python3.11", "x86_64")
    tags = package.platform_tags(runtime, architecture)
    # Amazon Linux 2 has glibc 2.26: argon2-cffi-bindings' only wheel is manylinux_2_26, others manylinux2014.
    assert "manylinux_2_26_x86_64" in tags and "manylinux2014_x86_64" in tags
    assert "manylinux_2_28_x86_64" not in tags  # would load nowhere on python3.11's Lambda
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
