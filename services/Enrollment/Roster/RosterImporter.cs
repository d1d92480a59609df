using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Enrollment.Roster;

public enum RosterImportMode { DryRun, Apply }

public sealed record RosterImportReport(
    string Mode, int Rows, int Created, int Updated, int Unchanged, int SectorsCreated, IReadOnlyList<RosterError> Errors)
{
    public bool Applied => Mode == "apply" && Errors.Count == 0;
}

/// <summary>
/// Imports a parsed roster all or nothing: any bad row and nothing is written. New officers are announced
/// (OfficerEnrolled, without phone) and their phone goes to Messaging's own queue (UpdateOfficerContact).
/// </summary>
public sealed class RosterImporter([FromKeyedServices(EnrollmentService.Name)] ServiceDatabase database, TimeProvider clock)
{
    public async Task<RosterImportReport> ImportAsync(string csvText, RosterImportMode mode, CancellationToken ct)
    {
        var parsed = RosterParser.Parse(csvText);
        var errors = parsed.Errors.ToList();
        var now = clock.GetUtcNow();
        int created = 0, updated = 0, unchanged = 0, sectorsCreated = 0;

        await using var work = await database.BeginAsync(ct);
        var sectors = (await work.QueryAsync<SectorKey>("SELECT id AS Id, code AS Code FROM sectors", ct: ct))
            .ToDictionary(s => s.Code, s => s.Id, StringComparer.OrdinalIgnoreCase);
        var officers = (await work.QueryAsync<ExistingOfficer>(
            "SELECT id AS Id, badge AS Badge, sector_id AS SectorId, phone_e164 AS PhoneE164, name AS Name, role AS Role, consent AS Consent FROM officers", ct: ct))
            .ToDictionary(o => o.Badge, StringComparer.OrdinalIgnoreCase);
        var phoneOwners = officers.Values.ToDictionary(o => o.PhoneE164, o => o.Badge);

        foreach (var row in parsed.Rows)
        {
            if (phoneOwners.TryGetValue(row.PhoneE164, out var owner) && !string.Equals(owner, row.Badge, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new RosterError(row.Line, "phone", row.PhoneE164, $"This phone already belongs to officer {owner}."));
                continue;
            }
            if (!sectors.TryGetValue(row.SectorCode, out var sectorId))
            {
                sectorId = Guid.CreateVersion7();
                sectors[row.SectorCode] = sectorId;
                sectorsCreated++;
                await work.ExecuteAsync("INSERT INTO sectors (id, code, name, created_at) VALUES (@sectorId, @code, @code, @now)",
                    new { sectorId, code = row.SectorCode, now }, ct);
                work.Publish(new SectorRegistered(sectorId, row.SectorCode, row.SectorCode, now));
            }

            if (!officers.TryGetValue(row.Badge, out var existing))
            {
                var officerId = Guid.CreateVersion7();
                await work.ExecuteAsync("""
                    INSERT INTO officers (id, badge, name, role, sector_id, phone_e164, consent, created_at, updated_at)
                    VALUES (@officerId, @Badge, @Name, @Role, @sectorId, @PhoneE164, @Consent, @now, @now)
                    """, new { officerId, row.Badge, row.Name, row.Role, sectorId, row.PhoneE164, row.Consent, now }, ct);
                work.Publish(new OfficerEnrolled(officerId, sectorId, row.Role, now));
                work.Send(QueueNames.UpdateOfficerContact, new UpdateOfficerContact(officerId, row.PhoneE164, now));
                officers[row.Badge] = new ExistingOfficer { Id = officerId, Badge = row.Badge, SectorId = sectorId, PhoneE164 = row.PhoneE164, Name = row.Name, Role = row.Role, Consent = row.Consent };
                phoneOwners[row.PhoneE164] = row.Badge;
                created++;
                continue;
            }

            if (existing.SectorId != sectorId)
            {
                errors.Add(new RosterError(row.Line, "sector", row.SectorCode, "A change of sector is a transfer; transfers are not imported by this version."));
                continue;
            }
            if (existing.PhoneE164 == row.PhoneE164 && existing.Name == row.Name && existing.Role == row.Role && existing.Consent == row.Consent)
            {
                unchanged++;
                continue;
            }
            await work.ExecuteAsync("""
                UPDATE officers SET name = @Name, role = @Role, phone_e164 = @PhoneE164, consent = @Consent, updated_at = @now WHERE id = @Id
                """, new { existing.Id, row.Name, row.Role, row.PhoneE164, row.Consent, now }, ct);
            if (existing.PhoneE164 != row.PhoneE164)
                work.Send(QueueNames.UpdateOfficerContact, new UpdateOfficerContact(existing.Id, row.PhoneE164, now));
            updated++;
        }

        var report = new RosterImportReport(mode == RosterImportMode.Apply ? "apply" : "dry-run",
            parsed.Rows.Count + parsed.Errors.Select(e => e.Line).Distinct().Count(), created, updated, unchanged, sectorsCreated,
            errors.OrderBy(e => e.Line).ToList());
        if (report.Applied) await work.CommitAsync(ct);
        return report;
    }

    sealed record SectorKey
    {
        public Guid Id { get; init; }
        public string Code { get; init; } = "";
    }

    sealed record ExistingOfficer
    {
        public Guid Id { get; init; }
        public string Badge { get; init; } = "";
        public Guid SectorId { get; init; }
        public string PhoneE164 { get; init; } = "";
        public string Name { get; init; } = "";
        public string Role { get; init; } = "";
        public bool Consent { get; init; }
    }
}
