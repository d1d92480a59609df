using Microsoft.AspNetCore.Http;

namespace Reminders.Platform.Hosting;

public static class RequestBody
{
    /// <summary>The whole body, or null when it is larger than <paramref name="maxBytes"/> (declared or, when chunked, as read).</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
