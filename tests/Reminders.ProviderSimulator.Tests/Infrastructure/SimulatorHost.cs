using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reminders.ProviderSimulator.Log;
using Twilio.Clients;
using SystemNetHttpClient = Twilio.Http.SystemNetHttpClient;

namespace Reminders.ProviderSimulator.Tests.Infrastructure;

/// <summary>The simulator embedded the way the one-process host embeds it, on real Kestrel at 127.0.0.1, port 0.</summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    public const string AccountSid = "ACsimulator00000000000000000000000";
    public const string AuthToken = "simulator-fake-auth-token";
    public const string ControlKey = "test-simulator-control-key";

    private readonly WebApplication app;

    private SimulatorHost(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress };
        Http.DefaultRequestHeaders.Add(SimulatorOptions.ControlKeyHeader, ControlKey);
    }

    public Uri BaseAddress { get; }

    /// <summary>For the control routes (it sends the control key) and raw Twilio requests.</summary>
    public HttpClient Http { get; }

    public SimulatorLog Log => app.Services.GetRequiredService<SimulatorLog>();

    public static async Task<SimulatorHost> StartAsync(
        IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Simulator:ControlKey"] = ControlKey });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        configureServices?.Invoke(builder.Services);
        builder.Services.AddProviderSimulator(builder.Configuration);

        var app = builder.Build();
        app.MapProviderSimulator();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new SimulatorHost(app, new Uri(address));
    }

    /// <summary>The real Twilio SDK, pointed at this simulator.</summary>
    public TwilioRestClient Twilio(string accountSid = AccountSid, string authToken = AuthToken, TimeSpan? timeout = null)
    {
        var http = new HttpClient(new TwilioBaseUrlHandler(BaseAddress) { InnerHandler = new SocketsHttpHandler() })
        {
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };
        return new TwilioRestClient(accountSid, authToken, httpClient: new SystemNetHttpClient(http));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
