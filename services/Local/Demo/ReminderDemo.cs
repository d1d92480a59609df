using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;

namespace Reminders.Local.Demo;

/// <summary>
/// The demo's reminder period: the study clock runs from the end of training to the cut-off, jumping from one due
/// reminder to the next. After each round, officers answer as people do: many acknowledge (in every spelling), a few
/// ask for help, write something else, or opt out; some numbers never get their SMS (undelivered, failed). Who answers
/// what follows from the seed and the number, so the same seed gives the same replies.
/// </summary>
static class ReminderDemo
{
    public const string ReminderMarker = "Responda OK de recibido";
    static readonly string[] Acknowledgments = ["OK", "ok!", "Sí.", "si", "RECIBIDO", " Ok ", "1", "Recibido"];
    static readonly string[] FreeText = ["¿Cuándo es el siguiente curso?", "Gracias, muy útil", "Recibido, gracias"];

    /// <summary>
    /// Answers each delivered reminder once, as its officer would (see the class summary); the phones in
    /// <paramref name="scripted"/> answer only what the demo scripts for them.
    /// </summary>
    public static Func<Task> Officers(ReminderClient client, long seed, IReadOnlySet<string> scripted)
    {
        var answered = new HashSet<string>();
        return async () =>
        {
            foreach (var message in await DeliveredRemindersAsync(client))
            {
                if (!answered.Add(message.Sid) || scripted.Contains(message.To)) continue;
                var roll = Roll(seed, message.To, message.Body);
                string? reply = roll switch
                {
                    < 0.004 => "BAJA",
                    < 0.007 => "AYUDA",
                    < 0.017 => FreeText[(int)(roll * 1000) % FreeText.Length],
                    < 0.42 => Acknowledgments[(int)(roll * 10_000) % Acknowledgments.Length],
                    _ => null,
                };
                if (reply is not null) await client.SimulateReplyAsync(message.To, message.From, reply);
            }
        };
    }

    /// <summary>
    /// Runs the clock through the rest of the reminder period, acting out the <paramref name="script"/> (replies, a roster
    /// re-import) at its instants, then writes reminders.csv and the summary.
    /// </summary>
    public static async Task RunAsync(ReminderClient client, StudyTimeline timeline, Func<Task> answerReplies, TextWriter console, string outDir,
        IReadOnlyList<StudyTimeline.ScriptedStep> script)
    {
        var steps = await timeline.RunScriptAsync(script, answerReplies);
        steps += await timeline.RunUntilAsync(DateTimeOffset.MaxValue, answerReplies);

        using var manager = client.ManagerHttp();
        var csv = await manager.GetStringAsync("/api/scheduler/reminders.csv");
        await File.WriteAllTextAsync(Path.Combine(outDir, "reminders.csv"), csv);
        var counts = (await timeline.DispatchAsync()).GetProperty("counts").EnumerateArray().Where(c => c.GetProperty("kind").GetString() == "reminder").ToList();
        long Sum(Func<JsonElement, bool> which) => counts.Where(which).Sum(c => c.GetProperty("count").GetInt64());
        var planned = Sum(_ => true);
        var sent = Sum(c => c.GetProperty("status").GetString() == "dispatched");
        var late = counts.Sum(c => c.GetProperty("late").GetInt64());
        var skipped = counts.Where(c => c.GetProperty("status").GetString() is "skipped" or "cancelled")
            .GroupBy(c => c.GetProperty("reason").GetString() ?? "").Select(g => $"{g.Sum(c => c.GetProperty("count").GetInt64())} {g.Key}");
        var sms = await client.JsonAsync("messaging", "/api/messaging/sms/summary");
        var reminders = sms.GetProperty("outbound").EnumerateArray().Where(c => c.GetProperty("purpose").GetString() == "reminder").ToList();
        long Status(string status) => reminders.Where(c => c.GetProperty("status").GetString() == status).Sum(c => c.GetProperty("count").GetInt64());
        var inbound = sms.GetProperty("inbound").EnumerateArray().ToDictionary(c => c.GetProperty("category").GetString() ?? "", c => c.GetProperty("count").GetInt64());
        console.WriteLine($"Reminder period run in {steps} clock jumps to {timeline.Now:yyyy-MM-dd}: {planned:N0} reminders planned, {sent:N0} sent ({late} late), " +
                          $"skipped: {string.Join(", ", skipped)}; delivered {Status("delivered"):N0}, undelivered {Status("undelivered")}, failed {Status("failed")}.");
        console.WriteLine($"Replies: {inbound.GetValueOrDefault("acknowledge")} acknowledgments, {inbound.GetValueOrDefault("opt_out")} opt-outs " +
                          $"(each confirmed once), {inbound.GetValueOrDefault("help")} help requests answered, {inbound.GetValueOrDefault("other")} other messages kept for a person to read.");
    }

    /// <summary>A number in [0, 1) fixed by the seed, the phone and the message: the same demo gives the same answers.</summary>
    static double Roll(long seed, string to, string body)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}|{to}|{body}"));
        return BitConverter.ToUInt64(hash, 0) / (double)ulong.MaxValue;
    }

    sealed record LoggedMessage(string Sid, string From, string To, string Body);

    static async Task<List<LoggedMessage>> DeliveredRemindersAsync(ReminderClient client)
    {
        using var reader = new StringReader(await client.SimulatorLogCsvAsync());
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture));
        var messages = new List<LoggedMessage>();
        await csv.ReadAsync();
        csv.ReadHeader();
        while (await csv.ReadAsync())
        {
            var body = csv.GetField("body") ?? "";
            if (csv.GetField("status") == "delivered" && body.Contains(ReminderMarker, StringComparison.Ordinal))
                messages.Add(new LoggedMessage(csv.GetField("sid")!, csv.GetField("from")!, csv.GetField("to")!, body));
        }
        return messages;
    }
}
