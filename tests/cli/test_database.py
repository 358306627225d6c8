"""migrate as a user runs it, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_definitions import run


def _write(path: Path, fields: str) -> str:
    path.write_text(f"app: shop\nentities:\n  Product:\n    fields: {{{fields}}}\n")
    return str(path)


def test_migrate_round_trip_keeps_every_row(tmp_path: Path, db_url: str) -> None:
    """The README's promise, through the command line, on SQLite and PostgreSQL."""
    import sqlalchemy as sa

    from apiary.storage import connect

    spec = tmp_path / "shop.yaml"
    assert run("migrate", _write(spec, "name: string, note: text"), "--db", db_url)[0] == 0
    engine = connect(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO shop__product (name, note, created_at, updated_at, row_version) "
            "VALUES ('kettle', 'n1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1), "
            "('teapot', 'n2', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"))

    def rows(columns: str) -> list[tuple[object, ...]]:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(
                sa.text(f"SELECT {columns} FROM shop__product ORDER BY id"))]

    # add a field
    code, out, _ = run("migrate", _write(spec, "name: string, note: text, stock: integer"),
                       "--db", db_url)
    assert code == 0 and "add column shop__product.stock" in out
    # rename a field: the values move with it
    _write(spec, "title: {type: string, renamed_from: name}, note: text, stock: integer")
    code, out, _ = run("migrate", str(spec), "--db", db_url, "--plan")
    assert code == 0 and "rename column shop__product.name to title" in out
    assert rows("name") == [("kettle",), ("teapot",)]  # --plan changed nothing
    assert run("migrate", str(spec), "--db", db_url)[0] == 0
    assert rows("title, note") == [("kettle", "n1"), ("teapot", "n2")]
    # drop a field: refused, then applied with the values archived
    _write(spec, "title: string, stock: integer")
    code, out, err = run("migrate", str(spec), "--db", db_url)
    assert code == 1 and "[DESTRUCTIVE]" in out and "--allow-destructive" in err
    assert rows("title, note") == [("kettle", "n1"), ("teapot", "n2")]
    code, out, _ = run("migrate", str(spec), "--db", db_url, "--allow-destructive")
    assert code == 0 and "apiary_archive_" in out
    assert rows("id, title") == [(1, "kettle"), (2, "teapot")]
    archive = out.split("kept in ")[1].rstrip(".\n")
    with engine.connect() as conn:
        kept = conn.execute(sa.text(f'SELECT id, note FROM "{archive}" ORDER BY id')).all()
    assert [tuple(r) for r in kept] == [(1, "n1"), (2, "n2")]
    engine.dispose()
