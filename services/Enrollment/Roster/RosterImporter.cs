using System.Text.Json;
using Reminders.Contracts;
using Reminders.Enrollment.Officers;
using Reminders.Platform.Csv;
using Reminders.Platform.Data;

namespace Reminders.Enrollment.Roster;

public enum RosterImportMode { DryRun, Apply, ApplyValid }

public sealed record RosterImportOptions(
    RosterImportMode Mode, bool FullRoster = false, bool ConfirmInactive = false, DateOnly? TransferDate = null, string ImportedBy = "");

public sealed record InactiveCandidate(Guid OfficerId, string Badge, string SectorCode);

public sealed record RosterImportReport
{
    public string Mode { get; init; } = "";
    public string Encoding { get; init; } = "";
    public int Rows { get; init; }
    public int Imported { get; init; }
    public int Updated { get; init; }
    public int Unchanged { get; init; }
    public int Transferred { get; init; }
    public int CrossArmTransfers { get; init; }
    public int Reactivated { get; init; }
    public int Inactivated { get; init; }
    /// <summary>Officers with a wrong number whose row brings another valid phone: active again.</summary>
    public int PhonesCorrected { get; init; }
    public IReadOnlyList<RosterError> Rejected { get; init; } = [];
    /// <summary>With a full roster: active officers missing from it, who become inactive only once the manager confirms.</summary>
    public IReadOnlyList<InactiveCandidate> WouldBecomeInactive { get; init; } = [];
    /// <summary>dry-run and apply-valid: the rejected rows in their original columns plus an "import_error" column, to fix and upload again.</summary>
    public string? RejectsCsv { get; init; }
    /// <summary>The rejects file as bytes in <see cref="RejectsEncoding"/> (base64 in JSON): what to save and open in a spreadsheet.</summary>
    public byte[]? RejectsFile { get; init; }
    /// <summary>The rejects file's delimiter, the upload's: comma, semicolon or tab.</summary>
    public string? RejectsDelimiter { get; init; }
    /// <summary>The rejects file's encoding, the upload's (utf-8, utf-8-bom, utf-16le, utf-16be, windows-1252), or utf-8-bom when Windows-1252 cannot hold a character of it.</summary>
    public string? RejectsEncoding { get; init; }
    /// <summary>Whether anything was written.</summary>
    public bool Written { get; init; }
}

/// <summary>
/// Imports a roster: dry-run writes nothing, apply is all or nothing, apply-valid writes the good rows. Re-importing
/// is an update: a new phone goes to Messaging, a new sector is a transfer with its date (flagged when it crosses
/// arms), a role change is announced, and a full roster shows who would become inactive before anyone does.
/// </summary>
public sealed class RosterImporter(
    EnrollmentDatabase database, TimeProvider clock, IConfiguration configuration)
{
    static readonly TimeZoneInfo MexicoCity = TimeZoneInfo.FindSystemTimeZoneById("America/Mexico_City");

    IReadOnlyCollection<string> AllowedPhoneRegions =>
        configuration.GetSection("Enrollment:AllowedPhoneRegions").Get<string[]>() is { Length: > 0 } regions ? regions : ["MX"];

    public async Task<RosterImportReport> ImportAsync(byte[] file, RosterImportOptions options, CancellationToken ct)
    {
        var (text, encoding) = CsvText.Decode(file);
        var parsed = RosterParser.Parse(text, AllowedPhoneRegions);
        var rejected = parsed.Errors.ToList();
        var rejectedLines = parsed.RejectedRows.Keys.ToHashSet();
        var now = clock.GetUtcNow();
        var transferDate = options.TransferDate ?? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, MexicoCity).DateTime);

        await using var work = await database.BeginAsync(ct);
        await work.LockAsync("roster-import", ct);
        var sectors = (await work.QueryAsync<SectorRow>("SELECT id, code, arm, randomization_id FROM sectors", ct: ct))
            .ToDictionary(s => s.Code, StringComparer.OrdinalIgnoreCase);
        var sectorsById = sectors.Values.ToDictionary(s => s.Id);
        var officers = (await work.QueryAsync<OfficerRow>("""
            SELECT id, badge, sector_id, phone_e164, name, role,
                   consent, attributes, status, randomized_arm
            FROM officers
            """, ct: ct)).ToDictionary(o => o.Badge, StringComparer.OrdinalIgnoreCase);

        // Officers this import makes inactive (missing from a confirmed full roster) give up their phone with those already inactive.
        var unreadable = parsed.Errors.Any(e => e.Line == 1);
        var missing = new List<InactiveCandidate>();
        if (options.FullRoster && !unreadable)
        {
            var present = parsed.Rows.Select(r => r.Badge).Concat(parsed.RejectedRows.Values.Select(BadgeOf(parsed.Header)))
                .ToHashSet(StringComparer.OrdinalIgnoreCase);
            missing = officers.Values.Where(o => o.Status == OfficerStatuses.Active && !present.Contains(o.Badge))
                .Select(o => new InactiveCandidate(o.Id, o.Badge, sectorsById.GetValueOrDefault(o.SectorId)?.Code ?? ""))
                .OrderBy(o => o.Badge, StringComparer.Ordinal).ToList();
        }
        var givingUpPhones = options.ConfirmInactive ? missing.Select(m => m.Badge).ToHashSet(StringComparer.OrdinalIgnoreCase) : [];

        // Phones as they will be once the file is applied: a swap between two officers is fine, a shared phone is not, and an
        // inactive officer's phone is free for someone else (an inactive officer back on the roster claims it by their row).
        // A rejected row keeps its officer's old phone, which may reject another row in turn: repeat until none is added.
        var refused = parsed.Rows.Where(r => !sectors.ContainsKey(r.SectorCode)).ToDictionary(r => r.Line, r => new List<RosterError>
            { new(r.Line, "sector", r.SectorCode, $"Sector {r.SectorCode} is not registered; load the sectors first.") });
        Dictionary<string, string> finalPhoneOwner;
        bool more;
        do
        {
            var candidates = parsed.Rows.Where(r => !refused.ContainsKey(r.Line)).ToList();
            finalPhoneOwner = officers.Values.Where(o => o.Status != OfficerStatuses.Inactive && !givingUpPhones.Contains(o.Badge))
                .ToDictionary(o => o.PhoneE164, o => o.Badge);
            foreach (var row in candidates)
                if (officers.TryGetValue(row.Badge, out var previous) && finalPhoneOwner.GetValueOrDefault(previous.PhoneE164) == previous.Badge)
                    finalPhoneOwner.Remove(previous.PhoneE164);
            more = false;
            foreach (var row in candidates)
                if (finalPhoneOwner.TryGetValue(row.PhoneE164, out var owner) && !string.Equals(owner, row.Badge, StringComparison.OrdinalIgnoreCase))
                {
                    refused[row.Line] = [new RosterError(row.Line, "phone", row.PhoneE164, $"This phone belongs to officer {owner}.")];
                    more = true;
                }
                else finalPhoneOwner[row.PhoneE164] = row.Badge;
        } while (more);
        foreach (var row in parsed.Rows.Where(r => refused.ContainsKey(r.Line)))
            if (refused[row.Line][0].Column == "sector" && finalPhoneOwner.TryGetValue(row.PhoneE164, out var owner)
                && !string.Equals(owner, row.Badge, StringComparison.OrdinalIgnoreCase))
                refused[row.Line].Add(new RosterError(row.Line, "phone", row.PhoneE164, $"This phone belongs to officer {owner}."));
        rejected.AddRange(refused.Values.SelectMany(e => e));
        rejectedLines.UnionWith(refused.Keys);
        var accepted = parsed.Rows.Where(r => !refused.ContainsKey(r.Line)).ToList();

        // A file whose header cannot be read has no rows to go by: it writes nothing and makes nobody inactive.
        var write = !unreadable && (options.Mode == RosterImportMode.ApplyValid || (options.Mode == RosterImportMode.Apply && rejected.Count == 0));
        int inactivated = 0;
        // Before any row is written, so a phone handed from an officer leaving the roster to a new one is free when it is given.
        if (write && options.ConfirmInactive)
            foreach (var candidate in missing)
            {
                await OfficerStatusChanges.ChangeAsync(work, candidate.OfficerId, OfficerStatuses.Active, OfficerStatuses.Inactive,
                    StatusSources.Import, options.ImportedBy, "missing from a full roster", now, ct);
                inactivated++;
            }
        int imported = 0, updated = 0, unchanged = 0, transferred = 0, crossArm = 0, reactivated = 0, phonesCorrected = 0;
        foreach (var row in accepted)
        {
            var sector = sectors[row.SectorCode];
            var attributes = JsonSerializer.Serialize(row.Attributes);
            if (!officers.TryGetValue(row.Badge, out var existing))
            {
                imported++;
                if (!write) continue;
                var officerId = Guid.CreateVersion7();
                // Officers enrolled after randomization take their sector's arm.
                await work.ExecuteAsync("""
                    INSERT INTO officers (id, badge, name, role, sector_id, phone_e164, consent, attributes, status, randomized_arm, search_text, created_at, updated_at)
                    VALUES (@officerId, @Badge, @Name, @Role, @sectorId, @PhoneE164, @Consent, @attributes, 'active', @arm, @search, @now, @now)
                    """, new { officerId, row.Badge, row.Name, row.Role, sectorId = sector.Id, row.PhoneE164, row.Consent, attributes, arm = sector.Arm,
                        search = OfficerSearch.Text(row.Badge, row.Name), now }, ct);
                work.Publish(new OfficerEnrolled(officerId, sector.Id, row.Role, now, row.Consent));
                work.Send(QueueNames.UpdateOfficerContact, new UpdateOfficerContact(officerId, row.PhoneE164, now));
                if (sector is { Arm: { } joinedArm, RandomizationId: { } randomizationId })
                    work.Publish(new OfficerArmsAssigned(randomizationId, [new OfficerArm(officerId, sector.Id, joinedArm, EnrolledAfterRandomization: true)], now));
                continue;
            }

            var changed = false;
            if (existing.SectorId != sector.Id)
            {
                var fromArm = sectorsById.GetValueOrDefault(existing.SectorId)?.Arm;
                // Across arms means away from the arm the officer was randomized in, not only from the sector left.
                var armOfOfficer = existing.RandomizedArm ?? fromArm;
                var isCrossArm = armOfOfficer is not null && sector.Arm is not null && armOfOfficer != sector.Arm;
                transferred++;
                if (isCrossArm) crossArm++;
                changed = true;
                if (write)
                {
                    await work.ExecuteAsync("""
                        INSERT INTO officer_transfers (officer_id, from_sector_id, to_sector_id, from_arm, to_arm, cross_arm, transferred_on, recorded_by, recorded_at)
                        VALUES (@Id, @fromSector, @toSector, @fromArm, @toArm, @isCrossArm, @on, @by, @now)
                        """, new { existing.Id, fromSector = existing.SectorId, toSector = sector.Id, fromArm, toArm = sector.Arm, isCrossArm,
                            on = transferDate.ToString("yyyy-MM-dd"), by = options.ImportedBy, now }, ct);
                    // The arm of randomization stays for analysis; a cross-arm move is flagged.
                    await work.ExecuteAsync("""
                        UPDATE officers SET sector_id = @toSector, cross_arm_transfer = CASE WHEN @isCrossArm THEN @flag ELSE cross_arm_transfer END,
                            randomized_arm = COALESCE(randomized_arm, @toArm), updated_at = @now WHERE id = @Id
                        """, new { existing.Id, toSector = sector.Id, isCrossArm, flag = true, toArm = sector.Arm, now }, ct);
                    work.Publish(new OfficerTransferred(existing.Id, existing.SectorId, sector.Id, isCrossArm, transferDate, now));
                    // Never randomized (their sector had no arm): they take the arm of the sector they join, like a late enrollee.
                    if (existing.RandomizedArm is null && sector is { Arm: { } joinedArm, RandomizationId: { } randomizationId })
                        work.Publish(new OfficerArmsAssigned(randomizationId, [new OfficerArm(existing.Id, sector.Id, joinedArm, EnrolledAfterRandomization: true)], now));
                }
            }
            if (existing.PhoneE164 != row.PhoneE164)
            {
                changed = true;
                if (write) work.Send(QueueNames.UpdateOfficerContact, new UpdateOfficerContact(existing.Id, row.PhoneE164, now));
            }
            if (existing.Role != row.Role)
            {
                changed = true;
                if (write) work.Publish(new OfficerChanged(existing.Id, row.Role, now));
            }
            if (existing.Consent != row.Consent)
            {
                changed = true;
                // Takes effect from now: what was sent stays sent, what is still owed follows the new consent.
                if (write) work.Publish(new OfficerConsentChanged(existing.Id, row.Consent, now));
            }
            changed |= existing.Name != row.Name || existing.Attributes != attributes;
            if (changed && write)
                await work.ExecuteAsync("""
                    UPDATE officers SET name = @Name, role = @Role, phone_e164 = @PhoneE164, consent = @Consent, attributes = @attributes,
                        consent_changed_at = CASE WHEN consent <> @Consent THEN @now ELSE consent_changed_at END, search_text = @search, updated_at = @now
                    WHERE id = @Id
                    """, new { existing.Id, row.Name, row.Role, row.PhoneE164, row.Consent, attributes, search = OfficerSearch.Text(row.Badge, row.Name), now }, ct);
            // Back on the roster: inactive becomes active again. An opt-out or a withdrawal is never undone by an import.
            if (existing.Status == OfficerStatuses.Inactive)
            {
                reactivated++;
                changed = true;
                if (write)
                    await OfficerStatusChanges.ChangeAsync(work, existing.Id, existing.Status, OfficerStatuses.Active, StatusSources.Import,
                        options.ImportedBy, "back on the roster", now, ct);
            }
            // A new, valid phone for a wrong number is its correction: SMS may reach the officer again.
            if (existing.Status == OfficerStatuses.WrongNumber && existing.PhoneE164 != row.PhoneE164)
            {
                phonesCorrected++;
                if (write)
                    await OfficerStatusChanges.ChangeAsync(work, existing.Id, existing.Status, OfficerStatuses.Active, StatusSources.Import,
                        options.ImportedBy, "phone number corrected", now, ct);
            }
            if (changed) updated++; else unchanged++;
        }

        if (write) await work.CommitAsync(ct);
        // The rejects go back as the file came (delimiter and encoding), so the spreadsheet opens them in columns again.
        var delimiter = CsvText.DetectDelimiter(text);
        // A dry run gives the file apply-valid would leave, so the bad rows can be fixed before anything is written.
        var rejects = options.Mode != RosterImportMode.Apply && rejected.Count > 0 ? RejectsCsv(parsed, rejected, rejectedLines, delimiter) : null;
        var rejectsFile = rejects is null ? default : CsvText.Encode(rejects, encoding);
        return new RosterImportReport
        {
            Mode = options.Mode switch { RosterImportMode.DryRun => "dry-run", RosterImportMode.Apply => "apply", _ => "apply-valid" },
            Encoding = encoding,
            Rows = parsed.Rows.Count + parsed.RejectedRows.Count,
            Imported = imported, Updated = updated, Unchanged = unchanged, Transferred = transferred, CrossArmTransfers = crossArm,
            Reactivated = reactivated, Inactivated = inactivated, PhonesCorrected = phonesCorrected,
            Rejected = rejected.OrderBy(e => e.Line).ToList(),
            WouldBecomeInactive = missing,
            RejectsCsv = rejects,
            RejectsFile = rejectsFile.Bytes,
            RejectsDelimiter = rejects is null ? null : CsvText.DelimiterName(delimiter),
            RejectsEncoding = rejectsFile.Encoding,
            Written = write,
        };
    }

    static Func<IReadOnlyList<string>, string> BadgeOf(IReadOnlyList<string> header)
    {
        var index = RosterParser.BadgeColumn(header);
        return fields => index >= 0 && index < fields.Count ? fields[index].Trim() : "";
    }

    /// <summary>The rejected rows as the manager sent them, with the reasons in a last "error" column.</summary>
    static string RejectsCsv(RosterParseResult parsed, List<RosterError> errors, HashSet<int> lines, char delimiter)
    {
        var byLine = parsed.Rows.ToDictionary(r => r.Line, r => (IReadOnlyList<string>)r.RawFields);
        foreach (var (line, fields) in parsed.RejectedRows) byLine[line] = fields;
        var reasons = errors.GroupBy(e => e.Line).ToDictionary(g => g.Key, g => string.Join("; ", g.Select(e => $"{e.Column}: {e.Reason}")));
        var csv = new System.Text.StringBuilder(CsvText.Line(parsed.Header.Append(RosterParser.ImportErrorColumn), delimiter));
        foreach (var line in lines.Where(byLine.ContainsKey).Order())
        {
            // A short row is padded, so that its reasons stay under their own column.
            var fields = byLine[line].Concat(Enumerable.Repeat("", parsed.Header.Count)).Take(parsed.Header.Count);
            csv.Append(CsvText.Line(fields.Append(reasons.GetValueOrDefault(line, "")), delimiter));
        }
        return csv.ToString();
    }

    sealed record SectorRow
    {
        public Guid Id { get; init; }
        public string Code { get; init; } = "";
        public string? Arm { get; init; }
        public Guid? RandomizationId { get; init; }
    }

    sealed record OfficerRow
    {
        public Guid Id { get; init; }
        public string Badge { get; init; } = "";
        public Guid SectorId { get; init; }
        public string PhoneE164 { get; init; } = "";
        public string Name { get; init; } = "";
        public string Role { get; init; } = "";
        public bool Consent { get; init; }
        public string Attributes { get; init; } = "{}";
        public string Status { get; init; } = "";
        public string? RandomizedArm { get; init; }
    }
}
