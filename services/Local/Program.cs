using Reminders.Local;
using Reminders.Local.Audit;
using Reminders.Local.Demo;
using Reminders.Local.Sample;

if (args.Length > 0 && args[0] == "demo")
    return await DemoCommand.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "audit")
    return await AuditCommand.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "sample")
    return await SampleCommand.RunAsync(args[1..]);

var app = LocalHost.Build(args);
LocalHost.PrintApiKeys(app);
await app.RunAsync();
return 0;
