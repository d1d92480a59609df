using System.Text.Json.Nodes;
using static Reminders.Protocol.Tests.ProtocolFiles;

namespace Reminders.Protocol.Tests;

/// <summary>One broken field per test: the error names the field by its JSON path and says what is wrong.</summary>
public sealed class ProtocolValidationTests
{
    [Fact]
    public void Hours_per_day_out_of_range_is_named_by_its_path()
    {
        Assert.Equal(["training.officer.hoursPerDay: must be between 1 and 12, got 0"],
            ErrorsWith(p => p.Obj("training").Obj("officer")["hoursPerDay"] = 0));
    }

    [Fact]
    public void Every_error_is_reported_at_once_in_file_order()
    {
        var errors = ErrorsWith(p =>
        {
            p["timeZone"] = "America/Mexico_Cty";
            p.Obj("training").Obj("commander")["days"] = 0;
            p.Obj("training").Obj("officer")["hoursPerdDay"] = 3;
            p.Obj("keywords").Arr("optIn").Add("Sí");
        });

        Assert.Equal(
        [
            "timeZone: unknown time zone \"America/Mexico_Cty\" (an IANA name such as \"America/Mexico_City\")",
            "training.officer.hoursPerdDay: unknown field (did you mean \"hoursPerDay\"?)",
            "training.commander.days: must be between 1 and 10, got 0",
            "keywords.optIn[1]: \"Sí\" is already a keyword of acknowledge (keywords.acknowledge[1]) once case, accents, spaces and punctuation are ignored; a reply must mean one thing",
        ], errors);
    }

    [Fact]
    public void A_misspelt_field_is_rejected_by_name_and_the_real_one_is_missing()
    {
        Assert.Equal(
        [
            "training.officer.hoursPerDay: is missing",
            "training.officer.hoursPerdDay: unknown field (did you mean \"hoursPerDay\"?)",
        ], ErrorsWith(p =>
        {
            var officer = p.Obj("training").Obj("officer");
            officer.Remove("hoursPerDay");
            officer["hoursPerdDay"] = 3;
        }));
    }

    [Theory]
    [InlineData("$", "comments", "comments: unknown field; the fields here are version, schemaVersion, timeZone, quietHours, training, calendar, logistics, reminders, keywords, transfers")]
    [InlineData("quietHours", "begin", "quietHours.begin: unknown field; the fields here are start, end")]
    [InlineData("quietHours", "Start", "quietHours.Start: unknown field (did you mean \"start\"?)")]
    [InlineData("reminders", "endLine", "reminders.endLine: unknown field (did you mean \"endline\"?)")]
    public void An_unknown_field_anywhere_is_rejected(string section, string field, string expected)
    {
        Assert.Equal([expected], ErrorsWith(p => (section == "$" ? p : p.Obj(section))[field] = "x"));
    }

    [Fact]
    public void An_unknown_role_is_rejected()
    {
        Assert.Equal(["training.sergeant: unknown field; the fields here are officer, commander, reopenWindowDays"],
            ErrorsWith(p => p.Obj("training")["sergeant"] = p.Obj("training").Obj("officer").DeepClone()));
    }

    [Fact]
    public void A_field_given_twice_is_an_error()
    {
        var json = ProtocolLoader.DefaultJson().Replace("\"timeZone\": \"America/Mexico_City\",", "\"timeZone\": \"America/Mexico_City\", \"timeZone\": \"UTC\",");

        Assert.Equal(["timeZone: appears more than once"], Errors(json));
    }

    [Fact]
    public void A_missing_section_is_named()
    {
        Assert.Equal(["keywords: is missing"], ErrorsWith(p => p.Remove("keywords")));
    }

    [Fact]
    public void Text_that_is_not_JSON_says_where()
    {
        var errors = Errors("{\n  \"version\": \"x\",\n  oops\n}");

        var error = Assert.Single(errors);
        Assert.StartsWith("$: is not valid JSON (line 3, byte 3): ", error);
    }

    [Fact]
    public void A_file_that_is_not_an_object_is_refused()
    {
        Assert.Equal(["$: must be an object, got an array"], Errors("[]"));
    }

    [Theory]
    [InlineData("2026 11 v1", "version: must be 1 to 40 letters, digits, '.', '_' or '-' (e.g. \"2026-11-v1\"), got \"2026 11 v1\"")]
    [InlineData("", "version: must not be empty")]
    public void The_version_is_a_short_plain_label(string version, string expected)
    {
        Assert.Equal([expected], ErrorsWith(p => p["version"] = version));
    }

    [Fact]
    public void A_schema_this_build_does_not_read_is_refused()
    {
        Assert.Equal(["schemaVersion: this build reads schema version 1, got 2"], ErrorsWith(p => p["schemaVersion"] = 2));
    }

    [Theory]
    [InlineData("9:00", "20:00", "quietHours.start: must be a time as HH:mm (24-hour, e.g. \"09:00\"), got \"9:00\"")]
    [InlineData("09:00", "24:00", "quietHours.end: must be a time as HH:mm (24-hour, e.g. \"09:00\"), got \"24:00\"")]
    [InlineData("09:00", "8 pm", "quietHours.end: must be a time as HH:mm (24-hour, e.g. \"09:00\"), got \"8 pm\"")]
    [InlineData("20:00", "09:00", "quietHours: start (20:00) must be earlier than end (09:00): sending is allowed between them, and the window cannot cross midnight")]
    [InlineData("09:00", "09:00", "quietHours: start (09:00) must be earlier than end (09:00): sending is allowed between them, and the window cannot cross midnight")]
    public void Quiet_hours_are_two_times_start_before_end(string start, string end, string expected)
    {
        Assert.Equal([expected], ErrorsWith(p => p["quietHours"] = new JsonObject { ["start"] = start, ["end"] = end }));
    }

    [Fact]
    public void Quiet_hours_beyond_the_carriers_guidance_are_a_warning()
    {
        Assert.Equal(
        [
            "quietHours.start: 08:00 is earlier than 09:00; the carrier guidance for Mexico is not to send between 21:00 and 09:00",
            "quietHours.end: 21:30 is later than 21:00; the carrier guidance for Mexico is not to send between 21:00 and 09:00",
        ], WarningsWith(p => p["quietHours"] = new JsonObject { ["start"] = "08:00", ["end"] = "21:30" }));
    }

    [Fact]
    public void A_time_zone_must_exist()
    {
        Assert.Equal(["timeZone: unknown time zone \"CDMX\" (an IANA name such as \"America/Mexico_City\")"], ErrorsWith(p => p["timeZone"] = "CDMX"));
    }

    [Theory]
    [InlineData("days", "\"3\"", "training.officer.days: must be a whole number, got the string \"3\"")]
    [InlineData("days", "3.5", "training.officer.days: must be a whole number, got 3.5")]
    [InlineData("days", "11", "training.officer.days: must be between 1 and 10, got 11")]
    [InlineData("hoursPerDay", "13", "training.officer.hoursPerDay: must be between 1 and 12, got 13")]
    [InlineData("hoursPerDay", "1e12", "training.officer.hoursPerDay: must be between 1 and 12, got 1e12")]
    [InlineData("defaultStart", "\"9am\"", "training.officer.defaultStart: must be a time as HH:mm (24-hour, e.g. \"09:00\"), got \"9am\"")]
    [InlineData("defaultStart", "\"21:00\"", "training.officer.defaultStart: a 3-hour day starting at 21:00 would end at or after midnight")]
    [InlineData("eligibility", "{\"minSessionsAttended\": 4}", "training.officer.eligibility.minSessionsAttended: must be between 0 and 3, got 4")]
    [InlineData("eligibility", "{\"minSessions\": 1}", "training.officer.eligibility.minSessionsAttended: is missing")]
    [InlineData("eligibility", "1", "training.officer.eligibility: must be an object, got the number 1")]
    public void Training_rules_are_checked_field_by_field(string field, string value, string expected)
    {
        var errors = ErrorsWith(p => p.Obj("training").Obj("officer")[field] = JsonNode.Parse(value));

        Assert.Equal(expected, errors[0]);
    }

    [Theory]
    [InlineData("[\"monday\", \"lunes\"]", "calendar.weekdays[1]: must be one of monday, tuesday, wednesday, thursday, friday, saturday, sunday, got \"lunes\"")]
    [InlineData("[\"monday\", \"monday\"]", "calendar.weekdays[1]: \"monday\" is listed twice")]
    [InlineData("[]", "calendar.weekdays: must list at least one working weekday")]
    [InlineData("\"monday-friday\"", "calendar.weekdays: must be an array, got the string \"monday-friday\"")]
    public void Weekdays_are_english_day_names_each_once(string value, string expected)
    {
        Assert.Equal([expected], ErrorsWith(p => p.Obj("calendar")["weekdays"] = JsonNode.Parse(value)));
    }

    [Fact]
    public void The_holiday_rule_is_one_the_loader_knows()
    {
        Assert.Equal(["calendar.holidays: must be \"mexico-federal\" or \"none\", got \"mexico\""], ErrorsWith(p => p.Obj("calendar")["holidays"] = "mexico"));
    }

    [Theory]
    [InlineData("[\"2026-02-30\"]", "calendar.closedDates[0]: must be a date as yyyy-MM-dd (e.g. \"2026-04-02\"), got \"2026-02-30\"")]
    [InlineData("[\"02/04/2026\"]", "calendar.closedDates[0]: must be a date as yyyy-MM-dd (e.g. \"2026-04-02\"), got \"02/04/2026\"")]
    [InlineData("[\"2026-04-02\", {\"date\": \"2026-04-02\"}]", "calendar.closedDates[1]: 2026-04-02 is listed twice (also calendar.closedDates[0])")]
    [InlineData("[{\"date\": \"2026-04-02\", \"why\": \"x\"}]", "calendar.closedDates[0].why: unknown field; the fields here are date, reason")]
    [InlineData("[20260402]", "calendar.closedDates[0]: must be a date \"yyyy-MM-dd\" or an object with date and reason, got the number 20260402")]
    public void Closed_dates_are_dates_each_once(string value, string expected)
    {
        Assert.Equal([expected], ErrorsWith(p => p.Obj("calendar")["closedDates"] = JsonNode.Parse(value)));
    }

    [Fact]
    public void A_date_cannot_be_both_closed_and_open()
    {
        Assert.Equal(["calendar.openDates[0]: 2026-04-03 is also in calendar.closedDates[1]; a date is either closed or open"],
            ErrorsWith(p => p.Obj("calendar")["openDates"] = new JsonArray("2026-04-03")));
    }

    [Fact]
    public void An_open_date_that_is_a_working_day_anyway_is_a_warning()
    {
        Assert.Equal(["calendar.openDates: 2026-09-15 is a working day anyway; listing it changes nothing"],
            WarningsWith(p => p.Obj("calendar")["openDates"] = new JsonArray("2026-09-16", "2026-09-15")));
    }

    [Fact]
    public void Closed_and_open_dates_may_be_left_out()
    {
        var protocol = ProtocolLoader.Load(With(p =>
        {
            p.Obj("calendar").Remove("closedDates");
            p.Obj("calendar").Remove("openDates");
        }));

        Assert.Empty(protocol.Calendar.ClosedDates);
        Assert.Empty(protocol.Calendar.OpenDates);
    }

    [Theory]
    [InlineData("invitation", "Curso el {fecha} a las {hora} en {sede}, {nombre}. Atte. SSC-CDMX",
        "logistics.invitation: unknown placeholder {nombre}; allowed here: {fecha}, {hora}, {sede}, {dias}")]
    [InlineData("invitation", "Curso el {fecha} a las {hora}. Atte. SSC-CDMX",
        "logistics.invitation: missing placeholder {sede} (an invitation must give {fecha}, {hora}, {sede})")]
    [InlineData("changeNotice", "Cambio: {hora} en {sede}. Atte. SSC-CDMX",
        "logistics.changeNotice: missing placeholder {fecha} (a change notice must give {fecha}, {hora}, {sede})")]
    [InlineData("changeNotice", "Cambio: el {fecha} a las {hora} en {sede}.} Atte. SSC-CDMX",
        "logistics.changeNotice: has a '}' without its '{' at position 43")]
    [InlineData("cancellation", "Se cancela el curso del {fecha}} Atte. SSC-CDMX",
        "logistics.cancellation: has a '}' without its '{' at position 32")]
    [InlineData("cancellation", "  ", "logistics.cancellation: must not be empty")]
    public void Logistics_templates_use_known_placeholders_and_the_required_ones(string kind, string text, string expected)
    {
        Assert.Equal([expected], ErrorsWith(p => p.Obj("logistics")[kind] = text));
    }

    [Fact]
    public void An_unclosed_brace_is_reported_and_its_placeholder_counts_as_missing()
    {
        Assert.Equal(
        [
            "logistics.dayBefore: has a '{' without its '}' at position 24",
            "logistics.dayBefore: missing placeholder {sede} (a day-before reminder must give {hora}, {sede})",
        ], ErrorsWith(p => p.Obj("logistics")["dayBefore"] = "Mañana a las {hora} en {sede. Atte. SSC-CDMX"));
    }

    [Fact]
    public void A_template_per_role_is_checked_per_role()
    {
        Assert.Equal(
        [
            "logistics.invitation.commander: missing placeholder {hora} (an invitation must give {fecha}, {hora}, {sede})",
            "logistics.invitation.chief: unknown field; the fields here are officer, commander",
        ], ErrorsWith(p => p.Obj("logistics")["invitation"] = new JsonObject
        {
            ["officer"] = "Curso el {fecha} a las {hora} en {sede}. Atte. SSC-CDMX",
            ["commander"] = "Curso el {fecha} en {sede}. Atte. SSC-CDMX",
            ["chief"] = "x",
        }));
    }

    [Fact]
    public void A_template_is_text_or_one_text_per_role()
    {
        Assert.Equal(["logistics.dayBefore: must be a text for both roles, or an object with one text per role (officer, commander), got the number 5"],
            ErrorsWith(p => p.Obj("logistics")["dayBefore"] = 5));
    }

    [Fact]
    public void Reminders_take_no_placeholders()
    {
        Assert.Equal(["reminders.schedule[2].template.officer: unknown placeholder {fecha}; this template takes no placeholders"],
            ErrorsWith(p => p.Obj("reminders").Arr("schedule")[2].Obj("template")["officer"] = "Respeto, desde el {fecha}. Atte. SSC-CDMX"));
    }

    [Fact]
    public void A_template_that_could_be_GSM7_warns_with_the_letters_to_blame()
    {
        var warnings = WarningsWith(p => p.Obj("reminders").Arr("schedule")[0].Obj("template")["officer"] =
            "Voz: escuche a la persona antes de tomar una decisión. Así sabrá qué pasó. Responda OK de recibido. Atte. SSC-CDMX");

        Assert.Equal(["reminders.schedule[0].template.officer: is UCS-2 because of \"ó\" \"í\" \"á\" and takes 2 segments (114 UCS-2 characters); without those accents it would be GSM-7 and take 1"], warnings);
    }

    [Fact]
    public void A_template_longer_than_one_segment_warns_with_its_count()
    {
        var warnings = WarningsWith(p => p.Obj("logistics")["invitation"] =
            "Le invitamos al curso de Justicia Procedimental de {dias} jornadas, desde el {fecha}, a las {hora} h, en {sede}. Le pedimos confirmar con OK. Atte. SSC-CDMX");

        Assert.Equal(["logistics.invitation: takes 2 segments with the longest values (204 GSM-7 characters; one segment holds 160)"], warnings);
    }

    [Fact]
    public void Dates_are_measured_with_the_calendars_own_weekdays_so_sabado_counts()
    {
        var protocol = ProtocolLoader.Load(With(p => p.Obj("calendar").Arr("weekdays").Add("saturday")));
        var warnings = protocol.Warnings.Select(w => w.ToString()).ToList();

        var invitation = protocol.TemplateMeasurements.Single(m => m.Path == "logistics.invitation");
        Assert.Equal(new SmsMeasure(SmsEncodingKind.Ucs2, 3, 157), invitation.Measure);
        Assert.Contains("sábado 30 de septiembre", invitation.WorstCaseText);
        Assert.Contains("logistics.invitation: is UCS-2 because of \"á\" and takes 3 segments with the longest values (157 UCS-2 characters); without those accents it would be GSM-7 and take 1", warnings);
    }

    [Fact]
    public void An_open_Saturday_is_measured_with_sabado_too()
    {
        var protocol = ProtocolLoader.Load(With(p => p.Obj("calendar")["openDates"] = new JsonArray("2026-10-10")));

        Assert.Equal(SmsEncodingKind.Ucs2, protocol.TemplateMeasurements.Single(m => m.Path == "logistics.invitation").Measure.Encoding);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(7)]
    public void There_are_five_or_six_reminders(int count)
    {
        var errors = ErrorsWith(p =>
        {
            var schedule = p.Obj("reminders").Arr("schedule");
            while (schedule.Count > count) schedule.RemoveAt(schedule.Count - 1);
            while (schedule.Count < count)
            {
                var extra = schedule[^1]!.DeepClone().AsObject();
                extra["offsetDays"] = (int)schedule[^1]!["offsetDays"]! + 2;
                schedule.Add(extra);
            }
        });

        Assert.Equal($"reminders.schedule: must have 5 or 6 reminders, got {count}", errors[^1]);
    }

    [Fact]
    public void Five_reminders_are_enough()
    {
        var protocol = ProtocolLoader.Load(With(p => p.Obj("reminders").Arr("schedule").RemoveAt(5)));

        Assert.Equal(5, protocol.Reminders!.Schedule.Length);
    }

    [Fact]
    public void Reminder_offsets_strictly_increase()
    {
        Assert.Equal(["reminders.schedule[3].offsetDays: must be greater than the previous reminder's (35), got 35"],
            ErrorsWith(p => p.Obj("reminders").Arr("schedule")[3]!["offsetDays"] = 35));
    }

    [Fact]
    public void A_reminder_is_sent_inside_the_quiet_hours_window()
    {
        Assert.Equal(["reminders.schedule[1].sendAt: 20:00 is outside quietHours 09:00–20:00, the hours when sending is allowed"],
            ErrorsWith(p => p.Obj("reminders").Arr("schedule")[1]!["sendAt"] = "20:00"));
    }

    [Fact]
    public void A_reminder_on_or_after_the_cut_off_is_refused()
    {
        Assert.Equal(["reminders.schedule[5].offsetDays: 93 is not before the cut-off on day 93 (endline.offsetDays 100 − cutoffDaysBeforeEndline 7)"],
            ErrorsWith(p => p.Obj("reminders").Arr("schedule")[5]!["offsetDays"] = 93));
    }

    [Theory]
    [InlineData("{\"offsetDays\": 100, \"date\": \"2027-03-01\"}", "reminders.endline: give either offsetDays or date, not both")]
    [InlineData("{}", "reminders.endline: needs offsetDays (after the last training day) or date")]
    [InlineData("{\"date\": \"2027-13-01\"}", "reminders.endline.date: must be a date as yyyy-MM-dd (e.g. \"2026-04-02\"), got \"2027-13-01\"")]
    [InlineData("{\"offsetDays\": 0}", "reminders.endline.offsetDays: must be between 1 and 730, got 0")]
    public void The_endline_is_an_offset_or_a_date(string value, string expected)
    {
        Assert.Equal([expected], ErrorsWith(p => p.Obj("reminders")["endline"] = JsonNode.Parse(value)));
    }

    [Fact]
    public void An_endline_date_is_used_as_is()
    {
        var protocol = ProtocolLoader.Load(With(p => p.Obj("reminders")["endline"] = new JsonObject { ["date"] = "2027-04-30" }));

        Assert.Equal(new DateOnly(2027, 4, 30), protocol.Reminders!.EndlineFor(new DateOnly(2026, 11, 20)));
        Assert.Equal(new DateOnly(2027, 4, 23), protocol.Reminders.CutoffFor(new DateOnly(2026, 11, 20)));
    }

    [Fact]
    public void The_reminders_section_is_optional()
    {
        var protocol = ProtocolLoader.Load(With(p => p.Remove("reminders")));

        Assert.Null(protocol.Reminders);
        Assert.Empty(protocol.Warnings);
    }

    [Theory]
    [InlineData("optOut", "[\"BAJA\", \" ok! \"]", "keywords.optOut[1]: \" ok! \" is already a keyword of acknowledge (keywords.acknowledge[0]) once case, accents, spaces and punctuation are ignored; a reply must mean one thing")]
    [InlineData("help", "[\"AYUDA\", \"baja\"]", "keywords.help[1]: \"baja\" is already a keyword of optOut (keywords.optOut[0]) once case, accents, spaces and punctuation are ignored; a reply must mean one thing")]
    [InlineData("optIn", "[]", "keywords.optIn: must list at least one keyword")]
    [InlineData("help", "[\"¿?\"]", "keywords.help[0]: \"¿?\" has no letter or digit; replies are matched ignoring case, accents, spaces and punctuation")]
    [InlineData("acknowledge", "\"OK\"", "keywords.acknowledge: must be an array, got the string \"OK\"")]
    public void Keyword_lists_are_non_empty_and_never_overlap_once_normalized(string category, string value, string expected)
    {
        Assert.Equal([expected], ErrorsWith(p => p.Obj("keywords")[category] = JsonNode.Parse(value)));
    }

    [Theory]
    [InlineData("providerOptOut", "[\"STOP\", \"ALTA\"]", "keywords.providerOptOut[1]: \"ALTA\" is already a keyword of optIn (keywords.optIn[0]) once case, accents, spaces and punctuation are ignored; a reply must mean one thing")]
    [InlineData("providerOptIn", "[\"START\", \"ok\"]", "keywords.providerOptIn[1]: \"ok\" is already a keyword of acknowledge (keywords.acknowledge[0]) once case, accents, spaces and punctuation are ignored; a reply must mean one thing")]
    [InlineData("providerOptIn", "[]", "keywords.providerOptIn: must list at least one keyword")]
    public void Provider_keyword_lists_mean_opt_out_and_opt_in_and_overlap_nothing_else(string category, string value, string expected)
    {
        Assert.Equal([expected], ErrorsWith(p => p.Obj("keywords")[category] = JsonNode.Parse(value)));
    }

    [Fact]
    public void A_provider_keyword_may_also_be_one_of_ours_with_the_same_meaning()
    {
        var protocol = ProtocolLoader.Load(With(p => p.Obj("keywords").Arr("optOut").Add("stop")));

        Assert.Equal(KeywordCategory.OptOut, protocol.Keywords.Classify("STOP"));
        Assert.Equal(ProviderAction.Block, protocol.Keywords.AtProvider("STOP"));
    }

    [Fact]
    public void Without_provider_lists_Twilios_keywords_apply_and_none_of_them_may_mean_anything_else()
    {
        var keywords = ProtocolLoader.Load(With(p => { p.Obj("keywords").Remove("providerOptOut"); p.Obj("keywords").Remove("providerOptIn"); })).Keywords;
        Assert.Equal(KeywordRules.TwilioOptOut, keywords.ProviderOptOut);
        Assert.Equal(KeywordRules.TwilioOptIn, keywords.ProviderOptIn);

        Assert.Equal(["keywords.acknowledge[5]: \"YES\" is an optIn keyword at the provider (Twilio's default keywords.providerOptIn); a reply must mean one thing"],
            ErrorsWith(p => { p.Obj("keywords").Remove("providerOptIn"); p.Obj("keywords").Arr("acknowledge").Add("Yes"); }));
    }

    [Fact]
    public void Spelling_variants_inside_one_category_are_fine()
    {
        Assert.Empty(Warnings(ProtocolLoader.DefaultJson()));
        Assert.Contains("SI", ProtocolLoader.LoadDefault().Keywords.Acknowledge);
        Assert.Contains("SÍ", ProtocolLoader.LoadDefault().Keywords.Acknowledge);
    }

    [Fact]
    public void Keyword_replies_take_no_placeholders()
    {
        Assert.Equal(["keywords.helpReply: unknown placeholder {sede}; this template takes no placeholders"],
            ErrorsWith(p => p.Obj("keywords")["helpReply"] = "Pregunte en {sede}. Atte. SSC-CDMX"));
    }

    [Fact]
    public void The_acknowledgment_window_is_a_few_days()
    {
        Assert.Equal(["keywords.acknowledgeWindowDays: must be between 1 and 60, got 0"], ErrorsWith(p => p.Obj("keywords")["acknowledgeWindowDays"] = 0));
    }
}
