using System.Collections.Immutable;

namespace Reminders.Protocol;

/// <summary>One finding about a protocol file: the field's JSON path ("training.officer.hoursPerDay", "$" for the whole file) and what is wrong.</summary>
public sealed record ProtocolIssue(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>A template's cost with the longest values its placeholders can take.</summary>
public sealed record TemplateMeasurement(string Path, SmsMeasure Measure, string WorstCaseText);

/// <summary>The outcome of reading a protocol file: the protocol when there are no errors, and every error and warning found.</summary>
public sealed record ProtocolValidation(StudyProtocol? Protocol, ImmutableArray<ProtocolIssue> Errors, ImmutableArray<ProtocolIssue> Warnings)
{
    public bool IsValid => Errors.IsEmpty;
}

/// <summary>A protocol file was refused. <see cref="Errors"/> holds every error found, not only the first.</summary>
public sealed class ProtocolException(string source, IReadOnlyList<ProtocolIssue> errors)
    : Exception($"The study protocol ({source}) is invalid, {errors.Count} error{(errors.Count == 1 ? "" : "s")}:"
        + string.Concat(errors.Select(e => $"{Environment.NewLine}  {e}")))
{
    /// <summary>The file path, or "embedded default".</summary>
    public string Origin => source;
    public IReadOnlyList<ProtocolIssue> Errors => errors;
}
