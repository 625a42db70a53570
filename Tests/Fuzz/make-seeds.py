#!/usr/bin/env python3
"""Writes the seed inputs of the IOMFuzz target into Tests/Fuzz/corpus.

Input format (Fuzz/IOMFuzz/IOMFuzz.swift): first byte selects the path
(0 events message, 1 sync reply, 2 WireCodec.decodeChange, 3 WireCodec.decodeEnvelope,
4 attributes frame, 5 protobuf JSON of a record for the JSON fast path); paths 0 and 1 carry frames, each a 2-byte big-endian length and its bytes.
Seeds come from Protocols/vectors (real iom.v1.Change and record vectors) and the message
examples of Protocols/bridge.md. Run from the package root; then `Scripts/fuzz.sh` merges.
"""
import hashlib
import json
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VECTORS = os.path.join(ROOT, "Protocols", "vectors")
OUT = os.path.join(ROOT, "Tests", "Fuzz", "corpus")
SOURCE = "urn:uuid:6f1c2b1e-1d7a-4c55-9e0b-3a7f4d2c9b10"

def frames(path, parts):
    out = bytes([path])
    for part in parts:
        out += struct.pack(">H", len(part)) + part
    return out

def attrs(lines):
    return "".join(f"{k}={v}\n" for k, v in lines).encode()

def seq(n):
    return f"{n:020d}"

def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])

ENVELOPE_FIELD = {"iom.v1.Organisation": 1, "iom.v1.Mission": 2, "iom.v1.MemberState": 3,
                  "iom.v1.Event": 4, "iom.v1.ProtectionCase": 5}
TYPE_NAME = {"RECORD_TYPE_ORGANISATION": "organisation", "RECORD_TYPE_MISSION": "mission",
             "RECORD_TYPE_MEMBER_STATE": "memberState", "RECORD_TYPE_EVENT": "event",
             "RECORD_TYPE_PROTECTION_CASE": "protectionCase"}

def event_attributes(change, n, reason=None):
    t = TYPE_NAME[change["recordType"]]
    k = change["kind"].removeprefix("CHANGE_KIND_").lower()
    return t, k, attrs([
        ("specversion", "1.0"), ("id", f"0b7c6a1e-2f3d-4e5a-8b9c-{n:012x}"), ("source", SOURCE),
        ("type", f"org.iom.v1.{t}.{k}"), ("subject", change["recordId"]),
        ("time", "2017-07-24T09:30:00.000Z"), ("datacontenttype", "application/protobuf"),
        ("dataschema", "urn:iom:proto:iom.v1.Change"), ("sequence", seq(n)),
    ])

def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = json.load(open(os.path.join(VECTORS, "manifest.json")))
    seeds = []
    changes, envelopes = [], []
    for n, v in enumerate(manifest["vectors"], start=1):
        data = open(os.path.join(VECTORS, v["binary"]), "rb").read()
        if v["message"] == "iom.v1.Change":
            change = json.load(open(os.path.join(VECTORS, v["json"])))
            t, k, a = event_attributes(change, n)
            seeds.append(frames(0, [f"iom.v1.{t}.{k}".encode(), a, data]))  # event message
            seeds.append(bytes([2]) + data)                                    # decodeChange
            # Beside SwiftProtobuf (WireCodec.disagreement): a merge of the whole change, the
            # record repeated inside it, and unknown fields of every wire type around it.
            unknown = (varint(99 << 3 | 0) + varint(2**64 - 1) + varint(98 << 3 | 1) + bytes(8)
                       + varint(97 << 3 | 3) + varint(96 << 3 | 5) + bytes(4) + varint(97 << 3 | 4)
                       + varint(95 << 3 | 2) + varint(2) + b"\xc3\xa9")
            seeds.append(bytes([2]) + data + data)
            seeds.append(bytes([2]) + unknown + data + unknown)
            changes += [a, data]
        else:
            env = bytes([ENVELOPE_FIELD[v["message"]] << 3 | 2]) + varint(len(data)) + data
            seeds.append(bytes([3]) + env)                                     # decodeEnvelope
            seeds.append(bytes([3]) + env + env)                               # the record merged
            if v["message"] == "iom.v1.ProtectionCase":
                # Packed and unpacked repeated enums (means_of_control, concerns), appended.
                trafficking = bytes([0x22, 3, 1, 2, 0x80]) + bytes([0x20, 5])
                needs = bytes([0x12, 2, 3, 1]) + bytes([0x10, 9])
                extra = (bytes([7 << 3 | 2]) + varint(len(trafficking)) + trafficking
                         + bytes([8 << 3 | 2]) + varint(len(needs)) + needs)
                body = data + extra
                seeds.append(bytes([3]) + bytes([5 << 3 | 2]) + varint(len(body)) + body)
            envelopes.append(env)
            if v["message"] in ("iom.v1.MemberState", "iom.v1.ProtectionCase", "iom.v1.Event"):
                # The record's protobuf JSON (JSONRecordReader beside SwiftProtobuf); the complete
                # case also with whitespace and \u escapes, as Python's MessageToJson writes it.
                text = open(os.path.join(VECTORS, v["json"]), "rb").read().strip()
                if "complete" in v["binary"]:
                    pretty = json.dumps(json.loads(text), indent=2, ensure_ascii=True).encode()
                    seeds.append(bytes([5]) + pretty)
                elif "minimal" not in v["binary"] and "transferred" not in v["binary"] and "observer" not in v["binary"]:
                    seeds.append(bytes([5]) + text)
    heartbeat = attrs([("source", SOURCE), ("latest", seq(42)), ("oldest", seq(1)),
                       ("time", "2026-11-29T05:41:07.512Z"), ("interval", "1000"), ("view", "full")])
    withheld = attrs([("source", SOURCE), ("sequence", seq(7)), ("reason", "view")])
    tag = b"iom.v1.sync"
    seeds += [
        frames(0, [b"iom.v1._heartbeat", heartbeat]),
        frames(0, [b"iom.v1._withheld", withheld]),
        frames(0, [b"iom.v1.futureType.created", withheld]),
        frames(0, [b"iom.v1._future", b""]),
        frames(1, [tag, b"RECORDS", b"1", b""] + envelopes[:3]),
        frames(1, [tag, b"RECORDS", b"1", b""] + envelopes[3:]),
        frames(1, [tag, b"CHANGES", b"2", b""] + changes + [withheld, b""]),
        frames(1, [tag, b"END", b"1", attrs([("source", SOURCE), ("sequence", "42")])]),
        frames(1, [tag, b"END", b"2", attrs([("latest", "42"), ("more", "1"), ("through", "41")])]),
        frames(1, [tag, b"ERROR", b"2", attrs([("code", "PRUNED"), ("oldest", "5"),
                                                 ("message", "pruned%20before%0A5")])]),
        bytes([4]) + heartbeat,
        bytes([4]) + attrs([("subject", "caf%C3%A9%25"), ("reason", "toolarge")]),
    ]
    for seed in seeds:
        name = hashlib.sha1(seed).hexdigest()
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(seed)
    print(f"{len(seeds)} seeds in {os.path.relpath(OUT, ROOT)}")

if __name__ == "__main__":
    main()
