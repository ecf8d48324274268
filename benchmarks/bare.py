"""The baseline for API reads: a bare FastAPI endpoint, served the same way."""

from fastapi import FastAPI


def create_bare_app() -> FastAPI:
    bare = FastAPI()

    # An `async def` endpoint: a plain `def` would measure the threadpool hop as well.
    @bare.get("/bare")
    async def answer() -> dict[str, list[str]]:
        return {"items": []}

    return bare
