using Reminders.Contracts;
using Reminders.Enrollment.Randomization;

namespace Reminders.Enrollment.Tests;

public sealed class SectorRandomizerTests
{
    static readonly string[] Sixty = Enumerable.Range(1, 60).Select(i => $"S{i:00}").ToArray();

    static HashSet<string> Treated(IEnumerable<(string Code, string Arm)> allocation) =>
        allocation.Where(a => a.Arm == StudyArms.Treatment).Select(a => a.Code).ToHashSet();

    [Fact]
    public void The_same_seed_gives_the_same_allocation()
    {
        Assert.Equal(SectorRandomizer.Allocate(Sixty, 20240901), SectorRandomizer.Allocate(Sixty, 20240901));
    }

    [Fact]
    public void Different_seeds_give_different_allocations_of_sixty_sectors()
    {
        var allocations = new[] { 1L, 2L, 42L, 20240901L, -7L, long.MaxValue }.Select(seed => Treated(SectorRandomizer.Allocate(Sixty, seed))).ToList();

        for (var i = 0; i < allocations.Count; i++)
            for (var j = i + 1; j < allocations.Count; j++)
                Assert.False(allocations[i].SetEquals(allocations[j]), $"seeds #{i} and #{j} gave the same allocation");
    }

    [Theory]
    [InlineData(60, 30)]
    [InlineData(2, 1)]
    [InlineData(61, 30)]
    [InlineData(7, 3)]
    public void Half_of_the_sectors_rounded_down_go_to_treatment_and_the_rest_to_control(int sectors, int treated)
    {
        var allocation = SectorRandomizer.Allocate(Enumerable.Range(1, sectors).Select(i => $"S{i:000}"), 99);

        Assert.Equal(sectors, allocation.Count);
        Assert.Equal(treated, allocation.Count(a => a.Arm == StudyArms.Treatment));
        Assert.Equal(sectors - treated, allocation.Count(a => a.Arm == StudyArms.Control));
        Assert.Equal(sectors, allocation.Select(a => a.Code).Distinct().Count());
    }

    [Fact]
    public void The_order_in_which_sectors_are_given_does_not_matter()
    {
        var shuffled = Sixty.OrderBy(_ => Random.Shared.Next()).ToArray();
        var reversed = Sixty.Reverse().ToArray();

        var expected = SectorRandomizer.Allocate(Sixty, 7);

        Assert.Equal(expected, SectorRandomizer.Allocate(shuffled, 7));
        Assert.Equal(expected, SectorRandomizer.Allocate(reversed, 7));
    }

    [Fact]
    public void The_allocation_is_returned_in_sector_code_order()
    {
        var allocation = SectorRandomizer.Allocate(Sixty.Reverse(), 3);

        Assert.Equal(Sixty, allocation.Select(a => a.Code));
    }

    [Fact]
    public void A_recorded_seed_reproduces_the_recorded_allocation_on_any_machine_and_runtime()
    {
        // Pinned once: a change of algorithm would silently change what a recorded seed means.
        var treated = Treated(SectorRandomizer.Allocate(Enumerable.Range(1, 10).Select(i => $"S{i:00}"), 20240901));

        Assert.Equal(PinnedTreated, treated.Order());
    }

    static readonly string[] PinnedTreated = ["S02", "S05", "S07", "S09", "S10"];
}
