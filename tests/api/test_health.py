"""/healthz is about the process; /readyz about what it depends on, and says what is wrong."""

import redis.asyncio as aioredis


async def test_healthz_answers(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


async def test_readyz_is_ready_when_everything_answers(client):
    response = await client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "migrations": "ok"}


async def test_readyz_is_503_with_the_reason_when_redis_is_unreachable(app, client):
    services = app.state.services
    working = services.redis
    # A real client to a port where nothing listens: the same failure as a Redis that went away.
    services.redis = aioredis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    try:
        response = await client.get("/readyz")
    finally:
        await services.redis.aclose()
        services.redis = working
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["reasons"] == ["redis unreachable: ConnectionError"]
    assert (await client.get("/readyz")).status_code == 200
