"""Expands a packaged SAM template into the plain CloudFormation that AWS would run, for an AWS emulator (moto) that
runs neither of the template's transforms.

    python scripts/deploy/expand_template.py PACKAGED.yaml --parameters '{"Env": "stag", ...}' > expanded.json

1. AWS::LanguageExtensions, as far as this project uses it: intrinsic functions in DeletionPolicy and
   UpdateReplacePolicy (e.g. `!If [IsProd, Retain, Delete]`), resolved with the parameter values. Anything else the
   transform offers (Fn::ForEach, Fn::Length, Fn::ToJsonString…) is refused by name rather than expanded wrongly.
2. AWS::Serverless-2016-10-31 by aws-sam-translator, the library the SAM transform itself is built from (pinned in
   .ci/requirements-deploy.txt). Managed policy names resolve through the IAM endpoint in AWS_ENDPOINT_URL.

The region comes from AWS_DEFAULT_REGION. Errors go to stderr with a non-zero exit.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import boto3
from samcli.yamlhelper import yaml_parse
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform

LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
SERVERLESS = "AWS::Serverless-2016-10-31"
POLICY_ATTRIBUTES = ("DeletionPolicy", "UpdateReplacePolicy")
UNSUPPORTED_EXTENSIONS = ("Fn::ForEach", "Fn::Length", "Fn::ToJsonString")


class ExpansionError(Exception):
    pass


def evaluate(value: Any, parameters: dict[str, str], conditions: dict[str, Any]) -> Any:
    """Evaluates the intrinsic functions a condition or a policy attribute may use."""
    if isinstance(value, dict) and len(value) == 1:
        (name, argument), = value.items()
        if name == "Ref":
            if argument not in parameters:
                raise ExpansionError(f"Ref {argument}: no value for this parameter")
            return parameters[argument]
        if name == "Condition":
            return evaluate(conditions[argument], parameters, conditions)
        if name == "Fn::Equals":
            left, right = (evaluate(item, parameters, conditions) for item in argument)
            return str(left) == str(right)
        if name == "Fn::Not":
            return not evaluate(argument[0], parameters, conditions)
        if name == "Fn::And":
            return all(evaluate(item, parameters, conditions) for item in argument)
        if name == "Fn::Or":
            return any(evaluate(item, parameters, conditions) for item in argument)
        if name == "Fn::If":
            condition, when_true, when_false = argument
            chosen = when_true if evaluate(conditions[condition], parameters, conditions) else when_false
            return evaluate(chosen, parameters, conditions)
        if name.startswith("Fn::"):
            raise ExpansionError(f"{name} is not supported here")
    return value


def find_unsupported(value: Any, path: str) -> list[str]:
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in UNSUPPORTED_EXTENSIONS or key.startswith("Fn::ForEach::"):
                found.append(f"{path}: {key}")
            found.extend(find_unsupported(item, f"{path}.{key}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(find_unsupported(item, f"{path}[{index}]"))
    return found


def apply_language_extensions(template: dict[str, Any], parameters: dict[str, str]) -> None:
    unsupported = find_unsupported(template.get("Resources", {}), "Resources")
    if unsupported:
        raise ExpansionError(
            "AWS::LanguageExtensions features this expander does not implement: " + "; ".join(unsupported)
        )
    conditions = template.get("Conditions", {})
    for logical_id, resource in template.get("Resources", {}).items():
        for attribute in POLICY_ATTRIBUTES:
            if attribute in resource:
                try:
                    resource[attribute] = evaluate(resource[attribute], parameters, conditions)
                except (ExpansionError, KeyError, TypeError, ValueError) as error:
                    raise ExpansionError(f"{logical_id}.{attribute}: {error}") from error


def with_defaults(template: dict[str, Any], given: dict[str, str]) -> dict[str, str]:
    values = {name: str(spec["Default"]) for name, spec in template.get("Parameters", {}).items() if "Default" in spec}
    values.update(given)
    return values


def expand(template_text: str, parameters: dict[str, str]) -> dict[str, Any]:
    template = yaml_parse(template_text)
    transforms = template.get("Transform", [])
    transforms = [transforms] if isinstance(transforms, str) else list(transforms)
    values = with_defaults(template, parameters)
    if LANGUAGE_EXTENSIONS in transforms:
        apply_language_extensions(template, values)
        transforms.remove(LANGUAGE_EXTENSIONS)
    unknown = [name for name in transforms if name != SERVERLESS]
    if unknown:
        raise ExpansionError(f"transforms this expander does not run: {', '.join(unknown)}")
    template["Transform"] = transforms
    if not transforms:
        template.pop("Transform")
        return template
    loader = ManagedPolicyLoader(boto3.client("iam"))
    return transform(template, values, loader)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("template")
    parser.add_argument("--parameters", default="{}", help="JSON object of parameter values")
    args = parser.parse_args()
    try:
        with open(args.template, encoding="utf-8") as file:
            expanded = expand(file.read(), json.loads(args.parameters))
    except ExpansionError as error:
        print(f"expand_template: {error}", file=sys.stderr)
        return 1
    except InvalidDocumentException as error:
        causes = "; ".join(str(cause) for cause in error.causes) or str(error)
        print(f"expand_template: the SAM transform refused the template: {causes}", file=sys.stderr)
        return 1
    json.dump(expanded, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
