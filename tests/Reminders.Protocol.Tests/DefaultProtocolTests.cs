using Microsoft.Extensions.Configuration;

namespace Reminders.Protocol.Tests;

public sealed class DefaultProtocolTests
{
    static readonly StudyProtocol Protocol = ProtocolLoader.LoadDefault();

    [Fact]
    public void The_default_file_loads_without_errors_or_warnings()
    {
        var result = ProtocolLoader.Validate(ProtocolLoader.DefaultJson());

        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
        Assert.Empty(Protocol.Warnings);
    }

    [Fact]
    public void The_default_file_says_what_the_study_protocol_says()
    {
        Assert.Equal("2026-11-v1", Protocol.Version);
        Assert.Equal(1, Protocol.SchemaVersion);
        Assert.Equal("America/Mexico_City", Protocol.TimeZoneId);
        Assert.Equal(new SendingWindow(new TimeOnly(9, 0), new TimeOnly(20, 0)), Protocol.QuietHours);
        Assert.Equal(new TrainingRules(3, 3, new TimeOnly(9, 0), new Eligibility(1)), Protocol.Training.Officer);
        Assert.Equal(new TrainingRules(3, 4, new TimeOnly(9, 0), new Eligibility(1)), Protocol.Training.Commander);
        Assert.Equal(9 * 60, Protocol.Training.For("officer").PlannedMinutes);
        Assert.Equal(12 * 60, Protocol.Training.For("commander").PlannedMinutes);
        Assert.Equal(new TimeOnly(13, 0), Protocol.Training.Commander.DefaultEnd);
        Assert.Equal([DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday], Protocol.Calendar.Weekdays.AsEnumerable());
        Assert.Equal(HolidayRule.MexicoFederal, Protocol.Calendar.Holidays);
        Assert.Equal(EmbeddedSourceName, Protocol.Source);
    }

    const string EmbeddedSourceName = ProtocolLoader.EmbeddedSource;

    [Fact]
    public void The_default_file_has_six_reminders_two_weeks_apart_before_the_cut_off()
    {
        var reminders = Protocol.Reminders!;

        Assert.Equal([7, 21, 35, 49, 63, 77], reminders.Schedule.Select(s => s.OffsetDays));
        Assert.Equal([1, 2, 3, 4, 5, 6], reminders.Schedule.Select(s => s.Number));
        Assert.Equal(["voz", "neutralidad", "respeto", "motivos-confiables", "por-que-importa", "repaso"], reminders.Schedule.Select(s => s.Theme));
        Assert.All(reminders.Schedule, s => Assert.Equal(new TimeOnly(10, 0), s.SendAt));
        Assert.All(reminders.Schedule, s => Assert.NotEqual(s.Template.Officer.Text, s.Template.Commander.Text));
        Assert.Equal(100, reminders.Endline.OffsetDays);
        Assert.Equal(7, reminders.CutoffDaysBeforeEndline);

        var lastTrainingDay = new DateOnly(2026, 11, 20);
        Assert.Equal(new DateOnly(2026, 11, 27), reminders.Schedule[0].DueDate(lastTrainingDay));
        Assert.Equal(new DateOnly(2027, 2, 28), reminders.EndlineFor(lastTrainingDay));
        Assert.Equal(new DateOnly(2027, 2, 21), reminders.CutoffFor(lastTrainingDay));
        Assert.True(reminders.Schedule[^1].DueDate(lastTrainingDay) < reminders.CutoffFor(lastTrainingDay));
    }

    [Fact]
    public void Every_default_template_is_one_GSM7_segment_even_with_the_longest_values()
    {
        // 4 logistics texts shared by both roles, 6 reminders × 2 roles, the help reply and the opt-out confirmation.
        Assert.Equal(18, Protocol.TemplateMeasurements.Length);
        Assert.All(Protocol.TemplateMeasurements, m =>
        {
            Assert.Equal(SmsEncodingKind.Gsm7, m.Measure.Encoding);
            Assert.Equal(1, m.Measure.Segments);
            Assert.InRange(m.Measure.Length, 100, 160);
        });
        var invitation = Protocol.TemplateMeasurements.Single(m => m.Path == "logistics.invitation");
        Assert.Contains("miércoles 30 de septiembre", invitation.WorstCaseText);
    }

    [Fact]
    public void Default_templates_name_no_one_and_sign_as_the_secretariat()
    {
        var texts = Protocol.TemplateMeasurements.Select(m => m.WorstCaseText).ToList();
        Assert.All(texts, t => Assert.EndsWith("SSC-CDMX", t));
        Assert.All(texts, t => Assert.DoesNotContain("{", t));
        Assert.All(texts, t => Assert.DoesNotMatch("[áíóúÁÍÓÚ]", t));
    }

    [Fact]
    public void Default_keywords_are_the_ones_officers_are_told_about()
    {
        var keywords = Protocol.Keywords;
        Assert.Equal(["OK", "SI", "SÍ", "RECIBIDO", "1"], keywords.Acknowledge.AsEnumerable());
        Assert.Equal(["BAJA", "ALTO", "CANCELAR"], keywords.OptOut.AsEnumerable());
        Assert.Equal(["ALTA"], keywords.OptIn.AsEnumerable());
        Assert.Equal(["AYUDA"], keywords.Help.AsEnumerable());
        Assert.Equal(7, keywords.AcknowledgeWindowDays);
        Assert.Contains("ALTA", keywords.OptOutConfirmation.Officer.Text);
        Assert.Contains("BAJA", keywords.HelpReply.Commander.Text);
    }

    [Fact]
    public void The_default_provider_keywords_are_Twilios_and_ours_are_not_among_them()
    {
        var keywords = Protocol.Keywords;
        Assert.Equal(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"], keywords.ProviderOptOut.AsEnumerable());
        Assert.Equal(["START", "UNSTOP", "YES"], keywords.ProviderOptIn.AsEnumerable());
        Assert.All(keywords.OptOut.Concat(keywords.OptIn), k => Assert.Equal(ProviderAction.None, keywords.AtProvider(k)));
    }

    [Fact]
    public void The_help_text_names_the_word_that_lifts_the_providers_block_and_the_confirmation_names_ours()
    {
        foreach (var role in StudyRoles.All)
        {
            var help = Protocol.Keywords.HelpReply.For(role).Text;
            // After STOP only START lifts the provider's block; after BAJA, ALTA does.
            Assert.Contains("STOP, responda START", help);
            Assert.Contains("ALTA", help);
            Assert.Contains("responda ALTA", Protocol.Keywords.OptOutConfirmation.For(role).Text);
        }
    }

    [Fact]
    public void The_invitation_asks_the_officer_to_confirm_with_an_acknowledgment_keyword_and_stays_one_segment()
    {
        // "Confirme con OK." is the shortest ask: any longer one takes the worst case (a 40-character venue on a Wednesday
        // in September) past 160 characters, and every invitation to two segments.
        var invitation = Protocol.TemplateMeasurements.Single(m => m.Path == "logistics.invitation");
        Assert.Contains("Confirme con OK.", invitation.WorstCaseText);
        Assert.Equal(KeywordCategory.Acknowledge, Protocol.Keywords.Classify("OK"));
        Assert.Equal(160, invitation.Measure.Length);
    }

    [Fact]
    public void The_default_file_is_copied_beside_the_binaries_and_is_the_embedded_one()
    {
        var copied = Path.Combine(AppContext.BaseDirectory, ProtocolLoader.DefaultRelativePath);

        Assert.True(File.Exists(copied), copied);
        var fromFile = ProtocolLoader.LoadFile(copied);
        Assert.Equal(Protocol.Fingerprint, fromFile.Fingerprint);
        Assert.Equal(copied, fromFile.Source);
    }

    [Fact]
    public void Without_Protocol_Path_the_embedded_default_is_used()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Protocol:Path"] = "" }).Build();

        Assert.Same(ProtocolLoader.LoadDefault(), ProtocolLoader.Load(configuration));
    }

    [Fact]
    public void Protocol_Path_names_the_file_to_load_relative_paths_also_beside_the_binaries()
    {
        var file = Path.Combine(Path.GetTempPath(), $"protocol-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, ProtocolFiles.With(p => p["version"] = "2027-01-v2"));
        try
        {
            var absolute = ProtocolLoader.Load(Configuration(file));
            var relative = ProtocolLoader.Load(Configuration(ProtocolLoader.DefaultRelativePath));

            Assert.Equal("2027-01-v2", absolute.Version);
            Assert.Equal(file, absolute.Source);
            Assert.Equal(Protocol.Fingerprint, relative.Fingerprint);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_Protocol_Path_without_a_file_is_an_error_naming_the_key()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.json");

        var error = Assert.Throws<ProtocolException>(() => ProtocolLoader.Load(Configuration(missing)));

        Assert.Equal([$"Protocol:Path: no file at {missing}"], error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void An_invalid_file_throws_with_every_error_in_the_message()
    {
        var json = ProtocolFiles.With(p =>
        {
            p.Obj("training").Obj("officer")["hoursPerDay"] = 0;
            p["timeZone"] = "Mars/Olympus_Mons";
        });

        var error = Assert.Throws<ProtocolException>(() => ProtocolLoader.Load(json, "test.json"));

        Assert.Equal("test.json", error.Origin);
        Assert.Equal(2, error.Errors.Count);
        Assert.Contains("training.officer.hoursPerDay: must be between 1 and 12, got 0", error.Message);
        Assert.Contains("timeZone: unknown time zone \"Mars/Olympus_Mons\"", error.Message);
        Assert.StartsWith("The study protocol (test.json) is invalid, 2 errors:", error.Message);
    }

    static IConfiguration Configuration(string path) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [ProtocolLoader.PathKey] = path }).Build();
}
