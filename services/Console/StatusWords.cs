using Microsoft.Extensions.Localization;

namespace Reminders.Web;

/// <summary>
/// The one lookup of status and reason words over <see cref="Words"/>: whatever a service calls a state ("queued",
/// "dispatched", "planned"), the page shows the study's word for it (pendiente, enviado, entregado, no entregado, fallido,
/// omitido (motivo), rechazado (motivo)).
/// </summary>
public static class StatusWords
{
    /// <summary>Enrollment's study statuses, in the order a manager chooses among them.</summary>
    public static readonly IReadOnlyList<string> OfficerStatuses = ["active", "sms_opted_out", "wrong_number", "withdrawn", "inactive"];

    /// <summary>The shared status (Words.Status_*) for an SMS state as any service reports it, reminders' and the provider's alike; "" when unknown.</summary>
    public static string SmsStatusKey(string? status) => status switch
    {
        "pending" or "new" or "retrying" or "deferred" or "planned" => "pending",
        "accepted" or "queued" or "sending" or "sent" or "scheduled" or "dispatched" => "sent",
        "delivered" or "read" => "delivered",
        "undelivered" => "undelivered",
        "failed" => "failed",
        "skipped" => "skipped",
        "refused" => "refused",
        "cancelled" or "canceled" => "cancelled",
        _ => "",
    };

    /// <summary>"entregado"; an unknown state as the service wrote it.</summary>
    public static string Sms(this IStringLocalizer<Words> words, string? status) =>
        SmsStatusKey(status) is { Length: > 0 } key ? words["Status_" + key] : status ?? "";

    /// <summary>"omitido (sin consentimiento para SMS)": the status with its reason in words, when it has one.</summary>
    public static string Sms(this IStringLocalizer<Words> words, string? status, string? reason) =>
        string.IsNullOrEmpty(reason) ? words.Sms(status) : words["StatusWithReason", words.Sms(status), words.Reason(reason)];

    /// <summary>A reason code (ours or the SMS provider's) in words; an unknown one as the code itself, to be looked up.</summary>
    public static string Reason(this IStringLocalizer<Words> words, string reason) =>
        words["Reason_" + reason] is { ResourceNotFound: false } text ? text.Value : reason;

    /// <summary>A reason code in words; an unknown one says where to look (a provider's code) or whom to tell (ours).</summary>
    public static string ReasonExplained(this IStringLocalizer<Words> words, string reason) =>
        words["Reason_" + reason] is { ResourceNotFound: false } text ? text.Value
            : words[reason.All(char.IsAsciiDigit) ? "Reason_UnknownProviderCode" : "Reason_Unknown"];

    /// <summary>An officer's study status ("retirado del estudio").</summary>
    public static string OfficerStatus(this IStringLocalizer<Words> words, string? status) => Named(words, "OfficerStatus_", status);

    /// <summary>A training session's status (programada, cancelada, realizada).</summary>
    public static string SessionStatus(this IStringLocalizer<Words> words, string? status) => Named(words, "SessionStatus_", status);

    /// <summary>A cohort's status (programado, cancelado, realizado).</summary>
    public static string CohortStatus(this IStringLocalizer<Words> words, string? status) => Named(words, "CohortStatus_", status);

    /// <summary>An attendance mark (asistió, llegó tarde, salió antes, faltó, falta justificada).</summary>
    public static string Attendance(this IStringLocalizer<Words> words, string? mark) => Named(words, "Attendance_", mark);

    static string Named(IStringLocalizer<Words> words, string prefix, string? value) =>
        value is { Length: > 0 } && words[prefix + value] is { ResourceNotFound: false } text ? text.Value : value ?? "";
}
