#!/usr/bin/env python3
"""Check a ptx ledger receipt or consistency proof, outside PostgreSQL.

Python 3 standard library only; from the format in docs/ledger-format.md
("Proofs") alone, never from the database.

  ptx_receipt.py receipt RECEIPT.json DIGEST.json
      RECEIPT.json: the output of ptx.receipt(seq) (or ptx.bid_receipt)
      DIGEST.json:  a block hash published earlier: the output of
                    ptx.digest(), or any object with block_no and block_hash
  ptx_receipt.py consistency PROOF.json OLD_DIGEST.json NEW_DIGEST.json
      PROOF.json:   the output of ptx.consistency(old, new)

Prints what it checked and exits 0 when the proof holds, 1 when it does not
(with the reason), 2 on bad usage or unreadable input.
"""
import hashlib
import json
import struct
import sys

ENTRY_TAG = "ptx-ledger-entry/1"
BLOCK_TAG = "ptx-ledger-block/1"


class ProofError(Exception):
    pass


def field(v):
    if v is None:
        return b"\xff\xff\xff\xff"
    v = v.encode("utf-8") if isinstance(v, str) else v
    return struct.pack(">I", len(v)) + v


def sha256(b):
    return hashlib.sha256(b).digest()


def unhex(s, what, size=None):
    try:
        b = bytes.fromhex(s)
    except (TypeError, ValueError):
        raise ProofError("%s is not hex" % what)
    if size is not None and len(b) != size:
        raise ProofError("%s has %d bytes, not %d" % (what, len(b), size))
    return b


def integer(v, what):
    if isinstance(v, bool) or not isinstance(v, (int, str)):
        raise ProofError("%s is not an integer" % what)
    s = str(v)
    if not (s.isdigit() or (s.startswith("-") and s[1:].isdigit())):
        raise ProofError("%s is not an integer" % what)
    return int(s)


def block_hash(h, prev_hash):
    """the block hash from a header of a proof and the previous block's hash"""
    data = b"".join([
        field(BLOCK_TAG),
        field(str(integer(h["block_no"], "block_no"))),
        field(str(integer(h["first_seq"], "first_seq"))),
        field(str(integer(h["last_seq"], "last_seq"))),
        field(str(integer(h["entry_count"], "entry_count"))),
        field(unhex(h["merkle_root"], "merkle_root", 32)),
        field(prev_hash),
        field(str(integer(h["sealed_at_us"], "sealed_at_us"))),
    ])
    return sha256(data)


def entry_fields(data):
    """the 15 fields of an entry's serialization (None for NULL)"""
    out, i = [], 0
    while i < len(data):
        if i + 4 > len(data):
            raise ProofError("entry bytes end inside a length")
        if data[i:i + 4] == b"\xff\xff\xff\xff":
            out.append(None)
            i += 4
            continue
        n = struct.unpack(">I", data[i:i + 4])[0]
        if i + 4 + n > len(data):
            raise ProofError("entry bytes end inside a field")
        out.append(data[i + 4:i + 4 + n])
        i += 4 + n
    if len(out) != 15 or out[0] != ENTRY_TAG.encode():
        raise ProofError("entry bytes are not a ledger entry of format 1")
    return out


def expected_sides(index, count):
    """the sides of the siblings on the path of leaf index among count leaves"""
    sides = []
    while count > 1:
        if index % 2 == 1:
            sides.append("left")
        elif index + 1 < count:
            sides.append("right")
        index //= 2
        count = (count + 1) // 2
    return sides


def follow_chain(start_no, start_hash, start_last_seq, headers, stop_no):
    """carry a block hash through the headers up to block stop_no"""
    no, h, last = start_no, start_hash, start_last_seq
    for hd in headers:
        if no == stop_no:
            break
        if integer(hd["block_no"], "block_no") != no + 1:
            raise ProofError("block %s follows block %d" % (hd["block_no"], no))
        if last is not None and integer(hd["first_seq"], "first_seq") != last + 1:
            raise ProofError("block %d starts at seq %s, not %d" % (no + 1, hd["first_seq"], last + 1))
        h = block_hash(hd, h)
        if h.hex() != hd.get("block_hash", h.hex()):
            raise ProofError("block %d: the header's hash %s is not the computed %s"
                             % (no + 1, hd.get("block_hash"), h.hex()))
        no, last = no + 1, integer(hd["last_seq"], "last_seq")
    if no != stop_no:
        raise ProofError("the proof stops at block %d, before block %d" % (no, stop_no))
    return h


def check_receipt(r, digest):
    if r.get("format") != 1:
        raise ProofError("receipt format %r is not 1" % r.get("format"))
    entry = unhex(r["entry"], "entry")
    f = entry_fields(entry)
    seq = integer(r["seq"], "seq")
    if f[1] != str(seq).encode():
        raise ProofError("the entry bytes are of seq %s, not %d" % (f[1].decode(), seq))
    leaf = sha256(entry)
    if leaf.hex() != r["entry_hash"]:
        raise ProofError("SHA-256 of the entry bytes is %s, not the receipt's entry_hash %s"
                         % (leaf.hex(), r["entry_hash"]))
    if not r.get("sealed"):
        raise ProofError("entry %d is not sealed into a block yet: ask for the receipt again later" % seq)
    b = r["block"]
    first, last = integer(b["first_seq"], "first_seq"), integer(b["last_seq"], "last_seq")
    if not first <= seq <= last:
        raise ProofError("seq %d is outside block %s (%d..%d)" % (seq, b["block_no"], first, last))
    index, count = integer(r["index"], "index"), integer(b["entry_count"], "entry_count")
    if not 0 <= index < count:
        raise ProofError("index %d is outside a block of %d entries" % (index, count))
    path = r["path"]
    if [p.get("side") for p in path] != expected_sides(index, count):
        raise ProofError("the path does not fit position %d of %d entries" % (index, count))
    node = leaf
    for p in path:
        sib = unhex(p["hash"], "path hash", 32)
        node = sha256(b"\x01" + sib + node) if p["side"] == "left" else sha256(b"\x01" + node + sib)
    if node.hex() != b["merkle_root"]:
        raise ProofError("the path gives the root %s, not the block's %s" % (node.hex(), b["merkle_root"]))
    block_no = integer(b["block_no"], "block_no")
    prev = unhex(b["prev_hash"], "prev_hash", 32)
    if block_no == 1 and prev != bytes(32):
        raise ProofError("block 1 must follow 32 zero bytes")
    h = block_hash(b, prev)
    if h.hex() != b.get("block_hash", h.hex()):
        raise ProofError("block %d: the header's hash is not the computed %s" % (block_no, h.hex()))
    d_no = integer(digest["block_no"], "digest block_no")
    if d_no < block_no:
        raise ProofError("the digest of block %d is older than the entry's block %d" % (d_no, block_no))
    h = follow_chain(block_no, h, last, r.get("chain", []), d_no)
    if h.hex() != digest["block_hash"]:
        raise ProofError("the chain gives block %d the hash %s, not the published %s"
                         % (d_no, h.hex(), digest["block_hash"]))
    return "entry %d (block %d, position %d of %d) is in the ledger whose block %d has the published hash %s" % (
        seq, block_no, index, count, d_no, digest["block_hash"])


def check_consistency(p, old, new):
    if p.get("format") != 1:
        raise ProofError("proof format %r is not 1" % p.get("format"))
    o_no, n_no = integer(old["block_no"], "old block_no"), integer(new["block_no"], "new block_no")
    if n_no < o_no:
        raise ProofError("the new digest (block %d) is older than the old one (block %d)" % (n_no, o_no))
    old_hash = unhex(old["block_hash"], "old block_hash", 32)
    last = integer(old["last_seq"], "old last_seq") if "last_seq" in old else None
    h = follow_chain(o_no, old_hash, last, p.get("blocks", []), n_no)
    if h.hex() != new["block_hash"]:
        raise ProofError("the blocks after %d give block %d the hash %s, not the published %s"
                         % (o_no, n_no, h.hex(), new["block_hash"]))
    return "block %d (%s) extends block %d (%s)" % (n_no, new["block_hash"], o_no, old["block_hash"])


def load(path):
    with open(path, encoding="utf-8") as fh:
        v = json.load(fh)
    if isinstance(v, list):           # a list of digests: the newest
        v = max(v, key=lambda d: int(d["block_no"]))
    return v


def main(argv):
    try:
        if len(argv) == 4 and argv[1] == "receipt":
            msg = check_receipt(load(argv[2]), load(argv[3]))
        elif len(argv) == 5 and argv[1] == "consistency":
            msg = check_consistency(load(argv[2]), load(argv[3]), load(argv[4]))
        else:
            sys.stderr.write(__doc__)
            return 2
    except ProofError as e:
        print("FAILED: %s" % e)
        return 1
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        print("FAILED: unreadable input: %r" % (e,))
        return 1
    print("OK: %s" % msg)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
