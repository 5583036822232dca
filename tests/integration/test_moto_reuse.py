"""klaxon.local.moto_reuse: moto's Step Functions reuses its clients and parsed JSONPaths, same answers."""

from __future__ import annotations

import hashlib
import inspect
from typing import Any

import pytest

from klaxon.local import moto_reuse

# sha256 (first 16 digits) of the moto code the patches stand in for, as of moto 5.2.5: a change means
# reading the new code (does it use `state_credentials` now? parse differently?) and updating the patch.
MIRRORED = {
    "boto_client_for": "1f44dc2ac8aa2179",
    "extract_json": "932245247973780c",
    "ResultPath._eval_body": "a6d93b4e5a332fad",
}


def _originals() -> dict[str, Any]:
    from moto.stepfunctions.parser.asl.component.common.path.result_path import ResultPath
    from moto.stepfunctions.parser.asl.utils import json_path

    return {
        "boto_client_for": moto_reuse.ORIGINALS["boto_client_for"],
        "extract_json": json_path.extract_json,
        "ResultPath._eval_body": ResultPath._eval_body,
    }


@pytest.mark.parametrize("name", sorted(MIRRORED))
def test_the_moto_code_the_patches_stand_in_for_is_unchanged(name: str, moto_alone: Any):
    source = inspect.getsource(_originals()[name])
    assert hashlib.sha256(source.encode()).hexdigest()[:16] == MIRRORED[name], (
        f"moto changed {name}: klaxon.local.moto_reuse stands in for it; read the new code, update the "
        "patch, then this hash"
    )


def test_tasks_get_one_client_per_service_and_region(moto_alone: Any):
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service_sfn

    assert lambda_eval_utils.boto_client_for is moto_reuse.boto_client_for
    assert state_task_service_sfn.boto_client_for is moto_reuse.boto_client_for
    first = moto_reuse.boto_client_for("us-east-1", "lambda", state_credentials=object())
    assert moto_reuse.boto_client_for("us-east-1", "lambda") is first
    assert moto_reuse.boto_client_for("eu-west-1", "lambda") is not first
    assert moto_reuse.boto_client_for("us-east-1", "stepfunctions") is not first
    assert first.meta.region_name == "us-east-1"


def test_a_jsonpath_is_parsed_once_and_still_reads_and_writes_as_before(moto_alone: Any):
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.utils import json_path

    assert json_path.parse("$.incident.id") is json_path.parse("$.incident.id")
    document = {"incident": {"id": "i-1", "tags": ["a", "b"]}}
    assert json_path.extract_json("$.incident.id", document) == "i-1"
    assert json_path.extract_json("$.incident.tags[1]", document) == "b"
    assert json_path.extract_json("$.incident.tags[*]", {"incident": {"tags": []}}) == []
    with pytest.raises(json_path.NoSuchJsonPathError):
        json_path.extract_json("$.missing", document)
    expression = result_path.parse("$.result")
    assert expression is result_path.parse("$.result")
    assert expression.update_or_create({"a": 1}, {"ok": True}) == {"a": 1, "result": {"ok": True}}
    assert expression.update_or_create({"b": 2}, 3) == {"b": 2, "result": 3}  # the expression kept no data
