"""What an HTTP function on Powertools' resolver (ingest, api, tracker_webhooks) imports before any of
Klaxon's code: the API Gateway resolver, Logger and pydantic's models (the resolver's validation and
Klaxon's models; `import pydantic` alone loads them on first use). `bench_imports` times importing this
module beside `import boto3`: no such function imports in less. (botocore is not here: ingest and api make
their AWS clients at their first call.)"""

import aws_lambda_powertools.event_handler
import aws_lambda_powertools.logging  # noqa: F401
from pydantic import BaseModel, Field  # noqa: F401
