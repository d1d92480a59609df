using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Reminders.Platform.Hosting;

/// <summary>
/// A body or parameter that cannot be read (malformed JSON, wrong types, a missing required value) is the caller's
/// mistake: 400 ProblemDetails saying what could not be read, never a 500.
/// </summary>
sealed class BadRequestExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad) return false;
        httpContext.Response.StatusCode = bad.StatusCode;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = bad.StatusCode,
                Title = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request too large" : "Invalid request",
                Detail = (bad.InnerException as System.Text.Json.JsonException)?.Message is { } json ? $"{bad.Message} {json}" : bad.Message,
                Extensions = { ["field"] = "body" },
            },
        });
    }
}
