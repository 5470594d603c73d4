"""The baseline for bench/graphql_api.py: a bare Starlette JSON endpoint under the same uvicorn."""

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route


async def hello(_request):
    return JSONResponse({"data": {"__typename": "Query"}})


async def healthz(_request):
    return JSONResponse({"status": "ok"})


app = Starlette(routes=[Route("/graphql", hello, methods=["POST"]), Route("/healthz", healthz)])
