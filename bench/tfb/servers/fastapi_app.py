r"""The TechEmpower test types on FastAPI with asyncpg.

Served by uvicorn (uvloop, httptools), one process, access log off::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/volt_tfb /usr/bin/python3 -m uvicorn \
        fastapi_app:app --app-dir bench/tfb/servers --loop uvloop --http httptools --no-access-log

A pool of 10 asyncpg connections; asyncpg prepares and caches every statement it runs. A
request that reads several rows takes one connection and runs its queries one after another
on it, as asyncpg code usually does; the updates are one ``executemany`` in id order.
uvicorn sends the Server and Date headers.
"""

import os
import random

import asyncpg
import jinja2
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse

READ = "select id, randomnumber from world where id = $1"
WRITE = "update world set randomnumber = $2 where id = $1"
EXTRA = "Additional fortune added at request time."

TEMPLATE = jinja2.Environment(autoescape=True).from_string(
    "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table>"
    "<tr><th>id</th><th>message</th></tr>"
    "{% for id, message in fortunes %}<tr><td>{{ id }}</td><td>{{ message }}</td></tr>{% endfor %}"
    "</table></body></html>"
)

app = FastAPI()
pool = None
cache = {}


@app.on_event("startup")
async def open_pool():
    global pool
    pool = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=10, max_size=10)
    async with pool.acquire() as connection:
        for row in await connection.fetch("select id, randomnumber from world"):
            cache[row["id"]] = {"id": row["id"], "randomNumber": row["randomnumber"]}


@app.on_event("shutdown")
async def close_pool():
    await pool.close()


def clamp(text):
    """How many rows a request asks for: a number clamped to 1..500; anything else is 1."""
    try:
        n = int(text)
    except (TypeError, ValueError):
        return 1
    return min(max(n, 1), 500)


def random_id():
    return random.randint(1, 10000)


@app.get("/json")
async def json_message():
    return JSONResponse({"message": "Hello, World!"})


@app.get("/plaintext")
async def plaintext():
    return PlainTextResponse(b"Hello, World!")


@app.get("/db")
async def single_query():
    row = await pool.fetchrow(READ, random_id())
    return JSONResponse({"id": row["id"], "randomNumber": row["randomnumber"]})


async def read_worlds(connection, n):
    statement = await connection.prepare(READ)
    worlds = []
    for _ in range(n):
        row = await statement.fetchrow(random_id())
        worlds.append({"id": row["id"], "randomNumber": row["randomnumber"]})
    return worlds


@app.get("/queries")
async def multiple_queries(queries: str = None):
    async with pool.acquire() as connection:
        worlds = await read_worlds(connection, clamp(queries))
    return JSONResponse(worlds)


@app.get("/updates")
async def updates(queries: str = None):
    async with pool.acquire() as connection:
        worlds = await read_worlds(connection, clamp(queries))
        for world in worlds:
            world["randomNumber"] = random_id()
        # In id order, so concurrent requests lock rows in the same order (no deadlock).
        pairs = sorted((w["id"], w["randomNumber"]) for w in worlds)
        await connection.executemany(WRITE, pairs)
    return JSONResponse(worlds)


@app.get("/cached-queries")
async def cached_queries(count: str = None):
    return JSONResponse([cache[random_id()] for _ in range(clamp(count))])


@app.get("/fortunes")
async def fortunes():
    async with pool.acquire() as connection:
        rows = await connection.fetch("select id, message from fortune")
    items = [(row["id"], row["message"]) for row in rows]
    items.append((0, EXTRA))
    items.sort(key=lambda item: item[1])
    return HTMLResponse(TEMPLATE.render(fortunes=items))
