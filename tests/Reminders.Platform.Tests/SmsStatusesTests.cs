namespace Reminders.Platform.Tests;

public sealed class SmsStatusesTests
{
    public static readonly TheoryData<string> Terminal = new() { "delivered", "undelivered", "failed", "canceled", "read" };
    static readonly string[] Every = ["accepted", "scheduled", "queued", "sending", "sent", "delivered", "undelivered", "failed", "canceled", "read"];

    [Fact]
    public void Statuses_are_ordered_queued_sending_sent_delivered()
    {
        Assert.True(SmsStatuses.Rank("accepted") < SmsStatuses.Rank("queued"));
        Assert.True(SmsStatuses.Rank("queued") < SmsStatuses.Rank("sending"));
        Assert.True(SmsStatuses.Rank("sending") < SmsStatuses.Rank("sent"));
        Assert.True(SmsStatuses.Rank("sent") < SmsStatuses.Rank("delivered"));
    }

    [Theory]
    [InlineData(null, "queued")]
    [InlineData("queued", "sending")]
    [InlineData("queued", "sent")]
    [InlineData("sent", "delivered")]
    [InlineData("sent", "undelivered")]
    [InlineData("sending", "failed")]
    public void A_later_status_moves_the_message_forward(string? current, string next)
    {
        Assert.True(SmsStatuses.MovesForward(current, next));
    }

    [Theory]
    [MemberData(nameof(Terminal))]
    public void A_terminal_status_never_moves_to_any_other(string terminal)
    {
        foreach (var next in Every)
            Assert.False(SmsStatuses.MovesForward(terminal, next), $"{terminal} → {next}");
    }

    [Fact]
    public void A_late_sent_after_delivered_does_not_move_the_status()
    {
        Assert.False(SmsStatuses.MovesForward("delivered", "sent"));
    }

    [Theory]
    [InlineData("sent", "queued")]
    [InlineData("sending", "queued")]
    [InlineData("sent", "sent")]
    public void An_earlier_or_repeated_status_does_not_move_the_status(string current, string next)
    {
        Assert.False(SmsStatuses.MovesForward(current, next));
    }

    [Fact]
    public void An_unknown_status_never_moves_the_status()
    {
        Assert.False(SmsStatuses.MovesForward(null, "exploded"));
        Assert.False(SmsStatuses.MovesForward("queued", "exploded"));
    }
}
