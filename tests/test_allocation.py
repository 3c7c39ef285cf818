"""
Tests for planner.study.allocation: permuted blocks, stratification, blinding codes, reproducibility.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from planner.errors import InputError
from planner.study.allocation import (
    Allocation,
    Stratum,
    allocate,
    balanced_sizes,
    default_block_size,
)
from planner.study.cohort import Animal, Weighing, placeholder_cohort
from planner.units.registry import Q_
from tests.strategies import cohort_animals, group_sizes, strata

FAST = settings(max_examples=40, deadline=None)


@st.composite
def _designs(draw, *, equal=False, min_animals=1, stratify=None):
    """Animals, group sizes, a block size (or None) and strata that fit together."""
    if equal:
        groups = draw(st.integers(1, 4))
        size = draw(st.integers(max(1, -(-min_animals // groups)), 10))
        sizes = (size,) * groups
    else:
        sizes = draw(group_sizes().filter(lambda s: sum(s) >= min_animals))
    animals = draw(cohort_animals(sum(sizes)))
    block_size = draw(st.one_of(st.none(), st.integers(1, 3).map(lambda r: r * len(sizes))))
    chosen = draw(strata()) if stratify is None else stratify
    return animals, sizes, block_size, chosen


def _counts(allocation: Allocation, indices, groups: int) -> list[int]:
    """Count the animals among ``indices`` in each group."""
    counter = Counter(allocation.groups[i] for i in indices)
    return [counter[g] for g in range(groups)]


def _mouse(id_: str, cage: str = "", sex: str = "", grams: int | None = None) -> Animal:
    """An animal with an optional weighing on day 0."""
    weighings = () if grams is None else (Weighing(weight=Q_(grams, "g"), day=0),)
    return Animal(id=id_, cage=cage, sex=sex, weighings=weighings)


class TestBalancedSizes:
    """balanced_sizes splits a cohort into groups that differ by one at most, larger first."""

    @pytest.mark.parametrize(
        ("count", "groups", "expected"),
        [
            (10, 3, (4, 3, 3)),
            (12, 3, (4, 4, 4)),
            (11, 3, (4, 4, 3)),
            (7, 1, (7,)),
            (5, 5, (1, 1, 1, 1, 1)),
            (17, 4, (5, 4, 4, 4)),
        ],
    )
    def test_valid(self, count, groups, expected):
        """Each split is the one worked out by hand."""
        assert expected == balanced_sizes(count, groups)

    @pytest.mark.parametrize(("count", "groups"), [(2, 3), (5, 0), (0, 1), (5, True)])
    def test_invalid(self, count, groups):
        """Fewer animals than groups, or no group, is refused."""
        with pytest.raises(InputError):
            balanced_sizes(count, groups)

    @given(st.integers(1, 20).flatmap(lambda g: st.tuples(st.integers(g, 500), st.just(g))))
    def test_property(self, design):
        """The sizes add up, differ by one at most, and do not increase."""
        count, groups = design
        sizes = balanced_sizes(count, groups)

        assert count == sum(sizes)
        assert max(sizes) - min(sizes) <= 1
        assert sorted(sizes, reverse=True) == list(sizes)


class TestDefaultBlockSize:
    """default_block_size is twice the groups when two such blocks fit, else the groups."""

    @pytest.mark.parametrize(
        ("sizes", "expected"),
        [
            ((4, 4, 4), 6),  # 12 animals hold two blocks of 6
            ((4, 3, 3), 3),  # 10 animals: fewer than 12
            ((2, 2), 2),  # 4 animals: fewer than two blocks of 4
            ((4, 4), 4),  # 8 animals hold two blocks of 4
            ((3, 3), 2),  # 6 < 8
            ((5,), 2),  # one group: 5 animals hold two blocks of 2
            ((1,), 1),
        ],
    )
    def test_valid(self, sizes, expected):
        """Each block size is the one worked out by hand."""
        assert expected == default_block_size(sizes)


class TestAllocateExamples:
    """Worked examples and error messages of allocate."""

    def test_two_groups_of_three(self):
        """Six animals in two groups of three: 3 blocks of 2, each holding both groups once."""
        allocation = allocate(placeholder_cohort(6).animals, (3, 3), seed=1)

        assert (2, (1, 1, 2, 2, 3, 3)) == (allocation.block_size, allocation.blocks)
        for block in (1, 2, 3):
            members = [i for i, b in enumerate(allocation.blocks) if b == block]
            assert [1, 1] == _counts(allocation, members, 2)

    def test_members(self):
        """members lists the indices of a group's animals, in order."""
        allocation = Allocation(
            seed=0,
            block_size=2,
            stratify=(),
            groups=(1, 0, 0, 1),
            blocks=(1, 1, 2, 2),
            codes=("B", "A"),
        )

        assert ((1, 2), (0, 3)) == (allocation.members(0), allocation.members(1))

    def test_unequal_sizes(self):
        """Sizes 4, 3, 3 in blocks of 3: three complete blocks, then the tenth animal in group 0."""
        allocation = allocate(placeholder_cohort(10).animals, (4, 3, 3), seed=7)

        assert (1, 1, 1, 2, 2, 2, 3, 3, 3, 4) == allocation.blocks
        assert 0 == allocation.groups[9]

    def test_codes(self):
        """Codes are A.. in some order, one per group; 28 groups use AA and AB."""
        allocation = allocate(placeholder_cohort(28).animals, (1,) * 28, seed=3)

        assert [chr(c) for c in range(ord("A"), ord("Z") + 1)] + ["AA", "AB"] == sorted(
            allocation.codes, key=lambda c: (len(c), c)
        )

    def test_codes_do_not_follow_group_order(self):
        """With 26 groups, the codes are not simply A, B, C, ... in group order."""
        allocation = allocate(placeholder_cohort(26).animals, (1,) * 26, seed=3)

        assert tuple(chr(c) for c in range(ord("A"), ord("Z") + 1)) != allocation.codes

    @pytest.mark.parametrize("block_size", [0, -2, 3, 5, True])
    def test_bad_block_size(self, block_size):
        """A block size that is not a positive multiple of the groups is refused."""
        with pytest.raises(InputError) as info:
            allocate(placeholder_cohort(8).animals, (4, 4), seed=1, block_size=block_size)

        assert "--block-size" == info.value.where

    def test_bad_block_size_message(self):
        """The message says what a block size must be."""
        with pytest.raises(InputError) as info:
            allocate(placeholder_cohort(9).animals, (3, 3, 3), seed=1, block_size=4)

        assert (
            "--block-size: got '4'; expected a positive multiple of the number of groups (3), "
            "e.g. 3 or 6"
        ) == str(info.value)

    def test_sum_mismatch(self):
        """Sizes that do not add up to the number of animals are refused."""
        with pytest.raises(InputError) as info:
            allocate(placeholder_cohort(11).animals, (4, 3, 3), seed=1)

        assert (
            "got '11 animals'; expected 10 animals, the sum of the group sizes (4 + 3 + 3)"
        ) == str(info.value)

    @pytest.mark.parametrize("sizes", [(), (3, 0), (-1, 4), (1.5, 1.5)])
    def test_bad_sizes(self, sizes):
        """No group, or a size that is not a whole number of at least one, is refused."""
        with pytest.raises(InputError):
            allocate(placeholder_cohort(3).animals, sizes, seed=1)

    @pytest.mark.parametrize("seed", [-1, True, 1.5, "1"])
    def test_bad_seed(self, seed):
        """A seed is a whole number of zero or more (random.Random(-1) would repeat seed 1)."""
        with pytest.raises(InputError) as info:
            allocate(placeholder_cohort(2).animals, (1, 1), seed=seed)

        assert "--seed" == info.value.where

    def test_missing_cage(self):
        """Stratifying by cage names the first animal without one."""
        animals = [_mouse("M01", "C1"), _mouse("M02", "C1"), _mouse("M03"), _mouse("M04")]

        with pytest.raises(InputError) as info:
            allocate(animals, (2, 2), seed=1, stratify=[Stratum.CAGE])

        assert (
            "--stratify: got 'cage'; expected a cage for every animal (animal 'M03' has none)"
        ) == str(info.value)

    def test_missing_weight(self):
        """Stratifying by weight names the first animal without a weighing."""
        animals = [_mouse("M01", grams=25), _mouse("M02")]

        with pytest.raises(InputError) as info:
            allocate(animals, (1, 1), seed=1, stratify=[Stratum.WEIGHT])

        assert (
            "--stratify: got 'weight'; expected a weighing for every animal (animal 'M02' has none)"
        ) == str(info.value)

    def test_missing_sex_on_placeholders(self):
        """Placeholder animals have no sex to stratify by."""
        with pytest.raises(InputError) as info:
            allocate(placeholder_cohort(2).animals, (1, 1), seed=1, stratify=[Stratum.SEX])

        assert "animal '01' has none" == info.value.hint

    def test_weight_strata_by_hand(self):
        """Weights 30, 20, 25, 21 g in blocks of 2: strata {20, 21} and {25, 30} g."""
        animals = [
            _mouse("M01", grams=30),
            _mouse("M02", grams=20),
            _mouse("M03", grams=25),
            _mouse("M04", grams=21),
        ]

        allocation = allocate(animals, (2, 2), seed=5, block_size=2, stratify=[Stratum.WEIGHT])

        assert allocation.blocks[1] == allocation.blocks[3]  # 20 g and 21 g
        assert allocation.blocks[0] == allocation.blocks[2]  # 30 g and 25 g
        assert allocation.groups[1] != allocation.groups[3]
        assert allocation.groups[0] != allocation.groups[2]

    def test_weight_ranking_converts_units(self):
        """0.021 kg ranks between 20 g and 25 g, not above 30 g or below 20 g."""
        animals = [
            _mouse("M01", grams=30),
            _mouse("M02", grams=20),
            _mouse("M03", grams=25),
            Animal(id="M04", weighings=(Weighing(weight=Q_("0.021", "kg"), day=0),)),
        ]

        allocation = allocate(animals, (2, 2), seed=5, block_size=2, stratify=[Stratum.WEIGHT])

        assert allocation.blocks[1] == allocation.blocks[3]

    def test_strata_deduplicated(self):
        """A stratum named twice counts once."""
        animals = [_mouse(f"M{i}", cage="C1") for i in range(4)]

        allocation = allocate(animals, (2, 2), seed=1, stratify=[Stratum.CAGE, Stratum.CAGE])

        assert (Stratum.CAGE,) == allocation.stratify

    def test_ten_thousand_animals(self):
        """10,000 animals stratified by cage, sex and weight are all allocated, in groups of the
        sizes asked for (the time it takes: benchmarks/units.py)."""
        animals = [
            Animal(
                id=f"M{i:05d}",
                cage=f"C{i % 50}",
                sex="FM"[i % 2],
                weighings=(Weighing(weight=Q_(Decimal(200 + i % 97) / 10, "g"), day=0),),
            )
            for i in range(10_000)
        ]

        allocation = allocate(
            animals,
            balanced_sizes(10_000, 3),
            seed=5,
            stratify=[Stratum.CAGE, Stratum.SEX, Stratum.WEIGHT],
        )

        assert 10_000 == len(allocation.groups)
        assert [3334, 3333, 3333] == sorted(Counter(allocation.groups).values(), reverse=True)


class TestAllocateProperties:
    """Properties of allocate over random cohorts, designs and seeds."""

    @FAST
    @given(_designs(), st.integers(0, 2**32))
    def test_each_animal_once_and_sizes_exact(self, design, seed):
        """Every animal is in exactly one group, and the group counts are the sizes."""
        animals, sizes, block_size, chosen = design

        allocation = allocate(animals, sizes, seed=seed, block_size=block_size, stratify=chosen)

        members = [allocation.members(g) for g in range(len(sizes))]
        assert list(range(len(animals))) == sorted(i for m in members for i in m)
        assert list(sizes) == [len(m) for m in members]
        assert len(sizes) == len(set(allocation.codes))

    @FAST
    @given(
        st.integers(1, 6).flatmap(lambda g: st.tuples(st.integers(g, 60), st.just(g))),
        st.integers(0, 2**32),
        strata(),
    )
    def test_balanced_sizes_counts(self, design, seed, chosen):
        """With balanced sizes the group counts differ by one at most."""
        count, groups = design
        animals = placeholder_cohort(count).animals
        if chosen:
            animals = tuple(
                Animal(id=a.id, cage="C1", sex="F", weighings=(Weighing(weight=Q_(25, "g")),))
                for a in animals
            )

        allocation = allocate(animals, balanced_sizes(count, groups), seed=seed, stratify=chosen)

        counts = _counts(allocation, range(count), groups)
        assert max(counts) - min(counts) <= 1

    @FAST
    @given(_designs(), st.integers(0, 2**32))
    def test_same_seed_same_allocation(self, design, seed):
        """The same inputs and seed give the same allocation."""
        animals, sizes, block_size, chosen = design

        first = allocate(animals, sizes, seed=seed, block_size=block_size, stratify=chosen)
        second = allocate(animals, sizes, seed=seed, block_size=block_size, stratify=chosen)

        assert first == second

    # Two seeds can, by chance, give the same sequence: with 20 animals in 2 groups and blocks
    # of 4 about 1 pair in 7,776 does. The examples are derandomised, so the test is stable.
    @settings(max_examples=40, deadline=None, derandomize=True)
    @given(_designs(min_animals=20), st.integers(0, 2**32), st.integers(1, 2**16))
    def test_other_seed_other_allocation(self, design, seed, step):
        """Another seed gives another allocation for 20 animals or more in 2 groups or more."""
        animals, sizes, block_size, chosen = design
        assume(len(sizes) >= 2)

        first = allocate(animals, sizes, seed=seed, block_size=block_size, stratify=chosen)
        second = allocate(animals, sizes, seed=seed + step, block_size=block_size, stratify=chosen)

        assert first.groups != second.groups

    @FAST
    @given(_designs(equal=True, stratify=(Stratum.CAGE,)), st.integers(0, 2**32))
    def test_cage_strata_balanced(self, design, seed):
        """Within each cage of an equal-size design, group counts differ by two at most."""
        animals, sizes, block_size, chosen = design

        allocation = allocate(animals, sizes, seed=seed, block_size=block_size, stratify=chosen)

        for cage in {a.cage for a in animals}:
            indices = [i for i, a in enumerate(animals) if a.cage == cage]
            counts = _counts(allocation, indices, len(sizes))
            assert max(counts) - min(counts) <= 2

    @FAST
    @given(_designs(equal=True, stratify=(Stratum.WEIGHT,)), st.integers(0, 2**32))
    def test_weight_blocks_balanced(self, design, seed):
        """Each complete run of block-size weight-ranked animals holds every group equally."""
        animals, sizes, block_size, chosen = design
        grams = [a.first_weight.to("g").magnitude for a in animals]
        ranked = sorted(range(len(animals)), key=lambda i: (grams[i], i))

        allocation = allocate(animals, sizes, seed=seed, block_size=block_size, stratify=chosen)

        size = allocation.block_size
        per_group = size // len(sizes)
        for start in range(0, len(ranked) - size + 1, size):
            run = ranked[start : start + size]
            assert [per_group] * len(sizes) == _counts(allocation, run, len(sizes))
            assert 1 == len({allocation.blocks[i] for i in run})

    @FAST
    @given(_designs(), st.integers(0, 2**32))
    def test_blocks_numbered_from_one(self, design, seed):
        """Block numbers run from 1 without gaps, in allocation order."""
        animals, sizes, block_size, chosen = design

        allocation = allocate(animals, sizes, seed=seed, block_size=block_size, stratify=chosen)

        assert list(range(1, max(allocation.blocks) + 1)) == sorted(set(allocation.blocks))
