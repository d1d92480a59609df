using System.Collections.Immutable;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Reminders.Protocol;

/// <summary>
/// Turns the file's JSON into a <see cref="StudyProtocol"/>, reporting every error at once with the field's path.
/// Sections are read even after an earlier one failed, so one run shows everything to fix.
/// </summary>
internal static partial class ProtocolParser
{
    static readonly string[] DayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
    static readonly ImmutableArray<DayOfWeek> WeekdaysWhenUnknown = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    // Twilio's guidance for Mexico: nothing between 21:00 and 09:00.
    static readonly TimeOnly CarrierEarliest = new(9, 0);
    static readonly TimeOnly CarrierLatest = new(21, 0);

    /// <summary>What template checks need from other sections.</summary>
    sealed class Context(IssueLog log)
    {
        public IssueLog Log { get; } = log;
        public ImmutableArray<DayOfWeek> WorkingWeekdays { get; set; } = WeekdaysWhenUnknown;
        public List<TemplateMeasurement> Measurements { get; } = [];
    }

    public static StudyProtocol? Parse(JsonElement root, IssueLog log)
    {
        var context = new Context(log);
        var r = JsonObjectReader.Open(root, "$", log);
        if (r is null) return null;

        var version = Version(r.Required("version"), log);
        var schemaVersion = SchemaVersion(r.Required("schemaVersion"), log);
        var zone = Zone(r.Required("timeZone"), log);
        var quietHours = QuietHours(r.Required("quietHours"), log);
        var (training, reopenWindowDays) = Training(r.Required("training"), log);
        var calendar = Calendar(r.Required("calendar"), log);
        // An open Saturday can put "sábado" into a date as surely as a working Saturday.
        if (calendar is not null) context.WorkingWeekdays = [.. calendar.Weekdays.Concat(calendar.OpenDates.Select(d => d.Date.DayOfWeek)).Distinct()];
        var logistics = Logistics(r.Required("logistics"), quietHours, context);
        var reminders = Reminders(r.Optional("reminders"), quietHours, context);
        var keywords = Keywords(r.Required("keywords"), context);
        var transfers = Transfers(r.Optional("transfers"), log);
        r.RejectUnknown();

        if (calendar is not null) WarnAboutOpenDatesThatChangeNothing(calendar, log);
        if (log.Errors.Count > 0) return null;
        return new StudyProtocol
        {
            Version = version!,
            SchemaVersion = schemaVersion!.Value,
            TimeZoneId = zone!.Id,
            TimeZone = zone,
            QuietHours = quietHours!,
            Training = training!,
            CohortReopenWindowDays = reopenWindowDays ?? StudyProtocol.DefaultCohortReopenWindowDays,
            Calendar = calendar!,
            Logistics = logistics!,
            Reminders = reminders,
            Keywords = keywords!,
            Transfers = transfers ?? TransferRules.Default,
            Fingerprint = ProtocolFingerprint.Of(root),
            Warnings = [.. log.Warnings],
            TemplateMeasurements = [.. context.Measurements],
        };
    }

    static string? Version(JsonElement? element, IssueLog log)
    {
        var version = Json.String(element, "version", log);
        if (version is null || VersionPattern().IsMatch(version)) return version;
        log.Error("version", $"must be 1 to 40 letters, digits, '.', '_' or '-' (e.g. \"2026-11-v1\"), got \"{version}\"");
        return null;
    }

    static int? SchemaVersion(JsonElement? element, IssueLog log)
    {
        var schema = Json.Int(element, "schemaVersion", log, 1, int.MaxValue);
        if (schema is null or ProtocolLoader.SchemaVersion) return schema;
        log.Error("schemaVersion", $"this build reads schema version {ProtocolLoader.SchemaVersion}, got {schema}");
        return null;
    }

    static TimeZoneInfo? Zone(JsonElement? element, IssueLog log)
    {
        var id = Json.String(element, "timeZone", log);
        if (id is null) return null;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            log.Error("timeZone", $"unknown time zone \"{id}\" (an IANA name such as \"America/Mexico_City\")");
            return null;
        }
    }

    static SendingWindow? QuietHours(JsonElement? element, IssueLog log)
    {
        var r = JsonObjectReader.Open(element, "quietHours", log);
        if (r is null) return null;
        var start = Json.Time(r.Required("start"), "quietHours.start", log);
        var end = Json.Time(r.Required("end"), "quietHours.end", log);
        r.RejectUnknown();
        if (start is null || end is null) return null;
        if (start >= end)
        {
            log.Error("quietHours", $"start ({Json.Time(start.Value)}) must be earlier than end ({Json.Time(end.Value)}): sending is allowed between them, and the window cannot cross midnight");
            return null;
        }
        if (start < CarrierEarliest)
            log.Warn("quietHours.start", $"{Json.Time(start.Value)} is earlier than 09:00; the carrier guidance for Mexico is not to send between 21:00 and 09:00");
        if (end > CarrierLatest)
            log.Warn("quietHours.end", $"{Json.Time(end.Value)} is later than 21:00; the carrier guidance for Mexico is not to send between 21:00 and 09:00");
        return new SendingWindow(start.Value, end.Value);
    }

    /// <summary>Each role's training, and how many days after closing a cohort a manager may reopen it.</summary>
    static (ByRole<TrainingRules>? Roles, int? ReopenWindowDays) Training(JsonElement? element, IssueLog log)
    {
        var r = JsonObjectReader.Open(element, "training", log);
        if (r is null) return (null, null);
        var officer = RoleTraining(r.Required(StudyRoles.Officer), r.Child(StudyRoles.Officer), log);
        var commander = RoleTraining(r.Required(StudyRoles.Commander), r.Child(StudyRoles.Commander), log);
        var reopenWindowDays = Json.Int(r.Optional("reopenWindowDays"), r.Child("reopenWindowDays"), log, 0, 90);
        r.RejectUnknown();
        return (officer is null || commander is null ? null : new(officer, commander), reopenWindowDays);
    }

    static TrainingRules? RoleTraining(JsonElement? element, string path, IssueLog log)
    {
        var r = JsonObjectReader.Open(element, path, log);
        if (r is null) return null;
        var days = Json.Int(r.Required("days"), r.Child("days"), log, 1, 10);
        var hours = Json.Int(r.Required("hoursPerDay"), r.Child("hoursPerDay"), log, 1, 12);
        var start = Json.Time(r.Required("defaultStart"), r.Child("defaultStart"), log);
        var eligibility = JsonObjectReader.Open(r.Required("eligibility"), r.Child("eligibility"), log);
        int? minSessions = null;
        if (eligibility is not null)
        {
            minSessions = Json.Int(eligibility.Required("minSessionsAttended"), eligibility.Child("minSessionsAttended"), log, 0, days ?? 10);
            eligibility.RejectUnknown();
        }
        r.RejectUnknown();
        if (days is null || hours is null || start is null || minSessions is null) return null;
        if (start.Value.ToTimeSpan() + TimeSpan.FromHours(hours.Value) >= TimeSpan.FromDays(1))
        {
            log.Error(r.Child("defaultStart"), $"a {hours}-hour day starting at {Json.Time(start.Value)} would end at or after midnight");
            return null;
        }
        return new TrainingRules(days.Value, hours.Value, start.Value, new Eligibility(minSessions.Value));
    }

    static CalendarRules? Calendar(JsonElement? element, IssueLog log)
    {
        var r = JsonObjectReader.Open(element, "calendar", log);
        if (r is null) return null;
        var weekdays = Weekdays(r.Required("weekdays"), log);
        var holidays = Json.String(r.Required("holidays"), "calendar.holidays", log) switch
        {
            null => (HolidayRule?)null,
            "mexico-federal" => HolidayRule.MexicoFederal,
            "none" => HolidayRule.None,
            var other => Fail<HolidayRule?>(log, "calendar.holidays", $"must be \"mexico-federal\" or \"none\", got \"{other}\""),
        };
        var closed = Dates(r.Optional("closedDates"), "calendar.closedDates", log);
        var open = Dates(r.Optional("openDates"), "calendar.openDates", log);
        r.RejectUnknown();
        if (closed is not null && open is not null)
        {
            var closedPaths = closed.Value.Select((d, i) => (d.Date, i)).ToDictionary(d => d.Date, d => d.i);
            for (var i = 0; i < open.Value.Length; i++)
                if (closedPaths.TryGetValue(open.Value[i].Date, out var j))
                    log.Error($"calendar.openDates[{i}]", $"{open.Value[i].Date:yyyy-MM-dd} is also in calendar.closedDates[{j}]; a date is either closed or open");
        }
        if (weekdays is null || holidays is null || closed is null || open is null) return null;
        return new CalendarRules(weekdays.Value, holidays.Value, closed.Value, open.Value);
    }

    static ImmutableArray<DayOfWeek>? Weekdays(JsonElement? element, IssueLog log)
    {
        var items = Json.Array(element, "calendar.weekdays", log);
        if (items is null) return null;
        if (items.Count == 0) { log.Error("calendar.weekdays", "must list at least one working weekday"); return null; }
        var days = new List<DayOfWeek>();
        var ok = true;
        foreach (var (item, path) in items)
        {
            var name = Json.String(item, path, log);
            var index = name is null ? -1 : Array.IndexOf(DayNames, name);
            if (name is not null && index < 0)
                log.Error(path, $"must be one of {string.Join(", ", DayNames.Skip(1).Append(DayNames[0]))}, got \"{name}\"");
            else if (index >= 0 && days.Contains((DayOfWeek)index))
                log.Error(path, $"\"{name}\" is listed twice");
            else if (index >= 0)
            {
                days.Add((DayOfWeek)index);
                continue;
            }
            ok = false;
        }
        return ok ? [.. days.OrderBy(d => ((int)d + 6) % 7)] : null;
    }

    /// <summary>A list of dates, each "yyyy-MM-dd" or {"date": "yyyy-MM-dd", "reason": "..."}; absent means none.</summary>
    static ImmutableArray<CalendarDate>? Dates(JsonElement? element, string path, IssueLog log)
    {
        if (element is null) return [];
        var items = Json.Array(element, path, log);
        if (items is null) return null;
        var dates = new List<CalendarDate>();
        var errors = log.Errors.Count;
        foreach (var (item, itemPath) in items)
        {
            var before = log.Errors.Count;
            CalendarDate? entry = null;
            if (item.ValueKind == JsonValueKind.Object)
            {
                var r = JsonObjectReader.Open(item, itemPath, log)!;
                var date = Json.Date(r.Required("date"), r.Child("date"), log);
                var reason = Json.String(r.Optional("reason"), r.Child("reason"), log);
                r.RejectUnknown();
                if (date is not null) entry = new CalendarDate(date.Value, reason);
            }
            else if (item.ValueKind == JsonValueKind.String)
            {
                if (Json.Date(item, itemPath, log) is { } date) entry = new CalendarDate(date, null);
            }
            else log.Error(itemPath, $"must be a date \"yyyy-MM-dd\" or an object with date and reason, got {Json.Describe(item)}");

            if (entry is null || log.Errors.Count > before) continue;
            var twice = dates.FindIndex(d => d.Date == entry.Date);
            if (twice >= 0) log.Error(itemPath, $"{entry.Date:yyyy-MM-dd} is listed twice (also {path}[{twice}])");
            else dates.Add(entry);
        }
        return log.Errors.Count == errors ? [.. dates.OrderBy(d => d.Date)] : null;
    }

    static void WarnAboutOpenDatesThatChangeNothing(CalendarRules calendar, IssueLog log)
    {
        var withoutOverrides = new WorkingDayCalendar(calendar with { OpenDates = [] });
        foreach (var open in calendar.OpenDates.Where(d => withoutOverrides.IsWorkingDay(d.Date)))
            log.Warn("calendar.openDates", $"{open.Date:yyyy-MM-dd} is a working day anyway; listing it changes nothing");
    }

    /// <summary>Optional: without it, a cross-arm transfer stops the officer's reminders (the conservative reading of intention to treat).</summary>
    static TransferRules? Transfers(JsonElement? element, IssueLog log)
    {
        if (element is null) return null;
        var r = JsonObjectReader.Open(element, "transfers", log);
        if (r is null) return null;
        var crossArm = TransferRules.Default.CrossArm;
        if (r.Optional("crossArm") is not null)
        {
            var text = Json.String(r.Optional("crossArm"), r.Child("crossArm"), log);
            if (text is not null && !Enum.TryParse(text, ignoreCase: true, out crossArm))
                log.Error(r.Child("crossArm"), $"must be \"continue\" or \"stop\", got \"{text}\"");
        }
        r.RejectUnknown();
        return new TransferRules(crossArm);
    }

    static LogisticsTemplates? Logistics(JsonElement? element, SendingWindow? window, Context context)
    {
        var r = JsonObjectReader.Open(element, "logistics", context.Log);
        if (r is null) return null;
        var dayBeforeSendAt = LogisticsTemplates.DefaultDayBeforeSendAt;
        var given = r.Optional("dayBeforeSendAt") is not null;
        if (given) dayBeforeSendAt = Json.Time(r.Optional("dayBeforeSendAt"), r.Child("dayBeforeSendAt"), context.Log) ?? dayBeforeSendAt;
        // The default is checked too: a window closing before 18:00 needs the time set.
        if (window is not null && !window.Contains(dayBeforeSendAt))
            context.Log.Error(r.Child("dayBeforeSendAt"), $"{Json.Time(dayBeforeSendAt)}{(given ? "" : " (the default; set dayBeforeSendAt)")} is outside quietHours {window}, the hours when sending is allowed");
        var invitation = Templates(r.Required("invitation"), r.Child("invitation"), SmsTemplateKind.Invitation, context);
        var dayBefore = Templates(r.Required("dayBefore"), r.Child("dayBefore"), SmsTemplateKind.DayBefore, context);
        var change = Templates(r.Required("changeNotice"), r.Child("changeNotice"), SmsTemplateKind.ChangeNotice, context);
        var cancellation = Templates(r.Required("cancellation"), r.Child("cancellation"), SmsTemplateKind.Cancellation, context);
        r.RejectUnknown();
        return invitation is null || dayBefore is null || change is null || cancellation is null
            ? null
            : new LogisticsTemplates(invitation, dayBefore, change, cancellation) { DayBeforeSendAt = dayBeforeSendAt };
    }

    static ReminderRules? Reminders(JsonElement? element, SendingWindow? window, Context context)
    {
        var log = context.Log;
        var r = JsonObjectReader.Open(element, "reminders", log);
        if (r is null) return null;

        var steps = new List<ReminderStep>();
        var stepsOk = true;
        var scheduleElement = r.Required("schedule");
        var items = Json.Array(scheduleElement, "reminders.schedule", log) ?? [];
        int? previousOffset = null;
        foreach (var (item, path) in items)
        {
            var s = JsonObjectReader.Open(item, path, log);
            if (s is null) { stepsOk = false; previousOffset = null; continue; }
            var theme = Json.String(s.Required("theme"), s.Child("theme"), log);
            var offset = Json.Int(s.Required("offsetDays"), s.Child("offsetDays"), log, 1, 365);
            var sendAt = Json.Time(s.Required("sendAt"), s.Child("sendAt"), log);
            var template = Templates(s.Required("template"), s.Child("template"), SmsTemplateKind.Reminder, context);
            s.RejectUnknown();
            if (offset is not null && previousOffset is not null && offset <= previousOffset)
            {
                log.Error(s.Child("offsetDays"), $"must be greater than the previous reminder's ({previousOffset}), got {offset}");
                offset = null;
            }
            if (sendAt is not null && window is not null && !window.Contains(sendAt.Value))
            {
                log.Error(s.Child("sendAt"), $"{Json.Time(sendAt.Value)} is outside quietHours {window}, the hours when sending is allowed");
                sendAt = null;
            }
            previousOffset = offset ?? previousOffset;
            if (theme is null || offset is null || sendAt is null || template is null) { stepsOk = false; continue; }
            steps.Add(new ReminderStep(steps.Count + 1, theme, offset.Value, sendAt.Value, template));
        }
        if (scheduleElement is { ValueKind: JsonValueKind.Array } && items.Count is not (5 or 6))
        {
            log.Error("reminders.schedule", $"must have 5 or 6 reminders, got {items.Count}");
            stepsOk = false;
        }

        var endline = Endline(r.Required("endline"), log);
        var cutoff = Json.Int(r.Required("cutoffDaysBeforeEndline"), "reminders.cutoffDaysBeforeEndline", log, 0, 90);
        var lateWindow = r.Optional("lateWindowDays") is { } lateElement
            ? Json.Int(lateElement, "reminders.lateWindowDays", log, 0, 30)
            : ReminderRules.DefaultLateWindowDays;
        r.RejectUnknown();

        if (endline?.OffsetDays is { } endlineOffset && cutoff is not null)
        {
            var lastDay = endlineOffset - cutoff.Value;
            foreach (var step in steps.Where(s => s.OffsetDays >= lastDay))
            {
                log.Error($"reminders.schedule[{step.Number - 1}].offsetDays",
                    $"{step.OffsetDays} is not before the cut-off on day {lastDay} (endline.offsetDays {endlineOffset} − cutoffDaysBeforeEndline {cutoff})");
                stepsOk = false;
            }
        }
        return stepsOk && endline is not null && cutoff is not null && lateWindow is not null
            ? new ReminderRules([.. steps], endline, cutoff.Value) { LateWindowDays = lateWindow.Value }
            : null;
    }

    static Endline? Endline(JsonElement? element, IssueLog log)
    {
        var r = JsonObjectReader.Open(element, "reminders.endline", log);
        if (r is null) return null;
        var offset = Json.Int(r.Optional("offsetDays"), "reminders.endline.offsetDays", log, 1, 730);
        var date = Json.Date(r.Optional("date"), "reminders.endline.date", log);
        r.RejectUnknown();
        if (r.Has("offsetDays") == r.Has("date"))
        {
            log.Error("reminders.endline", r.Has("date") ? "give either offsetDays or date, not both" : "needs offsetDays (after the last training day) or date");
            return null;
        }
        return offset is null && date is null ? null : new Endline(offset, date);
    }

    static KeywordRules? Keywords(JsonElement? element, Context context)
    {
        var log = context.Log;
        var r = JsonObjectReader.Open(element, "keywords", log);
        if (r is null) return null;
        var seen = new Dictionary<string, (string Category, string Path)>(StringComparer.Ordinal);
        var acknowledge = KeywordList(r, "acknowledge", seen, log);
        var optOut = KeywordList(r, "optOut", seen, log);
        var optIn = KeywordList(r, "optIn", seen, log);
        var help = KeywordList(r, "help", seen, log);
        var providerOptOut = ProviderKeywordList(r, "providerOptOut", "optOut", KeywordRules.TwilioOptOut, seen, log);
        var providerOptIn = ProviderKeywordList(r, "providerOptIn", "optIn", KeywordRules.TwilioOptIn, seen, log);
        var window = Json.Int(r.Required("acknowledgeWindowDays"), "keywords.acknowledgeWindowDays", log, 1, 60);
        var helpReply = Templates(r.Required("helpReply"), "keywords.helpReply", SmsTemplateKind.HelpReply, context);
        var optOutConfirmation = Templates(r.Required("optOutConfirmation"), "keywords.optOutConfirmation", SmsTemplateKind.OptOutConfirmation, context);
        r.RejectUnknown();
        if (acknowledge is null || optOut is null || optIn is null || help is null || providerOptOut is null || providerOptIn is null
            || window is null || helpReply is null || optOutConfirmation is null)
            return null;
        return new KeywordRules(acknowledge.Value, optOut.Value, optIn.Value, help.Value, window.Value, helpReply, optOutConfirmation)
        {
            ProviderOptOut = providerOptOut.Value,
            ProviderOptIn = providerOptIn.Value,
        };
    }

    /// <summary>
    /// The provider's own keywords, which mean <paramref name="meaning"/> (optOut or optIn) to us too. Without the field,
    /// Twilio's defaults: the provider acts on them whatever the file says, so none may mean anything else here.
    /// </summary>
    static ImmutableArray<string>? ProviderKeywordList(JsonObjectReader r, string field, string meaning, ImmutableArray<string> defaults,
        Dictionary<string, (string Category, string Path)> seen, IssueLog log)
    {
        if (r.Has(field)) return KeywordList(r, field, seen, log, meaning);
        r.Optional(field);
        var ok = true;
        foreach (var keyword in defaults)
        {
            if (!seen.TryGetValue(KeywordRules.Normalize(keyword), out var earlier) || earlier.Category == meaning) continue;
            log.Error(earlier.Path, $"\"{keyword}\" is an {meaning} keyword at the provider (Twilio's default {r.Child(field)}); a reply must mean one thing");
            ok = false;
        }
        return ok ? defaults : null;
    }

    static ImmutableArray<string>? KeywordList(JsonObjectReader r, string category, Dictionary<string, (string Category, string Path)> seen, IssueLog log,
        string? meaning = null)
    {
        // A provider list shares its meaning with ours: STOP may be in both optOut and providerOptOut, never in optIn.
        meaning ??= category;
        var element = r.Required(category);
        if (element is null) return null;
        var listPath = r.Child(category);
        var items = Json.Array(element, listPath, log);
        if (items is null) return null;
        if (items.Count == 0) { log.Error(listPath, "must list at least one keyword"); return null; }
        var keywords = new List<string>();
        var ok = true;
        foreach (var (item, path) in items)
        {
            var keyword = Json.String(item, path, log);
            if (keyword is null) { ok = false; continue; }
            var key = KeywordRules.Normalize(keyword);
            if (key.Length == 0)
            {
                log.Error(path, $"\"{keyword}\" has no letter or digit; replies are matched ignoring case, accents, spaces and punctuation");
                ok = false;
                continue;
            }
            if (seen.TryGetValue(key, out var earlier) && earlier.Category != meaning)
            {
                log.Error(path, $"\"{keyword}\" is already a keyword of {earlier.Category} ({earlier.Path}) once case, accents, spaces and punctuation are ignored; a reply must mean one thing");
                ok = false;
                continue;
            }
            seen.TryAdd(key, (meaning, path));
            keywords.Add(keyword);
        }
        return ok ? [.. keywords] : null;
    }

    /// <summary>A template for both roles (a string) or one per role ({"officer": ..., "commander": ...}).</summary>
    static ByRole<SmsTemplate>? Templates(JsonElement? element, string path, SmsTemplateKind kind, Context context)
    {
        if (element is not { } e) return null;
        if (e.ValueKind == JsonValueKind.String)
        {
            var shared = Template(e, path, kind, context);
            return shared is null ? null : new(shared, shared);
        }
        if (e.ValueKind != JsonValueKind.Object)
        {
            context.Log.Error(path, $"must be a text for both roles, or an object with one text per role (officer, commander), got {Json.Describe(e)}");
            return null;
        }
        var r = JsonObjectReader.Open(e, path, context.Log)!;
        var officer = Template(r.Required(StudyRoles.Officer), r.Child(StudyRoles.Officer), kind, context);
        var commander = Template(r.Required(StudyRoles.Commander), r.Child(StudyRoles.Commander), kind, context);
        r.RejectUnknown();
        return officer is null || commander is null ? null : new(officer, commander);
    }

    static SmsTemplate? Template(JsonElement? element, string path, SmsTemplateKind kind, Context context)
    {
        var log = context.Log;
        var text = Json.String(element, path, log);
        if (text is null) return null;
        var errors = log.Errors.Count;
        var (parts, problems) = SmsTemplate.Scan(text);
        foreach (var problem in problems) log.Error(path, problem);

        var allowed = SmsPlaceholders.Allowed(kind);
        var used = parts.Where(p => p.IsPlaceholder).Select(p => p.Value).Distinct().ToList();
        foreach (var name in used.Where(n => !allowed.Contains(n)))
            log.Error(path, allowed.IsEmpty
                ? $"unknown placeholder {{{name}}}; this template takes no placeholders"
                : $"unknown placeholder {{{name}}}; allowed here: {string.Join(", ", allowed.Select(a => $"{{{a}}}"))}");
        foreach (var name in SmsPlaceholders.Required(kind).Where(n => !used.Contains(n)))
            log.Error(path, $"missing placeholder {{{name}}} ({Describe(kind)} must give {string.Join(", ", SmsPlaceholders.Required(kind).Select(a => $"{{{a}}}"))})");
        if (log.Errors.Count > errors) return null;

        var template = new SmsTemplate(kind, text);
        Measure(template, path, context);
        return template;
    }

    static string Describe(SmsTemplateKind kind) => kind switch
    {
        SmsTemplateKind.Invitation => "an invitation",
        SmsTemplateKind.DayBefore => "a day-before reminder",
        SmsTemplateKind.ChangeNotice => "a change notice",
        SmsTemplateKind.Cancellation => "a cancellation",
        _ => kind.ToString(),
    };

    /// <summary>Records the template's worst case and warns when it costs more than one segment or more than it needs to.</summary>
    static void Measure(SmsTemplate template, string path, Context context)
    {
        var (text, measure) = SmsPlaceholders.WorstCases(context.WorkingWeekdays)
            .Select(values => template.Render(values))
            .Select(rendered => (Text: rendered, Measure: SmsEncoding.Measure(rendered)))
            .OrderByDescending(c => c.Measure.Segments).ThenByDescending(c => c.Measure.Length)
            .First();
        context.Measurements.Add(new TemplateMeasurement(path, measure, text));

        var units = measure.Encoding == SmsEncodingKind.Gsm7 ? "GSM-7 characters" : "UCS-2 characters";
        var worst = template.Placeholders.IsEmpty ? "" : " with the longest values";
        if (measure.Encoding == SmsEncodingKind.Ucs2)
        {
            var (offending, folded) = SmsEncoding.FoldToGsm7(text);
            if (folded is not null && SmsEncoding.Measure(folded) is { } cheaper && cheaper.Segments < measure.Segments)
            {
                context.Log.Warn(path, $"is UCS-2 because of {string.Join(" ", offending.Select(c => $"\"{c}\""))} and takes {measure.Segments} segments{worst} "
                    + $"({measure.Length} {units}); without those accents it would be GSM-7 and take {cheaper.Segments}");
                return;
            }
        }
        if (measure.Segments > 1)
            context.Log.Warn(path, $"takes {measure.Segments} segments{worst} ({measure.Length} {units}; one segment holds "
                + $"{(measure.Encoding == SmsEncodingKind.Gsm7 ? SmsEncoding.Gsm7SingleSegment : SmsEncoding.Ucs2SingleSegment)})");
    }

    static T Fail<T>(IssueLog log, string path, string message)
    {
        log.Error(path, message);
        return default!;
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();
}
