using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Dapper;
using Reminders.Platform.Data;

namespace Reminders.Platform.Hosting;

/// <summary>
/// JSON lines (application/x-ndjson), one row per line: how a service hands a whole table to another (the audit's
/// sources) without ever holding it in memory on either side.
/// </summary>
public static class JsonLines
{
    public const string ContentType = "application/x-ndjson";

    /// <summary>Streams the rows of <paramref name="sql"/> as they are read from the database.</summary>
    public static IResult Stream<T>(ServiceDatabase database, string sql, CancellationToken ct) =>
        TypedResults.Stream(body => WriteAsync<T>(body, database, sql, ct), ContentType);

    static async Task WriteAsync<T>(Stream body, ServiceDatabase database, string sql, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        // Lines are gathered in a buffer and written asynchronously (the server refuses synchronous writes), 64 KB at a time.
        var buffer = new ArrayBufferWriter<byte>(80_000);
        await using var json = new Utf8JsonWriter(buffer);
        await foreach (var row in connection.QueryUnbufferedAsync<T>(sql).WithCancellation(ct))
        {
            JsonSerializer.Serialize(json, row, JsonSerializerOptions.Web);
            json.Reset();
            buffer.Write("\n"u8);
            if (buffer.WrittenCount < 64_000) continue;
            await body.WriteAsync(buffer.WrittenMemory, ct);
            buffer.ResetWrittenCount();
        }
        await body.WriteAsync(buffer.WrittenMemory, ct);
    }

    /// <summary>Reads every line of <paramref name="body"/> as one <typeparamref name="T"/>; blank lines are skipped.</summary>
    public static async Task<List<T>> ReadAsync<T>(Stream body, CancellationToken ct)
    {
        using var reader = new StreamReader(body);
        var rows = new List<T>();
        while (await reader.ReadLineAsync(ct) is { } line)
            if (line.Length > 0) rows.Add(JsonSerializer.Deserialize<T>(line, JsonSerializerOptions.Web)!);
        return rows;
    }
}
