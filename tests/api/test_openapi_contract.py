"""The v1 contract: the live OpenAPI document still holds everything the committed one
(api/openapi.json) promises. Additions pass; a removed or changed path, method,
parameter or response field fails.

Regenerate the committed document only for an addition (then this test still passes
against the old one first):
    .venv/bin/python manage.py shell --no-imports -c "from api.api import api; import json; \
print(json.dumps(api.get_openapi_schema(), ensure_ascii=False, indent=1, sort_keys=True))" \
> api/openapi.json
"""

import json
from pathlib import Path

import pytest

from api.api import api

COMMITTED = Path(__file__).resolve().parents[2] / "api" / "openapi.json"


def resolve(schema, document):
    """A schema with its $ref followed, so a field is compared by what it is."""
    while isinstance(schema, dict) and "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def missing(promised, live, promised_doc, live_doc, where="") -> list[str]:
    """What `promised` holds that `live` lacks or holds differently: every key of an
    object (recursively, refs followed), every item of a list, equal scalars. A
    response object may gain fields and required fields; a list of required fields
    may only grow."""
    promised, live = resolve(promised, promised_doc), resolve(live, live_doc)
    if isinstance(promised, dict):
        if not isinstance(live, dict):
            return [f"{where}: {promised!r} became {live!r}"]
        problems = []
        for key, value in promised.items():
            if key not in live:
                problems.append(f"{where}/{key}: removed")
            elif key == "required" and isinstance(value, list):
                lost = set(value) - set(live[key])
                problems += [f"{where}/required: {name} is no longer required" for name in lost]
            else:
                problems += missing(value, live[key], promised_doc, live_doc, f"{where}/{key}")
        return problems
    if isinstance(promised, list):
        if not isinstance(live, list) or len(live) != len(promised):
            return [f"{where}: {promised!r} became {live!r}"]
        problems = []
        for n, (a, b) in enumerate(zip(promised, live, strict=True)):
            problems += missing(a, b, promised_doc, live_doc, f"{where}[{n}]")
        return problems
    return [] if promised == live else [f"{where}: {promised!r} became {live!r}"]


@pytest.fixture(scope="module")
def documents():
    # Through JSON, as a client reads it (status codes become strings).
    return json.loads(COMMITTED.read_text()), json.loads(json.dumps(api.get_openapi_schema()))


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_every_committed_operation_is_still_served(documents):
    committed, live = documents
    served = dict(operations(live))
    gone = [name for name, _ in operations(committed) if name not in served]
    assert not gone
    assert len(served) >= 25


def test_every_parameter_keeps_its_name_place_requirement_and_schema(documents):
    committed, live = documents
    served = dict(operations(live))
    problems = []
    for name, operation in operations(committed):
        live_parameters = {(p["name"], p["in"]): p for p in served[name].get("parameters", [])}
        for parameter in operation.get("parameters", []):
            key = (parameter["name"], parameter["in"])
            if key not in live_parameters:
                problems.append(f"{name}: parameter {key} removed")
                continue
            found = live_parameters[key]
            if found.get("required", False) != parameter.get("required", False):
                problems.append(f"{name}: parameter {key} changed whether it is required")
            problems += missing(parameter, found, committed, live, f"{name} {key}")
        # A new parameter must not be required: old clients do not send it.
        promised = {(p["name"], p["in"]) for p in operation.get("parameters", [])}
        for key, parameter in live_parameters.items():
            if key not in promised and parameter.get("required"):
                problems.append(f"{name}: new parameter {key} is required")
    assert not problems, "\n".join(problems)


def test_every_response_keeps_its_status_codes_and_fields(documents):
    committed, live = documents
    served = dict(operations(live))
    problems = []
    for name, operation in operations(committed):
        problems += missing(
            operation["responses"], served[name]["responses"], committed, live, f"{name} responses"
        )
        for key in ("operationId", "summary", "tags"):
            if operation.get(key) != served[name].get(key):
                problems.append(f"{name}: {key} {operation.get(key)!r} → {served[name].get(key)!r}")
    assert not problems, "\n".join(problems)


def test_the_comparison_catches_a_removed_field_and_a_changed_parameter(documents):
    committed, _ = documents
    changed = json.loads(json.dumps(committed))
    del changed["components"]["schemas"]["Result"]["properties"]["progress_rate"]
    parameters = changed["paths"]["/api/v1/results"]["get"]["parameters"]
    per_page = next(p for p in parameters if p["name"] == "per_page")
    per_page["schema"]["maximum"] = 100
    result = committed["paths"]["/api/v1/results/{id}"]["get"]["responses"]
    assert missing(
        result, changed["paths"]["/api/v1/results/{id}"]["get"]["responses"], committed, changed
    )
    assert missing(
        committed["paths"]["/api/v1/results"],
        changed["paths"]["/api/v1/results"],
        committed,
        changed,
    )
