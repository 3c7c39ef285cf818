"""
Allocation to groups by seeded permuted blocks, stratified on request, with blinding codes.

Animals were allocated to groups by permuted blocks, with Python's random.Random seeded with the
plan's seed (the same seed gives the same allocation on any computer). Each block holds every
group equally often, in random order; its size is a multiple of the number of groups. Without
stratification, the animals were taken in the order given. With stratification by cage, by sex
or by both, the animals of each stratum were allocated in complete blocks; by weight, the
animals (within each cage or sex stratum, if also chosen) were ranked by their first body weight,
ties in the order given, and each run of block-size consecutive animals formed one block. The
animals left over (fewer than a block in a stratum) were then allocated, stratum by stratum, from
one continuing sequence of permuted blocks of one animal per group, which keeps every stratum
balanced. A group that has reached its planned size is left out of later blocks, so the groups
have exactly the planned sizes. Blinding codes (A, B, C, ...) were assigned to the groups by a
separate shuffle seeded from the same seed, so that a code does not reveal the group order.
"""

from __future__ import annotations

import enum
import functools
import random
from collections.abc import Sequence
from decimal import Decimal

import attrs
from attrs import validators as v

from planner.errors import InputError
from planner.study.cohort import Animal
from planner.units.registry import Unit, ureg

__all__ = [
    "Allocation",
    "Stratum",
    "allocate",
    "balanced_sizes",
    "default_block_size",
]


class Stratum(enum.Enum):
    """What the allocation is stratified by; the value is how the CLI and plans name it."""

    CAGE = "cage"
    SEX = "sex"
    WEIGHT = "weight"


_INTS = v.deep_iterable(v.instance_of(int), v.instance_of(tuple))


@attrs.frozen(kw_only=True)
class Allocation:
    """
    The group and block of every animal, and the blinding code of every group.
    """

    seed: int = attrs.field(validator=[v.instance_of(int), v.ge(0)])
    """The seed of the random number generator; the same seed gives the same allocation."""
    block_size: int = attrs.field(validator=[v.instance_of(int), v.ge(1)])
    """The size of a complete permuted block."""
    stratify: tuple[Stratum, ...] = attrs.field(
        validator=v.deep_iterable(v.instance_of(Stratum), v.instance_of(tuple))
    )
    """What the allocation was stratified by; () for none."""
    groups: tuple[int, ...] = attrs.field(validator=_INTS)
    """The group index of each animal, in the order the animals were given."""
    blocks: tuple[int, ...] = attrs.field(validator=_INTS)
    """The 1-based number of the block each animal was allocated in."""
    codes: tuple[str, ...] = attrs.field(
        validator=v.deep_iterable(v.instance_of(str), v.instance_of(tuple))
    )
    """The blinding code of each group, by group index: distinct, "A".."Z", "AA", "AB", ..."""

    @groups.validator
    def _check_groups(self, _attribute: object, value: tuple[int, ...]) -> None:
        if len(self.blocks) != len(value):
            raise ValueError("groups and blocks must have one entry per animal")
        if any(not 0 <= group < len(self.codes) for group in value):
            raise ValueError(f"group indices must be between 0 and {len(self.codes) - 1}")

    def members(self, group: int) -> tuple[int, ...]:
        """
        Return the indices of the animals allocated to ``group``, in the order given.

        >>> Allocation(seed=1, block_size=2, stratify=(), groups=(1, 0, 0, 1), blocks=(1, 1, 2, 2),
        ...            codes=("B", "A")).members(1)
        (0, 3)
        """
        return tuple(index for index, g in enumerate(self.groups) if g == group)


def balanced_sizes(count: int, groups: int) -> tuple[int, ...]:
    """
    Split ``count`` animals into ``groups`` groups whose sizes differ by one at most, larger first.

    >>> balanced_sizes(10, 3)
    (4, 3, 3)

    Raises:
        InputError: fewer animals than groups, or no group.
    """
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
        raise InputError(got=groups, expected="a whole number of groups, at least 1")
    if isinstance(count, bool) or not isinstance(count, int) or count < groups:
        raise InputError(
            got=count,
            expected=f"a whole number of animals, at least one for each of {groups} groups",
        )
    size, extra = divmod(count, groups)
    return tuple(size + 1 if index < extra else size for index in range(groups))


def default_block_size(sizes: Sequence[int]) -> int:
    """
    Return twice the number of groups when the cohort holds two such blocks, else the number.

    >>> default_block_size((6, 6)), default_block_size((4, 3, 3))
    (4, 3)
    """
    groups = len(sizes)
    return 2 * groups if sum(sizes) >= 2 * (2 * groups) else groups


def _code(index: int) -> str:
    """Return the index-th label of "A".."Z", "AA".."AZ", "BA", ... (spreadsheet columns)."""
    text = ""
    index += 1
    while index:
        index, letter = divmod(index - 1, 26)
        text = chr(ord("A") + letter) + text
    return text


def _codes(groups: int, seed: int) -> tuple[str, ...]:
    codes = [_code(index) for index in range(groups)]
    # A generator of its own, seeded with text (hashed with SHA-512, stable across versions), so
    # that the codes do not depend on, nor reveal, the allocation sequence.
    random.Random(f"codes-{seed}").shuffle(codes)
    return tuple(codes)


def _check_sizes(sizes: Sequence[int], count: int) -> tuple[int, ...]:
    sizes = tuple(sizes)
    if not sizes:
        raise InputError(got=sizes, expected="at least one group")
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise InputError(got=size, expected="a group size that is a whole number, at least 1")
    if sum(sizes) != count:
        written = " + ".join(str(size) for size in sizes)
        raise InputError(
            got=f"{count} animals",
            expected=f"{sum(sizes)} animals, the sum of the group sizes ({written})",
        )
    return sizes


def _check_block_size(block_size: int | None, sizes: tuple[int, ...]) -> int:
    groups = len(sizes)
    if block_size is None:
        return default_block_size(sizes)
    if (
        isinstance(block_size, bool)
        or not isinstance(block_size, int)
        or block_size < 1
        or block_size % groups
    ):
        raise InputError(
            where="--block-size",
            got=block_size,
            expected=f"a positive multiple of the number of groups ({groups}), e.g. {groups} or "
            f"{2 * groups}",
        )
    return block_size


@functools.lru_cache(maxsize=64)
def _gram_factor(unit: Unit) -> Decimal:
    # Converting each of 10,000 weights with pint costs about 0.2 s; a file holds a few units.
    factor: Decimal = ureg.Quantity(Decimal(1), unit).to("g").magnitude
    return factor


def _grams(animal: Animal) -> Decimal:
    """Return an animal's first weight in grams (the caller has checked that it has one)."""
    weight = animal.first_weight
    assert weight is not None  # _strata checks every animal before ranking
    grams: Decimal = weight.magnitude * _gram_factor(weight.units)
    return grams


def _strata(animals: Sequence[Animal], stratify: tuple[Stratum, ...]) -> list[list[int]]:
    """Return the animals' indices by stratum, each stratum in allocation order."""
    keys = [s for s in stratify if s is not Stratum.WEIGHT]
    for stratum in stratify:
        for animal in animals:
            missing = (
                animal.first_weight is None
                if stratum is Stratum.WEIGHT
                else not getattr(animal, stratum.value)
            )
            if missing:
                thing = "a weighing" if stratum is Stratum.WEIGHT else f"a {stratum.value}"
                raise InputError(
                    where="--stratify",
                    got=stratum.value,
                    expected=f"{thing} for every animal",
                    hint=f"animal {animal.id!r} has none",
                )
    strata: dict[tuple[str, ...], list[int]] = {}
    for index, animal in enumerate(animals):
        strata.setdefault(tuple(getattr(animal, s.value) for s in keys), []).append(index)
    ordered = list(strata.values())
    if Stratum.WEIGHT in stratify:
        # sorted() is stable: animals of equal weight keep the order given.
        grams = [_grams(animal) for animal in animals]
        ordered = [sorted(members, key=grams.__getitem__) for members in ordered]
    return ordered


def allocate(
    animals: Sequence[Animal],
    sizes: Sequence[int],
    *,
    seed: int,
    block_size: int | None = None,
    stratify: Sequence[Stratum] = (),
) -> Allocation:
    """
    Allocate ``animals`` to groups of ``sizes`` by permuted blocks (see the module docstring).

    Args:
        animals: the cohort's animals, in the order given.
        sizes: the number of animals of each group; they add up to the number of animals.
        seed: the seed, a whole number of zero or more; the same seed gives the same allocation.
        block_size: the size of a complete block, a multiple of the number of groups; by default
            :func:`default_block_size`.
        stratify: what to stratify by, e.g. ``(Stratum.CAGE,)``.

    Returns:
        The group and block of every animal, and the blinding codes.

    Raises:
        InputError: the sizes do not add up, the block size does not fit the groups, or an
            animal lacks the cage, sex or weighing the stratification needs.

    >>> from planner.study.cohort import placeholder_cohort
    >>> allocate(placeholder_cohort(6).animals, (3, 3), seed=1).groups
    (1, 0, 1, 0, 0, 1)
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        # random.Random(-n) is random.Random(n): a negative seed would repeat another one.
        raise InputError(where="--seed", got=seed, expected="a whole number of zero or more")
    sizes = _check_sizes(sizes, len(animals))
    size = _check_block_size(block_size, sizes)
    stratify = tuple(dict.fromkeys(stratify))
    for stratum in stratify:
        if not isinstance(stratum, Stratum):
            raise InputError(where="--stratify", got=stratum, expected="cage, sex or weight")
    strata = _strata(animals, stratify) if stratify else [list(range(len(animals)))]

    rng = random.Random(seed)
    per_block = size // len(sizes)
    remaining = list(sizes)
    groups = [0] * len(animals)
    blocks = [0] * len(animals)
    number = 0

    def fill(members: Sequence[int], counts: Sequence[int]) -> None:
        """Allocate ``members`` by one permuted block holding each group ``counts[g]`` times."""
        nonlocal number
        number += 1
        sequence = [g for g, count in enumerate(counts) for _ in range(count)]
        rng.shuffle(sequence)
        for index, group in zip(members, sequence, strict=True):
            groups[index] = group
            blocks[index] = number
            remaining[group] -= 1

    leftovers: list[int] = []
    for members in strata:
        start = 0
        while len(members) - start >= size and min(remaining) >= per_block:
            fill(members[start : start + size], [per_block] * len(sizes))
            start += size
        leftovers.extend(members[start:])
    start = 0
    while start < len(leftovers):
        counts = [1 if left > 0 else 0 for left in remaining]
        fill(leftovers[start : start + sum(counts)], counts)
        start += sum(counts)

    return Allocation(
        seed=seed,
        block_size=size,
        stratify=stratify,
        groups=tuple(groups),
        blocks=tuple(blocks),
        codes=_codes(len(sizes), seed),
    )
