"""Merkle tree hashing, proofs and proof checks exactly as RFC 9162 §2.1 (identical to RFC 6962 §2.1).

Definitions used throughout (SHA-256, 32-byte hashes):

* leaf hash  = SHA-256(0x00 || entry bytes)
* node hash  = SHA-256(0x01 || left || right)
* empty tree = SHA-256("")
* a tree of n > 1 leaves splits at k, the largest power of two smaller than n.

Proof generation follows the recursive PATH and SUBPROOF definitions of RFC 9162 §2.1.3.1 and §2.1.4.1,
walked iteratively over index ranges.  Verification follows the step-by-step algorithms of §2.1.3.2 and
§2.1.4.2 literally, so a reviewer can hold this file next to the RFC.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256


class ProofError(ValueError):
    """A Merkle proof, or the sizes and hashes it was checked against, failed verification."""


def leaf_hash(entry: bytes) -> bytes:
    """Return the RFC 9162 leaf hash SHA-256(0x00 || entry)."""
    return _sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 9162 interior node hash SHA-256(0x01 || left || right)."""
    return _sha256(b"\x01" + left + right).digest()


def leaf_hashes(entries: Iterable[bytes]) -> list[bytes]:
    """Return the leaf hash of every entry, in order."""
    return [_sha256(b"\x00" + e).digest() for e in entries]


def split_point(n: int) -> int:
    """Return k, the largest power of two strictly smaller than n (n must be at least 2)."""
    if n < 2:
        raise ValueError(f"a tree of {n} leaves has no split point")
    return 1 << ((n - 1).bit_length() - 1)


def _fold_blocks(blocks: list[bytes]) -> bytes:
    """Combine perfect-subtree hashes given largest (leftmost) first into one root, right to left."""
    acc = blocks[-1]
    for block in reversed(blocks[:-1]):
        acc = _sha256(b"\x01" + block + acc).digest()
    return acc


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """Return the RFC 9162 Merkle tree head over the given leaf hashes in O(n) time.

    Each pass pairs neighbours into the next level; an unpaired last node of a level is a perfect
    subtree that belongs to the right edge of the RFC tree, so it is set aside and folded in at the end.
    This is the iterative form of the largest-power-of-two split and gives the same root.
    """
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    leftovers: list[bytes] = []  # right-edge perfect subtrees, smallest first
    while len(level) > 1:
        if len(level) & 1:
            leftovers.append(level.pop())
        it = iter(level)
        level = [_sha256(b"\x01" + a + b).digest() for a, b in zip(it, it, strict=True)]
    leftovers.append(level[0])
    leftovers.reverse()
    return _fold_blocks(leftovers)


def root_at(hashes: Sequence[bytes], size: int) -> bytes:
    """Return the root of the tree formed by the first ``size`` leaf hashes."""
    if not 0 <= size <= len(hashes):
        raise ValueError(f"tree size {size} is outside 0..{len(hashes)}")
    return root_from_leaf_hashes(hashes[:size])


class TreeBuilder:
    """Append-only running tree head: keeps one perfect-subtree hash per set bit of the size (a stack)."""

    def __init__(self) -> None:
        """Start an empty tree."""
        self._stack: list[bytes] = []
        self._size = 0

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    def append(self, leaf: bytes) -> None:
        """Append one leaf hash, merging completed perfect subtrees on the stack."""
        _check_hash(leaf, "leaf hash")
        self._size += 1
        count, h = self._size, leaf
        while not count & 1:
            h = _sha256(b"\x01" + self._stack.pop() + h).digest()
            count >>= 1
        self._stack.append(h)

    def root(self) -> bytes:
        """Return the tree head for the leaves appended so far."""
        return _fold_blocks(self._stack) if self._stack else EMPTY_ROOT


class MerkleTree:
    """All perfect-subtree hashes over a fixed list of leaves.

    Building costs one node hash per leaf (O(n)); afterwards the root of any prefix is O(log n) and any
    inclusion or consistency proof for sizes up to ``size`` is O(log² n) look-ups and hashes.
    """

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        """Build every level of perfect subtrees: level j holds aligned blocks of 2**j leaves."""
        level = list(leaf_hashes)
        levels = [level]
        while len(level) > 1:
            it = iter(level[: len(level) & ~1])
            level = [_sha256(b"\x01" + a + b).digest() for a, b in zip(it, it, strict=True)]
            levels.append(level)
        self._levels = levels

    @property
    def size(self) -> int:
        """Number of leaves in the tree."""
        return len(self._levels[0])

    def leaf(self, index: int) -> bytes:
        """Return the leaf hash at ``index``."""
        return self._levels[0][index]

    def subtree_hash(self, start: int, end: int) -> bytes:
        """Return MTH(D[start:end]) for a range that occurs in the RFC recursion from the root.

        Such ranges start at a multiple of the smallest power of two covering their length, so they are
        a left-to-right run of aligned perfect blocks of decreasing size.
        """
        if not 0 <= start < end <= self.size:
            raise ValueError(f"range [{start}, {end}) is empty or outside a tree of {self.size} leaves")
        blocks: list[bytes] = []
        pos, length = start, end - start
        for height in range(length.bit_length() - 1, -1, -1):
            if length >> height & 1:
                if pos & ((1 << height) - 1):
                    raise ValueError(f"range [{start}, {end}) is not a subtree of the RFC 9162 tree")
                blocks.append(self._levels[height][pos >> height])
                pos += 1 << height
        return _fold_blocks(blocks)

    def root(self, size: int | None = None) -> bytes:
        """Return the tree head at ``size`` leaves (default: all leaves)."""
        size = self.size if size is None else size
        if size == 0:
            return EMPTY_ROOT
        return self.subtree_hash(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """Return PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, nearest sibling first."""
        size = self.size if size is None else size
        if not 0 <= index < size <= self.size:
            raise ValueError(f"no inclusion proof for leaf {index} in a tree of {size} (have {self.size})")
        top_down: list[bytes] = []
        lo, hi = 0, size
        while hi - lo > 1:
            k = split_point(hi - lo)
            if index < lo + k:
                top_down.append(self.subtree_hash(lo + k, hi))
                hi = lo + k
            else:
                top_down.append(self.subtree_hash(lo, lo + k))
                lo += k
        top_down.reverse()
        return top_down

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """Return PROOF(old_size, D[0:new_size]) of RFC 9162 §2.1.4.1 (empty when nothing to prove)."""
        new_size = self.size if new_size is None else new_size
        if not 0 <= old_size <= new_size <= self.size:
            raise ValueError(f"no consistency proof from {old_size} to {new_size} (have {self.size})")
        if old_size in (0, new_size):
            return []
        top_down: list[bytes] = []
        lo, hi, whole = 0, new_size, True  # ``whole``: the old tree is a complete subtree so far
        while old_size - lo != hi - lo:
            k = split_point(hi - lo)
            if old_size - lo <= k:
                top_down.append(self.subtree_hash(lo + k, hi))
                hi = lo + k
            else:
                top_down.append(self.subtree_hash(lo, lo + k))
                lo, whole = lo + k, False
        if not whole:
            top_down.append(self.subtree_hash(lo, hi))
        top_down.reverse()
        return top_down


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """Return the inclusion proof for leaf ``index`` in the tree of the first ``size`` leaf hashes (O(n))."""
    if not 0 <= size <= len(leaf_hashes):
        raise ValueError(f"tree size {size} is outside 0..{len(leaf_hashes)}")
    return MerkleTree(leaf_hashes[:size]).inclusion_proof(index, size)


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int, new_size: int) -> list[bytes]:
    """Return the consistency proof between the trees of the first ``old_size`` and ``new_size`` leaves."""
    if not 0 <= new_size <= len(leaf_hashes):
        raise ValueError(f"tree size {new_size} is outside 0..{len(leaf_hashes)}")
    return MerkleTree(leaf_hashes[:new_size]).consistency_proof(old_size, new_size)


def _check_hash(value: bytes, what: str) -> None:
    """Raise ProofError unless ``value`` is a 32-byte hash."""
    if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
        raise ProofError(f"{what} must be {HASH_SIZE} bytes, got {_describe(value)}")


def _describe(value: object) -> str:
    """Describe a supposed hash for an error message."""
    if isinstance(value, bytes | bytearray):
        return f"{len(value)} bytes"
    return type(value).__name__


def root_from_inclusion_proof(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """Run RFC 9162 §2.1.3.2 and return the root the proof leads to (raises ProofError if malformed)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not inside a tree of size {size}")
    _check_hash(leaf, "leaf hash")
    fn, sn, r = index, size - 1, bytes(leaf)
    for position, p in enumerate(proof):
        _check_hash(p, f"inclusion proof element {position}")
        if sn == 0:
            raise ProofError(f"inclusion proof for leaf {index} of {size} has too many hashes ({len(proof)})")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"inclusion proof for leaf {index} of {size} has too few hashes ({len(proof)})")
    return r


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """Return True if ``proof`` puts ``leaf`` at ``index`` in the tree ``root``; else raise ProofError."""
    _check_hash(root, "root hash")
    computed = root_from_inclusion_proof(leaf, index, size, proof)
    if computed != root:
        raise ProofError(
            f"inclusion proof for leaf {index} of {size} leads to root {computed.hex()}, "
            f"expected {root.hex()}"
        )
    return True


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Return True if ``proof`` shows tree ``old_root`` is a prefix of ``new_root``; else raise ProofError."""
    _check_hash(old_root, "old root hash")
    _check_hash(new_root, "new root hash")
    for position, p in enumerate(proof):
        _check_hash(p, f"consistency proof element {position}")
    where = f"consistency proof from size {old_size} to {new_size}"
    if not 0 <= old_size <= new_size:
        raise ProofError(f"{where}: the old size must be between 0 and the new size")
    if old_size == new_size:
        if proof:
            raise ProofError(f"{where}: proof must be empty when the sizes are equal")
        if old_root != new_root:
            raise ProofError(f"{where}: equal sizes but different roots {old_root.hex()} / {new_root.hex()}")
        return True
    if old_size == 0:
        if proof:
            raise ProofError(f"{where}: proof must be empty when the old tree is empty")
        return True
    if not proof:
        raise ProofError(f"{where}: proof is empty")
    first, second = _consistency_roots(old_size, new_size, old_root, proof, where)
    if first != old_root:
        raise ProofError(f"{where}: leads to old root {first.hex()}, expected {old_root.hex()}")
    if second != new_root:
        raise ProofError(f"{where}: leads to new root {second.hex()}, expected {new_root.hex()}")
    return True


def _consistency_roots(
    old_size: int, new_size: int, old_root: bytes, proof: Sequence[bytes], where: str
) -> tuple[bytes, bytes]:
    """Steps 2-7 of RFC 9162 §2.1.4.2: return the (old, new) roots the proof leads to."""
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # the old tree is a perfect subtree: its root starts the path
        path.insert(0, bytes(old_root))
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError(f"{where}: proof has too many hashes ({len(proof)})")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"{where}: proof has too few hashes ({len(proof)})")
    return fr, sr
