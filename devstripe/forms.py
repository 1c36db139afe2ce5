"""Stripe's form-encoded parameters read into nested dicts and lists, and Stripe's error for a
request it would refuse."""

from typing import Any
from urllib.parse import parse_qsl


class ApiError(Exception):
    """A request Stripe would refuse; becomes Stripe's error body, which stripe-python reads."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        type: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"type": type, "message": message}
        if param is not None:
            self.body["param"] = param
        if code is not None:
            self.body["code"] = code


def missing(param: str) -> ApiError:
    return ApiError(400, f"Missing required param: {param}.", param=param, code="parameter_missing")


def parse_form(text: str) -> dict[str, Any]:
    """Stripe's form encoding into nested dicts and lists.

    stripe-python sends `line_items[0][price_data][currency]=eur` and `metadata[k]=v`; a dict whose
    keys are all indices becomes a list, as the API reads it. `expand[]=x` appends.
    """
    root: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        name, bracket, rest = key.partition("[")
        parts = [name] + (rest.removesuffix("]").split("][") if bracket else [])
        node = root
        for index, part in enumerate(parts):
            if part == "":
                part = str(len(node))
            if index == len(parts) - 1:
                node[part] = value
            else:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    raise ApiError(400, f"Invalid parameter: {key}", param=key)
                node = child
    return _indexed_dicts_to_lists(root)


def _indexed_dicts_to_lists(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    converted = {key: _indexed_dicts_to_lists(item) for key, item in value.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def integer(container: dict[str, Any], key: str, prefix: str, *, minimum: int) -> int:
    param = f"{prefix}[{key}]" if prefix else key
    if container.get(key) in (None, ""):
        raise missing(param)
    try:
        number = int(container[key])
    except (TypeError, ValueError):
        raise ApiError(400, f"Invalid integer: {container[key]}", param=param) from None
    if number < minimum:
        raise ApiError(400, f"Invalid {param}: must be at least {minimum}", param=param)
    return number
