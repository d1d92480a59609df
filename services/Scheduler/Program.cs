using Reminders.Platform.Bus;
using Reminders.Platform.Hosting;
using Reminders.Scheduler;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddScheduler();
builder.AddReminderBus(bus => bus.AddSchedulerConsumers());

var app = builder.Build();
app.MapServiceDefaults();
app.MapSchedulerApi();
await app.RunServiceAsync();
