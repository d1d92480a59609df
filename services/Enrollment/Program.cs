using Reminders.Enrollment;
using Reminders.Platform.Bus;
using Reminders.Platform.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddEnrollment();
builder.AddReminderBus(bus => bus.AddEnrollmentConsumers());

var app = builder.Build();
app.MapServiceDefaults();
app.MapEnrollmentApi();
await app.RunServiceAsync();
