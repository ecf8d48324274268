"""The baseline for API reads: a bare FastAPI endpoint, served the same way."""

from fastapi import FastAPI


def create_bare_app() -> FastAPI:
    bare = FastAPI()

    @bare.get("/bare")
    def answer() -> dict[str, list[str]]:
        return {"items": []}

    return bare
