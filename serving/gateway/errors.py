"""OpenAI-format error bodies: {"error": {"message", "type", "param", "code"}}."""

from __future__ import annotations

from starlette.responses import JSONResponse

_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    408: "invalid_request_error",
    413: "invalid_request_error",
    415: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
    431: "invalid_request_error",
    500: "server_error",
    502: "upstream_error",
    503: "service_unavailable",
    504: "upstream_timeout",
}


def error_body(status: int, message: str, code: str, param: str | None = None, **extra) -> dict:
    return {"error": {"message": message, "type": _TYPES.get(status, "error"), "param": param, "code": code, **extra}}


class GatewayError(Exception):
    """Raised inside a handler; becomes an OpenAI error response and an audit decision."""

    def __init__(self, status: int, message: str, code: str, param: str | None = None, headers: dict | None = None, guard: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.param = param
        self.headers = headers or {}
        self.guard = guard

    def response(self) -> JSONResponse:
        return JSONResponse(error_body(self.status, self.message, self.code, self.param), status_code=self.status, headers=self.headers)
