using Reminders.Attendance;
using Reminders.Platform.Bus;
using Reminders.Platform.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddAttendance();
builder.AddReminderBus(bus => bus.AddAttendanceConsumers());

var app = builder.Build();
app.MapServiceDefaults();
app.MapAttendanceApi();
await app.RunServiceAsync();
