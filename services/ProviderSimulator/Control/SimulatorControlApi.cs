using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.ProviderSimulator.Faults;
using Reminders.ProviderSimulator.Log;
using Reminders.ProviderSimulator.RateLimiting;
using Reminders.ProviderSimulator.Replies;

namespace Reminders.ProviderSimulator.Control;

/// <summary>
/// The simulator's own routes for local tooling, tests and the demo. They take no authentication on
/// purpose: the simulator only ever runs on a developer machine or in CI, never facing the internet.
/// </summary>
internal static class SimulatorControlApi
{
    public static IEndpointRouteBuilder MapSimulatorControlApi(this IEndpointRouteBuilder app)
    {
        var simulator = app.MapGroup("/simulator").WithTags("ProviderSimulator").AllowAnonymous();

        simulator.MapGet("/messages", (string? to, SimulatorLog log) =>
            TypedResults.Json(log.Snapshot(to), SimulatorJson.Control));
        simulator.MapGet("/messages/{sid}", Results<JsonHttpResult<SimulatedMessage>, NotFound> (string sid, SimulatorLog log) =>
            log.Find(sid) is { } message ? TypedResults.Json(message, SimulatorJson.Control) : TypedResults.NotFound());
        // Built in memory, then written asynchronously: Kestrel refuses synchronous writes to the response body.
        simulator.MapGet("/messages.csv", (string? to, SimulatorLog log) =>
        {
            using var writer = new StringWriter();
            MessageLogCsv.WriteHeader(writer);
            foreach (var message in log.Snapshot(to))
            {
                MessageLogCsv.WriteRow(writer, message);
            }
            return TypedResults.Text(writer.ToString(), "text/csv; charset=utf-8", System.Text.Encoding.UTF8);
        });
        simulator.MapDelete("/messages", (SimulatorLog log, SenderRateLimiter rateLimiter, OptOutBlocks optOuts) =>
        {
            log.Reset();
            rateLimiter.Reset();
            optOuts.Reset();
            return TypedResults.NoContent();
        });
        simulator.MapGet("/stats", (SimulatorLog log) => TypedResults.Json(log.Stats(), SimulatorJson.Control));

        simulator.MapGet("/faults", (SimulatorFaults faults) => TypedResults.Json(faults.Active(), SimulatorJson.Control));
        simulator.MapPost("/faults", Results<JsonHttpResult<ActiveFault>, ProblemHttpResult> (FaultSpec spec, SimulatorFaults faults) =>
            SimulatorFaults.Problem(spec) is { } problem
                ? TypedResults.Problem(problem, statusCode: StatusCodes.Status400BadRequest)
                : TypedResults.Json(faults.Add(spec), SimulatorJson.Control, statusCode: StatusCodes.Status201Created));
        simulator.MapDelete("/faults", (SimulatorFaults faults) =>
        {
            faults.Clear();
            return TypedResults.NoContent();
        });

        simulator.MapPost("/replies", async Task<Results<JsonHttpResult<ReplyDelivery>, ProblemHttpResult>> (
            SimulatedReply reply, ReplySimulator replies, CancellationToken cancellationToken) =>
        {
            var (delivery, problem) = await replies.SendAsync(reply, cancellationToken);
            if (problem is not null)
            {
                return TypedResults.Problem(problem, statusCode: StatusCodes.Status400BadRequest);
            }
            // 502 tells the caller the receiver could not be reached, with what was sent.
            var status = delivery!.ReceiverStatus is null ? StatusCodes.Status502BadGateway : StatusCodes.Status200OK;
            return TypedResults.Json(delivery, SimulatorJson.Control, statusCode: status);
        });
        return app;
    }
}
