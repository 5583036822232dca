"""The REST API: one Lambda proxy resource per route of klaxon.topology.ROUTES."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.nag import acknowledge
from klaxon.topology import ROUTES, Route

# An alert storm from a handful of monitoring tools stays well below this; a runaway client does not.
THROTTLING_RATE_LIMIT = 100  # requests per second, steady
THROTTLING_BURST_LIMIT = 200
ACCESS_LOG_RETENTION = logs.RetentionDays.THREE_MONTHS


class Api(Construct):
    """Access-logged, throttled and traced; authentication happens in the functions."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api_name: str,
        functions: Mapping[str, lambda_.IFunction],
        web_acl: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        self.rest_api = self._build_rest_api(api_name)
        self._validator = self._build_request_validator()
        integrations = {name: apigateway.LambdaIntegration(function) for name, function in functions.items()}
        for route in ROUTES:
            self._build_route(route, integrations[route.function])
        self._acknowledge_stage_findings(web_acl)

    def _build_rest_api(self, api_name: str) -> apigateway.RestApi:
        access_logs = logs.LogGroup(self, "AccessLogs", retention=ACCESS_LOG_RETENTION)
        return apigateway.RestApi(
            self,
            "RestApi",
            # CloudWatch keys API metrics by name: two deployments' APIs must not share one.
            rest_api_name=api_name,
            description="Klaxon: alert ingestion (PagerDuty Events v2, integrations) and the incidents API",
            # Callers are monitoring tools in a few regions, not browsers worldwide: no CloudFront hop.
            endpoint_types=[apigateway.EndpointType.REGIONAL],
            # The CloudWatch role is account-wide (AWS::ApiGateway::Account); a product stack must not own it.
            cloud_watch_role=False,
            deploy_options=apigateway.StageOptions(
                access_log_destination=apigateway.LogGroupLogDestination(access_logs),
                access_log_format=apigateway.AccessLogFormat.json_with_standard_fields(
                    caller=True,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
                throttling_rate_limit=THROTTLING_RATE_LIMIT,
                throttling_burst_limit=THROTTLING_BURST_LIMIT,
                tracing_enabled=True,
            ),
        )

    def _build_request_validator(self) -> apigateway.RequestValidator:
        # Methods attach no request models, so API Gateway checks the required path parameters only:
        # bodies are validated by the functions, because PagerDuty clients expect its exact 400 body,
        # not API Gateway's. Body validation stays on so a model added later is enforced.
        return self.rest_api.add_request_validator(
            "RequestValidator", validate_request_body=True, validate_request_parameters=True
        )

    def _build_route(self, route: Route, integration: apigateway.LambdaIntegration) -> None:
        resource = self.rest_api.root.resource_for_path(route.path)
        greedy = route.path.endswith("{proxy+}")
        method = resource.add_method(
            "ANY",
            integration,
            request_validator=self._validator,
            request_parameters={"method.request.path.proxy": True} if greedy else None,
        )
        reason = (
            "Callers authenticate in the functions, with bearer tokens and integration keys: "
            "PagerDuty Events v2 senders and monitoring tools can neither sign SigV4 requests "
            "nor obtain Cognito tokens."
        )
        acknowledge(method, "AwsSolutions-APIG4", reason)
        acknowledge(method, "AwsSolutions-COG4", reason)

    def _acknowledge_stage_findings(self, web_acl: bool) -> None:
        stage = self.rest_api.deployment_stage
        if not web_acl:
            acknowledge(
                stage,
                "AwsSolutions-APIG3",
                "The WAF web ACL is optional (-c klaxon:waf=true): its fixed monthly cost outweighs a few "
                "dollars of traffic, and without it stage throttling and Klaxon's per-token and per-key "
                "rate limits bound abuse.",
            )
        acknowledge(
            stage,
            "AwsSolutions-APIG6",
            "Access logs, X-Ray and the functions' structured logs cover each request; execution logging "
            "needs the account-wide API Gateway CloudWatch role, which this stack does not own.",
        )
