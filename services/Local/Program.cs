using Reminders.Local;
using Reminders.Local.Audit;
using Reminders.Local.Demo;
using Reminders.Local.ErrorQueues;
using Reminders.Local.Sample;
using Reminders.Web.Users;

if (args.Length > 0 && args[0] == "demo")
    return await DemoCommand.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "audit")
    return await AuditCommand.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "errors")
    return await ErrorQueuesCommand.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "sample")
    return await SampleCommand.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "users")
    return await UsersCommand.RunAsync(args[1..]);

var app = LocalHost.Build(args);
var console = LocalHost.BuildConsole(app, args);
LocalHost.PrintApiKeys(app);
Console.WriteLine($"Console: {console.Configuration["Urls"]}  (sign in with a user from: users add --name <name> --role manager)");
await Task.WhenAll(app.RunAsync(), console.RunAsync());
return 0;
