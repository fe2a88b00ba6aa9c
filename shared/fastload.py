"""A fast loader compiled once from a marshmallow schema: the same rules, a fraction of the cost.

marshmallow stays the one definition of the wire format (it also writes the OpenAPI document).
Loading a schema, though, goes through an error store, hooks and a call per field per step; for
a push of 500 ops that was a third of the server's CPU. :func:`compile_loader` reads a schema's
fields, validators and hooks once and writes a loader for it: one generated function per schema
that tests each field in turn (the commonest checks written inline, the rest plain closures),
walking the input once:

- it only ever **accepts**: anything unusual (a wrong type, a failed validator, a missing
  required field, an unknown key, a hook that objects) raises :class:`Fallback`, and the caller
  then loads the same input with marshmallow, which gives the answer and its error messages.
  So refusals are marshmallow's own, word for word;
- what it accepts, it returns exactly as ``schema.load`` would (tests/shared/test_fastload.py
  compares both with hypothesis over generated ops, valid and broken);
- common field types (String, Integer, List, Nested, and the wire's Plaintext and UUIDText)
  are checked inline with the field's own validator objects; every other field is loaded by
  its own ``field.deserialize``. A field added to a schema is therefore covered at once, with
  no second definition to keep in step.
"""
from __future__ import annotations

from datetime import date, datetime
from math import isfinite
from typing import Any, Callable

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA
from marshmallow.utils import missing

Loader = Callable[[Any], dict]


class Fallback(Exception):
    """The fast loader does not vouch for this input: load it with marshmallow."""


_FALLBACK = Fallback()


def _fail(*_args, **_kwargs):
    raise _FALLBACK


def _range_check(validator: validate.Range) -> Callable[[Any], None]:
    """``validate.Range`` as one comparison per bound (its own tests, without its call)."""
    low, high = validator.min, validator.max
    low_in, high_in = validator.min_inclusive, validator.max_inclusive

    def in_range(value):
        if low is not None and (value < low if low_in else value <= low):
            raise _FALLBACK
        if high is not None and (value > high if high_in else value >= high):
            raise _FALLBACK
    return in_range


def _length_check(validator: validate.Length) -> Callable[[Any], None]:
    """``validate.Length`` without ``equal``, as ``_range_check`` does ranges."""
    low, high = validator.min, validator.max

    def of_length(value):
        length = len(value)
        if (low is not None and length < low) or (high is not None and length > high):
            raise _FALLBACK
    return of_length


def _validator_chain(field: fields.Field, value_type: type | None) -> Callable[[Any], None]:
    """The field's validators as one call; a OneOf over strings becomes a set lookup."""
    checks = []
    for validator in field.validators:
        if (isinstance(validator, validate.OneOf) and value_type is str
                and type(validator) is validate.OneOf
                and all(type(choice) is str for choice in validator.choices)):
            choices = frozenset(validator.choices)
            checks.append(lambda value, choices=choices: value in choices or _fail())
        elif type(validator) is validate.Range:
            checks.append(_range_check(validator))
        elif type(validator) is validate.Length and validator.equal is None:
            checks.append(_length_check(validator))
        else:
            plain = not isinstance(validator, validate.Validator)

            def check(value, validator=validator, plain=plain):
                try:
                    result = validator(value)
                except ValidationError:
                    raise _FALLBACK from None
                if plain and result is False:
                    raise _FALLBACK

            checks.append(check)
    if not checks:
        return lambda value: None
    if len(checks) == 1:
        return checks[0]

    def all_checks(value):
        for check in checks:
            check(value)
    return all_checks


def _converter(field: fields.Field, name: str, partial) -> Callable[[Any, dict], Any]:
    """``convert(value, raw)``: the loaded value of a present, non-null ``value``."""
    from .schemas import UNSTORABLE, UUID_RE, Plaintext, UUIDText  # the wire's own types

    kind = type(field)
    if kind is fields.String:
        checks = _validator_chain(field, str)

        def string(value, raw):
            if type(value) is not str:
                raise _FALLBACK
            checks(value)
            return value
        only = field.validators[0] if len(field.validators) == 1 else None
        if type(only) is validate.OneOf and all(type(choice) is str for choice in only.choices):
            string.plain_choices = frozenset(only.choices)  # lists and dicts of it: items inline
        return string
    if kind is Plaintext:
        checks = _validator_chain(field, str)

        unstorable = UNSTORABLE.search

        def plaintext(value, raw):
            if type(value) is not str or unstorable(value) is not None:
                raise _FALLBACK
            checks(value)
            return value
        return plaintext
    if kind is UUIDText:
        checks = _validator_chain(field, str)
        fullmatch = UUID_RE.fullmatch

        def uuid_text(value, raw):
            if type(value) is not str:
                raise _FALLBACK
            value = value.lower()
            if fullmatch(value) is None:  # (a match holds neither NUL nor a surrogate)
                raise _FALLBACK
            checks(value)
            return value
        return uuid_text
    if kind is fields.Integer:
        checks = _validator_chain(field, int)

        def integer(value, raw):
            if type(value) is not int:
                raise _FALLBACK
            checks(value)
            return value
        return integer
    if kind is fields.Float:
        checks = _validator_chain(field, float)

        def number(value, raw):
            if type(value) is not float and type(value) is not int:
                raise _FALLBACK
            try:
                value = float(value)
            except OverflowError:
                raise _FALLBACK from None
            if not isfinite(value):
                raise _FALLBACK  # NaN and infinities: marshmallow's words (or allow_nan)
            checks(value)
            return value
        return number
    if kind in (fields.AwareDateTime, fields.DateTime, fields.Date) \
            and field.format in (None, "iso", "iso8601"):
        checks = _validator_chain(field, None)
        parse = datetime.fromisoformat if kind is not fields.Date else date.fromisoformat
        aware = kind is fields.AwareDateTime
        default_zone = getattr(field, "default_timezone", None)

        def instant(value, raw):
            if type(value) is not str:
                raise _FALLBACK
            try:
                value = parse(value)
            except ValueError:
                raise _FALLBACK from None
            if aware and (value.tzinfo is None or value.tzinfo.utcoffset(value) is None):
                if default_zone is None:
                    raise _FALLBACK
                value = value.replace(tzinfo=default_zone)
            checks(value)
            return value
        return instant
    if kind is fields.Dict:
        keys = _converter(field.key_field, name, partial) if field.key_field else None
        values = _converter(field.value_field, name, partial) if field.value_field else None
        values_none = field.value_field.allow_none if field.value_field else True
        checks = _validator_chain(field, dict)
        key_choices = getattr(keys, "plain_choices", None)
        value_choices = getattr(values, "plain_choices", None)
        if key_choices is not None and value_choices is not None and not values_none:
            def among_choices_by_key(value, raw):  # strings among choices: no call per item
                if type(value) is not dict:
                    raise _FALLBACK
                for key, item in value.items():
                    if type(key) is not str or key not in key_choices or type(item) is not str \
                            or item not in value_choices:
                        raise _FALLBACK
                out = dict(value)
                checks(out)
                return out
            return among_choices_by_key

        def mapping(value, raw):
            if type(value) is not dict:
                raise _FALLBACK
            if keys is None and values is None:
                out = dict(value)
            else:
                out = {}
                for key, item in value.items():
                    if item is None and values is not None:
                        if not values_none:
                            raise _FALLBACK
                    elif values is not None:
                        item = values(item, raw)
                    out[key if keys is None else keys(key, raw)] = item
            checks(out)
            return out
        return mapping
    if kind is fields.List and isinstance(field.inner, fields.Field):
        inner = _converter(field.inner, name, partial)
        inner_none = field.inner.allow_none
        checks = _validator_chain(field, list)
        choices = getattr(inner, "plain_choices", None)
        if choices is not None and not inner_none:
            def among_choices(value, raw):  # a list of strings among choices: no call per item
                if type(value) is not list:
                    raise _FALLBACK
                for item in value:
                    if type(item) is not str or item not in choices:
                        raise _FALLBACK
                out = list(value)
                checks(out)
                return out
            return among_choices

        def items(value, raw):
            if type(value) is not list:
                raise _FALLBACK
            out = []
            for item in value:
                if item is None:
                    if not inner_none:
                        raise _FALLBACK
                    out.append(None)
                else:
                    out.append(inner(item, raw))
            checks(out)
            return out
        return items
    if kind is fields.Nested and not field.many and field.unknown is None \
            and isinstance(field.schema, Schema) and not field.schema.many \
            and not field.only and not field.exclude:
        nested_partial = partial if partial is not None else field.schema.partial
        load = compile_loader(field.schema, partial=nested_partial)
        if load is not None:
            checks = _validator_chain(field, dict)

            def nested(value, raw):
                out = load(value)
                checks(out)
                return out
            return nested
    compiled = getattr(field, "fast_converter", None)
    if compiled is not None:  # a field that knows how to compile itself
        return compiled(name, partial, compile_loader)
    # Any other field: loaded by marshmallow's own field code (exact by construction).
    kwargs = {} if partial is None else {"partial": partial}

    def generic(value, raw):
        try:
            return field.deserialize(value, name, raw, **kwargs)
        except ValidationError:
            raise _FALLBACK from None
    return generic


def _inline_test(field: fields.Field, index: int, scope: dict) -> str | None:
    """A test written into the loader's source that, when true, means the field's converter
    would return ``value`` itself: the common case checked without a call. None when the
    field's type or a validator is not modelled here; a value failing the test still goes to
    the converter, which decides. Names the test uses are put into ``scope``."""
    from .schemas import UNSTORABLE, UUID_RE, Plaintext, UUIDText  # the wire's own types

    kind = type(field)
    if kind is UUIDText:
        # A match of the lower-case pattern is already lower case, and holds neither NUL nor
        # a surrogate; upper case goes to the converter.
        scope["uuid_match"] = UUID_RE.fullmatch
        tests = ["type(value) is str", "uuid_match(value) is not None"]
    elif kind is Plaintext:
        scope["unstorable"] = UNSTORABLE.search
        tests = ["type(value) is str", "unstorable(value) is None"]
    elif kind is fields.String:
        tests = ["type(value) is str"]
    elif kind is fields.Integer:
        tests = ["type(value) is int"]
    elif kind is fields.Float:
        scope["isfinite"] = isfinite
        tests = ["type(value) is float", "isfinite(value)"]
    else:
        return None
    for number, validator in enumerate(field.validators):
        name = f"v{index}_{number}"
        if type(validator) is validate.OneOf and tests[0] == "type(value) is str" \
                and all(type(choice) is str for choice in validator.choices):
            scope[name] = frozenset(validator.choices)
            tests.append(f"value in {name}")
        elif type(validator) is validate.Range and kind in (fields.Integer, fields.Float):
            if validator.min is not None:
                scope[f"{name}_min"] = validator.min
                tests.append(f"value {'>=' if validator.min_inclusive else '>'} {name}_min")
            if validator.max is not None:
                scope[f"{name}_max"] = validator.max
                tests.append(f"value {'<=' if validator.max_inclusive else '<'} {name}_max")
        elif type(validator) is validate.Length and validator.equal is None \
                and tests[0] == "type(value) is str":
            if validator.min:
                scope[f"{name}_min"] = validator.min
                tests.append(f"len(value) >= {name}_min")
            if validator.max is not None:
                scope[f"{name}_max"] = validator.max
                tests.append(f"len(value) <= {name}_max")
        else:
            return None
    return " and ".join(tests)


def compile_loader(schema: Schema, partial=None) -> Loader | None:
    """A fast loader for ``schema`` (see the module's doc), or None when the schema uses
    something it does not model (pre/post-load hooks, INCLUDE, ``many``, partial lists):
    then marshmallow loads every input of that schema."""
    hooks = schema._hooks
    if hooks[PRE_LOAD] or hooks[POST_LOAD] or schema.many or schema.unknown not in (RAISE,
                                                                                   EXCLUDE):
        return None
    if partial is None:
        partial = schema.partial
    if partial not in (None, False, True):
        return None  # a collection of names: rare, left to marshmallow
    if any(hook_many for _name, hook_many, _kw in hooks[VALIDATES_SCHEMA]):
        return None
    steps = []
    if any("." in (field.attribute or "") for field in schema.load_fields.values()):
        return None  # dotted attributes (nested output): left to marshmallow
    for attr_name, field in schema.load_fields.items():
        name = field.data_key if field.data_key is not None else attr_name
        default = field.load_default
        steps.append((name, field.attribute or attr_name, field,
                       _converter(field, name, partial), field.required, field.allow_none,
                       default))
    names = frozenset(step[0] for step in steps)
    raise_unknown = schema.unknown == RAISE
    field_hooks = []
    for attr_name, _many, kwargs in hooks[VALIDATES]:
        for field_name in kwargs["field_names"]:
            field = schema.fields.get(field_name)
            if field is None:
                return None
            key = field.data_key if field.data_key is not None else field_name
            field_hooks.append((getattr(schema, attr_name), field.attribute or field_name, key))
    schema_hooks = [(getattr(schema, attr_name), kwargs.get("pass_original", False))
                    for attr_name, _many, kwargs in hooks[VALIDATES_SCHEMA]]
    unknown = schema.unknown
    skip_missing = partial is True

    # The walk over the fields, written out as one function: one test per field instead of a
    # loop over step tuples (the loop's own work was as costly as the checks it ran), the
    # commonest values accepted by a test written inline (_inline_test) and the hooks called
    # directly.
    scope: dict[str, Any] = {"_FALLBACK": _FALLBACK, "missing": missing, "names": names,
                             "ValidationError": ValidationError, "partial": partial,
                             "unknown": unknown}
    source = ["def load(raw):",
              "    if type(raw) is not dict:",
              "        raise _FALLBACK"]
    if raise_unknown:
        source += ["    if not names.issuperset(raw):",
                   "        raise _FALLBACK"]
    source += ["    out = {}", "    get = raw.get"]
    for index, (name, attribute, field, convert, required, allow_none, default) in \
            enumerate(steps):
        scope[f"convert{index}"] = convert
        scope[f"default{index}"] = default
        source.append(f"    value = get({name!r}, missing)")
        source.append("    if value is missing:")
        if skip_missing or (not required and default is missing):
            source.append("        pass")
        elif required:
            source.append("        raise _FALLBACK")
        else:
            call = "()" if callable(default) else ""
            source.append(f"        out[{attribute!r}] = default{index}{call}")
        source.append("    elif value is None:")
        source.append(f"        out[{attribute!r}] = None" if allow_none else
                      "        raise _FALLBACK")
        test = _inline_test(field, index, scope)
        if test is not None:
            source += [f"    elif {test}:", f"        out[{attribute!r}] = value"]
        source += ["    else:", f"        out[{attribute!r}] = convert{index}(value, raw)"]
    if field_hooks or schema_hooks:
        source.append("    try:")
        for number, (hook, attribute, key) in enumerate(field_hooks):
            scope[f"field_hook{number}"] = hook
            source += [f"        if {attribute!r} in out and "
                       f"field_hook{number}(out[{attribute!r}], data_key={key!r}) is missing:",
                       f"            del out[{attribute!r}]"]
        for number, (hook, pass_original) in enumerate(schema_hooks):
            scope[f"schema_hook{number}"] = hook
            original = "raw, " if pass_original else ""
            source.append(f"        schema_hook{number}(out, {original}partial=partial, "
                          "many=False, unknown=unknown)")
        source += ["    except ValidationError:", "        raise _FALLBACK from None"]
    source.append("    return out")
    exec(compile("\n".join(source), f"<fastload {type(schema).__name__}>", "exec"), scope)
    load = scope["load"]

    return load


class SchemaLoader:
    """``load(raw)``: the fast loader when it vouches for ``raw``, else ``schema.load`` (whose
    ValidationError, with marshmallow's messages, is what the caller sees)."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.fast = compile_loader(schema)

    def load(self, raw) -> dict:
        if self.fast is not None:
            try:
                return self.fast(raw)
            except Fallback:
                pass
        return self.schema.load(raw)
