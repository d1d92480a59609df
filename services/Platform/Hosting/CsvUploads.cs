using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Reminders.Platform.Hosting;

/// <summary>
/// A route that reads its body as a CSV file: <see cref="Description"/> says what the file holds (for the OpenAPI
/// document), <see cref="JsonAlternative"/> is the JSON body it also takes, if any.
/// </summary>
public sealed record CsvUploadMetadata(string Description, Type? JsonAlternative = null);

public static class CsvUploads
{
    /// <summary>
    /// Marks the route as a CSV upload (described as a text/csv body in the OpenAPI document) and lets it take the first
    /// file of a multipart/form-data upload (a browser form, <c>curl -F file=@roster.csv</c>) as if it were the raw body.
    /// A url-encoded form is refused 415: <c>curl --data</c> sends one and strips every line break of the file. A file refused
    /// row by row is 422 ProblemDetails (<see cref="RejectedUpload"/>).
    /// No Accepts metadata on purpose: routing would answer 415 to a wrong content type before authentication answers 401.
    /// </summary>
    public static RouteHandlerBuilder AcceptsCsvUpload(this RouteHandlerBuilder builder, string description, Type? jsonAlternative = null) =>
        builder.WithMetadata(new CsvUploadMetadata(description, jsonAlternative)).AddEndpointFilter(UnwrapFormUploadAsync)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    public static bool IsCsvUpload(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<CsvUploadMetadata>() is not null;

    static async ValueTask<object?> UnwrapFormUploadAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        if (!request.HasFormContentType) return await next(context);
        var json = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<CsvUploadMetadata>()?.JsonAlternative is not null;
        var howTo = "Send the file itself as the request body with Content-Type: text/csv" + (json ? " (or a JSON array with Content-Type: application/json)" : "")
            + ", e.g. curl --data-binary @file.csv -H 'Content-Type: text/csv' (curl --data sends a form and strips the file's line breaks)"
            + ", or upload it as the one file of a multipart/form-data form.";
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return Refused(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"A form ({type?.MediaType.Value ?? request.ContentType}) is not a file. {howTo}");
        var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
            return Refused(StatusCodes.Status400BadRequest, "Invalid request", $"The multipart/form-data body has no boundary. {howTo}");

        var reader = new MultipartReader(boundary, request.Body);
        MultipartSection? section;
        try
        {
            while ((section = await reader.ReadNextSectionAsync(context.HttpContext.RequestAborted)) is not null)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.IsFileDisposition()) continue;
                // The handler reads the file part as it reads a raw body, within its own size limit; later parts are never read.
                request.Body = section.Body;
                request.ContentType = section.ContentType ?? "text/csv";
                request.ContentLength = null;
                return await next(context);
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException and not BadHttpRequestException)
        {
            return Refused(StatusCodes.Status400BadRequest, "Invalid request", $"The multipart/form-data body cannot be read ({ex.Message}). {howTo}");
        }
        return Refused(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"The multipart/form-data body holds no file. {howTo}");
    }

    static IResult Refused(int status, string title, string detail) => Refusals.Refuse(status, "body", title, detail);
}
