"""The escalation state machine: the ASL file the local runtime also runs, paging through a Lambda task."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.nag import acknowledge
from klaxon.settings import Settings
from klaxon.topology import STATE_MACHINES

MACHINE = STATE_MACHINES["escalation"]


class Escalation(Construct):
    """A standard workflow per incident. It starts its own named executions, so it may start itself."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        repo_root: Path,
        functions: Mapping[str, lambda_.IFunction],
        controllers: list[lambda_.IFunction],
        sweepers: list[lambda_.IFunction] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.state_machine_name = f"{name}-escalation"
        self.arn = Stack.of(self).format_arn(
            service="states",
            resource="stateMachine",
            resource_name=self.state_machine_name,
            arn_format=_COLON,
        )
        self.state_machine = self._build_state_machine(repo_root, functions)
        self._allow_self_start()
        for controller in controllers:
            self._allow_control(controller)
        for sweeper in sweepers or []:
            self._allow_sweep(sweeper)

    def _build_state_machine(
        self, repo_root: Path, functions: Mapping[str, lambda_.IFunction]
    ) -> sfn.StateMachine:
        log_group = logs.LogGroup(
            self, "Logs", retention=logs.RetentionDays.THREE_MONTHS, removal_policy=RemovalPolicy.DESTROY
        )
        machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=self.state_machine_name,
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_file(str(repo_root / MACHINE.definition)),
            definition_substitutions={
                placeholder: functions[function].function_arn
                for placeholder, function in MACHINE.functions.items()
            },
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
            timeout=Duration.days(7),
        )
        for function in MACHINE.functions.values():
            functions[function].grant_invoke(machine)
        acknowledge(
            machine.role,
            "AwsSolutions-IAM5[Resource::<"
            + Stack.of(self).get_logical_id(
                functions[MACHINE.functions["EscalationStepFunctionArn"]].node.default_child  # type: ignore[arg-type]
            )
            + ".Arn>:*]",
            "Step Functions invokes the escalation-step function by its versioned ARN form (`:*`).",
        )
        acknowledge(
            machine.role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray and CloudWatch Logs delivery actions accept only `*` as resource.",
        )
        return machine

    def _allow_self_start(self) -> None:
        """A bus-started run starts the incident's named execution: the machine starts itself."""
        self.state_machine.add_to_role_policy(
            iam.PolicyStatement(actions=["states:StartExecution"], resources=[self.arn])
        )

    def _allow_control(self, function: lambda_.IFunction) -> None:
        """Stop an incident's execution on acknowledgement; start its acknowledgement-timeout run."""
        executions = Stack.of(self).format_arn(
            service="states",
            resource="execution",
            resource_name=f"{self.state_machine_name}:*",
            arn_format=_COLON,
        )
        assert function.role is not None
        function.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["states:StartExecution"], resources=[self.arn])
        )
        function.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["states:StopExecution"], resources=[executions])
        )
        if isinstance(function, lambda_.Function):
            function.add_environment(Settings.env_name("escalation_state_machine"), self.arn)
        acknowledge(
            function.role,
            f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:"
            f"{self.state_machine_name}:*]",
            "Executions are named by incident id, unknown until an incident opens; only this machine's.",
        )

    def _allow_sweep(self, function: lambda_.IFunction) -> None:
        """List the running executions; start one that resumes a round that lost its own. Nothing else."""
        assert function.role is not None
        function.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["states:ListExecutions", "states:StartExecution"], resources=[self.arn]
            )
        )
        if isinstance(function, lambda_.Function):
            function.add_environment(Settings.env_name("escalation_state_machine"), self.arn)


_COLON = __import__("aws_cdk").ArnFormat.COLON_RESOURCE_NAME
