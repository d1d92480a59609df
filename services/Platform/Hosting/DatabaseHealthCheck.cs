using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Reminders.Platform.Data;

namespace Reminders.Platform.Hosting;

/// <summary>Ready when the service's database answers and its migrations have run.</summary>
public sealed class DatabaseHealthCheck(ServiceDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            var applied = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM schema_migrations", cancellationToken: cancellationToken));
            return HealthCheckResult.Healthy($"{database.Dialect}, {applied} migrations");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy($"{database.Service} database unreachable: {ex.Message}");
        }
    }
}
