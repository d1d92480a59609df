using Reminders.Messaging;
using Reminders.Platform.Bus;
using Reminders.Platform.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddMessaging();
builder.AddReminderBus(bus => bus.AddMessagingConsumers());

var app = builder.Build();
app.MapServiceDefaults();
app.MapMessagingApi();
await app.RunServiceAsync();
