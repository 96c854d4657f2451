"""OpenAPI schema additions (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]). The apps' X-Session-Token
security scheme comes with django-allauth's own drf-spectacular extension."""

from typing import Any

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error: a stable code to switch on, a message to show, and the fields at fault.",
    "properties": {
        "code": {"type": "string", "description": "e.g. invalid, not_found, out_of_stock, throttled."},
        "message": {"type": "string", "description": "A sentence fit to show the shopper, in their language."},
        "fields": {
            "type": "object",
            "description": 'Messages for each input field at fault, by dotted name: {"shipping_address.postcode": [...]}.',
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "lines": {
            "type": "array",
            "description": "With code out_of_stock only: every line short of stock.",
            "items": {
                "type": "object",
                "properties": {
                    "sku": {"type": "string"},
                    "title": {"type": "string"},
                    "wanted": {"type": "integer"},
                    "available": {"type": "integer"},
                },
                "required": ["sku", "title", "wanted", "available"],
            },
        },
    },
    "required": ["code", "message", "fields"],
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}
METHODS = ("get", "put", "post", "patch", "delete")


def error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Document the one error shape on every operation: any 4xx (and a 503 where an operation
    declares one, such as a busy checkout) answers with an Error."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"description": "An error (see the code).", "content": {"application/json": {"schema": ERROR_REF}}}
    for path_item in result.get("paths", {}).values():
        for method in METHODS:
            operation = path_item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                if status[0] in "45" and not response.get("content"):
                    response["content"] = error["content"]
            responses.setdefault("4XX", error)
    return result
