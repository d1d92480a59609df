using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Reminders.Web.Services;

/// <summary>
/// One service's HTTP API, called as the signed-in person (a bearer token made per call). Every answer comes back as an
/// <see cref="ApiResult{T}"/>: a refusal is shown to the person with its reason, never thrown as a 500.
/// </summary>
public abstract partial class ServiceClient(HttpClient http, PersonTokenSource tokens, string service)
{
    protected async Task<ApiResult<T>> GetAsync<T>(string path, CancellationToken ct = default) =>
        await SendAsync<T>(new HttpRequestMessage(HttpMethod.Get, path), ct);

    protected async Task<ApiResult<T>> PostJsonAsync<T>(string path, object? body, CancellationToken ct = default) =>
        await SendAsync<T>(new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: ServiceJson.Options) }, ct);

    protected async Task<ApiResult<T>> DeleteAsync<T>(string path, CancellationToken ct = default) =>
        await SendAsync<T>(new HttpRequestMessage(HttpMethod.Delete, path), ct);

    /// <summary>A CSV upload as the raw body, in the file's own bytes (the service detects encoding and delimiter).</summary>
    protected async Task<ApiResult<T>> PostCsvAsync<T>(string path, byte[] csv, CancellationToken ct = default)
    {
        var content = new ByteArrayContent(csv);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return await SendAsync<T>(new HttpRequestMessage(HttpMethod.Post, path) { Content = content }, ct);
    }

    /// <summary>A file the service makes (CSV, calendar): its bytes and content type, for the console to hand to the browser.</summary>
    protected async Task<ApiResult<DownloadedFile>> DownloadAsync(HttpRequestMessage request, CancellationToken ct = default)
    {
        try
        {
            using var response = await SendRawAsync(request, ct);
            if (!response.IsSuccessStatusCode)
                return new(response.StatusCode, null, ApiProblem.Read(response.StatusCode, await response.Content.ReadAsStringAsync(ct)));
            var bytes = await response.Content.ReadAsByteArrayAsync(ct);
            return new(response.StatusCode, new DownloadedFile(bytes, response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream",
                response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"')), null);
        }
        catch (HttpRequestException error) { return new(0, null, ApiProblem.Unreachable(service, error)); }
    }

    protected async Task<ApiResult<T>> SendAsync<T>(HttpRequestMessage request, CancellationToken ct = default)
    {
        try
        {
            using var response = await SendRawAsync(request, ct);
            long? total = response.Headers.TryGetValues("X-Total-Count", out var values) && long.TryParse(values.FirstOrDefault(), out var count) ? count : null;
            if (!response.IsSuccessStatusCode)
                return new(response.StatusCode, default, ApiProblem.Read(response.StatusCode, await response.Content.ReadAsStringAsync(ct)), total);
            if (typeof(T) == typeof(JsonElement) || response.Content.Headers.ContentLength != 0)
            {
                var value = await response.Content.ReadFromJsonAsync<T>(ServiceJson.Options, ct);
                return new(response.StatusCode, value, null, total);
            }
            return new(response.StatusCode, default, null, total);
        }
        catch (HttpRequestException error) { return new(0, default, ApiProblem.Unreachable(service, error)); }
        catch (JsonException error) { return new(0, default, new ApiProblem(0, "unreadable", $"{service}: {error.Message}", null, [])); }
    }

    /// <summary>
    /// As <see cref="SendAsync{T}"/>, but a refusal with <paramref name="reportStatus"/> whose body is a report (a roll call's
    /// rejected rows, line by line) keeps that report as the value beside the problem, so the page can show every row.
    /// </summary>
    protected async Task<ApiResult<T>> SendKeepingReportAsync<T>(HttpRequestMessage request, System.Net.HttpStatusCode reportStatus, CancellationToken ct = default)
    {
        try
        {
            using var response = await SendRawAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode)
                return new(response.StatusCode, body.Length == 0 ? default : JsonSerializer.Deserialize<T>(body, ServiceJson.Options), null);
            var report = response.StatusCode == reportStatus && body.Length > 0 ? JsonSerializer.Deserialize<T>(body, ServiceJson.Options) : default;
            return new(response.StatusCode, report, ApiProblem.Read(response.StatusCode, body));
        }
        catch (HttpRequestException error) { return new(0, default, ApiProblem.Unreachable(service, error)); }
        catch (JsonException error) { return new(0, default, new ApiProblem(0, "unreadable", $"{service}: {error.Message}", null, [])); }
    }

    async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, CancellationToken ct)
    {
        if (await tokens.TokenAsync() is { } token) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request, ct);
    }
}

public sealed record DownloadedFile(byte[] Bytes, string ContentType, string? FileName);
