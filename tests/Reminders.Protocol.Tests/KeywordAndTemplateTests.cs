namespace Reminders.Protocol.Tests;

public sealed class KeywordAndTemplateTests
{
    static readonly StudyProtocol Protocol = ProtocolLoader.LoadDefault();

    [Theory]
    [InlineData("OK", KeywordCategory.Acknowledge)]
    [InlineData(" ok! ", KeywordCategory.Acknowledge)]
    [InlineData("Sí.", KeywordCategory.Acknowledge)]
    [InlineData("si", KeywordCategory.Acknowledge)]
    [InlineData("SÍ", KeywordCategory.Acknowledge)]
    [InlineData("Recibido", KeywordCategory.Acknowledge)]
    [InlineData("1", KeywordCategory.Acknowledge)]
    [InlineData("BAJA", KeywordCategory.OptOut)]
    [InlineData("Alto.", KeywordCategory.OptOut)]
    [InlineData("stop", KeywordCategory.OptOut)]
    [InlineData("Cancelar", KeywordCategory.OptOut)]
    [InlineData("STOPALL", KeywordCategory.OptOut)]
    [InlineData("Unsubscribe", KeywordCategory.OptOut)]
    [InlineData("cancel", KeywordCategory.OptOut)]
    [InlineData("END", KeywordCategory.OptOut)]
    [InlineData("quit", KeywordCategory.OptOut)]
    [InlineData("alta", KeywordCategory.OptIn)]
    [InlineData("START", KeywordCategory.OptIn)]
    [InlineData("unstop", KeywordCategory.OptIn)]
    [InlineData("Yes", KeywordCategory.OptIn)]
    [InlineData("¿Ayuda?", KeywordCategory.Help)]
    [InlineData("Gracias, ahí estaré", KeywordCategory.None)]
    [InlineData("si voy", KeywordCategory.None)]
    [InlineData("", KeywordCategory.None)]
    [InlineData("!!!", KeywordCategory.None)]
    [InlineData(null, KeywordCategory.None)]
    public void A_reply_is_classified_ignoring_case_accents_spaces_and_punctuation(string? reply, KeywordCategory expected)
    {
        Assert.Equal(expected, Protocol.Keywords.Classify(reply));
    }

    [Theory]
    [InlineData("STOP", ProviderAction.Block)]
    [InlineData(" stop ", ProviderAction.Block)]
    [InlineData("StopAll", ProviderAction.Block)]
    [InlineData("UNSUBSCRIBE", ProviderAction.Block)]
    [InlineData("cancel", ProviderAction.Block)]
    [InlineData("End", ProviderAction.Block)]
    [InlineData("QUIT", ProviderAction.Block)]
    [InlineData("START", ProviderAction.Unblock)]
    [InlineData("unstop", ProviderAction.Unblock)]
    [InlineData("yes", ProviderAction.Unblock)]
    // Ours: the provider neither blocks nor unblocks on them.
    [InlineData("BAJA", ProviderAction.None)]
    [InlineData("ALTO", ProviderAction.None)]
    [InlineData("CANCELAR", ProviderAction.None)]
    [InlineData("ALTA", ProviderAction.None)]
    // The provider acts only on a message that is the keyword alone.
    [InlineData("stop please", ProviderAction.None)]
    [InlineData("Stop.", ProviderAction.None)]
    [InlineData("OK", ProviderAction.None)]
    [InlineData(null, ProviderAction.None)]
    public void The_provider_blocks_on_its_opt_out_keywords_and_unblocks_only_on_its_opt_in_keywords(string? reply, ProviderAction expected)
    {
        Assert.Equal(expected, Protocol.Keywords.AtProvider(reply));
    }

    [Theory]
    [InlineData(" Sí. ", "SI")]
    [InlineData("re-cibido", "RECIBIDO")]
    [InlineData("Ñ", "N")]
    [InlineData("ok 1", "OK1")]
    public void Normalization_keeps_letters_and_digits_upper_case_without_accents(string text, string expected)
    {
        Assert.Equal(expected, KeywordRules.Normalize(text));
    }

    [Fact]
    public void Dates_and_times_are_written_the_one_way_templates_are_measured_with()
    {
        Assert.Equal("jueves 10 de septiembre", SmsPlaceholders.FormatFecha(new DateOnly(2026, 9, 10)));
        Assert.Equal("miércoles 30 de septiembre", SmsPlaceholders.FormatFecha(new DateOnly(2026, 9, 30)));
        Assert.Equal("sábado 1 de mayo", SmsPlaceholders.FormatFecha(new DateOnly(2027, 5, 1)));
        Assert.Equal("09:00", SmsPlaceholders.FormatHora(new TimeOnly(9, 0)));
        Assert.Equal("3", SmsPlaceholders.FormatDias(3));
    }

    [Fact]
    public void An_invitation_renders_to_one_GSM7_segment()
    {
        var invitation = Protocol.Logistics.Invitation.For(StudyRoles.Officer);

        var text = invitation.Render(new Dictionary<string, string>
        {
            [SmsPlaceholders.Fecha] = SmsPlaceholders.FormatFecha(new DateOnly(2026, 9, 10)),
            [SmsPlaceholders.Hora] = SmsPlaceholders.FormatHora(new TimeOnly(9, 0)),
            [SmsPlaceholders.Sede] = "Academia Iztapalapa",
        });

        Assert.Equal("Curso de Justicia Procedimental: inicia el jueves 10 de septiembre a las 09:00 h en Academia Iztapalapa. Confirme con OK. Atte. SSC-CDMX", text);
        Assert.Equal(new SmsMeasure(SmsEncodingKind.Gsm7, 1, 136), SmsEncoding.Measure(text));
        Assert.Equal(["fecha", "hora", "sede"], invitation.Placeholders.AsEnumerable());
    }

    [Fact]
    public void Rendering_without_a_placeholders_value_is_an_error()
    {
        var error = Assert.Throws<ArgumentException>(() => Protocol.Logistics.Cancellation.Officer.Render(new Dictionary<string, string> { ["fecha"] = "hoy" }));

        Assert.StartsWith("No value for {hora} in the Cancellation template.", error.Message);
    }

    [Fact]
    public void A_role_the_protocol_does_not_know_is_an_error()
    {
        Assert.Throws<ArgumentException>(() => Protocol.Training.For("sergeant"));
        Assert.Same(Protocol.Reminders!.Schedule[0].Template.Commander, Protocol.Reminders.Schedule[0].Template.For(StudyRoles.Commander));
    }

    [Fact]
    public void Eligibility_is_at_least_one_session_attended_by_default()
    {
        Assert.False(Protocol.Training.Officer.Eligibility.IsEligible(0));
        Assert.True(Protocol.Training.Officer.Eligibility.IsEligible(1));
        Assert.True(Protocol.Training.Commander.Eligibility.IsEligible(3));
    }
}
