"""The REST API: a Lambda proxy resource per route, logged, throttled, traced and validated."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from klaxon.topology import ROUTES
from tests.infra.support import function_logical_id, ref, resources_of_type

if TYPE_CHECKING:
    from aws_cdk.assertions import Match, Template


def _resource_paths(cfn: dict[str, Any]) -> dict[str, str]:
    """Each API Gateway resource's logical id -> its full path, walking ParentId up to the root."""
    resources = resources_of_type(cfn, "AWS::ApiGateway::Resource")

    def path(logical_id: str) -> str:
        properties = resources[logical_id]["Properties"]
        parent = properties["ParentId"]
        prefix = "" if "Fn::GetAtt" in parent else path(parent["Ref"])  # GetAtt: the RootResourceId
        return f"{prefix}/{properties['PathPart']}"

    return {logical_id: path(logical_id) for logical_id in resources}


def _methods_by_path(cfn: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    paths = _resource_paths(cfn)
    methods: dict[str, list[dict[str, Any]]] = {}
    for method in resources_of_type(cfn, "AWS::ApiGateway::Method").values():
        methods.setdefault(paths[method["Properties"]["ResourceId"]["Ref"]], []).append(method["Properties"])
    return methods


def _integrated_function(method: dict[str, Any]) -> str:
    """The function in the integration URI (the only reference in it that is not a pseudo parameter)."""
    targets = {ref(part) for part in method["Integration"]["Uri"]["Fn::Join"][1]}
    (function,) = {target for target in targets if target and not target.startswith("AWS::")}
    return function


def test_every_route_is_served_by_its_function_through_an_any_proxy_method(cfn: dict[str, Any]) -> None:
    methods = _methods_by_path(cfn)
    assert set(methods) == {route.path for route in ROUTES}
    for route in ROUTES:
        (method,) = methods[route.path]
        assert method["HttpMethod"] == "ANY"
        assert method["Integration"]["Type"] == "AWS_PROXY"
        assert _integrated_function(method) == function_logical_id(cfn, route.function)


def test_api_gateway_may_invoke_each_routed_function(template: Template, cfn: dict[str, Any]) -> None:
    for function in {route.function for route in ROUTES}:
        template.has_resource_properties(
            "AWS::Lambda::Permission",
            {
                "Action": "lambda:InvokeFunction",
                "Principal": "apigateway.amazonaws.com",
                "FunctionName": {"Fn::GetAtt": [function_logical_id(cfn, function), "Arn"]},
            },
        )


def test_every_method_goes_through_a_validator_checking_parameters_and_bodies(
    template: Template, cfn: dict[str, Any]
) -> None:
    (validator,) = resources_of_type(cfn, "AWS::ApiGateway::RequestValidator")
    template.has_resource_properties(
        "AWS::ApiGateway::RequestValidator", {"ValidateRequestBody": True, "ValidateRequestParameters": True}
    )
    template.all_resources_properties("AWS::ApiGateway::Method", {"RequestValidatorId": {"Ref": validator}})


def test_greedy_routes_require_their_proxy_path(cfn: dict[str, Any]) -> None:
    for path, (method,) in _methods_by_path(cfn).items():
        required = method.get("RequestParameters", {}).get("method.request.path.proxy")
        assert required is (True if path.endswith("{proxy+}") else None), path


def test_stage_writes_access_logs_throttles_and_traces(template: Template, match: type[Match]) -> None:
    template.has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "AccessLogSetting": {"DestinationArn": match.any_value(), "Format": match.any_value()},
            "TracingEnabled": True,
            "MethodSettings": match.array_with(
                [
                    match.object_like(
                        {
                            "HttpMethod": "*",
                            "ResourcePath": "/*",
                            "ThrottlingRateLimit": match.any_value(),
                            "ThrottlingBurstLimit": match.any_value(),
                        }
                    )
                ]
            ),
        },
    )


def test_api_owns_no_account_wide_cloudwatch_role(template: Template) -> None:
    template.resource_count_is("AWS::ApiGateway::Account", 0)
