"""Published RFC 6962 / RFC 9162 Merkle test vectors, reproduced as data.

Source of the numbers: the test data of github.com/transparency-dev/merkle (testonly/constants.go,
proof/verify_test.go, proof/proof_test.go), which carries the vectors used by certificate-transparency-go.
Leaf inputs are hex; inclusion vectors there number leaves from 1, here from 0.
"""

from __future__ import annotations

import hashlib

import pytest

from dutycare.ledger.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    ProofError,
    TreeBuilder,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    leaf_hashes,
    node_hash,
    root_at,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

LEAF_INPUTS = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]

# Perfect-subtree hashes by (level, index) over LEAF_INPUTS.
NODE_HASHES = [
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    [
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    [
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]

# Tree heads for sizes 0..8.
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]

# (leaf index, tree size, proof) from proof/verify_test.go.
INCLUSION_VECTORS = [
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]

# (old size, new size, proof) from proof/verify_test.go.
CONSISTENCY_VECTORS = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]

# Proof shapes from proof/proof_test.go over the 8-leaf tree, as node (level, index) pairs.  "L" is the
# size-7 right subtree MTH(D[4:7]) = node(i, j) with i = (1, 2) and j = (0, 6).
L = "L"
INCLUSION_SHAPES = {
    (0, 1): [],
    (0, 2): [(0, 1)],
    (1, 2): [(0, 0)],
    (1, 3): [(0, 0), (0, 2)],
    (0, 7): [(0, 1), (1, 1), L],
    (1, 7): [(0, 0), (1, 1), L],
    (2, 7): [(0, 3), (1, 0), L],
    (3, 7): [(0, 2), (1, 0), L],
    (4, 7): [(0, 5), (0, 6), (2, 0)],
    (5, 7): [(0, 4), (0, 6), (2, 0)],
    (6, 7): [(1, 2), (2, 0)],
    (2, 4): [(0, 3), (1, 0)],
    (3, 5): [(0, 2), (1, 0), (0, 4)],
    (3, 6): [(0, 2), (1, 0), (1, 2)],
    (4, 6): [(0, 5), (2, 0)],
}
CONSISTENCY_SHAPES = {
    (1, 2): [(0, 1)],
    (1, 4): [(0, 1), (1, 1)],
    (1, 6): [(0, 1), (1, 1), (1, 2)],
    (2, 3): [(0, 2)],
    (2, 8): [(1, 1), (2, 1)],
    (3, 7): [(0, 2), (0, 3), (1, 0), L],
    (4, 7): [L],
    (5, 7): [(0, 4), (0, 5), (0, 6), (2, 0)],
    (6, 7): [(1, 2), (0, 6), (2, 0)],
    (7, 8): [(0, 6), (0, 7), (1, 2), (2, 0)],
    (2, 4): [(1, 1)],
    (3, 5): [(0, 2), (0, 3), (1, 0), (0, 4)],
    (3, 6): [(0, 2), (0, 3), (1, 0), (1, 2)],
    (4, 6): [(1, 2)],
    (1, 7): [(0, 1), (1, 1), L],
    **{(n, n): [] for n in (1, 2, 3, 4, 5, 7, 8)},
}


def h(hex_text: str) -> bytes:
    """Hex to bytes."""
    return bytes.fromhex(hex_text)


def shape_hashes(shape: list) -> list[bytes]:
    """Turn a proof shape into hashes using the published node hashes."""
    right7 = node_hash(h(NODE_HASHES[1][2]), h(NODE_HASHES[0][6]))
    return [right7 if ref == L else h(NODE_HASHES[ref[0]][ref[1]]) for ref in shape]


LEAVES = leaf_hashes(LEAF_INPUTS)


def test_empty_tree_hash() -> None:
    assert EMPTY_ROOT == hashlib.sha256(b"").digest() == h(ROOTS[0])
    assert root_from_leaf_hashes([]) == EMPTY_ROOT
    assert MerkleTree([]).root() == EMPTY_ROOT
    assert TreeBuilder().root() == EMPTY_ROOT


def test_leaf_hashes_match_published_level_zero() -> None:
    assert [x.hex() for x in LEAVES] == NODE_HASHES[0]
    assert leaf_hash(b"") == h(NODE_HASHES[0][0])


def test_node_hashes_match_published_levels() -> None:
    for level in range(1, 4):
        below = NODE_HASHES[level - 1]
        for index, expected in enumerate(NODE_HASHES[level]):
            assert node_hash(h(below[2 * index]), h(below[2 * index + 1])).hex() == expected


@pytest.mark.parametrize("size", range(9))
def test_roots_for_every_size(size: int) -> None:
    assert root_at(LEAVES, size).hex() == ROOTS[size]
    assert root_from_leaf_hashes(LEAVES[:size]).hex() == ROOTS[size]
    assert MerkleTree(LEAVES).root(size).hex() == ROOTS[size]
    builder = TreeBuilder()
    for leaf in LEAVES[:size]:
        builder.append(leaf)
    assert builder.root().hex() == ROOTS[size]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_VECTORS)
def test_published_inclusion_proofs(index: int, size: int, proof: list[str]) -> None:
    assert [p.hex() for p in inclusion_proof(LEAVES, index, size)] == proof
    assert verify_inclusion(LEAVES[index], index, size, [h(p) for p in proof], h(ROOTS[size]))


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY_VECTORS)
def test_published_consistency_proofs(old: int, new: int, proof: list[str]) -> None:
    assert [p.hex() for p in consistency_proof(LEAVES, old, new)] == proof
    assert verify_consistency(old, new, h(ROOTS[old]), h(ROOTS[new]), [h(p) for p in proof])


@pytest.mark.parametrize(("key", "shape"), INCLUSION_SHAPES.items())
def test_inclusion_proof_shapes(key: tuple[int, int], shape: list) -> None:
    index, size = key
    expected = shape_hashes(shape)
    assert inclusion_proof(LEAVES, index, size) == expected
    assert verify_inclusion(LEAVES[index], index, size, expected, h(ROOTS[size]))


@pytest.mark.parametrize(("key", "shape"), CONSISTENCY_SHAPES.items())
def test_consistency_proof_shapes(key: tuple[int, int], shape: list) -> None:
    old, new = key
    expected = shape_hashes(shape)
    assert consistency_proof(LEAVES, old, new) == expected
    assert verify_consistency(old, new, h(ROOTS[old]), h(ROOTS[new]), expected)


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_VECTORS[1:])
def test_corrupted_inclusion_probes_fail(index: int, size: int, proof: list[str]) -> None:
    good = [h(p) for p in proof]
    root, leaf = h(ROOTS[size]), LEAVES[index]
    probes = [
        (leaf, index - 1, size, good, root),
        (leaf, index + 1, size, good, root),
        (leaf, index ^ 2, size, good, root),
        (leaf, index, size * 2, good, root),
        (leaf, index, size // 2, good, root),
        (hashlib.sha256(b"WrongLeaf").digest(), index, size, good, root),
        (leaf, index, size, good, EMPTY_ROOT),
        (leaf, index, size, [*good, root], root),
        (leaf, index, size, [root, *good], root),
        (leaf, index, size, good[:-1], root),
    ]
    for probe in probes:
        with pytest.raises(ProofError):
            verify_inclusion(*probe)


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY_VECTORS[1:])
def test_corrupted_consistency_probes_fail(old: int, new: int, proof: list[str]) -> None:
    good = [h(p) for p in proof]
    r1, r2 = h(ROOTS[old]), h(ROOTS[new])
    probes = [
        (old - 1, new, r1, r2, good),
        (old + 1, new, r1, r2, good),
        (old ^ 2, new, r1, r2, good),
        (old, new * 2, r1, r2, good),
        (old, new // 2, r1, r2, good),
        (old, new, r2, r1, good),
        (old, new, r1, r2, []),
        (old, new, r1, r2, [*good, r1]),
        (old, new, r1, r2, [*good, r2]),
        (old, new, r1, r2, [r1, *good]),
        (old, new, r1, r2, [good[0], *good]),
        (old, new, r1, r2, good[:-1]),
    ]
    for probe in probes:
        with pytest.raises(ProofError):
            verify_consistency(*probe)


def test_trivial_consistency_cases() -> None:
    some, other = h(ROOTS[3]), h(ROOTS[4])
    assert verify_consistency(0, 0, some, some, [])
    assert verify_consistency(0, 5, some, other, [])
    assert verify_consistency(4, 4, other, other, [])
    bad = [
        (1, 1, some, other, []),
        (2, 1, some, other, []),
        (1, 2, some, other, []),
        (0, 1, some, some, [some]),
    ]
    for probe in bad:
        with pytest.raises(ProofError):
            verify_consistency(*probe)


def test_wrong_hash_sizes_are_rejected() -> None:
    with pytest.raises(ProofError, match="32 bytes"):
        verify_inclusion(b"", 0, 1, [], LEAVES[0])
    with pytest.raises(ProofError, match="32 bytes"):
        verify_inclusion(LEAVES[0], 0, 1, [], b"")
    with pytest.raises(ProofError, match="32 bytes"):
        verify_inclusion(LEAVES[0], 0, 2, [b"short"], h(ROOTS[2]))
    with pytest.raises(ProofError, match="32 bytes"):
        verify_consistency(1, 2, b"x", h(ROOTS[2]), [LEAVES[1]])
