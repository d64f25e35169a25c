"""Decode the Kubernetes protobuf bodies kubectl's typed clients send (`kubectl create deployment|role|…`).

client-go's typed clients encode built-in objects as `application/vnd.kubernetes.protobuf` (magic `k8s\\0`
plus a `runtime.Unknown` envelope) and have no JSON fallback, so the server must read them. One generic
decoder walks a schema table, `protobuf_schema.json`: message → fields, each `<number> <json name> <type>`,
taken from k8s.io/api and k8s.io/apimachinery `generated.proto` (numbers, types) and `types.go` (which
fields keep a zero value in JSON). Only the messages the served kinds reach are listed; their status
messages are left out (writes carry no status the server keeps), but for CertificateSigningRequests, whose
approval kubectl writes as status conditions.

Type codes: `s` string, `b` bytes (base64 in JSON), `B` bool, `i` varint integer, `z` zigzag integer,
`d`/`f` double/float, `q` Quantity, `T` Time, `M` MicroTime, `D` Duration, `I` IntOrString, `R` embedded JSON
(RawExtension, FieldsV1), or a message name. Prefix `*` repeated, `{` map from string to the rest.
A field named `.` is an embedded struct whose fields JSON inlines. Suffix `!`: the zero value is kept
(a pointer, or a field without `omitempty`); other scalars at their zero value are dropped, as Go's
JSON encoding omits them. A message that is present is always emitted.
"""

from __future__ import annotations

import base64
import json
import struct
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from sovereign_sandbox import errors

__all__ = ["PROTOBUF", "decode_object"]

PROTOBUF = "application/vnd.kubernetes.protobuf"
_MAGIC = b"k8s\x00"
_SCHEMA_PATH = Path(__file__).with_name("protobuf_schema.json")
_SCALAR_ZERO = {"s": "", "b": "", "B": False, "i": 0, "z": 0, "d": 0.0, "f": 0.0}


class _Field(NamedTuple):
    name: str
    kind: str  # a type code or a message name
    shape: str  # "" single, "*" repeated, "{" map, "{*" map of string lists
    keep_zero: bool


@cache
def _schema() -> dict[str, str]:
    return json.loads(_SCHEMA_PATH.read_text())


@cache
def _message(name: str) -> dict[int, _Field]:
    fields: dict[int, _Field] = {}
    for entry in _schema()[name].split(" | "):
        number, json_name, code = entry.split(" ")
        keep_zero = code.endswith("!")
        code = code.rstrip("!")
        shape = ""
        while code[0] in "*{":
            shape, code = shape + code[0], code[1:]
        fields[int(number)] = _Field(json_name, code, shape, keep_zero)
    return fields


def _message_name(api_version: str, kind: str) -> str:
    group, _, version = api_version.rpartition("/")
    return f"{group.split('.')[0] or 'core'}/{version}.{kind}"


def _varint(data: bytes, position: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7


def _fields(data: bytes):
    """(field number, wire type, value) for each field; length-delimited values are bytes."""
    position = 0
    while position < len(data):
        key, position = _varint(data, position)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, position = _varint(data, position)
        elif wire_type == 2:
            length, position = _varint(data, position)
            if position + length > len(data):
                raise ValueError("a length-delimited field runs past the end of its message")
            value, position = data[position : position + length], position + length
        elif wire_type == 1:
            value, position = data[position : position + 8], position + 8
        elif wire_type == 5:
            value, position = data[position : position + 4], position + 4
        else:
            raise ValueError(f"unsupported wire type {wire_type}")
        yield number, wire_type, value


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _time(data: bytes, micro: bool) -> str | None:
    seconds = nanos = 0
    for number, _wire_type, value in _fields(data):
        if number == 1:
            seconds = _signed(value)
        elif number == 2:
            nanos = _signed(value)
    if not seconds and not nanos:
        return None  # the zero time: JSON null, or omitted (`omitzero`)
    moment = datetime.fromtimestamp(seconds, UTC)
    if micro:
        return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos // 1000:06d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _duration(data: bytes) -> str:
    """Go's time.Duration.String() of the nanoseconds in field 1: `1h0m0s`, `1m30s`, `500ms`."""
    nanos = next((_signed(value) for number, _, value in _fields(data) if number == 1), 0)
    if nanos == 0:
        return "0s"
    sign, nanos = ("-", -nanos) if nanos < 0 else ("", nanos)
    if nanos < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if nanos >= size:
                return f"{sign}{nanos / size:g}{unit}"
    hours, rest = divmod(nanos, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    seconds = f"{rest / 1_000_000_000:.9f}".rstrip("0").rstrip(".")
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if hours or minutes else "") + f"{seconds}s"
    return sign + text


def _int_or_string(data: bytes) -> int | str:
    kind, number_value, text = 0, 0, ""
    for number, _wire_type, value in _fields(data):
        if number == 1:
            kind = value
        elif number == 2:
            number_value = _signed(value)
        elif number == 3:
            text = value.decode()
    return text if kind == 1 else number_value


def _scalar(code: str, wire_type: int, value: Any) -> Any:
    if code == "s":
        return value.decode()
    if code == "b":
        return base64.b64encode(value).decode()
    if code == "B":
        return bool(value)
    if code == "i":
        return _signed(value)
    if code == "z":
        return (value >> 1) ^ -(value & 1)
    if code == "d":
        return struct.unpack("<d", value)[0]
    if code == "f":
        return struct.unpack("<f", value)[0]
    raise ValueError(f"unknown scalar type {code}")


def _value(code: str, wire_type: int, value: Any) -> Any:
    """One decoded value of type `code` (None for the zero Time and an empty RawExtension)."""
    if code in _SCALAR_ZERO:
        return _scalar(code, wire_type, value)
    if code == "T" or code == "M":
        return _time(value, micro=code == "M")
    if code == "D":
        return _duration(value)
    if code == "q":  # resource.Quantity: its canonical text in field 1
        return next((item.decode() for number, _, item in _fields(value) if number == 1), "0")
    if code == "I":
        return _int_or_string(value)
    if code == "R":
        raw = next((item for number, _, item in _fields(value) if number == 1), b"")
        return json.loads(raw) if raw else None
    return _decode(code, value)


def _packed(code: str, data: bytes) -> list[Any]:
    """Repeated scalars sent packed (one length-delimited field holding every value)."""
    if code in ("d", "f"):
        size = 8 if code == "d" else 4
        return [_scalar(code, 1, data[index : index + size]) for index in range(0, len(data), size)]
    values, position = [], 0
    while position < len(data):
        value, position = _varint(data, position)
        values.append(_scalar(code, 0, value))
    return values


def _map_entry(field: _Field, data: bytes) -> tuple[str, Any]:
    key, value = "", None
    for number, wire_type, item in _fields(data):
        if number == 1:
            key = item.decode()
        elif number == 2:
            if field.shape == "{*":  # a wrapper message around a list of strings (ExtraValue)
                value = [text.decode() for inner, _, text in _fields(item) if inner == 1]
            else:
                value = _value(field.kind, wire_type, item)
    if value is None:
        value = [] if field.shape == "{*" else _SCALAR_ZERO.get(field.kind, {})
    return key, value


def _is_zero(code: str, value: Any) -> bool:
    if code == "I":
        return value in (0, "")
    if code == "q":
        return value == "0"
    return code in _SCALAR_ZERO and value == _SCALAR_ZERO[code]


def _decode(message: str, data: bytes) -> dict[str, Any]:
    schema = _message(message)
    result: dict[str, Any] = {}
    for number, wire_type, value in _fields(data):
        field = schema.get(number)
        if field is None:
            continue  # a field this table leaves out (status) or newer than it
        if field.shape.startswith("{"):
            key, item = _map_entry(field, value)
            result.setdefault(field.name, {})[key] = item
        elif field.shape == "*":
            items = result.setdefault(field.name, [])
            if wire_type == 2 and field.kind in _SCALAR_ZERO and field.kind not in ("s", "b"):
                items.extend(_packed(field.kind, value))
            else:
                items.append(_value(field.kind, wire_type, value))
        else:
            decoded = _value(field.kind, wire_type, value)
            if field.name == ".":  # an embedded struct (`json:",inline"`): its fields are the enclosing object's
                result.update(decoded)
            elif decoded is None or (not field.keep_zero and _is_zero(field.kind, decoded)):
                result.pop(field.name, None)
            else:
                result[field.name] = decoded
    return result


def decode_object(body: bytes) -> dict[str, Any]:
    """The JSON form of a protobuf-encoded built-in object.

    Raises:
        ApiError: 415 for kinds this decoder does not know, 400 for a malformed body.
    """
    if not body.startswith(_MAGIC):
        raise errors.bad_request("the protobuf body does not start with the Kubernetes magic number")
    try:
        # runtime.Unknown: typeMeta (1: apiVersion, 2: kind) and raw (2), the object's own message.
        envelope = {number: value for number, _, value in _fields(body[len(_MAGIC) :])}
        type_meta = {number: value.decode() for number, _, value in _fields(envelope.get(1, b""))}
        api_version, kind = type_meta.get(1, ""), type_meta.get(2, "")
        message = _message_name(api_version, kind)
        if message not in _schema():
            raise errors.unsupported_media_type(PROTOBUF, ["application/json", "application/yaml"])
        obj = {"apiVersion": api_version, "kind": kind, **_decode(message, envelope.get(2, b""))}
    except (ValueError, IndexError, UnicodeDecodeError, struct.error) as error:
        raise errors.bad_request(f"unable to decode the protobuf body: {error}") from None
    obj.setdefault("metadata", {})
    return obj
