"""Infra tier: the CDK app under aws_cdk.assertions, cdk-nag and cfn-lint; needs Node.js."""
