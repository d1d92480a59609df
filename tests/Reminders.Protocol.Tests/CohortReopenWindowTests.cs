using static Reminders.Protocol.Tests.ProtocolFiles;

namespace Reminders.Protocol.Tests;

/// <summary><c>training.reopenWindowDays</c>: how long after closing a cohort a manager may reopen it (default 7 days).</summary>
public sealed class CohortReopenWindowTests
{
    [Fact]
    public void The_default_file_lets_a_manager_reopen_a_closed_cohort_for_seven_days()
    {
        Assert.Equal(7, ProtocolLoader.LoadDefault().CohortReopenWindowDays);
    }

    [Fact]
    public void A_file_without_the_setting_gets_seven_days()
    {
        Assert.Equal(7, ProtocolLoader.Load(With(p => p.Obj("training").Remove("reopenWindowDays"))).CohortReopenWindowDays);
    }

    [Fact]
    public void A_file_may_set_its_own_window_and_zero_forbids_reopening()
    {
        Assert.Equal(14, ProtocolLoader.Load(With(p => p.Obj("training")["reopenWindowDays"] = 14)).CohortReopenWindowDays);
        Assert.Equal(0, ProtocolLoader.Load(With(p => p.Obj("training")["reopenWindowDays"] = 0)).CohortReopenWindowDays);
    }

    [Theory]
    [InlineData("-1", "training.reopenWindowDays: must be between 0 and 90, got -1")]
    [InlineData("91", "training.reopenWindowDays: must be between 0 and 90, got 91")]
    [InlineData("\"7\"", "training.reopenWindowDays: must be a whole number, got the string \"7\"")]
    public void An_invalid_window_is_named_by_its_path(string value, string expected)
    {
        Assert.Equal([expected], ErrorsWith(p => p.Obj("training")["reopenWindowDays"] = System.Text.Json.Nodes.JsonNode.Parse(value)));
    }
}
