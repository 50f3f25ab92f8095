from tests.serving.gateway.conftest import make_gateway, standin  # noqa: F401
