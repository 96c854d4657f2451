"""Statements the shop runs on every cart view and every order, with their SQL built once per process.

Django builds a queryset's or an insert's SQL again each time it runs. For a one-row read with a
three-table select_related that compile is most of the cost, and at checkout it was the largest
share of the CPU an order takes (bench/README.md, orders round 7). These helpers keep Django's own SQL, converters
and model instances, and only skip building the same SQL twice:

- Prepared: a queryset compiled once per database, run again with new filter values.
- rows_insert: INSERT … RETURNING for new instances, one statement for any number of rows.

Only names from the models' metadata go into the SQL text; every value is a parameter.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, models, router
from django.db.models import QuerySet, prefetch_related_objects
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class _Compiled:
    using: str
    model: Any
    sql: str
    params: tuple[Any, ...]
    slots: dict[str, int]  # a keyword's position in params
    compiler: Any
    converters: dict[int, Any]
    init_list: list[str]
    fields: slice
    populators: list[Any]
    prefetches: tuple[Any, ...]


class Prepared(Generic[M]):
    """A queryset whose SQL is built once per database and then run with new values.

        _lines = Prepared(lambda cart_id: CartLine.objects.select_related("variant").filter(cart_id=cart_id))
        lines = _lines.run(cart_id=cart.pk)

    `build` takes keyword values and returns the queryset; each value must reach the SQL as one
    parameter of its own (a filter on a column, not a list, not inside an expression that changes
    the SQL), which the first compile checks with stand-in values. run() returns what
    `list(build(**values))` would: the same instances, select_related objects attached, the
    queryset's prefetch_related done. Querysets with annotations are not supported."""

    def __init__(self, build: Callable[..., QuerySet[M]], **stand_ins: Any) -> None:
        self._build = build
        self._stand_ins = stand_ins  # distinct values no real query passes
        self._model: type[M] | None = None
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self) -> _Compiled:
        if self._model is None:
            self._model = self._build(**self._stand_ins).model
        using = router.db_for_read(self._model)
        compiled = self._compiled.get(using)
        if compiled is not None:
            return compiled
        queryset = self._build(**self._stand_ins).using(using)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = {name: params.index(value) for name, value in self._stand_ins.items() if value in params}
        if len(slots) != len(self._stand_ins) or len(set(slots.values())) != len(slots):
            raise ValueError(f"Each of {sorted(self._stand_ins)} must be one parameter of the SQL: {sql}")
        if compiler.annotation_col_map:
            raise ValueError("Prepared does not support annotations.")
        klass_info, select = compiler.klass_info, compiler.select
        fields = slice(klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1)
        compiled = _Compiled(
            using=using,
            model=queryset.model,
            sql=sql,
            params=tuple(params),
            slots=slots,
            compiler=compiler,
            converters=compiler.get_converters([column[0] for column in select[: compiler.col_count]]),
            init_list=[column[0].target.attname for column in select[fields]],
            fields=fields,
            populators=get_related_populators(klass_info, select, using),
            prefetches=tuple(queryset._prefetch_related_lookups),  # type: ignore[attr-defined]
        )
        self._compiled[using] = compiled
        return compiled

    def run(self, **values: Any) -> list[M]:
        compiled = self._compile()
        params = list(compiled.params)
        for name, value in values.items():
            params[compiled.slots[name]] = value
        with connections[compiled.using].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows: Any = cursor.fetchall()
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        objects = []
        for row in rows:
            obj = compiled.model.from_db(compiled.using, compiled.init_list, row[compiled.fields])
            for populator in compiled.populators:
                populator.populate(row, obj)
            objects.append(obj)
        if compiled.prefetches:
            prefetch_related_objects(objects, *compiled.prefetches)
        return objects


def model_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """A concrete field of a model, typed as one."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


_INSERT_SQL: dict[tuple[type[models.Model], int, str, tuple[str, ...]], tuple[str, list[models.Field[Any, Any]]]] = {}


def _insert_sql(
    model: type[models.Model], count: int, using: str, conflict: tuple[str, ...]
) -> tuple[str, list[models.Field[Any, Any]]]:
    key = (model, count, using, conflict)
    if key not in _INSERT_SQL:
        quote = connections[using].ops.quote_name
        fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        columns = ", ".join(quote(field.column) for field in fields)
        rows = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * count)
        pk = model._meta.pk
        assert pk is not None
        returning: list[str] = [pk.column, *(model_field(model, name).column for name in conflict)]
        ignore = f" ON CONFLICT ({', '.join(quote(c) for c in returning[1:])}) DO NOTHING" if conflict else ""
        _INSERT_SQL[key] = (
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {rows}{ignore} "  # noqa: S608
            f"RETURNING {', '.join(quote(c) for c in returning)}",
            fields,
        )
    return _INSERT_SQL[key]


def rows_insert(objects: Sequence[M], *, ignore_conflicts_on: Sequence[str] = ()) -> list[M]:
    """Insert new instances of one model in one statement and set their primary keys; returns
    them. With `ignore_conflicts_on` (the fields of a unique constraint), rows that would break
    it are skipped (INSERT … ON CONFLICT DO NOTHING) and only the inserted ones are returned.

    Like bulk_create, no save() and no signals; unlike it, the SQL is built once per model and
    number of rows, and conflicts still tell which rows went in (PostgreSQL, SQLite 3.35+)."""
    if not objects:
        return []
    model = type(objects[0])
    using = router.db_for_write(model)
    connection = connections[using]
    conflict = tuple(ignore_conflicts_on)
    sql, fields = _insert_sql(model, len(objects), using, conflict)
    params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for obj in objects for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        returned = cursor.fetchall()
    if conflict:
        attnames = [model_field(model, name).attname for name in conflict]
        by_key = {tuple(getattr(obj, name) for name in attnames): obj for obj in objects}
        inserted = [(by_key[tuple(row[1:])], row[0]) for row in returned]
    else:
        inserted = list(zip(objects, (row[0] for row in returned), strict=True))
    for obj, pk in inserted:
        obj.pk = pk
        obj._state.adding, obj._state.db = False, using
    return [obj for obj, _pk in inserted]
