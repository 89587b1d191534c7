"""Merkle trees of RFC 6962 / RFC 9162 (Certificate Transparency): the root of many rows'
digests, computed as they stream past in bounded memory, and the proof that one row is in it.

A leaf is ``SHA-256(0x00 || data)``, a node ``SHA-256(0x01 || left || right)``; a tree of ``n``
leaves splits at the largest power of two below ``n``. The empty tree's root is ``SHA-256("")``.
Any RFC 6962 implementation gives the same roots and proofs (``tests/test_bulk_import.py``
checks against ``pymerkle``).
"""
from __future__ import annotations

import hashlib
from typing import Iterable, Sequence

_sha = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    return _sha(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha(b"\x01" + left + right).digest()


class Root:
    """The root of leaves added one by one; keeps one hash per bit of the count (the perfect
    subtrees not merged yet, largest first), so memory does not grow with the leaves."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[bytes] = []  # the perfect subtrees' roots: one per 1 bit of ``size``

    def extend(self, leaves: Iterable[bytes]) -> None:
        """Add leaves in order (a batch at a time: one call, not one per leaf). The batch is cut in
        perfect subtrees, each as large as the count allows (a multiple of its size must precede
        it), hashed a level at a time; each is then merged with the stack as one leaf would be,
        at its height. The root is the same as adding the leaves one by one."""
        leaves = list(leaves)
        stack, sha, n = self._stack, _sha, self.size
        i, left = 0, len(leaves)
        while left:
            height = min((n & -n).bit_length() - 1 if n else left.bit_length(), left.bit_length() - 1)
            k = 1 << height
            h = _perfect(leaves[i:i + k])
            merges = n >> height
            while merges & 1:  # each 1 bit of the count above the subtree's: a perfect subtree to merge with
                h = sha(b"\x01" + stack.pop() + h).digest()
                merges >>= 1
            stack.append(h)
            n, i, left = n + k, i + k, left - k
        self.size = n

    def digest(self) -> bytes:
        if not self._stack:
            return _sha(b"").digest()
        h = self._stack[-1]
        for left in reversed(self._stack[:-1]):
            h = node_hash(left, h)
        return h


def _perfect(level: list[bytes]) -> bytes:
    """The root of a perfect tree (a power of two of leaves), hashed a level at a time."""
    sha = _sha
    while len(level) > 1:
        pairs = iter(level)
        level = [sha(b"\x01" + left + right).digest() for left, right in zip(pairs, pairs)]
    return level[0]


def leaf_hashes(data: Iterable[bytes]) -> list[bytes]:
    """The leaf hash of each item (:func:`leaf_hash`, a batch at a time)."""
    sha = _sha
    return [sha(b"\x00" + d).digest() for d in data]


def root(leaves: Sequence[bytes]) -> bytes:
    r = Root()
    r.extend(leaves)
    return r.digest()


def _split(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)  # the largest power of two below n (n > 1)


def inclusion_path(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf ``index`` (0-based) in the tree of ``leaves`` (RFC 6962 PATH)."""
    if not 0 <= index < len(leaves):
        raise IndexError(index)
    path: list[bytes] = []
    lo, hi = 0, len(leaves)
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            path.append(root(leaves[lo + k:hi]))
            hi = lo + k
        else:
            path.append(root(leaves[lo:lo + k]))
            lo += k
    path.reverse()  # from the leaf up
    return path


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes], expected_root: bytes) -> bool:
    """Whether ``leaf`` is leaf ``index`` of a tree of ``size`` leaves whose root is
    ``expected_root`` (RFC 9162, 2.1.3.2)."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not (fn & 1) and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root
