using Reminders.Local;
using Reminders.Local.Demo;

if (args.Length > 0 && args[0] == "demo")
    return await DemoCommand.RunAsync(args[1..]);

var app = LocalHost.Build(args);
LocalHost.PrintApiKeys(app);
await app.RunAsync();
return 0;
