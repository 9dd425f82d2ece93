#!/usr/bin/env python3
"""Recompute ptx's ledger hashes outside PostgreSQL (docs/ledger-format.md).

    python3 test/ledger_audit.py "dbname=... host=..."   [digest.json]

Reads the entries and blocks with psql as plain SELECT output, rebuilds the
canonical serialization of format 1 byte by byte, and checks every entry
hash, every block's entry count, Merkle root and hash, and the chain of
previous hashes; with a digest file (the JSON of ptx.digest(), or a list of
them) also the published block hashes.  Prints one line per problem and a
summary; exits 1 when there is a problem.  Python standard library only.
"""
import datetime
import hashlib
import json
import struct
import subprocess
import sys

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def field(value):
    """length-prefixed field; None is SQL NULL"""
    if value is None:
        return b"\xff\xff\xff\xff"
    if isinstance(value, str):
        value = value.encode("utf-8")
    return struct.pack(">I", len(value)) + value


def micros(ts):
    """timestamptz as psql prints it under TimeZone UTC -> microseconds since 1970"""
    ts = ts.replace(" ", "T")
    if ts.endswith("+00"):
        ts += ":00"
    dt = datetime.datetime.fromisoformat(ts)
    return str((dt - EPOCH) // datetime.timedelta(microseconds=1))


def num(v):
    return None if v is None else str(v)


def entry_bytes(e):
    return b"".join([
        field("ptx-ledger-entry/1"), field(num(e["seq"])), field(e["xid"]),
        field(micros(e["logged_at"])), field(micros(e["business_at"])),
        field(e["session_user_name"]), field(e["current_user_name"]),
        field(e["application_name"]), field(e["client_addr"]),
        field(e["operation"]), field(e["kind"]), field(e["relation"]),
        field(e["key"]), field(e["row_image"]), field(num(e["project_id"])),
    ])


def block_bytes(b):
    return b"".join([
        field("ptx-ledger-block/1"), field(num(b["block_no"])), field(num(b["first_seq"])),
        field(num(b["last_seq"])), field(num(b["entry_count"])),
        field(bytes.fromhex(b["merkle_root"])), field(bytes.fromhex(b["prev_hash"])),
        field(micros(b["sealed_at"])),
    ])


def merkle(hashes):
    level = list(hashes)
    while len(level) > 1:
        nxt = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
               for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def select(conninfo, sql):
    """rows of a SELECT as dicts; every column as psql prints it (text)"""
    out = subprocess.run(
        ["psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo,
         "-c", "SET TimeZone = 'UTC'",
         "-c", "SELECT row_to_json(q)::text FROM (%s) q" % sql],
        check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def main():
    conninfo = sys.argv[1]
    # every column as text: key and row_image are the stored json text itself
    entries = select(conninfo, """
        SELECT seq, xid::text AS xid, logged_at::text AS logged_at, business_at::text AS business_at,
               session_user_name, current_user_name, application_name, client_addr::text AS client_addr,
               operation, kind, relation, key::text AS key, row_image::text AS row_image,
               project_id, format, encode(entry_hash, 'hex') AS entry_hash
          FROM ptx.ledger_entry ORDER BY seq""")
    blocks = select(conninfo, """
        SELECT block_no, first_seq, last_seq, entry_count, encode(merkle_root, 'hex') AS merkle_root,
               encode(prev_hash, 'hex') AS prev_hash, encode(block_hash, 'hex') AS block_hash,
               sealed_at::text AS sealed_at, format
          FROM ptx.ledger_block ORDER BY block_no""")
    problems = []
    for e in entries:
        if hashlib.sha256(entry_bytes(e)).hexdigest() != e["entry_hash"]:
            problems.append("entry %s: hash mismatch" % e["seq"])
    prev, expected_first = "00" * 32, 1
    by_no = {}
    for n, b in enumerate(blocks, start=1):
        by_no[b["block_no"]] = b
        if b["block_no"] != n:
            problems.append("block %s: expected block %s" % (b["block_no"], n))
        if b["first_seq"] != expected_first:
            problems.append("block %s: starts at %s, not %s" % (b["block_no"], b["first_seq"], expected_first))
        inside = [bytes.fromhex(e["entry_hash"]) for e in entries
                  if b["first_seq"] <= e["seq"] <= b["last_seq"]]
        if len(inside) != b["entry_count"]:
            problems.append("block %s: %d entries, sealed with %s" % (b["block_no"], len(inside), b["entry_count"]))
        if not inside or merkle(inside).hex() != b["merkle_root"]:
            problems.append("block %s: Merkle root mismatch" % b["block_no"])
        if b["prev_hash"] != prev:
            problems.append("block %s: previous hash mismatch" % b["block_no"])
        if hashlib.sha256(block_bytes(b)).hexdigest() != b["block_hash"]:
            problems.append("block %s: hash mismatch" % b["block_no"])
        prev, expected_first = b["block_hash"], b["last_seq"] + 1
    if len(sys.argv) > 2:
        with open(sys.argv[2]) as f:
            digests = json.load(f)
        for d in digests if isinstance(digests, list) else [digests]:
            b = by_no.get(d["block_no"])
            if b is None or b["block_hash"] != d["block_hash"].lower():
                problems.append("digest of block %s does not match" % d["block_no"])
    for p in problems:
        print(p)
    print("%d entries, %d blocks, %d problems" % (len(entries), len(blocks), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
