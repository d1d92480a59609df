using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.ProviderSimulator.Faults;
using Reminders.ProviderSimulator.Log;
using Reminders.ProviderSimulator.RateLimiting;
using Reminders.ProviderSimulator.Replies;

namespace Reminders.ProviderSimulator.Control;

/// <summary>
/// The simulator's own routes for local tooling, tests and the demo. They take the simulator's control key: a reply posted
/// here reaches the inbound webhook signed, so an anonymous one could opt any officer out.
/// </summary>
internal static class SimulatorControlApi
{
    public static IEndpointRouteBuilder MapSimulatorControlApi(this IEndpointRouteBuilder app)
    {
        // The simulator's own key, not the host's API keys: AllowAnonymous keeps an embedding host's fallback policy out of it.
        // Left out of the OpenAPI document, as the Twilio-shaped routes are: tooling that exists only beside the simulator.
        var simulator = app.MapGroup("/simulator")
            .AddEndpointFilter<ControlKeyFilter>()
            .AllowAnonymous()
            .WithTags("ProviderSimulator")
            .ExcludeFromDescription();

        simulator.MapGet("/messages", (string? to, SimulatorLog log) =>
            TypedResults.Json(log.Snapshot(to), SimulatorJson.Control)).WithSummary("The simulator's log: every message it accepted, optionally to one number.");
        simulator.MapGet("/messages/{sid}", Results<JsonHttpResult<SimulatedMessage>, NotFound> (string sid, SimulatorLog log) =>
            log.Find(sid) is { } message ? TypedResults.Json(message, SimulatorJson.Control) : TypedResults.NotFound())
            .WithSummary("One logged message by its SID.");
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
        }).WithSummary("The simulator's log as CSV: the ground truth of what reached a phone.");
        simulator.MapDelete("/messages", (SimulatorLog log, SenderRateLimiter rateLimiter, OptOutBlocks optOuts) =>
        {
            log.Reset();
            rateLimiter.Reset();
            optOuts.Reset();
            return TypedResults.NoContent();
        }).WithSummary("Clear the log, the rate limiter and the opt-out blocks.");
        simulator.MapGet("/requests", (string? from, SimulatorLog log) => TypedResults.Json(log.Requests(from), SimulatorJson.Control))
            .WithSummary("Every request to create a message as it arrived, accepted or refused, optionally from one sender: the client's own pace.");
        simulator.MapGet("/stats", (SimulatorLog log) => TypedResults.Json(log.Stats(), SimulatorJson.Control))
            .WithSummary("Counts of the logged messages by status.");

        simulator.MapGet("/faults", (SimulatorFaults faults) => TypedResults.Json(faults.Active(), SimulatorJson.Control))
            .WithSummary("The faults in force.");
        simulator.MapPost("/faults", Results<JsonHttpResult<ActiveFault>, ProblemHttpResult> (FaultSpec spec, SimulatorFaults faults) =>
            SimulatorFaults.Problem(spec) is { } problem
                ? TypedResults.Problem(problem, statusCode: StatusCodes.Status400BadRequest)
                : TypedResults.Json(faults.Add(spec), SimulatorJson.Control, statusCode: StatusCodes.Status201Created))
            .WithSummary("Inject a fault (429s, 5xx, slow or lost answers, callbacks out of order...).");
        simulator.MapDelete("/faults", (SimulatorFaults faults) =>
        {
            faults.Clear();
            return TypedResults.NoContent();
        }).WithSummary("Remove every fault.");

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
        }).WithSummary("Simulate an officer's reply: the simulator calls the inbound webhook, signed.");
        return app;
    }
}
