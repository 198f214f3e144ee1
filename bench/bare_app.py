"""The baseline for bench/http_pages.py: a bare FastAPI + Jinja page that reads one quote.

    BARE_DB=/path/to.db uvicorn bare_app:app   (run from bench/)
"""

from __future__ import annotations

import os

import jinja2
from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse
from sqlalchemy import create_engine, text

engine = create_engine(f"sqlite:///{os.environ.get('BARE_DB', 'citat.db')}",
                       connect_args={"check_same_thread": False})
page = jinja2.Environment(autoescape=True).from_string(
    "<!doctype html><html lang=sv><head><meta charset=utf-8><title>{{ name }}</title></head>"
    "<body><main><blockquote>{{ text }}</blockquote><p>{{ name }}, "
    "<a href='/articles/{{ article_id }}'>{{ title }}</a> ({{ published }})</p></main></body>"
    "</html>")
app = FastAPI()


@app.get("/q/{public_id}", response_class=HTMLResponse)
def quote(public_id: str) -> str:
    """One quote with its speaker and article, rendered."""
    with engine.connect() as con:
        row = con.execute(text(
            "SELECT q.text, q.article_id, s.name, a.title, a.published_at FROM quote q "
            "JOIN article a ON a.id = q.article_id LEFT JOIN speaker s ON s.id = q.speaker_id "
            "WHERE q.public_id = :p"), {"p": public_id}).first()
    if row is None:
        raise HTTPException(404)
    return page.render(text=row[0], article_id=row[1], name=row[2], title=row[3],
                       published=row[4])
