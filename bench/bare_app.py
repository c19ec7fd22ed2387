"""The bare endpoint for bench/api.py: one authenticated-free POST that commits one row.

Served by the same uvicorn settings and the same engine settings as the real API, so the ratio
between the two shows what the workflow engine itself costs per request.
"""

from __future__ import annotations

import os

from fastapi import FastAPI
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, update

from workflows.persistence.db import make_engine
from workflows.persistence.uow import UnitOfWork

TABLE = Table("bench_bare", MetaData(), Column("id", Integer, primary_key=True), Column("v", String(20)))


def app_factory() -> FastAPI:
    engine = make_engine(os.environ["CHANNELOPS_DATABASE_URL"])
    TABLE.metadata.create_all(engine)
    app = FastAPI()

    @app.post("/bare")
    def bare() -> dict[str, int]:
        with UnitOfWork(engine) as uow:
            new_id = uow.conn.execute(insert(TABLE).returning(TABLE.c.id), {"v": "a"}).scalar_one()
            uow.conn.execute(update(TABLE).where(TABLE.c.id == new_id).values(v="b"))
            uow.commit()
        return {"id": int(new_id)}

    return app
