"""template.yaml translated to plain CloudFormation by aws-sam-translator, as CloudFormation's
``AWS::Serverless-2016-10-31`` transform does at deploy time: what would really be created.

    python -m infra.sam [--out build/translated.json]   # write it (for cfn-lint or a look)
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "template.yaml"
REGION = "us-east-1"
ACCOUNT = "123456789012"


def uploaded(template: dict[str, Any]) -> dict[str, Any]:
    """The template as ``sam deploy`` hands it to CloudFormation: local code paths become S3 objects."""
    result = copy.deepcopy(template)
    for name, resource in result["Resources"].items():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str) and not props[key].startswith("s3://"):
                props[key] = f"s3://sam-deploy-bucket/{name}/{Path(props[key]).name}.zip"
    return result


def translate(template: dict[str, Any], parameters: dict[str, Any] | None = None,
              region: str = REGION) -> dict[str, Any]:
    import boto3
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator
    from samtranslator.utils.py27hash_fix import to_py27_compatible_template, undo_mark_unicode_str_in_template

    fragment = uploaded(template)
    values = {"AWS::Region": region, "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws"} | (parameters or {})
    to_py27_compatible_template(fragment, values)
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=region))
    translated = translator.translate(fragment, parameter_values=values,
                                      get_managed_policy_map=lambda: {})  # roles are ours: no SAM policies
    result: dict[str, Any] = undo_mark_unicode_str_in_template(translated)
    return result


def translated_template(parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    return translate(yaml.safe_load(TEMPLATE.read_text()), parameters)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "build" / "translated.json")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(translated_template(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
