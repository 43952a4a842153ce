"""CloudFormation support in moto for the resource types our template uses and moto 5.2.5 only pretends to create.

moto's CloudFormation answers CREATE_COMPLETE for a resource type it does not implement, creates nothing, and leaves
every `Ref` to it unresolved (the stack's ApiUrl output would read `https://${HttpApi}.execute-…`). For the first-deploy
rehearsal (`npm run deploy:rehearse`) the HTTP API, its stage, custom domain and the bucket policy must exist like
any other resource, so this module teaches moto's CloudFormation to create them through moto's own service backends
(apigatewayv2, s3): what the rehearsal then reads back (routes, stage, policy) is what the stack really created.

Three fixes to moto's own behaviour, each explained where it is made: a role gets its ManagedPolicyArns, a stack
created through a change set reports its outputs, and bucket-policy statements with a Condition (which moto cannot
evaluate) are not enforced unconditionally.
The alarms (metric and composite) and the reconciler's asynchronous-invocation settings are created through moto's
cloudwatch and lambda backends the same way.
`UNEMULATED` lists what is still only acknowledged; the rehearsal fails on any other type moto cannot create.
Imported by .ci/moto_server.py before the server starts (moto builds its type map on first use).
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from moto.apigatewayv2.models import apigatewayv2_backends
from moto.awslambda.models import lambda_backends
from moto.cloudwatch.models import Dimension, Metric, MetricDataQuery, MetricStat, cloudwatch_backends
from moto.core.common_models import CloudFormationModel
from moto.iam.models import iam_backends
from moto.s3.models import s3_backends
from moto.utilities.utils import get_partition

# Types moto acknowledges without creating anything, and why that is acceptable for the rehearsal.
UNEMULATED = {
    # The certificate only exists when the optional ApiDomainName parameter is set; moto has no ACM in CloudFormation.
    "AWS::CertificateManager::Certificate": "ACM certificates are issued by AWS after DNS validation",
}


def _apis(account_id: str, region_name: str):
    return apigatewayv2_backends[account_id][region_name]


class HttpApiResource(CloudFormationModel):
    """AWS::ApiGatewayV2::Api with an OpenAPI Body (what SAM generates for AWS::Serverless::HttpApi)."""

    __module__ = "moto.apigatewayv2.cloudformation"  # moto files models by the service in their module path

    def __init__(self, api: Any, region_name: str):
        self.api = api
        self.region_name = region_name

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGatewayV2::Api"

    @property
    def physical_resource_id(self) -> str:
        return self.api.api_id

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("ApiEndpoint", "ApiId")

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name == "ApiId":
            return self.api.api_id
        return f"https://{self.api.api_id}.execute-api.{self.region_name}.amazonaws.com"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> "HttpApiResource":
        properties = cloudformation_json.get("Properties", {})
        body = properties.get("Body")
        title = (body or {}).get("info", {}).get("title")
        api = _apis(account_id, region_name).create_api(
            api_key_selection_expression=properties.get("ApiKeySelectionExpression"),
            cors_configuration=properties.get("CorsConfiguration"),
            description=properties.get("Description"),
            disable_schema_validation=properties.get("DisableSchemaValidation"),
            disable_execute_api_endpoint=properties.get("DisableExecuteApiEndpoint"),
            name=properties.get("Name") or title or resource_name,
            protocol_type=properties.get("ProtocolType", "HTTP"),
            route_selection_expression=properties.get("RouteSelectionExpression"),
            tags=properties.get("Tags") or {},
            version=properties.get("Version"),
        )
        if body:
            # Routes and Lambda integrations, as API Gateway imports them from the OpenAPI body.
            api.import_api(yaml.safe_dump(body), bool(properties.get("FailOnWarnings")))
        return cls(api, region_name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: "HttpApiResource",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "HttpApiResource":
        body = cloudformation_json.get("Properties", {}).get("Body")
        if body:
            original_resource.api.import_api(yaml.safe_dump(body), False)
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        _apis(account_id, region_name).delete_api(self.api.api_id)


class HttpApiStageResource(CloudFormationModel):
    __module__ = "moto.apigatewayv2.cloudformation"  # moto files models by the service in their module path

    def __init__(self, api_id: str, stage_name: str):
        self.api_id = api_id
        self.stage_name = stage_name

    @staticmethod
    def cloudformation_name_type() -> str:
        return "StageName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGatewayV2::Stage"

    @property
    def physical_resource_id(self) -> str:
        return self.stage_name

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> "HttpApiStageResource":
        properties = cloudformation_json["Properties"]
        config = {
            "stageName": properties["StageName"],
            "autoDeploy": properties.get("AutoDeploy"),
            "description": properties.get("Description"),
            "stageVariables": properties.get("StageVariables") or {},
            "tags": properties.get("Tags") or {},
        }
        if properties.get("AccessLogSettings"):
            config["accessLogSettings"] = {
                "destinationArn": properties["AccessLogSettings"].get("DestinationArn"),
                "format": properties["AccessLogSettings"].get("Format"),
            }
        if properties.get("DefaultRouteSettings"):
            config["defaultRouteSettings"] = {
                "throttlingBurstLimit": properties["DefaultRouteSettings"].get("ThrottlingBurstLimit"),
                "throttlingRateLimit": properties["DefaultRouteSettings"].get("ThrottlingRateLimit"),
            }
        _apis(account_id, region_name).create_stage(properties["ApiId"], config)
        return cls(properties["ApiId"], properties["StageName"])

    def delete(self, account_id: str, region_name: str) -> None:
        try:
            _apis(account_id, region_name).delete_stage(self.api_id, self.stage_name)
        except Exception:  # the API went first
            pass


class HttpApiDomainNameResource(CloudFormationModel):
    __module__ = "moto.apigatewayv2.cloudformation"  # moto files models by the service in their module path

    def __init__(self, domain_name: Any):
        self.domain = domain_name

    @staticmethod
    def cloudformation_name_type() -> str:
        return "DomainName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGatewayV2::DomainName"

    @property
    def physical_resource_id(self) -> str:
        return self.domain.domain_name

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("RegionalDomainName", "RegionalHostedZoneId")

    def get_cfn_attribute(self, attribute_name: str) -> str:
        config = (self.domain.domain_name_configurations or [{}])[0]
        key = "ApiGatewayDomainName" if attribute_name == "RegionalDomainName" else "HostedZoneId"
        return str(config.get(key, ""))

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> "HttpApiDomainNameResource":
        properties = cloudformation_json["Properties"]
        domain = _apis(account_id, region_name).create_domain_name(
            domain_name=properties["DomainName"],
            domain_name_configurations=properties.get("DomainNameConfigurations") or [],
            mutual_tls_authentication=properties.get("MutualTlsAuthentication") or {},
            tags=properties.get("Tags") or {},
        )
        return cls(domain)

    def delete(self, account_id: str, region_name: str) -> None:
        _apis(account_id, region_name).delete_domain_name(self.domain.domain_name)


class HttpApiMappingResource(CloudFormationModel):
    __module__ = "moto.apigatewayv2.cloudformation"  # moto files models by the service in their module path

    def __init__(self, mapping: Any):
        self.mapping = mapping

    @staticmethod
    def cloudformation_name_type() -> str:
        return "ApiMappingKey"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGatewayV2::ApiMapping"

    @property
    def physical_resource_id(self) -> str:
        return self.mapping.api_mapping_id

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> "HttpApiMappingResource":
        properties = cloudformation_json["Properties"]
        mapping = _apis(account_id, region_name).create_api_mapping(
            api_id=properties["ApiId"],
            api_mapping_key=properties.get("ApiMappingKey", ""),
            domain_name=properties["DomainName"],
            stage=properties["Stage"],
        )
        return cls(mapping)

    def delete(self, account_id: str, region_name: str) -> None:
        _apis(account_id, region_name).delete_api_mapping(self.mapping.api_mapping_id, self.mapping.domain_name)


class BucketPolicyResource(CloudFormationModel):
    __module__ = "moto.s3.cloudformation"  # moto files models by the service in their module path

    def __init__(self, bucket_name: str):
        self.bucket_name = bucket_name

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Bucket"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::S3::BucketPolicy"

    @property
    def physical_resource_id(self) -> str:
        return self.bucket_name

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> "BucketPolicyResource":
        properties = cloudformation_json["Properties"]
        backend = s3_backends[account_id][get_partition(region_name)]
        backend.put_bucket_policy(properties["Bucket"], json.dumps(properties["PolicyDocument"]).encode())
        return cls(properties["Bucket"])

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: "BucketPolicyResource",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "BucketPolicyResource":
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        try:
            s3_backends[account_id][get_partition(region_name)].delete_bucket_policy(self.bucket_name)
        except Exception:  # the bucket went first
            pass


class OidcProviderResource(CloudFormationModel):
    """AWS::IAM::OIDCProvider (aws/bootstrap.yaml: GitHub Actions' token issuer)."""

    __module__ = "moto.iam.cloudformation"  # moto files models by the service in their module path

    def __init__(self, arn: str):
        self.arn = arn

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Url"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::IAM::OIDCProvider"

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Arn"

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return self.arn

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> "OidcProviderResource":
        properties = cloudformation_json["Properties"]
        provider = iam_backends[account_id][get_partition(region_name)].create_open_id_connect_provider(
            url=properties["Url"],
            thumbprint_list=properties.get("ThumbprintList") or [],
            client_id_list=properties.get("ClientIdList") or [],
            tags=properties.get("Tags") or [],
        )
        return cls(provider.arn)

    def delete(self, account_id: str, region_name: str) -> None:
        iam_backends[account_id][get_partition(region_name)].delete_open_id_connect_provider(self.arn)


def _metric_data_queries(metrics: list[dict[str, Any]] | None) -> list[MetricDataQuery] | None:
    """An alarm's `Metrics` (metric math) as moto's cloudwatch backend takes them (as its PutMetricAlarm does)."""
    if not metrics:
        return None
    queries = []
    for metric in metrics:
        stat = metric.get("MetricStat")
        metric_stat = None
        if stat:
            dimensions = [Dimension(name=d.get("Name"), value=d.get("Value")) for d in stat["Metric"].get("Dimensions", [])]
            metric_stat = MetricStat(
                metric=Metric(metric_name=stat["Metric"]["MetricName"], namespace=stat["Metric"]["Namespace"], dimensions=dimensions),
                period=stat.get("Period"),
                stat=stat.get("Stat"),
                unit=stat.get("Unit"),
            )
        queries.append(
            MetricDataQuery(
                query_id=metric["Id"],
                label=metric.get("Label"),
                period=metric.get("Period"),
                return_data=metric.get("ReturnData"),
                expression=metric.get("Expression"),
                metric_stat=metric_stat,
            )
        )
    return queries


class AlarmResource(CloudFormationModel):
    """AWS::CloudWatch::Alarm and AWS::CloudWatch::CompositeAlarm (the order API's alarms, docs/operations.md)."""

    __module__ = "moto.cloudwatch.cloudformation"  # moto files models by the service in their module path

    def __init__(self, alarm: Any):
        self.alarm = alarm

    @staticmethod
    def cloudformation_name_type() -> str:
        return "AlarmName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudWatch::Alarm"

    @property
    def physical_resource_id(self) -> str:
        return self.alarm.name

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Arn"

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return self.alarm.alarm_arn

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> "AlarmResource":
        p = cloudformation_json.get("Properties", {})
        alarm = cloudwatch_backends[account_id][region_name].put_metric_alarm(
            name=p.get("AlarmName", resource_name),
            namespace=p.get("Namespace"),
            metric_name=p.get("MetricName"),
            metric_data_queries=_metric_data_queries(p.get("Metrics")),
            comparison_operator=p.get("ComparisonOperator"),
            evaluation_periods=p.get("EvaluationPeriods"),
            datapoints_to_alarm=p.get("DatapointsToAlarm"),
            period=p.get("Period"),
            threshold=p.get("Threshold"),
            statistic=p.get("Statistic"),
            extended_statistic=p.get("ExtendedStatistic"),
            description=p.get("AlarmDescription"),
            dimensions=p.get("Dimensions", []),
            alarm_actions=p.get("AlarmActions", []),
            ok_actions=p.get("OKActions", []),
            insufficient_data_actions=p.get("InsufficientDataActions", []),
            unit=p.get("Unit"),
            actions_enabled=p.get("ActionsEnabled", True) not in (False, "false"),
            treat_missing_data=p.get("TreatMissingData"),
            rule=p.get("AlarmRule"),
        )
        return cls(alarm)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: "AlarmResource",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "AlarmResource":
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        cloudwatch_backends[account_id][region_name].delete_alarms([self.alarm.name])


class CompositeAlarmResource(AlarmResource, CloudFormationModel):  # a direct subclass: moto finds models that way
    __module__ = "moto.cloudwatch.cloudformation"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudWatch::CompositeAlarm"


class EventInvokeConfigResource(CloudFormationModel):
    """AWS::Lambda::EventInvokeConfig (SAM's EventInvokeConfig: the reconciler's schedule is not retried)."""

    __module__ = "moto.awslambda.cloudformation"  # moto files models by the service in their module path

    def __init__(self, function_name: str, qualifier: str):
        self.function_name = function_name
        self.qualifier = qualifier

    @staticmethod
    def cloudformation_name_type() -> str:
        return "FunctionName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Lambda::EventInvokeConfig"

    @property
    def physical_resource_id(self) -> str:
        return f"{self.function_name}:{self.qualifier}"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> "EventInvokeConfigResource":
        p = cloudformation_json["Properties"]
        config = {k: p[k] for k in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig") if k in p}
        lambda_backends[account_id][region_name].put_function_event_invoke_config(p["FunctionName"], config)
        return cls(p["FunctionName"], p.get("Qualifier", "$LATEST"))

    def delete(self, account_id: str, region_name: str) -> None:
        try:
            lambda_backends[account_id][region_name].delete_function_event_invoke_config(self.function_name)
        except Exception:  # the function went first
            pass


def _attach_role_managed_policies() -> None:
    """moto 5.2.5 creates an AWS::IAM::Role without its ManagedPolicyArns (SAM gives every function role
    AWSLambdaBasicExecutionRole, the bootstrap's deploy roles get their own policy this way). Attach them, and detach
    them again before the role is deleted, as CloudFormation does; AWS-managed ones exist when the server runs with
    MOTO_IAM_LOAD_MANAGED_POLICIES=true."""
    from moto.iam.models import Role

    create = Role.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create_from_cloudformation_json(
        cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        role = create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        backend = iam_backends[account_id][get_partition(region_name)]
        for arn in cloudformation_json.get("Properties", {}).get("ManagedPolicyArns") or []:
            backend.attach_role_policy(policy_arn=arn, role_name=role.name)
        return role

    delete = Role.delete_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def delete_from_cloudformation_json(
        cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        # CloudFormation detaches what it attached before it deletes the role.
        backend = iam_backends[account_id][get_partition(region_name)]
        for role in list(backend.roles.values()):
            if role.name == resource_name:
                for arn in list(role.managed_policies):
                    backend.detach_role_policy(policy_arn=arn, role_name=resource_name)
        delete(cls, resource_name, cloudformation_json, account_id, region_name)

    Role.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)  # type: ignore[method-assign,assignment]
    Role.delete_from_cloudformation_json = classmethod(delete_from_cloudformation_json)  # type: ignore[method-assign,assignment]


_attach_role_managed_policies()


def _refresh_outputs_after_change_sets() -> None:
    """moto 5.2.5 computes a stack's outputs when the stack object is made and on UpdateStack, but not when a change
    set is executed, so a stack created through a change set (as `sam deploy` creates them) reports no outputs.
    Recompute them after every executed change set, as CloudFormation does."""
    from moto.cloudformation.models import CloudFormationBackend

    execute = CloudFormationBackend.execute_change_set

    def execute_change_set(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None) -> None:
        execute(self, change_set_name, stack_name)
        for change_set in self.change_sets.values():
            if change_set_name in (change_set.change_set_id, change_set.change_set_name):
                stack = self.stacks[change_set.stack_id]
                stack._parse_template()
                stack.output_map = stack._create_output_map()

    CloudFormationBackend.execute_change_set = execute_change_set  # type: ignore[method-assign]


_refresh_outputs_after_change_sets()


def _skip_conditional_bucket_policy_statements() -> None:
    """moto 5.2.5 enforces a bucket policy's statements but ignores their conditions, so the template's
    DenyInsecureTransport (Deny s3:* when aws:SecureTransport is false) denies every request, including the TLS
    ones AWS allows. Statements with a Condition are skipped instead: moto cannot evaluate them either way, and
    skipping errs towards what AWS does for a client that uses TLS (as the AWS SDK does)."""
    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.s3.models import FakeBucket

    def get_permission(self: FakeBucket, action: str, resource: str) -> Any:
        if self.policy is None:
            return PermissionResult.NEUTRAL
        document = json.loads(self.policy)
        statements = document.get("Statement", [])
        statements = [statements] if isinstance(statements, dict) else statements
        evaluable = [statement for statement in statements if "Condition" not in statement]
        if not evaluable:
            return PermissionResult.NEUTRAL
        return IAMPolicy(json.dumps({**document, "Statement": evaluable})).is_action_permitted(action, resource)

    FakeBucket.get_permission = get_permission  # type: ignore[method-assign]


_skip_conditional_bucket_policy_statements()
