namespace Reminders.Platform.Tests;

public sealed class SmsStatusesTests
{
    public static readonly TheoryData<string> Terminal = new() { "delivered", "undelivered", "failed", "canceled", "read", "partially_delivered" };

    /// <summary>Twilio's <c>message_enum_status</c> (twilio_api_v2010.json), as it documents them.</summary>
    static readonly string[] Every =
        ["accepted", "scheduled", "canceled", "queued", "sending", "sent", "failed", "delivered", "undelivered", "receiving", "received", "read", "partially_delivered"];

    public static readonly TheoryData<string> Documented = new(Every);

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

    [Theory]
    [MemberData(nameof(Documented))]
    public void Every_documented_status_has_a_place_in_the_order(string status)
    {
        Assert.True(SmsStatuses.Rank(status) > 0, status);
        Assert.Contains(status, SmsStatuses.Documented);
    }

    [Theory]
    [MemberData(nameof(Documented))]
    public void The_sql_rank_agrees_with_the_rank(string status)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SmsStatuses.RankSql("@s")}";
        command.Parameters.AddWithValue("@s", status);
        Assert.Equal((long)SmsStatuses.Rank(status), (long)command.ExecuteScalar()!);
    }

    [Fact]
    public void An_inbound_step_ranks_with_its_outbound_twin()
    {
        Assert.Equal(SmsStatuses.Rank("sending"), SmsStatuses.Rank("receiving"));
        Assert.Equal(SmsStatuses.Rank("sent"), SmsStatuses.Rank("received"));
        Assert.Equal(SmsStatuses.Rank("delivered"), SmsStatuses.Rank("partially_delivered"));
    }

    [Fact]
    public void An_unknown_status_is_kept_where_there_is_none_yet_and_never_moves_a_known_one()
    {
        Assert.True(SmsStatuses.MovesForward(null, "exploded"));
        Assert.True(SmsStatuses.MovesForward("", "exploded"));
        Assert.False(SmsStatuses.MovesForward("queued", "exploded"));
        Assert.False(SmsStatuses.MovesForward(null, ""));
    }

    [Fact]
    public void Any_known_status_moves_an_unknown_one_forward()
    {
        Assert.True(SmsStatuses.MovesForward("exploded", "accepted"));
        Assert.True(SmsStatuses.MovesForward("exploded", "delivered"));
        Assert.False(SmsStatuses.MovesForward("exploded", "imploded"));
    }

    [Theory]
    [InlineData(null, "teleported", "teleported")]
    [InlineData(null, "", null)]
    [InlineData("teleported", "sent", "sent")]
    [InlineData("teleported", "vanished", "teleported")]
    [InlineData("sent", "teleported", "sent")]
    [InlineData("receiving", "delivered", "delivered")]
    [InlineData("delivered", "sent", "delivered")]
    public void The_sql_condition_moves_a_status_as_the_code_does(string? current, string next, string? expected)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            CREATE TABLE t (status TEXT NULL); INSERT INTO t VALUES (@current);
            UPDATE t SET status = @next WHERE {SmsStatuses.MovesForwardSql("status", "@next", "@rank")};
            SELECT status FROM t;
            """;
        command.Parameters.AddWithValue("@current", (object?)current ?? DBNull.Value);
        command.Parameters.AddWithValue("@next", next);
        command.Parameters.AddWithValue("@rank", SmsStatuses.Rank(next));
        Assert.Equal(expected, command.ExecuteScalar() as string);
        Assert.Equal(expected != current, SmsStatuses.MovesForward(current, next));
    }
}
