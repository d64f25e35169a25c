"""Decode the Kubernetes protobuf bodies kubectl's typed clients send (`kubectl create ns|configmap|…`).

client-go's typed clients encode built-in objects as `application/vnd.kubernetes.protobuf` (magic `k8s\\0`
plus a `runtime.Unknown` envelope) and have no JSON fallback, so the server must read them. Only the
messages below are known; other kinds answer 415. Field numbers come from k8s.io/api `generated.proto`.
"""

from __future__ import annotations

import base64
from typing import Any

from sovereign_sandbox import errors

__all__ = ["PROTOBUF", "decode_object"]

PROTOBUF = "application/vnd.kubernetes.protobuf"
_MAGIC = b"k8s\x00"

# message name → field number → (JSON name, type); types: string, bytes, int, bool, time, message:<name>,
# map:string, map:bytes, repeated:string, repeated:message:<name>.
_SCHEMAS: dict[str, dict[int, tuple[str, str]]] = {
    "Unknown": {
        1: ("typeMeta", "message:TypeMeta"),
        2: ("raw", "bytes"),
        3: ("contentEncoding", "string"),
        4: ("contentType", "string"),
    },
    "TypeMeta": {1: ("apiVersion", "string"), 2: ("kind", "string")},
    "ObjectMeta": {
        1: ("name", "string"),
        2: ("generateName", "string"),
        3: ("namespace", "string"),
        5: ("uid", "string"),
        6: ("resourceVersion", "string"),
        7: ("generation", "int"),
        11: ("labels", "map:string"),
        12: ("annotations", "map:string"),
        13: ("ownerReferences", "repeated:message:OwnerReference"),
        14: ("finalizers", "repeated:string"),
    },
    "OwnerReference": {
        1: ("kind", "string"),
        3: ("name", "string"),
        4: ("uid", "string"),
        5: ("apiVersion", "string"),
        6: ("controller", "bool"),
        7: ("blockOwnerDeletion", "bool"),
    },
    "Namespace": {1: ("metadata", "message:ObjectMeta"), 2: ("spec", "message:NamespaceSpec")},
    "NamespaceSpec": {1: ("finalizers", "repeated:string")},
    "ConfigMap": {
        1: ("metadata", "message:ObjectMeta"),
        2: ("data", "map:string"),
        3: ("binaryData", "map:bytes"),
        4: ("immutable", "bool"),
    },
    "Secret": {
        1: ("metadata", "message:ObjectMeta"),
        2: ("data", "map:bytes"),
        3: ("type", "string"),
        4: ("stringData", "map:string"),
        5: ("immutable", "bool"),
    },
    "ServiceAccount": {1: ("metadata", "message:ObjectMeta"), 4: ("automountServiceAccountToken", "bool")},
    "Deployment": {1: ("metadata", "message:ObjectMeta"), 2: ("spec", "message:DeploymentSpec")},
    "DeploymentSpec": {
        1: ("replicas", "int"),
        2: ("selector", "message:LabelSelector"),
        3: ("template", "message:PodTemplateSpec"),
    },
    "LabelSelector": {1: ("matchLabels", "map:string")},
    "PodTemplateSpec": {1: ("metadata", "message:ObjectMeta"), 2: ("spec", "message:PodSpec")},
    "PodSpec": {2: ("containers", "repeated:message:Container")},
    "Container": {
        1: ("name", "string"),
        2: ("image", "string"),
        3: ("command", "repeated:string"),
        4: ("args", "repeated:string"),
        6: ("ports", "repeated:message:ContainerPort"),
        7: ("env", "repeated:message:EnvVar"),
    },
    "ContainerPort": {1: ("name", "string"), 3: ("containerPort", "int"), 4: ("protocol", "string")},
    "EnvVar": {1: ("name", "string"), 2: ("value", "string")},
    # Access reviews (`kubectl auth can-i`, `whoami`): authorization/v1 and authentication/v1 generated.proto.
    "SelfSubjectAccessReview": {1: ("metadata", "message:ObjectMeta"), 2: ("spec", "message:AccessReviewSpec")},
    "SubjectAccessReview": {1: ("metadata", "message:ObjectMeta"), 2: ("spec", "message:AccessReviewSpec")},
    "AccessReviewSpec": {  # SelfSubjectAccessReviewSpec is fields 1-2 of SubjectAccessReviewSpec
        1: ("resourceAttributes", "message:ResourceAttributes"),
        2: ("nonResourceAttributes", "message:NonResourceAttributes"),
        3: ("user", "string"),
        4: ("groups", "repeated:string"),
        6: ("uid", "string"),
    },
    "ResourceAttributes": {
        1: ("namespace", "string"),
        2: ("verb", "string"),
        3: ("group", "string"),
        4: ("version", "string"),
        5: ("resource", "string"),
        6: ("subresource", "string"),
        7: ("name", "string"),
    },
    "NonResourceAttributes": {1: ("path", "string"), 2: ("verb", "string")},
    "SelfSubjectRulesReview": {1: ("metadata", "message:ObjectMeta"), 2: ("spec", "message:RulesReviewSpec")},
    "RulesReviewSpec": {1: ("namespace", "string")},
    "SelfSubjectReview": {1: ("metadata", "message:ObjectMeta")},
}
_TOP_LEVEL = {
    "Namespace",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "Deployment",
    "SelfSubjectAccessReview",
    "SubjectAccessReview",
    "SelfSubjectRulesReview",
    "SelfSubjectReview",
}


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
            value, position = data[position : position + length], position + length
        elif wire_type == 1:
            value, position = data[position : position + 8], position + 8
        elif wire_type == 5:
            value, position = data[position : position + 4], position + 4
        else:
            raise ValueError(f"unsupported wire type {wire_type}")
        yield number, wire_type, value


def _map_entry(data: bytes) -> tuple[str, bytes]:
    key, value = "", b""
    for number, _wire_type, field_value in _fields(data):
        if number == 1:
            key = field_value.decode()
        elif number == 2:
            value = field_value
    return key, value


def _decode(message: str, data: bytes) -> dict[str, Any]:
    schema = _SCHEMAS[message]
    result: dict[str, Any] = {}
    for number, _wire_type, value in _fields(data):
        if number not in schema:
            continue
        name, kind = schema[number]
        if kind == "string":
            result[name] = value.decode()
        elif kind == "bytes":
            result[name] = value
        elif kind == "int":
            result[name] = value - (1 << 64) if value >= 1 << 63 else value
        elif kind == "bool":
            result[name] = bool(value)
        elif kind.startswith("message:"):
            result[name] = _decode(kind.split(":", 1)[1], value)
        elif kind.startswith("map:"):
            key, raw = _map_entry(value)
            text = raw.decode() if kind == "map:string" else base64.b64encode(raw).decode()
            result.setdefault(name, {})[key] = text
        elif kind == "repeated:string":
            result.setdefault(name, []).append(value.decode())
        elif kind.startswith("repeated:message:"):
            result.setdefault(name, []).append(_decode(kind.split(":", 2)[2], value))
    return _without_empty(result)


def _without_empty(value: Any) -> Any:
    """Go encodes unset fields as zero values; JSON omits them (omitempty)."""
    if isinstance(value, dict):
        cleaned = {key: _without_empty(item) for key, item in value.items()}
        return {
            key: item for key, item in cleaned.items() if item not in ("", 0, None, {}, [], False) or key == "replicas"
        }
    if isinstance(value, list):
        return [_without_empty(item) for item in value]
    return value


def decode_object(body: bytes) -> dict[str, Any]:
    """The JSON form of a protobuf-encoded built-in object.

    Raises:
        ApiError: 415 for kinds this decoder does not know, 400 for a malformed body.
    """
    if not body.startswith(_MAGIC):
        raise errors.bad_request("the protobuf body does not start with the Kubernetes magic number")
    try:
        envelope = _decode("Unknown", body[len(_MAGIC) :])
        type_meta = envelope.get("typeMeta") or {}
        kind = type_meta.get("kind", "")
        if kind not in _TOP_LEVEL:
            raise errors.unsupported_media_type(PROTOBUF, ["application/json", "application/yaml"])
        obj = {"apiVersion": type_meta.get("apiVersion", ""), "kind": kind, **_decode(kind, envelope.get("raw", b""))}
    except (ValueError, IndexError, UnicodeDecodeError) as error:
        raise errors.bad_request(f"unable to decode the protobuf body: {error}") from None
    obj.setdefault("metadata", {})
    return obj
