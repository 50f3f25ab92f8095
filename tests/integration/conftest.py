# The gateway fixtures, shared with the cross-component integration tests.
from tests.serving.gateway.conftest import make_gateway, redis_server, standin  # noqa: F401
