using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Reminders.ProviderSimulator;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddProviderSimulator(builder.Configuration);
builder.Services.AddHealthChecks();

var app = builder.Build();

app.MapProviderSimulator();
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready");

app.Run();
