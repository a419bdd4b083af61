"""Property tests: the fast tree code against a naive transcription of the RFC 9162 definitions."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dutycare.ledger.merkle import (
    MerkleTree,
    ProofError,
    TreeBuilder,
    inclusion_proof,
    leaf_hashes,
    root_at,
    root_from_inclusion_proof,
    root_from_leaf_hashes,
    split_point,
    verify_consistency,
    verify_inclusion,
)

# --- naive reference: the recursive definitions of RFC 9162 §2.1, word for word ---------------------


def ref_mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) over leaf inputs."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + ref_mth(leaves[:k]) + ref_mth(leaves[k:])).digest()


def ref_path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n])."""
    n = len(leaves)
    if n == 1:
        return []
    k = split_point(n)
    if m < k:
        return [*ref_path(m, leaves[:k]), ref_mth(leaves[k:])]
    return [*ref_path(m - k, leaves[k:]), ref_mth(leaves[:k])]


def ref_subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b)."""
    n = len(leaves)
    if m == n:
        return [] if complete else [ref_mth(leaves)]
    k = split_point(n)
    if m <= k:
        return [*ref_subproof(m, leaves[:k], complete), ref_mth(leaves[k:])]
    return [*ref_subproof(m - k, leaves[k:], False), ref_mth(leaves[:k])]


def inputs(n: int) -> list[bytes]:
    """n distinct leaf inputs."""
    return [f"entry {i}".encode() for i in range(n)]


def flip(data: bytes, position: int, bit: int) -> bytes:
    """Flip one bit of one byte."""
    out = bytearray(data)
    out[position % len(out)] ^= 1 << bit
    return bytes(out)


sizes = st.integers(min_value=1, max_value=300)
PROPERTY = settings(max_examples=40, deadline=None)


@PROPERTY
@given(n=sizes)
def test_fast_roots_equal_reference_for_every_prefix(n: int) -> None:
    data = inputs(n)
    hashes = leaf_hashes(data)
    tree = MerkleTree(hashes)
    builder = TreeBuilder()
    for size in range(n + 1):
        expected = ref_mth(data[:size])
        assert tree.root(size) == expected
        assert builder.root() == expected
        if size < n:
            builder.append(hashes[size])
    assert root_from_leaf_hashes(hashes) == ref_mth(data)
    assert root_at(hashes, n // 2) == ref_mth(data[: n // 2])


@PROPERTY
@given(n=sizes)
def test_every_inclusion_proof_matches_reference_and_verifies(n: int) -> None:
    data = inputs(n)
    tree = MerkleTree(leaf_hashes(data))
    root = tree.root()
    for index in range(n):
        proof = tree.inclusion_proof(index)
        assert proof == ref_path(index, data)
        assert verify_inclusion(tree.leaf(index), index, n, proof, root)


@PROPERTY
@given(n=sizes)
def test_every_consistency_proof_matches_reference_and_verifies(n: int) -> None:
    data = inputs(n)
    tree = MerkleTree(leaf_hashes(data))
    for m in range(n + 1):
        proof = tree.consistency_proof(m, n)
        if 0 < m < n:
            assert proof == ref_subproof(m, data, True)
        assert verify_consistency(m, n, tree.root(m), tree.root(n), proof)


@PROPERTY
@given(n=sizes, data=st.data())
def test_proofs_inside_older_trees(n: int, data: st.DataObject) -> None:
    leaves = inputs(n)
    tree = MerkleTree(leaf_hashes(leaves))
    size = data.draw(st.integers(1, n))
    old = data.draw(st.integers(0, size))
    index = data.draw(st.integers(0, size - 1))
    assert tree.inclusion_proof(index, size) == ref_path(index, leaves[:size])
    assert inclusion_proof(tree._levels[0], index, size) == ref_path(index, leaves[:size])
    assert verify_consistency(old, size, tree.root(old), tree.root(size), tree.consistency_proof(old, size))


@settings(max_examples=150, deadline=None)
@given(n=sizes, data=st.data())
def test_flipping_any_bit_breaks_inclusion(n: int, data: st.DataObject) -> None:
    tree = MerkleTree(leaf_hashes(inputs(n)))
    index = data.draw(st.integers(0, n - 1))
    proof, leaf, root = tree.inclusion_proof(index), tree.leaf(index), tree.root()
    position, bit = data.draw(st.integers(0, 31)), data.draw(st.integers(0, 7))
    target = data.draw(st.sampled_from(["leaf", "root", "proof"] if proof else ["leaf", "root"]))
    if target == "leaf":
        leaf = flip(leaf, position, bit)
    elif target == "root":
        root = flip(root, position, bit)
    else:
        element = data.draw(st.integers(0, len(proof) - 1))
        proof[element] = flip(proof[element], position, bit)
    with pytest.raises(ProofError):
        verify_inclusion(leaf, index, n, proof, root)


@settings(max_examples=150, deadline=None)
@given(n=st.integers(2, 300), data=st.data())
def test_flipping_any_bit_breaks_consistency(n: int, data: st.DataObject) -> None:
    tree = MerkleTree(leaf_hashes(inputs(n)))
    m = data.draw(st.integers(1, n - 1))
    proof, old, new = tree.consistency_proof(m, n), tree.root(m), tree.root(n)
    position, bit = data.draw(st.integers(0, 31)), data.draw(st.integers(0, 7))
    target = data.draw(st.sampled_from(["old", "new", "proof"]))
    if target == "old":
        old = flip(old, position, bit)
    elif target == "new":
        new = flip(new, position, bit)
    else:
        element = data.draw(st.integers(0, len(proof) - 1))
        proof[element] = flip(proof[element], position, bit)
    with pytest.raises(ProofError):
        verify_consistency(m, n, old, new, proof)


@settings(max_examples=60, deadline=None)
@given(n=sizes, data=st.data())
def test_wrong_position_or_size_breaks_inclusion(n: int, data: st.DataObject) -> None:
    tree = MerkleTree(leaf_hashes(inputs(n)))
    index = data.draw(st.integers(0, n - 1))
    proof = tree.inclusion_proof(index)
    other = data.draw(st.integers(0, n - 1).filter(lambda i: i != index))
    if n > 1:
        with pytest.raises(ProofError):
            verify_inclusion(tree.leaf(index), other, n, proof, tree.root())
    # A proof for size n can also fit some other sizes of the same shape (3 and 4, say), so probe the
    # sizes that change the tree height, as the published corruption probes do.
    for wrong in (2 * n, n // 2):
        with pytest.raises(ProofError):
            verify_inclusion(tree.leaf(index), index, wrong, proof, tree.root())


def test_bad_parameters_are_refused() -> None:
    tree = MerkleTree(leaf_hashes(inputs(5)))
    with pytest.raises(ValueError):
        tree.inclusion_proof(5, 5)
    with pytest.raises(ValueError):
        tree.inclusion_proof(0, 6)
    with pytest.raises(ValueError):
        tree.consistency_proof(4, 3)
    with pytest.raises(ValueError):
        tree.subtree_hash(1, 4)  # not a subtree of the RFC tree
    with pytest.raises(ProofError):
        root_from_inclusion_proof(tree.leaf(0), 0, 0, [])
    with pytest.raises(ValueError):
        root_at(tree._levels[0], 6)
    with pytest.raises(ValueError):
        split_point(1)
