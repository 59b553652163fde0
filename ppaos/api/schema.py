"""OpenAPI post-processing: document the error answers every endpoint can give, so clients
(and the schemathesis run in the tests) know them: 400 for invalid input or filters, 401/403
without credentials or rights, 404 for anything outside the caller's scope (and past the last
page), 429 when the token endpoint is asked too often. Integer ids in paths start at
1; area codes are 2 to 6 digits."""

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
INVALID = {
    "type": "object",
    "description": "Field name (or `non_field_errors`) → messages.",
    "additionalProperties": {},
}
DESCRIPTIONS = {
    "400": ("Invalid input or filter.", "ValidationError"),
    "401": ("No credentials, or a token that is unknown or expired.", "Error"),
    "403": ("Your role may not do this.", "Error"),
    "404": ("Not found, or outside your scope (the two look the same).", "Error"),
    "429": ("Too many requests: wait and try again.", "Error"),
}
WRITES = {"post", "put", "patch"}


def _response(code: str) -> dict:
    description, component = DESCRIPTIONS[code]
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def add_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("ValidationError", INVALID)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                # Database ids start at 1; the URL patterns do not even match a minus sign.
                if parameter.get("in") == "path" and parameter["schema"].get("type") == "integer":
                    parameter["schema"]["minimum"] = 1
                if parameter.get("in") == "path" and parameter.get("name") == "code":
                    parameter["schema"]["pattern"] = r"^\d{2,6}$"  # DOPA area codes
            responses = operation.setdefault("responses", {})
            codes = ["401", "403"]
            if path.endswith("/token/"):
                codes += ["400", "429"] if method == "post" else []
            else:
                codes.append("404")
                has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
                if method in WRITES or has_query:
                    codes.append("400")
            for code in codes:
                responses.setdefault(code, _response(code))
    return result
