r"""The four benchmark routes on FastAPI, written as FastAPI's tutorial does.

Run under uvicorn with uvloop and httptools, one worker, no access log::

    /usr/bin/python3 -m uvicorn fastapi_app:app --app-dir bench/servers \
        --host 127.0.0.1 --port 3003 --loop uvloop --http httptools \
        --no-access-log

Handlers and the dependency are ``async def`` so they run on the event loop
rather than in the thread pool (the faster choice for non-blocking code).
No ``response_model`` is declared: FastAPI would validate every answer again,
which is slower, so the peer gets the faster option.
"""

from typing import List, Optional

from fastapi import Depends, FastAPI, Header, Path
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

app = FastAPI(title="FastAPI peer")


class ItemIn(BaseModel):
    """The body of POST /items."""

    name: str = Field(..., min_length=1, max_length=100)
    price: float = Field(..., gt=0)
    tags: Optional[List[str]] = Field(None, max_items=10)


@app.get("/plaintext", response_class=PlainTextResponse)
async def plaintext() -> str:
    return "Hello, World!"


@app.get("/json")
async def json_message() -> dict:
    return {"message": "Hello, World!"}


@app.post("/items")
async def create_item(item: ItemIn) -> dict:
    return {"name": item.name, "price": item.price, "tags": item.tags or []}


async def client(
    x_client: Optional[str] = Header(None, max_length=40),
) -> dict:
    """Who is calling, from the x-client header."""
    return {"name": x_client or "anonymous"}


@app.get("/users/{user_id}")
async def get_user(
    user_id: int = Path(..., ge=1),
    verbose: bool = False,
    caller: dict = Depends(client),
) -> dict:
    return {"id": user_id, "verbose": verbose, "client": caller["name"]}
