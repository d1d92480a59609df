using Reminders.Web;
using Reminders.Web.Users;

if (args.Length > 0 && args[0] == "users")
    return await UsersCommand.RunAsync(args[1..]);

var app = ConsoleHost.Build(args);
await app.RunAsync();
return 0;
